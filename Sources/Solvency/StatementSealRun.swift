public import Foundation
import StrictJSON
public import ZKGroup

/// The custodian's seal run over an epoch directory (`zkmargin seal`):
/// one signature for every statement in DIR/statements.
///
/// Two passes over the public statement files, never the openings:
///
/// 1. Each DIR/statements/<L>.json is read strictly (signed, sealed or
///    unsealed; a signature or seal it carries must verify), and must be
///    for the bundle and its epoch, name the sealing key, be issued no
///    later than the seal, have its commitments match their signed
///    digest, and be named by the SHA-256 of its own account label (so no
///    account has two statements: two files cannot share a name). Only
///    its leaf (label digest ‖ statement digest) and the SHA-256 of the
///    file's bytes are kept: 96 bytes per account.
/// 2. The tree is built over the leaves (sorted by label digest, which is
///    the order of the file names), the root payload signed once, the root
///    envelope written to DIR/statement-root.json, then each file read
///    again, refused if its bytes changed since pass 1, and replaced
///    (atomically) by the same envelope with `seal` in place of any
///    `signature` or earlier seal.
///
/// A run interrupted after the root file is written leaves some statements
/// under the new root and some under an older one (or unsealed): both
/// verify as far as they are sealed; running the seal again makes one root
/// of all. Statement digests never change, so openings and proofs made
/// before a reseal stay valid.
public enum StatementSealRun {
    public struct Summary: Sendable {
        /// The root envelope written to DIR/statement-root.json.
        public let root: SignedEnvelope
        /// Its payload: the tree's root, count, bundle and epoch.
        public let signedRoot: StatementRoot
        public let statements: Int
        /// How many were unsealed, signed, or sealed (under an earlier root) before.
        public let unsealed: Int
        public let signed: Int
        public let resealed: Int
    }

    /// The root file's name inside DIR.
    public static let rootFileName = "statement-root.json"

    /// Seals every statement of `dir` for `bundle` with `key` at `date`.
    /// `progress(pass, done, total)` is called after each file (pass 1
    /// reading, 2 writing).
    public static func run(
        _ dir: EpochDirectory, bundle: RiskBundle, key: SigningKey, at date: Date = Date(),
        progress: (Int, Int, Int) -> Void = { _, _, _ in }
    ) throws(SolvencyError) -> Summary {
        try bundle.checkValidity(at: date)
        let keys = try dir.keys(in: .statements)
        guard !keys.isEmpty else { throw .io(path: dir.directory(.statements), message: "holds no statement (<64 hex digits>.json) to seal") }
        var leaves: [StatementSeal.Leaf] = []
        var fileDigests: [[UInt8]] = []
        leaves.reserveCapacity(keys.count)
        fileDigests.reserveCapacity(keys.count)
        var unsealed = 0, signed = 0, resealed = 0
        for (k, account) in keys.enumerated() {
            let path = dir.file(.statements, key: account)
            let bytes = try FileIO.read(path)
            do throws(SolvencyError) {
                let envelope = try SignedEnvelope(decoding: bytes, kind: .statement, allowingUnsealed: true)
                let label = try readSealable(envelope, key: key, bundle: bundle, at: date)
                guard AccountKey(label: label) == account else {
                    throw SolvencyError.statementMismatch("the statement is for account \(jsonQuoted(label)), whose file would be \(AccountKey(label: label).hex).json: a file named for another account is never sealed")
                }
                switch envelope.authentication {
                case .unsealed: unsealed += 1
                case .signature: signed += 1
                case .seal: resealed += 1
                }
                leaves.append(StatementSeal.Leaf(labelDigest: account.digest, statementDigest: envelope.digest))
                fileDigests.append(SHA256.hash(bytes))
            } catch {
                throw error.inFile(path)
            }
            progress(1, k + 1, keys.count)
        }
        let (root, seal, signedRoot) = try StatementSeal.sign(leaves: leaves, key: key, bundle: bundle, at: date)
        try FileIO.write(root.encoded(), to: "\(dir.path)/\(rootFileName)", mode: FileIO.publicMode)
        for (k, account) in keys.enumerated() {
            let path = dir.file(.statements, key: account)
            let bytes = try FileIO.read(path)
            guard SHA256.hash(bytes) == fileDigests[k] else {
                throw .io(path: path, message: "changed while it was being sealed; run the seal again once no worker writes to the epoch")
            }
            // The bytes are those pass 1 checked: only the authentication is replaced.
            var object = try parseJSONObject(bytes, what: FileKind.statement.noun)
            var sealed = JSONObject()
            for name in ["format", "payload", "signer", "signer_key"] { sealed[name] = object[name] }
            sealed["seal"] = .object(seal(k).json)
            sealed["commitments"] = object["commitments"]
            object = sealed
            try FileIO.write(JSONValue.object(object).encoded(), to: path, mode: FileIO.publicMode)
            progress(2, k + 1, keys.count)
        }
        return Summary(root: root, signedRoot: signedRoot, statements: keys.count, unsealed: unsealed, signed: signed, resealed: resealed)
    }

    /// Reads a statement's payload strictly, without decoding its points
    /// (the seal vouches for the digest; each point is checked when it is
    /// proved and verified): its members in order, the commitments text
    /// against its signed digest, and `StatementSeal.checkSealable`.
    /// Returns the account label.
    static func readSealable(_ envelope: SignedEnvelope, key: SigningKey, bundle: RiskBundle, at date: Date) throws(SolvencyError) -> String {
        var r = FieldReader(try envelope.payloadObject(), path: "statement.payload")
        _ = r.optional("format")
        _ = try r.signerKeyID("custodian", signer: envelope.signer, file: "statement")
        let bundleDigest = try r.hex("bundle", count: 32)
        let account = try r.string("account", maxLength: FormatLimits.maximumIdentifierBytes)
        let epoch = try r.epoch("epoch")
        let curveName = try r.string("curve", maxLength: 32)
        guard let c = Curve(name: curveName), c.rawValue == curveName, c == bundle.curve else {
            throw .statementMismatch("the statement commits on \(jsonQuoted(curveName)), the bundle uses \(bundle.curve)")
        }
        let issuedAt = try r.time("issued_at")
        let count = try r.integer("inputs", in: 0...FormatLimits.maximumCommitments)
        let digest = try r.hex("commitments", count: 32)
        try r.finish()
        try StatementSeal.checkSealable(custodian: envelope.signer, bundleDigest: bundleDigest, epoch: epoch, issuedAt: issuedAt, account: account,
                                        key: key, bundle: bundle, at: date)
        let path = "statement.commitments"
        guard let text = envelope.commitmentsBase64 else { throw .field(path, "missing") }
        _ = try CommitmentBlob.count(text, path: path, expected: count) { found in
            .field(path, "holds \(found) commitments, the signed payload says \(count)")
        }
        guard SHA256.hash(try CommitmentBlob.bytes(text, path: path, count: count)) == digest else {
            throw .statementMismatch("the statement's commitments are not the ones named by its payload's digest")
        }
        return account
    }
}
