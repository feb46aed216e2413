import ZKGroup

/// The Merkle tree of RFC 9162 §2.1 (Certificate Transparency 2.0, the
/// same tree as RFC 6962) over SHA-256, for the epoch's signed roots.
///
/// - leaf hash: SHA-256(0x00 ‖ leaf data)
/// - node hash: SHA-256(0x01 ‖ left ‖ right)
/// - MTH of n > 1 leaves: node(MTH(D[0..<k]), MTH(D[k..<n])), k the largest
///   power of two below n; MTH of one leaf is its leaf hash; of none,
///   SHA-256 of the empty string.
///
/// The 0x00/0x01 prefixes keep a leaf from ever being read as a node (a
/// second preimage by a shortened path); each tree's signed root names
/// its format, so roots of different trees are never confused.
public enum MerkleTree {
    public static let hashByteCount = 32

    /// SHA-256(0x00 ‖ data).
    public static func leafHash(_ data: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update([0x00])
        h.update(data)
        return h.finalize()
    }

    /// SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update([0x01])
        h.update(left)
        h.update(right)
        return h.finalize()
    }

    /// The largest power of two strictly below `n` (n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// MTH over leaf hashes.
    public static func root(leafHashes: [[UInt8]]) -> [UInt8] {
        if leafHashes.isEmpty { return SHA256.hash([]) }
        return subtreeRoot(leafHashes[...])
    }

    private static func subtreeRoot(_ d: ArraySlice<[UInt8]>) -> [UInt8] {
        if d.count == 1 { return d.first! }
        let k = split(d.count)
        let mid = d.startIndex + k
        return nodeHash(subtreeRoot(d[d.startIndex..<mid]), subtreeRoot(d[mid...]))
    }

    /// The root and every leaf's inclusion path (RFC 9162 §2.1.3.1,
    /// PATH(m, D[n]): siblings from the leaf up), in O(n log n).
    public static func rootAndPaths(leafHashes: [[UInt8]]) -> (root: [UInt8], paths: [[[UInt8]]]) {
        if leafHashes.isEmpty { return (SHA256.hash([]), []) }
        var paths = [[[UInt8]]](repeating: [], count: leafHashes.count)
        let root = build(leafHashes[...], into: &paths)
        return (root, paths)
    }

    private static func build(_ d: ArraySlice<[UInt8]>, into paths: inout [[[UInt8]]]) -> [UInt8] {
        if d.count == 1 { return d.first! }
        let mid = d.startIndex + split(d.count)
        let left = build(d[d.startIndex..<mid], into: &paths)
        let right = build(d[mid...], into: &paths)
        for m in d.startIndex..<mid { paths[m].append(right) }
        for m in mid..<d.endIndex { paths[m].append(left) }
        return nodeHash(left, right)
    }

    /// The root that `path` leads to from leaf `index` (whose hash is
    /// `leafHash`) in a tree of `count` leaves, by RFC 9162 §2.1.3.2; nil
    /// when the path cannot belong to such a tree (index out of range, or
    /// too many or too few siblings for that position, a leaf hash or
    /// sibling of another length than 32 bytes).
    public static func root(fromPath path: [[UInt8]], leafHash: [UInt8], index: Int, count: Int) -> [UInt8]? {
        guard count > 0, index >= 0, index < count else { return nil }
        guard leafHash.count == hashByteCount, path.allSatisfy({ $0.count == hashByteCount }) else { return nil }
        var fn = index
        var sn = count - 1
        var r = leafHash
        for p in path {
            if sn == 0 { return nil }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }
}
