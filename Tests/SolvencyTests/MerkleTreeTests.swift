import Foundation
import StrictJSON
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// The RFC 9162 tree against numbers it did not produce
/// (`Vectors/merkle/rfc9162.json`, from transparency-dev/merkle), and
/// every way a path can be wrong.
final class MerkleTreeTests: XCTestCase {
    struct Vectors {
        let leaves: [[UInt8]]
        let leafHashes: [[UInt8]]
        let roots: [[UInt8]]
        let paths: [(index: Int, count: Int, path: [[UInt8]])]
        let probes: [(source: String, index: Int, count: Int, leafHash: [UInt8], root: [UInt8], path: [[UInt8]], valid: Bool)]
    }

    static func hex(_ v: Any?) -> [UInt8] { [UInt8](hex: v as! String)! }

    /// An index or size; a few probes use numbers beyond Int (up to
    /// 2⁶⁴ − 1), which no tree here can have: Int.max stands for them.
    static func size(_ v: Any?) -> Int { (v as? Int) ?? Int.max }

    static func load() throws -> Vectors {
        let o = try XCTUnwrap(try Repository.forTests.vectorObject("merkle/rfc9162.json"))
        let paths = (o["paths"] as! [[String: Any]]).map { p in
            (index: p["index"] as! Int, count: p["count"] as! Int, path: (p["path"] as! [Any]).map(hex))
        }
        let probes = (o["probes"] as! [[String: Any]]).map { p in
            (source: p["source"] as! String, index: size(p["index"]), count: size(p["count"]), leafHash: hex(p["leaf_hash"]),
             root: hex(p["root"]), path: (p["path"] as! [Any]).map(hex), valid: p["valid"] as! Bool)
        }
        return Vectors(leaves: (o["leaves"] as! [Any]).map(hex), leafHashes: (o["leaf_hashes"] as! [Any]).map(hex),
                       roots: (o["roots"] as! [Any]).map(hex), paths: paths, probes: probes)
    }

    func testLeafHashesAndRootsOfEveryPrefix() throws {
        let v = try Self.load()
        XCTAssertEqual(v.leaves.count, 8)
        XCTAssertEqual(v.roots.count, 9)
        XCTAssertEqual(v.leaves.map(MerkleTree.leafHash), v.leafHashes)
        for n in 0...8 {
            let hashes = Array(v.leaves.prefix(n)).map(MerkleTree.leafHash)
            XCTAssertEqual(MerkleTree.root(leafHashes: hashes).hexString, v.roots[n].hexString, "size \(n)")
            XCTAssertEqual(MerkleTree.rootAndPaths(leafHashes: hashes).root, v.roots[n], "size \(n)")
        }
    }

    /// Every path `rootAndPaths` makes leads to the published root, and the
    /// published paths are exactly the ones it makes.
    func testPathsOfEveryLeafOfEverySize() throws {
        let v = try Self.load()
        for n in 1...8 {
            let hashes = Array(v.leafHashes.prefix(n))
            let (root, paths) = MerkleTree.rootAndPaths(leafHashes: hashes)
            XCTAssertEqual(paths.count, n)
            for m in 0..<n {
                XCTAssertEqual(MerkleTree.root(fromPath: paths[m], leafHash: hashes[m], index: m, count: n), root, "leaf \(m) of \(n)")
            }
        }
        XCTAssertEqual(v.paths.count, 5)
        for p in v.paths {
            let hashes = Array(v.leafHashes.prefix(p.count))
            XCTAssertEqual(MerkleTree.rootAndPaths(leafHashes: hashes).paths[p.index].map(\.hexString), p.path.map(\.hexString), "leaf \(p.index) of \(p.count)")
            XCTAssertEqual(MerkleTree.root(fromPath: p.path, leafHash: hashes[p.index], index: p.index, count: p.count), v.roots[p.count])
        }
    }

    /// The 86 probes: the valid ones lead to their root, each corrupted one
    /// to nothing or to another root.
    func testInclusionProbes() throws {
        let v = try Self.load()
        XCTAssertEqual(v.probes.count, 86)
        XCTAssertEqual(v.probes.filter(\.valid).count, 6)
        for p in v.probes {
            let got = MerkleTree.root(fromPath: p.path, leafHash: p.leafHash, index: p.index, count: p.count)
            if p.valid {
                XCTAssertEqual(got, p.root, p.source)
            } else {
                XCTAssertNotEqual(got, p.root, p.source)
            }
        }
    }

    /// Our own corruptions of every path of the 7- and 8-leaf trees: one
    /// sibling too many or too few, another index or count, a flipped bit, a
    /// short sibling.
    func testEveryCorruptedPathIsRefused() throws {
        let v = try Self.load()
        for n in [5, 7, 8] {
            let hashes = Array(v.leafHashes.prefix(n))
            let (root, paths) = MerkleTree.rootAndPaths(leafHashes: hashes)
            for m in 0..<n {
                let path = paths[m], leaf = hashes[m]
                func refused(_ p: [[UInt8]], index: Int = m, count: Int = n, leaf l: [UInt8]? = nil, _ what: String) {
                    let got = MerkleTree.root(fromPath: p, leafHash: l ?? leaf, index: index, count: count)
                    XCTAssertNotEqual(got, root, "\(what), leaf \(m) of \(n)")
                }
                refused(path + [root], "one sibling too many")
                refused(path + [path.last!], "the last sibling twice")
                refused(Array(path.dropLast()), "one sibling too few")
                refused(Array(path.dropFirst()), "the first sibling dropped")
                refused([], "no path")
                for other in 0..<(n + 2) where other != m { refused(path, index: other, "index \(other)") }
                refused(path, index: -1, "index -1")
                for count in [0, m, 2 * n + 1] where count != n {
                    refused(path, count: count, "count \(count)")
                }
                refused(path, leaf: SHA256.hash(leaf), "another leaf")
                refused(path, leaf: MerkleTree.nodeHash(leaf, leaf), "a node for a leaf")
                for k in path.indices {
                    for bit in [0, 7, 255] {
                        var p = path
                        p[k][bit / 8] ^= UInt8(1 << (bit % 8))
                        refused(p, "bit \(bit) of sibling \(k) flipped")
                    }
                    var short = path
                    short[k].removeLast()
                    XCTAssertNil(MerkleTree.root(fromPath: short, leafHash: leaf, index: m, count: n), "a 31-byte sibling")
                    var swapped = path
                    if k + 1 < path.count {
                        swapped.swapAt(k, k + 1)
                        refused(swapped, "siblings \(k) and \(k + 1) swapped")
                    }
                }
            }
        }
    }

    /// A path does not bind the tree's size: leaf 0's path in 5 leaves
    /// also leads to the same root read as a tree of 6 (RFC 9162 signs the
    /// size with the root for this reason). So an epoch index signs its
    /// count, and a verifier takes the count from the signed index, never
    /// from the inclusion file alone (`InclusionProof.check`).
    func testTheSizeIsNotBoundByThePathAlone() throws {
        let v = try Self.load()
        let hashes = Array(v.leafHashes.prefix(5))
        let (root, paths) = MerkleTree.rootAndPaths(leafHashes: hashes)
        XCTAssertEqual(MerkleTree.root(fromPath: paths[0], leafHash: hashes[0], index: 0, count: 6), root)
        XCTAssertNotEqual(MerkleTree.root(fromPath: paths[4], leafHash: hashes[4], index: 4, count: 6), root)
    }

    /// The structural refusals are nil, not merely another root.
    func testPathsThatCannotFitAreNil() throws {
        let v = try Self.load()
        let (_, paths) = MerkleTree.rootAndPaths(leafHashes: v.leafHashes)
        XCTAssertNil(MerkleTree.root(fromPath: paths[0] + [v.leafHashes[0]], leafHash: v.leafHashes[0], index: 0, count: 8))
        XCTAssertNil(MerkleTree.root(fromPath: Array(paths[0].dropLast()), leafHash: v.leafHashes[0], index: 0, count: 8))
        XCTAssertNil(MerkleTree.root(fromPath: paths[0], leafHash: v.leafHashes[0], index: 8, count: 8))
        XCTAssertNil(MerkleTree.root(fromPath: paths[0], leafHash: v.leafHashes[0], index: 0, count: 0))
        XCTAssertNil(MerkleTree.root(fromPath: [], leafHash: v.leafHashes[0], index: 0, count: 2))
        XCTAssertEqual(MerkleTree.root(fromPath: [], leafHash: v.leafHashes[0], index: 0, count: 1), v.leafHashes[0])
        // A leaf hash of another length (the probe empty-root-and-leaf found it accepted).
        XCTAssertNil(MerkleTree.root(fromPath: [], leafHash: [], index: 0, count: 1))
        XCTAssertNil(MerkleTree.root(fromPath: paths[0], leafHash: Array(v.leafHashes[0].dropLast()), index: 0, count: 8))
    }
}
