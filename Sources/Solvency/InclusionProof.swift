import StrictJSON
import ZKGroup

/// One account's inclusion proof in an epoch index (`zkmargin/inclusion@1`,
/// `DIR/inclusion/<L>.json`), unsigned: it is checked against the signed
/// root.
///
/// ```json
/// { "format": "zkmargin/inclusion@1", "index": "<hex SHA-256 of the index payload>",
///   "position": 17, "count": 1000, "account": "<hex label digest>",
///   "statement": "<hex statement digest>", "proof": "<hex proof file digest>",
///   "path": ["<hex>", …] }
/// ```
///
/// `account`, `statement` and `proof` are the leaf (`EpochIndexLeaf`); a
/// verifier recomputes all three from the proof file and compares them
/// before it hashes the path, so a mismatch says which one differs.
public struct InclusionProof: Sendable, Equatable {
    public let indexDigest: [UInt8]
    public let position: Int
    public let count: Int
    public let leaf: EpochIndexLeaf
    /// The siblings from the leaf up (RFC 9162 §2.1.3.1).
    public let path: [[UInt8]]

    /// A path has at most this many siblings (⌈log₂ EpochIndex.maximumCount⌉).
    public static let maximumPathLength = 40

    public init(indexDigest: [UInt8], position: Int, count: Int, leaf: EpochIndexLeaf, path: [[UInt8]]) {
        self.indexDigest = indexDigest
        self.position = position
        self.count = count
        self.leaf = leaf
        self.path = path
    }

    public func encoded() -> [UInt8] {
        let o = JSONObject([
            ("format", .string(FileKind.inclusion.formatName)),
            ("index", .string(indexDigest.hexString)),
            ("position", .number(String(position))),
            ("count", .number(String(count))),
            ("account", .string(leaf.labelDigest.hexString)),
            ("statement", .string(leaf.statementDigest.hexString)),
            ("proof", .string(leaf.proofDigest.hexString)),
            ("path", .array(path.map { .string($0.hexString) })),
        ])
        return JSONValue.object(o).encoded()
    }

    /// Strict decoding: every member, in hex of its exact length, nothing else.
    public init(encoded bytes: [UInt8]) throws(SolvencyError) {
        let object = try parseJSONObject(bytes, what: FileKind.inclusion.noun)
        try FileKind.check(object["format"], expected: .inclusion, path: "inclusion")
        var r = FieldReader(object, path: "inclusion")
        _ = r.optional("format")
        indexDigest = try r.hex("index", count: 32)
        count = try r.integer("count", in: 1...EpochIndex.maximumCount)
        position = try r.integer("position", in: 0...(EpochIndex.maximumCount - 1))
        guard position < count else { throw .field("inclusion.position", "\(position) is not below the count, \(count)") }
        // One text per position: `-0` is a JSON integer too.
        guard case .number(let text)? = object["position"], text == String(position) else {
            throw .field("inclusion.position", "expected an integer written plainly (no sign, no leading zero)")
        }
        leaf = EpochIndexLeaf(labelDigest: try r.hex("account", count: 32), statementDigest: try r.hex("statement", count: 32),
                              proofDigest: try r.hex("proof", count: 32))
        let items = try r.array("path")
        guard items.count <= Self.maximumPathLength else { throw .field("inclusion.path", "more than \(Self.maximumPathLength) hashes") }
        var path: [[UInt8]] = []
        for (k, item) in items.enumerated() {
            guard case .string(let s) = item, s.utf8.count == 64, s == s.lowercased(), let h = [UInt8](hex: s) else {
                throw .field("inclusion.path[\(k)]", "expected 32 bytes as 64 lower-case hexadecimal digits")
            }
            path.append(h)
        }
        self.path = path
        try r.finish()
    }

    /// Checks that `leaf` (recomputed from a proof file) is in `index`:
    /// this file names that index, its count, and that leaf, and its path
    /// leads from the leaf at `position` to the signed root. Every
    /// failure is `notInIndex`.
    public func check(_ expected: EpochIndexLeaf, in index: EpochIndex) throws(SolvencyError) {
        guard indexDigest == index.digest else {
            throw .notInIndex("the inclusion proof is for another epoch index (\(short(indexDigest.hexString))…), not the one given (\(short(index.digest.hexString))…)")
        }
        guard count == index.count else {
            throw .notInIndex("the inclusion proof is for a tree of \(count) accounts; the index signs \(index.count)")
        }
        guard leaf.labelDigest == expected.labelDigest else {
            throw .notInIndex("the inclusion proof is for another account (label SHA-256 \(short(leaf.labelDigest.hexString))…, not \(short(expected.labelDigest.hexString))…)")
        }
        guard leaf.statementDigest == expected.statementDigest else {
            throw .notInIndex("the index names another statement for this account (\(short(leaf.statementDigest.hexString))…), not the one this proof was made from (\(short(expected.statementDigest.hexString))…)")
        }
        guard leaf.proofDigest == expected.proofDigest else {
            throw .notInIndex("the index names another proof file for this account (SHA-256 \(short(leaf.proofDigest.hexString))…), not this one (\(short(expected.proofDigest.hexString))…)")
        }
        guard let root = MerkleTree.root(fromPath: path, leafHash: expected.hash, index: position, count: count), root == index.root else {
            throw .notInIndex("the inclusion path does not lead from position \(position) of \(count) to the index's signed root")
        }
    }
}
