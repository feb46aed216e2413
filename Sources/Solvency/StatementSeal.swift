public import Foundation
package import StrictJSON
public import ZKGroup

/// The payload the custodian signs once per epoch (`zkmargin/statement-root@1`):
/// the root of the Merkle tree over every statement it seals, with the
/// number of statements, the bundle and the epoch.
///
/// ```json
/// {"format":"zkmargin/statement-root@1","custodian":"<key id>","bundle":"<bundle digest, hex>",
///  "epoch":"2025-11-25T12:00:00Z","issued_at":"2025-11-25T13:00:00Z","statements":1000,"root":"<64 hex>"}
/// ```
///
/// Compact JSON, members in this order, exactly. Its own `format` (a kind
/// of its own, `FileKind.statementRoot`) keeps a root signature from ever
/// being read as a statement's or a bundle's, and theirs as a root's.
public struct StatementRoot: Sendable, Equatable {
    /// The key id of the custodian that signs it (= the sealed statements' signer).
    public let custodianKeyID: String
    public let bundleDigest: [UInt8]
    public let epoch: String
    /// When the custodian signed it (the seal run).
    public let issuedAt: Date
    /// N, the number of leaves: 1 ≤ N ≤ `StatementSeal.maximumStatements`.
    public let statements: Int
    /// MTH of the N leaves (RFC 9162, `MerkleTree`), 32 bytes.
    public let root: [UInt8]
    /// `root` as 64 lower-case hex digits.
    public var rootHex: String { root.hexString }

    /// The payload's bytes, as signed.
    public var payload: [UInt8] {
        JSONValue.object(JSONObject([
            ("format", .string(FileKind.statementRoot.formatName)),
            ("custodian", .string(custodianKeyID)),
            ("bundle", .string(bundleDigest.hexString)),
            ("epoch", .string(epoch)),
            ("issued_at", .string(RFC3339.format(issuedAt))),
            ("statements", .number(String(statements))),
            ("root", .string(root.hexString)),
        ])).compactEncoded()
    }

    /// Strict decoding of a root payload: a JSON object, its `format`, then
    /// its members in order (`custodian` must be `signer`'s key id), and no
    /// other member.
    init(payload bytes: [UInt8], signer: VerifyingKey, path: String) throws(SolvencyError) {
        let object = try parseJSONObject(bytes, what: FileKind.statementRoot.noun)
        try FileKind.check(object["format"], expected: .statementRoot, path: path)
        var r = FieldReader(object, path: path)
        _ = r.optional("format")
        custodianKeyID = try r.signerKeyID("custodian", signer: signer, file: "statement")
        bundleDigest = try r.hex("bundle", count: 32)
        epoch = try r.epoch("epoch")
        issuedAt = try r.time("issued_at")
        statements = try r.integer("statements", in: 1...StatementSeal.maximumStatements)
        root = try r.hex("root", count: 32)
        try r.finish()
    }

    /// Reads DIR/statement-root.json (a signed envelope of kind
    /// `statementRoot`, as `zkmargin seal` writes it): the signature is
    /// checked against its signer key (and, with `custodian`, that key is
    /// compared first), then the payload strictly. For the epoch index and
    /// reports: verifiers need only each statement's seal.
    public static func load(path: String, custodian: VerifyingKey? = nil) throws(SolvencyError) -> (root: StatementRoot, signer: VerifyingKey) {
        let bytes = try FileIO.read(path)
        do {
            let envelope = try SignedEnvelope(decoding: bytes, kind: .statementRoot, trusted: custodian.map { TrustedSigner(key: $0, role: "custodian") })
            return (try StatementRoot(payload: envelope.payload, signer: envelope.signer, path: "statement-root.payload"), envelope.signer)
        } catch {
            throw error.inFile(path)
        }
    }

    init(custodianKeyID: String, bundleDigest: [UInt8], epoch: String, issuedAt: Date, statements: Int, root: [UInt8]) {
        self.custodianKeyID = custodianKeyID
        self.bundleDigest = bundleDigest
        self.epoch = epoch
        self.issuedAt = issuedAt
        self.statements = statements
        self.root = root
    }
}

/// A statement's place under its custodian's signed epoch root: what
/// authenticates a sealed `zkmargin/statement@2` instead of a signature of
/// its own (SPEC.md §16.18).
///
/// ```json
/// "seal": {
///   "root": "<base64 of the root payload bytes, StatementRoot>",
///   "signature": "<base64 DER ECDSA over those bytes by the envelope's signer_key>",
///   "position": 17,
///   "path": "<base64 of the sibling hashes, 32 bytes each, concatenated, leaf to root; \"\" for none>"
/// }
/// ```
///
/// **The tree.** One leaf per statement sealed:
/// leaf data = SHA-256(account label's UTF-8 bytes) ‖ statement digest
/// (64 bytes; the statement digest is SHA-256 of its payload, unchanged by
/// sealing), leaves sorted by their bytes, no label digest twice (one
/// statement per account per root), and MTH over them (RFC 9162 §2.1:
/// SHA-256(0x00 ‖ data) leaves, SHA-256(0x01 ‖ l ‖ r) nodes).
///
/// **What decoding checks** (`verify`), in order: the root signature
/// under `signer_key` (`signatureInvalid`); the root payload
/// (`StatementRoot`: format, custodian = signer, members; `field`); the
/// position, below the root's count (`field`); the path's length, exactly
/// the RFC 9162 path length for that position and count (`field`); the
/// statement payload parsed and its `account` read; then the root the path
/// leads to from the statement's leaf equals the signed one (`sealInvalid`).
/// `AttestedStatement` then checks the root's bundle and epoch against the
/// statement's (`statementMismatch`).
///
/// **What it means.** The custodian signed a root over N leaves, and this
/// statement's (label, digest) is the leaf at `position`: the custodian's
/// seal run saw exactly this statement for this account. Sorting and
/// uniqueness are the sealer's promise; a verifier holding one path cannot
/// check them (the epoch index, which holds every leaf, can).
public struct StatementSeal: Sendable, Equatable {
    /// The largest number of statements one root seals: 2³², so a path
    /// holds at most 32 siblings.
    public static let maximumStatements = 1 << 32
    public static let maximumPathLength = 32

    public let root: StatementRoot
    /// The root payload's bytes, as signed and stored.
    public let rootPayload: [UInt8]
    /// The custodian's DER ECDSA signature over `rootPayload`.
    public let signature: [UInt8]
    /// The statement's leaf index, 0 ≤ position < root.statements.
    public let position: Int
    /// Sibling hashes from the leaf up (RFC 9162 §2.1.3.1 PATH).
    public let path: [[UInt8]]

    /// The `seal` member.
    package var json: JSONObject {
        JSONObject([
            ("root", .string(Base64.encode(rootPayload))),
            ("signature", .string(Base64.encode(signature))),
            ("position", .number(String(position))),
            ("path", .string(Base64.encode(path.flatMap { $0 }))),
        ])
    }

    /// leaf data = SHA-256(label) ‖ statement digest.
    public static func leafData(labelDigest: [UInt8], statementDigest: [UInt8]) -> [UInt8] { labelDigest + statementDigest }

    /// The seal as stored, its members read strictly but nothing checked.
    struct Stored {
        let rootPayload: [UInt8]
        let signature: [UInt8]
        let position: Int
        let path: [[UInt8]]

        /// Reads exactly `root` (canonical base64, at most 1024 bytes),
        /// `signature` (at most 80), `position` (an integer in 0…2³²−1,
        /// written plainly: not `-0`) and
        /// `path` (canonical base64 of a whole number of 32-byte hashes, at
        /// most 32; `""` for none).
        init(_ value: JSONValue, path: String) throws(SolvencyError) {
            var r = try FieldReader(value, path: path)
            rootPayload = try r.base64("root", maxCount: 1024)
            signature = try r.base64("signature", maxCount: 80)
            position = try r.integer("position", in: 0...(StatementSeal.maximumStatements - 1))
            // One text per position: `-0` is a JSON integer too.
            guard case .number(let text)? = r.object["position"], text == String(position) else {
                throw .field("\(path).position", "expected an integer written plainly (no sign, no leading zero)")
            }
            let pathValue = try r.required("path")
            guard case .string(let text) = pathValue else {
                throw .field("\(path).path", "expected a string (base64 of 32-byte hashes, concatenated), found \(pathValue.kindDescription)")
            }
            guard text.utf8.count <= 4 * ((StatementSeal.maximumPathLength * 32 + 2) / 3) else {
                throw .field("\(path).path", "longer than \(StatementSeal.maximumPathLength) hashes")
            }
            guard let bytes = text.isEmpty ? [] : Base64.decode(text) else { throw .field("\(path).path", "not canonical base64") }
            guard bytes.count % 32 == 0 else { throw .field("\(path).path", "holds \(bytes.count) bytes, not a whole number of 32-byte hashes") }
            self.path = stride(from: 0, to: bytes.count, by: 32).map { Array(bytes[$0..<($0 + 32)]) }
            try r.finish()
        }
    }

    /// Checks a stored seal for the statement whose payload bytes are
    /// `statementPayload`, signed (through its root) by `signer`, in the
    /// order the type's documentation gives.
    static func verify(_ s: Stored, statementPayload: [UInt8], signer: VerifyingKey, path: String) throws(SolvencyError) -> StatementSeal {
        guard signer.isValidSignature(s.signature, for: s.rootPayload) else {
            throw .signatureInvalid(file: "custodian statement's seal root")
        }
        let root = try StatementRoot(payload: s.rootPayload, signer: signer, path: "\(path).root")
        guard s.position < root.statements else {
            throw .field("\(path).position", "is \(s.position), but the root seals \(root.statements) statement\(root.statements == 1 ? "" : "s") (positions 0…\(root.statements - 1))")
        }
        let expected = MerkleTree.pathLength(index: s.position, count: root.statements)
        guard s.path.count == expected else {
            throw .field("\(path).path", "holds \(s.path.count) hash\(s.path.count == 1 ? "" : "es"); the leaf at position \(s.position) of \(root.statements) has \(expected)")
        }
        // The leaf: the statement's own account label and digest.
        let statementObject = try parseJSONObject(statementPayload, what: "\(FileKind.statement.noun) payload")
        try FileKind.check(statementObject["format"], expected: .statement, path: "statement.payload")
        var r = FieldReader(statementObject, path: "statement.payload")
        let account = try r.string("account", maxLength: FormatLimits.maximumIdentifierBytes)
        let leaf = MerkleTree.leafHash(leafData(labelDigest: SHA256.hash(Array(account.utf8)), statementDigest: SHA256.hash(statementPayload)))
        guard let found = MerkleTree.root(fromPath: s.path, leafHash: leaf, index: s.position, count: root.statements), found == root.root else {
            throw .sealInvalid("the statement for account \(jsonQuoted(account)) is not at position \(s.position) under the root its custodian signed: the statement, its position or its path was changed, or the seal belongs to another statement")
        }
        return StatementSeal(root: root, rootPayload: s.rootPayload, signature: s.signature, position: s.position, path: s.path)
    }
}

extension MerkleTree {
    /// The number of siblings in the RFC 9162 inclusion path of leaf
    /// `index` in a tree of `count` leaves (0 ≤ index < count): the steps
    /// §2.1.3.2's verification takes until `sn` reaches 0.
    static func pathLength(index: Int, count: Int) -> Int {
        precondition(count > 0 && index >= 0 && index < count)
        var fn = index, sn = count - 1, n = 0
        while sn != 0 {
            if fn & 1 == 1 || fn == sn {
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            }
            fn >>= 1
            sn >>= 1
            n += 1
        }
        return n
    }
}

/// The RFC 9162 tree kept level by level (each level one flat array of
/// 32-byte hashes), so that any leaf's path is read in O(log n) without
/// holding every path: 64 bytes per leaf in all, for the millions of
/// statements of one epoch.
///
/// The largest-power-of-two split of RFC 9162 §2.1.1 is the same tree as
/// pairing each level's nodes left to right and carrying a last odd node
/// up unchanged: a node's sibling at each level is index ^ 1 when it
/// exists, and a carried node adds no sibling.
struct LeveledMerkleTree {
    private(set) var levels: [[UInt8]] = []
    let count: Int

    init(leafHashes: [[UInt8]]) {
        precondition(!leafHashes.isEmpty)
        count = leafHashes.count
        var level = leafHashes.flatMap { $0 }
        levels.append(level)
        while level.count > 32 {
            let n = level.count / 32
            var next: [UInt8] = []
            next.reserveCapacity((n + 1) / 2 * 32)
            var i = 0
            while i + 1 < n {
                next += MerkleTree.nodeHash(Array(level[(i * 32)..<(i * 32 + 32)]), Array(level[((i + 1) * 32)..<((i + 1) * 32 + 32)]))
                i += 2
            }
            if i < n { next += level[(i * 32)..<(i * 32 + 32)] }
            levels.append(next)
            level = next
        }
    }

    var root: [UInt8] { levels.last! }

    /// PATH(index): siblings from the leaf up.
    func path(_ index: Int) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = index
        for level in levels.dropLast() {
            let sibling = i ^ 1
            if sibling < level.count / 32 { out.append(Array(level[(sibling * 32)..<(sibling * 32 + 32)])) }
            i >>= 1
        }
        return out
    }
}

extension StatementSeal {
    /// One statement to seal: its account label's digest and its digest.
    public struct Leaf: Sendable, Equatable {
        public let labelDigest: [UInt8]
        public let statementDigest: [UInt8]
        public init(labelDigest: [UInt8], statementDigest: [UInt8]) {
            self.labelDigest = labelDigest
            self.statementDigest = statementDigest
        }
        var data: [UInt8] { StatementSeal.leafData(labelDigest: labelDigest, statementDigest: statementDigest) }
    }

    /// The signed root over `leaves` and each leaf's seal, in the order
    /// given (which must be sorted by leaf bytes with no label digest twice:
    /// refused otherwise, `statementMismatch`, since a seal run must never
    /// sign two statements for one account).
    ///
    /// The root envelope (`zkmargin/statement-root@1`, a signed envelope
    /// whose payload and signature are every seal's `root` and `signature`)
    /// is what `zkmargin seal` writes to DIR/statement-root.json.
    package static func sign(leaves: [Leaf], key: SigningKey, bundle: RiskBundle, at date: Date) throws(SolvencyError) -> (root: SignedEnvelope, seal: (Int) -> StatementSeal, signedRoot: StatementRoot) {
        guard !leaves.isEmpty else { throw .invalidArgument("no statement to seal") }
        guard leaves.count <= maximumStatements else { throw .limitExceeded("\(leaves.count) statements: one root seals at most \(maximumStatements)") }
        for k in leaves.indices.dropFirst() {
            guard leaves[k - 1].labelDigest.lexicographicallyPrecedes(leaves[k].labelDigest) else {
                if leaves[k - 1].labelDigest == leaves[k].labelDigest {
                    throw .statementMismatch("two statements for one account (label digest \(short(leaves[k].labelDigest.hexString))…): a seal run signs one statement per account")
                }
                throw .invalidArgument("the leaves to seal are not sorted by their label digests")
            }
        }
        let tree = LeveledMerkleTree(leafHashes: leaves.map { MerkleTree.leafHash($0.data) })
        let root = StatementRoot(custodianKeyID: key.verifyingKey.id, bundleDigest: bundle.digest, epoch: bundle.epoch,
                                 issuedAt: date, statements: leaves.count, root: tree.root)
        let payload = root.payload
        let envelope = SignedEnvelope(kind: .statementRoot, payload: payload, key: key)
        let signature = envelope.signature!
        return (envelope, { k in StatementSeal(root: root, rootPayload: payload, signature: signature, position: k, path: tree.path(k)) }, root)
    }

    /// What `seal` refuses to seal: a statement of another custodian key,
    /// bundle or epoch, or issued after the seal (a worker cannot date a
    /// statement past the custodian's run).
    static func checkSealable(custodian: VerifyingKey, bundleDigest: [UInt8], epoch: String, issuedAt: Date, account: String,
                              key: SigningKey, bundle: RiskBundle, at date: Date) throws(SolvencyError) {
        guard custodian == key.verifyingKey else {
            throw .wrongSigner(file: "custodian statement for account \(jsonQuoted(account))", role: "custodian", expected: key.verifyingKey.id, found: custodian.id)
        }
        guard bundleDigest == bundle.digest else {
            throw .statementForAnotherBundle(statement: bundleDigest.hexString, bundle: bundle.digestHex)
        }
        guard sameBytes(epoch, bundle.epoch) else {
            throw .statementMismatch("the statement for account \(jsonQuoted(account)) is for epoch \(epoch), the bundle's epoch is \(bundle.epoch)")
        }
        guard issuedAt <= date else {
            throw .statementMismatch("the statement for account \(jsonQuoted(account)) claims to be issued at \(RFC3339.format(issuedAt)), after this seal (\(RFC3339.format(date)))")
        }
    }

    /// Seals `statements` (signed, sealed or unsealed; all for `bundle`,
    /// its epoch, and `key`'s public key; one per account) under one root
    /// signed by `key` at `date`: returns the root envelope and the
    /// statements with their seals, in the order given. Their digests do
    /// not change, so openings and proofs keep naming them.
    public static func seal(statements: [AttestedStatement], key: SigningKey, bundle: RiskBundle, at date: Date = Date()) throws(SolvencyError)
        -> (root: SignedEnvelope, sealed: [AttestedStatement]) {
        for s in statements {
            try checkSealable(custodian: s.custodian, bundleDigest: s.bundleDigest, epoch: s.epoch, issuedAt: s.issuedAt, account: s.account,
                              key: key, bundle: bundle, at: date)
        }
        let leaves = statements.map { Leaf(labelDigest: SHA256.hash(Array($0.account.utf8)), statementDigest: $0.digest) }
        let order = leaves.indices.sorted { leaves[$0].labelDigest.lexicographicallyPrecedes(leaves[$1].labelDigest) }
        let (root, seal, _) = try sign(leaves: order.map { leaves[$0] }, key: key, bundle: bundle, at: date)
        var sealed = statements
        for (position, k) in order.enumerated() {
            sealed[k] = statements[k].authenticated(by: .seal(seal(position)))
        }
        return (root, sealed)
    }
}
