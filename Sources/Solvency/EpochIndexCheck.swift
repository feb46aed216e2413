import Foundation
package import StrictJSON
import ZKGroup

/// What `zkmargin-verify --index INDEX.json` asks of every proof: that it
/// is the one the custodian's signed epoch index names for its account.
///
/// The index itself is checked once, before any proof (unusable input if it
/// fails, like the bundle): signed by a trusted custodian key that vouches
/// for it at its `issued_at` (the trust store's rules, SPEC.md §16.14), for
/// one of the bundles given and that bundle's epoch. Then each proof that
/// passes every other check but the range-proof equations is checked
/// (`admit`): attested by the same custodian, for the index's bundle, and
/// its leaf (label digest of the account the custodian signed, statement
/// digest, SHA-256 of the proof file's bytes) in the tree under the signed
/// root by its inclusion proof. Every failure there is `notInIndex`.
public struct EpochIndexCheck: Sendable {
    public let index: EpochIndex
    /// The file it was read from.
    public let file: String
    /// The trust-store entry that vouched for the index.
    public let custodian: TrustStore.Entry
    /// Where inclusion proofs are looked up (`inclusionFile(forProof:account:)`).
    public let inclusionDirectory: String?

    /// Reads and checks the index against `policy`'s custodian keys and
    /// `bundles` (one of which it must be for).
    public static func load(path: String, policy: VerificationPolicy, bundles: [RiskBundle],
                            inclusionDirectory: String? = nil) throws(SolvencyError) -> EpochIndexCheck {
        let trusted = policy.trust.keys(.custodian)
        if trusted.isEmpty {
            // Refused at its signer, before its signature is checked, as a
            // statement is (SPEC.md §16.12 step 6).
            do { _ = try EpochIndex.load(path: path, trusted: []) } catch {
                if case .wrongSigner(_, _, _, let found) = error { throw .custodianKeyRequired(found) }
                throw error
            }
        }
        let index = try EpochIndex.load(path: path, trusted: trusted)
        let entry = try policy.trust.vouch(for: index.custodian, role: .custodian, file: "epoch index", issuedAt: index.issuedAt, at: policy.at)
        guard let bundle = bundles.first(where: { $0.digest == index.bundleDigest }) ?? bundles.first else {
            throw .invalidArgument("no bundle given")
        }
        do { try index.check(against: bundle) } catch { throw error.inFile(path) }
        return EpochIndexCheck(index: index, file: path, custodian: entry, inclusionDirectory: inclusionDirectory)
    }

    /// The inclusion file of a proof at `proofPath` for `account`:
    /// `<inclusionDirectory>/<L>.json` if one was given, else the epoch
    /// directory's (`X/proofs/F` → `X/inclusion/<L>.json`), else
    /// `inclusion/<L>.json` next to the proof file.
    public func inclusionFile(forProof proofPath: String, account: AccountKey) -> String {
        if let d = inclusionDirectory { return EpochDirectory(path: d).path + "/\(account.hex).json" }
        let url = URL(fileURLWithPath: proofPath).deletingLastPathComponent()
        let base = url.lastPathComponent == EpochDirectory.Area.proofs.rawValue ? url.deletingLastPathComponent() : url
        return EpochDirectory(path: base.path).file(.inclusion, key: account)
    }

    /// Refuses (`notInIndex`) a proof the index does not name: checked
    /// against another bundle, self-attested, attested by another
    /// custodian, without an inclusion proof, or with one that does not
    /// show this proof file's leaf under the signed root.
    public func admit(proofPath: String, bytes: [UInt8], accepted: AcceptedProof, bundle: RiskBundle) throws(SolvencyError) {
        guard bundle.digest == index.bundleDigest else {
            throw .notInIndex("the epoch index is for bundle \(short(index.bundleDigest.hexString))…, this proof for bundle \(short(bundle.digestHex))…")
        }
        guard let statement = accepted.statementDigest else {
            throw .notInIndex("a self-attested proof: an epoch index names custodian-attested proofs only")
        }
        guard let signer = accepted.custodianKeyID, sameBytes(signer, index.custodianKeyID) else {
            throw .notInIndex("the statement is signed by custodian key \(short(accepted.custodianKeyID ?? ""))…, the epoch index by \(short(index.custodianKeyID))…")
        }
        let account = AccountKey(label: accepted.account)
        let path = inclusionFile(forProof: proofPath, account: account)
        guard FileIO.exists(path) else {
            throw .notInIndex("no inclusion proof for account \(jsonQuoted(accepted.account)) (\(path) does not exist)")
        }
        let inclusion: InclusionProof
        do { inclusion = try InclusionProof(encoded: FileIO.read(path)) } catch {
            throw .notInIndex("the inclusion proof \(path) cannot be used: \(error)")
        }
        try inclusion.check(EpochIndexLeaf(labelDigest: account.digest, statementDigest: statement, proofDigest: SHA256.hash(bytes)), in: index)
    }
}

extension EpochIndexCheck {
    /// The report's line for the index (after the bundles' summaries),
    /// escaped like every report line.
    public var summary: String {
        displaySafe("epoch index \(short(index.digest.hexString)) (\(file)): \(index.count) account\(index.count == 1 ? "" : "s") under root \(short(index.root.hexString))…, signed by custodian \(custodian.name.map(jsonQuoted) ?? short(index.custodianKeyID)) at \(RFC3339.format(index.issuedAt)); every proof was checked for inclusion")
    }

    /// The verdict's `index` member (SPEC.md §16.15).
    package var json: JSONValue {
        .object(JSONObject([
            ("file", .string(file)),
            ("digest", .string(index.digest.hexString)),
            ("custodian", .object(JSONObject([("key_id", .string(index.custodianKeyID)), ("name", custodian.name.map { .string($0) } ?? .null)]))),
            ("bundle", .string(index.bundleDigest.hexString)),
            ("epoch", .string(index.epoch)),
            ("issued_at", .string(RFC3339.format(index.issuedAt))),
            ("count", .number(String(index.count))),
            ("root", .string(index.root.hexString)),
        ]))
    }
}
