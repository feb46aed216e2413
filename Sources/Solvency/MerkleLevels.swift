/// Every node of an RFC 9162 tree (`MerkleTree`), level by level, so that
/// any leaf's inclusion path can be read off without keeping every path:
/// about 2·n·32 bytes for n leaves, where `MerkleTree.rootAndPaths` holds
/// n·log₂n·32 (a million accounts: 64 MB instead of 640 MB).
///
/// Built bottom-up: level 0 is the leaf hashes; level h+1 pairs level h's
/// nodes (2i, 2i+1) with `MerkleTree.nodeHash`, and a last node without a
/// right sibling is carried up unchanged. That is RFC 9162's tree (split at
/// the largest power of two below n): the left part is a perfect subtree
/// at aligned positions, and the carried node is the root of the ragged
/// right part; `MerkleTreeTests` checks it against `MerkleTree` for every
/// size up to 70 and against the published vectors.
public struct MerkleLevels: Sendable {
    /// levels[h] holds the hashes of level h, 32 bytes each, concatenated.
    private let levels: [[UInt8]]

    /// The number of leaves.
    public let count: Int

    /// The tree over `leafHashes` (each 32 bytes); at least one leaf.
    public init(leafHashes: [[UInt8]]) {
        precondition(!leafHashes.isEmpty && leafHashes.allSatisfy { $0.count == MerkleTree.hashByteCount })
        let w = MerkleTree.hashByteCount
        var level = [UInt8]()
        level.reserveCapacity(leafHashes.count * w)
        for h in leafHashes { level += h }
        var all = [level]
        var n = leafHashes.count
        while n > 1 {
            var next = [UInt8]()
            next.reserveCapacity((n + 1) / 2 * w)
            var i = 0
            while i + 1 < n {
                next += MerkleTree.nodeHash(Array(level[(i * w)..<((i + 1) * w)]), Array(level[((i + 1) * w)..<((i + 2) * w)]))
                i += 2
            }
            if i < n { next += level[(i * w)..<((i + 1) * w)] }
            all.append(next)
            level = next
            n = (n + 1) / 2
        }
        levels = all
        count = leafHashes.count
    }

    private func node(_ h: Int, _ i: Int) -> [UInt8] {
        let w = MerkleTree.hashByteCount
        return Array(levels[h][(i * w)..<((i + 1) * w)])
    }

    private func width(_ h: Int) -> Int { levels[h].count / MerkleTree.hashByteCount }

    /// MTH of the leaves.
    public var root: [UInt8] { node(levels.count - 1, 0) }

    /// The hash of leaf `index`.
    public func leafHash(_ index: Int) -> [UInt8] { node(0, index) }

    /// PATH(index, D[n]) of RFC 9162 §2.1.3.1: the siblings from the leaf
    /// up (a level where the node has no sibling adds none).
    public func path(_ index: Int) -> [[UInt8]] {
        precondition(index >= 0 && index < count)
        var out: [[UInt8]] = []
        var i = index
        for h in 0..<(levels.count - 1) {
            let sibling = i ^ 1
            if sibling < width(h) { out.append(node(h, sibling)) }
            i >>= 1
        }
        return out
    }
}
