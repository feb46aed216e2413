public import Foundation
import StrictJSON
public import ZKGroup

/// `zkmargin index`: the custodian's epoch index over an epoch directory's
/// proofs, and each account's inclusion proof.
///
/// Every `DIR/proofs/<L>.json` is verified against the bundle, with the
/// custodian's own key as the only trusted custodian (its statements must
/// be this custodian's), one file at a time in bounded batches
/// (`Verifier.verify`); its name must be the SHA-256 of the account label
/// it proves for. The valid ones become leaves (`EpochIndexLeaf`), sorted,
/// one per account; the root and count are signed (`EpochIndex`), never the
/// labels; each included account gets `DIR/inclusion/<L>.json`
/// (`InclusionProof`), and inclusion files of accounts not included are
/// removed. Invalid proofs are named in the outcome; unless `skipInvalid`,
/// nothing is signed or written when there is one.
public enum EpochIndexBuilder {
    public struct Outcome: Sendable {
        /// The signed index (nil when invalid proofs stopped it).
        public let index: EpochIndex?
        /// How many proofs the index holds.
        public let included: Int
        /// The proofs left out, each with why, in file order.
        public let invalid: [(file: String, error: SolvencyError)]
    }

    /// Builds, signs and writes the index to `out` and the inclusion files.
    /// The bundle must be valid at `at` and signed by `publisherKey` (if
    /// given; else by its own signer). `progress(done, total)` is called
    /// after each proof file is read.
    public static func build(
        bundle: RiskBundle, directory: EpochDirectory, key: SigningKey, out: String, publisherKey: VerifyingKey? = nil,
        at: Date = Date(), issuedAt: Date = Date(), skipInvalid: Bool = false,
        limits: BatchLimits = BatchLimits(), progress: (Int, Int) -> Void = { _, _ in }
    ) throws(SolvencyError) -> Outcome {
        let keys = try directory.keys(in: .proofs)
        guard !keys.isEmpty else { throw .io(path: directory.directory(.proofs), message: "holds no proof (<64 hex digits>.json)") }
        let names = keys.map { directory.file(.proofs, key: $0) }
        let policy = VerificationPolicy(publisherKey: publisherKey ?? bundle.signer, custodianKey: key.verifyingKey, at: at)
        var leaves: [EpochIndexLeaf?] = Array(repeating: nil, count: keys.count)
        let report = try Verifier.verify(bundle: bundle, names: names, policy: policy, limits: limits, read: { i throws(SolvencyError) in
            defer { progress(i + 1, names.count) }
            return try FileIO.read(names[i])
        }, admit: { i, bytes, accepted throws(SolvencyError) in
            let label = AccountKey(label: accepted.account)
            guard label == keys[i] else {
                throw .proofMismatch("the file is named \(keys[i].hex).json, but the account it proves for, \(jsonQuoted(accepted.account)), has label SHA-256 \(label.hex): an epoch directory names each account's files by that digest")
            }
            guard let statement = accepted.statementDigest else { throw .selfAttestedNotAllowed }
            leaves[i] = EpochIndexLeaf(labelDigest: label.digest, statementDigest: statement, proofDigest: SHA256.hash(bytes))
        })
        var invalid: [(file: String, error: SolvencyError)] = []
        var valid: [EpochIndexLeaf] = []
        for (i, v) in report.verdicts.enumerated() {
            switch v.result {
            case .success: if let leaf = leaves[i] { valid.append(leaf) }
            case .failure(let e): invalid.append((v.name, e))
            }
        }
        if !invalid.isEmpty && !skipInvalid { return Outcome(index: nil, included: 0, invalid: invalid) }
        guard !valid.isEmpty else { return Outcome(index: nil, included: 0, invalid: invalid) }
        let (sorted, tree) = try EpochIndex.tree(valid)
        let index = try EpochIndex.sign(bundle: bundle, tree: tree, issuedAt: issuedAt, key: key)
        try directory.create([.inclusion])
        var kept = Set<AccountKey>()
        for (position, leaf) in sorted.enumerated() {
            let inclusion = InclusionProof(indexDigest: index.digest, position: position, count: tree.count, leaf: leaf, path: tree.path(position))
            let account = AccountKey(hex: leaf.labelDigest.hexString)!
            kept.insert(account)
            try FileIO.write(inclusion.encoded(), to: directory.file(.inclusion, key: account), mode: FileIO.publicMode)
        }
        for stale in try directory.keys(in: .inclusion) where !kept.contains(stale) {
            let path = directory.file(.inclusion, key: stale)
            guard unlink(path) == 0 || errno == ENOENT else { throw .io(path: path, message: "cannot remove a stale inclusion proof: \(String(cString: strerror(errno)))") }
        }
        try FileIO.write(index.encoded(), to: out, mode: FileIO.publicMode)
        return Outcome(index: index, included: sorted.count, invalid: invalid)
    }
}
