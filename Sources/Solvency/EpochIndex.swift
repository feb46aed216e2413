public import Foundation
import StrictJSON
public import ZKGroup

/// One account's entry in an epoch index: which statement the custodian
/// signed for it this epoch, and which proof file was made from it.
///
/// Leaf data (96 bytes, SPEC.md §16.19): label digest (SHA-256 of the
/// account label's UTF-8 bytes) ‖ statement digest (SHA-256 of the signed
/// statement payload) ‖ proof digest (SHA-256 of the proof file's bytes).
/// Leaves order by these bytes, hence by label digest first.
public struct EpochIndexLeaf: Sendable, Hashable, Comparable {
    /// The 96 bytes hashed into the tree (one allocation per leaf: an
    /// index of a million accounts holds a million of them).
    public let data: [UInt8]

    public init(labelDigest: [UInt8], statementDigest: [UInt8], proofDigest: [UInt8]) {
        precondition(labelDigest.count == 32 && statementDigest.count == 32 && proofDigest.count == 32)
        data = labelDigest + statementDigest + proofDigest
    }

    public var labelDigest: [UInt8] { Array(data[0..<32]) }
    public var statementDigest: [UInt8] { Array(data[32..<64]) }
    public var proofDigest: [UInt8] { Array(data[64..<96]) }

    /// The leaf of a proof file (`proofBytes`) for `account`, made from the
    /// statement whose digest is `statementDigest`.
    public init(account: String, statementDigest: [UInt8], proofBytes: [UInt8]) {
        self.init(labelDigest: AccountKey(label: account).digest, statementDigest: statementDigest, proofDigest: SHA256.hash(proofBytes))
    }

    /// SHA-256(0x00 ‖ data).
    public var hash: [UInt8] { MerkleTree.leafHash(data) }

    public static func < (a: EpochIndexLeaf, b: EpochIndexLeaf) -> Bool { a.data.lexicographicallyPrecedes(b.data) }
}

/// The custodian's signed epoch index (`zkmargin/epoch-index@1`): the root
/// of an RFC 9162 tree over one leaf per account (`EpochIndexLeaf`), sorted
/// by their bytes, no label digest twice, and how many there are. It never
/// lists the accounts: a custodian's client list is private; each account
/// gets its own path (`InclusionProof`).
///
/// Payload (compact JSON, members in this order):
///
/// ```json
/// { "format": "zkmargin/epoch-index@1", "custodian": "<key id>", "bundle": "<hex digest>",
///   "epoch": "2025-11-25T12:00:00Z", "issued_at": "2025-11-25T13:00:00Z", "count": 1000,
///   "root": "<hex>" }
/// ```
///
/// What it stops: two statements for one account in one epoch. Only the
/// statement (and proof) the index names passes `zkmargin-verify --index`,
/// so a holder cannot shop between statements. What it needs: the root (or
/// the index file) published where counterparties see it, so that every
/// one of them checks against the same one.
public struct EpochIndex: Sendable, Equatable {
    public let envelope: SignedEnvelope
    public let custodianKeyID: String
    public let bundleDigest: [UInt8]
    public let epoch: String
    public let issuedAt: Date
    /// The number of leaves (at least one).
    public let count: Int
    public let root: [UInt8]

    /// SHA-256 of the payload: what inclusion proofs name.
    public var digest: [UInt8] { envelope.digest }
    public var custodian: VerifyingKey { envelope.signer }

    public static func == (a: EpochIndex, b: EpochIndex) -> Bool { a.envelope == b.envelope }

    /// The most leaves an index holds (a path is then at most 40 hashes).
    public static let maximumCount = 1 << 40

    /// Strict decoding of a whole file; with `trusted`, a file signed by
    /// another key is refused before its payload is decoded (`wrongSigner`).
    public init(encoded bytes: [UInt8], trusted: [VerifyingKey]? = nil) throws(SolvencyError) {
        let envelope = try SignedEnvelope(decoding: bytes, kind: .epochIndex,
                                          trusted: trusted.map { TrustedSigner(keys: $0, role: TrustStore.Role.custodian.rawValue) })
        try self.init(envelope: envelope)
    }

    public static func load(path: String, trusted: [VerifyingKey]? = nil) throws(SolvencyError) -> EpochIndex {
        let bytes = try FileIO.read(path)
        do { return try EpochIndex(encoded: bytes, trusted: trusted) } catch { throw error.inFile(path) }
    }

    public func encoded() -> [UInt8] { envelope.encoded() }

    init(envelope: SignedEnvelope) throws(SolvencyError) {
        self.envelope = envelope
        var r = FieldReader(try envelope.payloadObject(), path: "epoch-index.payload")
        _ = r.optional("format")
        custodianKeyID = try r.signerKeyID("custodian", signer: envelope.signer, file: "index")
        bundleDigest = try r.hex("bundle", count: 32)
        epoch = try r.epoch("epoch")
        issuedAt = try r.time("issued_at")
        count = try r.integer("count", in: 1...Self.maximumCount)
        root = try r.hex("root", count: 32)
        try r.finish()
    }

    /// Sorts `leaves` by their bytes and refuses two with one label digest
    /// (one statement per account per epoch); returns them and their tree.
    public static func tree(_ leaves: [EpochIndexLeaf]) throws(SolvencyError) -> (leaves: [EpochIndexLeaf], tree: MerkleLevels) {
        guard !leaves.isEmpty else { throw .invalidArgument("an epoch index needs at least one proof") }
        guard leaves.count <= maximumCount else { throw .limitExceeded("an epoch index holds at most \(maximumCount) accounts") }
        let sorted = leaves.sorted()
        for k in sorted.indices.dropFirst() where sorted[k].data[0..<32] == sorted[k - 1].data[0..<32] {
            throw .invalidArgument("two entries for the account whose label has SHA-256 \(sorted[k].labelDigest.hexString): an epoch index holds one statement and one proof per account")
        }
        return (sorted, MerkleLevels(leafHashes: sorted.map(\.hash)))
    }

    /// Signs the root of `tree` (over `count` leaves) for `bundle`.
    package static func sign(bundle: RiskBundle, tree: MerkleLevels, issuedAt: Date, key: SigningKey) throws(SolvencyError) -> EpochIndex {
        let payload = JSONObject([
            ("format", .string(FileKind.epochIndex.formatName)),
            ("custodian", .string(key.verifyingKey.id)),
            ("bundle", .string(bundle.digestHex)),
            ("epoch", .string(bundle.epoch)),
            ("issued_at", .string(RFC3339.format(issuedAt))),
            ("count", .number(String(tree.count))),
            ("root", .string(tree.root.hexString)),
        ])
        return try EpochIndex(envelope: SignedEnvelope(kind: .epochIndex, payload: JSONValue.object(payload).compactEncoded(), key: key))
    }

    /// Refuses an index for another bundle or epoch than `bundle`'s
    /// (unusable input: it cannot vouch for any proof of this bundle).
    public func check(against bundle: RiskBundle) throws(SolvencyError) {
        guard bundleDigest == bundle.digest else {
            throw .field("epoch-index.payload.bundle", "the index is for bundle \(short(bundleDigest.hexString))…, not for the bundle given (\(short(bundle.digestHex))…)")
        }
        guard sameBytes(epoch, bundle.epoch) else {
            throw .field("epoch-index.payload.epoch", "the index is for epoch \(epoch), the bundle's epoch is \(bundle.epoch)")
        }
    }
}
