import Solvency
import ZKGroup
import ZKProofs

/// What part of the files a variant changes.
package enum TamperCategory: String, CaseIterable, Sendable, Comparable {
    /// One byte of a Bulletproofs+ range proof (xor 0x01, then xor 0xff), its
    /// length, or range proofs swapped.
    case rangeProofByte = "range-proof-byte"
    /// One commitment (statement input, self-attested input, helper)
    /// replaced by another point, a bad encoding, or a point off the curve.
    case commitment
    /// A field of the proof file outside the custodian statement, or the
    /// whole file (empty, truncated, trailing bytes).
    case proofField = "proof-field"
    /// A field of the statement's payload, left with the old signature.
    case statementField = "statement-field"
    /// The same, re-signed with the custodian's key: reaches the checks
    /// behind the signature.
    case statementFieldResigned = "statement-field-resigned"
    /// The statement's envelope: its fields, signature bytes, signer key,
    /// format, signed by another key.
    case statementEnvelope = "statement-envelope"
    /// A field of the bundle's payload, left with the old signature.
    case bundleField = "bundle-field"
    /// The same, re-signed with the publisher's key.
    case bundleFieldResigned = "bundle-field-resigned"
    /// The same, re-signed, and the proof (and its statement, re-signed by
    /// the custodian) made to agree with the new bundle (its digest, epoch,
    /// curve, circuit name): reaches the circuit, the plan and the range
    /// proofs.
    case bundleFieldRepointed = "bundle-field-repointed"
    /// The bundle's envelope: its fields, signature bytes, signer key,
    /// format, another key, another kind of file.
    case bundleEnvelope = "bundle-envelope"

    package static func < (a: TamperCategory, b: TamperCategory) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }
}

/// One tampered pair of files: its category, what was changed, and how to
/// make the bytes (made on demand: a full run has tens of thousands).
package struct TamperVariant: Sendable {
    package let category: TamperCategory
    package let description: String
    private let make: @Sendable () -> TamperFiles

    package init(_ category: TamperCategory, _ description: String, _ make: @escaping @Sendable () -> TamperFiles) {
        self.category = category
        self.description = description
        self.make = make
    }

    /// The variant's files (re-signed variants get a fresh ECDSA signature
    /// each time).
    package func files() -> TamperFiles { make() }
}

/// Every variant of a fixture.
///
/// Each changes one thing: a byte, a commitment, a field (deleted, another
/// type, another value, its key written twice), an envelope's signature or
/// key. Re-signed and re-pointed variants also change what the verifier
/// compares the edited field with, so the checks behind those comparisons
/// are reached.
///
/// Variants whose files would equal the fixture's are never listed; nor
/// are other signatures of an unchanged payload (a fresh ECDSA signature,
/// or (r, n − s) for (r, s): OpenSSL accepts both), nor changes of unsigned JSON
/// that leave its meaning alone (whitespace, key order, string escapes):
/// those are the same statement, and valid.
package enum TamperVariants {
    package static func all(for fixture: TamperFixture) -> [TamperVariant] {
        let b = TamperBuilder(fixture)
        var out: [TamperVariant] = []
        out += rangeProofBytes(b)
        out += commitments(b)
        out += proofFields(b)
        out += statementFields(b)
        out += statementEnvelope(b)
        out += bundleFields(b)
        out += bundleEnvelope(b)
        return out
    }

    // MARK: Range proofs

    /// Every byte of every range proof xor 0x01 and xor 0xff; each proof one
    /// byte shorter, one point shorter, one byte and one point longer; and
    /// the proofs swapped with one another.
    static func rangeProofBytes(_ b: TamperBuilder) -> [TamperVariant] {
        var out: [TamperVariant] = []
        let proofs = b.rangeProofs
        for (k, bytes) in proofs.enumerated() {
            let name = "proof.range_proofs[\(k)].proof"
            for mask: UInt8 in [0x01, 0xff] {
                for i in bytes.indices {
                    out.append(TamperVariant(.rangeProofByte, "\(name) byte \(i) ^ 0x\(hex(mask))") {
                        var t = bytes
                        t[i] ^= mask
                        return b.withProof(b.settingRangeProof(k, t))
                    })
                }
            }
            var lengths: [(String, [UInt8])] = [
                ("last byte removed", Array(bytes.dropLast())),
                ("a zero byte appended", bytes + [0]),
            ]
            if bytes.count > 33 {
                lengths.append(("last 33 bytes (a point's length) removed", Array(bytes.dropLast(33))))
                lengths.append(("first 33 bytes appended again", bytes + bytes.prefix(33)))
            }
            for (what, t) in lengths {
                out.append(TamperVariant(.rangeProofByte, "\(name): \(what)") { b.withProof(b.settingRangeProof(k, t)) })
            }
            for (j, other) in proofs.enumerated() where j != k && other != bytes {
                out.append(TamperVariant(.rangeProofByte, "\(name) replaced by range_proofs[\(j)].proof") {
                    b.withProof(b.settingRangeProof(k, other))
                })
            }
        }
        return out
    }

    // MARK: Commitments

    /// Every commitment replaced (see `TamperCommitments.replacements`); a
    /// statement input both with the old signature and re-signed.
    static func commitments(_ b: TamperBuilder) -> [TamperVariant] {
        var out: [TamperVariant] = []
        let sites = b.commitmentSites
        for (s, site) in sites.enumerated() {
            for (what, bytes) in TamperCommitments.replacements(of: s, in: sites, curve: b.fixture.curve) {
                let text = Base64.encode(bytes)
                switch site.location {
                case .proof(let key, let i):
                    out.append(TamperVariant(.commitment, "\(site.name): \(what)") {
                        b.withProof(b.settingCommitment(in: b.fixture.proofTree, key, i, text))
                    })
                case .statement(let i):
                    guard let payload = b.fixture.statementPayloadTree else { continue }
                    let changed = b.settingCommitment(in: payload, "inputs", i, text).compact()
                    out.append(TamperVariant(.commitment, "\(site.name): \(what) (old signature)") {
                        b.withProof(b.proofTree(statementPayload: changed, signedBy: nil))
                    })
                    out.append(TamperVariant(.commitment, "\(site.name): \(what) (re-signed by the custodian)") {
                        b.withProof(b.proofTree(statementPayload: changed, signedBy: b.fixture.custodianKey))
                    })
                }
            }
        }
        return out
    }

    // MARK: The proof file

    /// Every field edit of the proof file outside `proof.statement` (those
    /// are `statementEnvelope`), and the whole file empty, cut in half,
    /// with trailing bytes, or with a byte-order mark.
    static func proofFields(_ b: TamperBuilder) -> [TamperVariant] {
        var out: [TamperVariant] = []
        for edit in TamperJSONEdits.all(of: b.fixture.proofTree, root: "proof") where !isUnderStatement(edit.path.display) {
            out.append(TamperVariant(.proofField, edit.description) { b.withProof(edit.applied(to: b.fixture.proofTree)) })
        }
        for (what, bytes) in wholeFileEdits(b.fixture.files.proof) {
            out.append(TamperVariant(.proofField, "proof file: \(what)") { b.withProof(bytes) })
        }
        return out
    }

    static func isUnderStatement(_ display: String) -> Bool {
        display == "proof.statement" || display.hasPrefix("proof.statement.")
    }

    /// Changes of a whole unsigned file that change its meaning (never only
    /// its whitespace, which is the same file to a JSON reader).
    static func wholeFileEdits(_ file: [UInt8]) -> [(String, [UInt8])] {
        [
            ("empty", []),
            ("cut in half", Array(file.prefix(file.count / 2))),
            ("a trailing 'x'", file + Array("x".utf8)),
            ("a second object appended", file + Array("{}\n".utf8)),
            ("a trailing NUL byte", file + [0]),
            ("a UTF-8 byte-order mark prepended", [0xEF, 0xBB, 0xBF] + file),
            ("not UTF-8 (a 0xFF byte prepended)", [0xFF] + file),
        ]
    }

    // MARK: The custodian statement

    /// Every field edit of the statement's payload, with the old signature
    /// and re-signed by the custodian.
    static func statementFields(_ b: TamperBuilder) -> [TamperVariant] {
        guard let payload = b.fixture.statementPayloadTree else { return [] }
        var out: [TamperVariant] = []
        for edit in TamperJSONEdits.all(of: payload, root: "statement.payload") {
            let changedTree = edit.applied(to: payload)
            let changed = changedTree.compact()
            out.append(TamperVariant(.statementField, "\(edit.description) (old signature)") {
                b.withProof(b.proofTree(statementPayload: changed, signedBy: nil))
            })
            out.append(TamperVariant(.statementFieldResigned, "\(edit.description) (re-signed by the custodian)") {
                b.withProof(b.proofTree(statementPayload: changed, signedBy: b.fixture.custodianKey))
            })
            // The account is compared with the proof's and then bound only
            // by the transcript: follow it in the proof to reach that check.
            if case .string(let account)? = changedTree["account"], changedTree["account"] != payload["account"] {
                out.append(TamperVariant(.statementFieldResigned, "\(edit.description) (re-signed by the custodian; proof.account set to match)") {
                    var proof = b.proofTree(statementPayload: changed, signedBy: b.fixture.custodianKey)
                    proof.set("account", .string(account))
                    return b.withProof(proof)
                })
            }
        }
        return out
    }

    /// The statement's envelope: every field edit under `proof.statement`,
    /// every byte of its signature and of its signer key, other signers,
    /// other formats, and a bundle where the statement should be.
    static func statementEnvelope(_ b: TamperBuilder) -> [TamperVariant] {
        guard let payload = b.fixture.statementPayloadTree, let envelope = b.fixture.proofTree["statement"] else { return [] }
        var out: [TamperVariant] = []
        for edit in TamperJSONEdits.all(of: b.fixture.proofTree, root: "proof") where isUnderStatement(edit.path.display) {
            out.append(TamperVariant(.statementEnvelope, edit.description) { b.withProof(edit.applied(to: b.fixture.proofTree)) })
        }
        let envelopes = TamperEnvelopes(envelope: envelope, payload: payload, role: "custodian", payloadKeyField: "custodian",
                                        trustedKey: b.fixture.custodianKey, otherRoleKey: b.fixture.publisherKey, otherRole: "publisher",
                                        ownKind: .statement)
        for (what, tree) in envelopes.variants(name: "proof.statement") {
            out.append(TamperVariant(.statementEnvelope, what) {
                var proof = b.fixture.proofTree
                proof.set("statement", tree())
                return b.withProof(proof)
            })
        }
        out.append(TamperVariant(.statementEnvelope, "proof.statement replaced by the bundle's envelope (signed by the publisher)") {
            var proof = b.fixture.proofTree
            proof.set("statement", b.fixture.bundleTree)
            return b.withProof(proof)
        })
        return out
    }

    // MARK: The bundle

    /// Every field edit of the bundle's payload: with the old signature,
    /// re-signed by the publisher, and re-signed with the proof pointed at
    /// the new digest.
    static func bundleFields(_ b: TamperBuilder) -> [TamperVariant] {
        var out: [TamperVariant] = []
        let payload = b.fixture.bundlePayloadTree
        for edit in TamperJSONEdits.all(of: payload, root: "bundle.payload") {
            let changed = edit.applied(to: payload).compact()
            out.append(TamperVariant(.bundleField, "\(edit.description) (old signature)") {
                b.withBundle(TamperEnvelopes.replacingPayload(of: b.fixture.bundleTree, with: changed, signedBy: nil).pretty())
            })
            out.append(TamperVariant(.bundleFieldResigned, "\(edit.description) (re-signed by the publisher)") {
                b.withBundle(TamperEnvelopes.replacingPayload(of: b.fixture.bundleTree, with: changed, signedBy: b.fixture.publisherKey).pretty())
            })
            let changedTree = edit.applied(to: payload)
            out.append(TamperVariant(.bundleFieldRepointed, "\(edit.description) (re-signed by the publisher; proof\(b.fixture.mode == .custodian ? " and statement" : "") re-pointed at it)") {
                b.repointed(bundlePayload: changedTree)
            })
        }
        return out
    }

    /// The bundle's envelope: every field edit, every byte of its signature
    /// and signer key, other signers, other formats, other files.
    static func bundleEnvelope(_ b: TamperBuilder) -> [TamperVariant] {
        var out: [TamperVariant] = []
        let tree = b.fixture.bundleTree
        for edit in TamperJSONEdits.all(of: tree, root: "bundle") {
            out.append(TamperVariant(.bundleEnvelope, edit.description) { b.withBundle(edit.applied(to: tree).pretty()) })
        }
        let envelopes = TamperEnvelopes(envelope: tree, payload: b.fixture.bundlePayloadTree, role: "publisher", payloadKeyField: "publisher",
                                        trustedKey: b.fixture.publisherKey, otherRoleKey: b.fixture.custodianKey, otherRole: "custodian",
                                        ownKind: .bundle)
        for (what, envelope) in envelopes.variants(name: "bundle") {
            out.append(TamperVariant(.bundleEnvelope, what) { b.withBundle(envelope().pretty()) })
        }
        for (what, bytes) in wholeFileEdits(b.fixture.files.bundle) {
            out.append(TamperVariant(.bundleEnvelope, "bundle file: \(what)") { b.withBundle(bytes) })
        }
        out.append(TamperVariant(.bundleEnvelope, "bundle file replaced by the proof file") { b.withBundle(b.fixture.files.proof) })
        if let statement = b.fixture.proofTree["statement"] {
            out.append(TamperVariant(.bundleEnvelope, "bundle file replaced by the custodian statement (signed by the custodian)") {
                b.withBundle(statement.pretty())
            })
        }
        return out
    }

    static func hex(_ byte: UInt8) -> String {
        let s = String(byte, radix: 16)
        return s.count == 1 ? "0" + s : s
    }
}

/// Where a commitment sits in the fixture's files.
struct TamperCommitmentSite: Sendable {
    enum Location: Sendable {
        /// `proof.<key>[i].commitment` (`inputs` or `helpers`).
        case proof(String, Int)
        /// `statement.payload.inputs[i].commitment`.
        case statement(Int)
    }

    let name: String
    let location: Location
    let bytes: [UInt8]
}

/// Writes the variant files of one fixture.
struct TamperBuilder: Sendable {
    let fixture: TamperFixture

    init(_ fixture: TamperFixture) { self.fixture = fixture }

    func withProof(_ tree: TamperJSON) -> TamperFiles { withProof(tree.pretty()) }
    func withProof(_ bytes: [UInt8]) -> TamperFiles { TamperFiles(bundle: fixture.files.bundle, proof: bytes) }
    func withBundle(_ bytes: [UInt8]) -> TamperFiles { TamperFiles(bundle: bytes, proof: fixture.files.proof) }

    /// The decoded bytes of every range proof, in order.
    var rangeProofs: [[UInt8]] {
        guard case .array(let items)? = fixture.proofTree["range_proofs"] else { return [] }
        return items.compactMap { item in
            guard case .string(let text)? = item["proof"] else { return nil }
            return Base64.decode(text)
        }
    }

    /// The proof with `range_proofs[k].proof` set to `bytes`.
    func settingRangeProof(_ k: Int, _ bytes: [UInt8]) -> TamperJSON {
        var tree = fixture.proofTree
        guard case .array(var items)? = tree["range_proofs"], items.indices.contains(k) else { return tree }
        items[k].set("proof", .string(Base64.encode(bytes)))
        tree.set("range_proofs", .array(items))
        return tree
    }

    /// `tree` with `<key>[i].commitment` set to `text`.
    func settingCommitment(in tree: TamperJSON, _ key: String, _ i: Int, _ text: String) -> TamperJSON {
        var tree = tree
        guard case .array(var items)? = tree[key], items.indices.contains(i) else { return tree }
        items[i].set("commitment", .string(text))
        tree.set(key, .array(items))
        return tree
    }

    /// Every commitment of the fixture: statement inputs (or self-attested
    /// inputs), then helpers.
    var commitmentSites: [TamperCommitmentSite] {
        var out: [TamperCommitmentSite] = []
        func collect(_ tree: TamperJSON?, key: String, name: String, _ location: (Int) -> TamperCommitmentSite.Location) {
            guard case .array(let items)? = tree?[key] else { return }
            for (i, item) in items.enumerated() {
                guard case .string(let text)? = item["commitment"], let bytes = Base64.decode(text) else { continue }
                out.append(TamperCommitmentSite(name: "\(name)[\(i)].commitment", location: location(i), bytes: bytes))
            }
        }
        collect(fixture.statementPayloadTree, key: "inputs", name: "statement.payload.inputs") { .statement($0) }
        collect(fixture.proofTree, key: "inputs", name: "proof.inputs") { .proof("inputs", $0) }
        collect(fixture.proofTree, key: "helpers", name: "proof.helpers") { .proof("helpers", $0) }
        return out
    }

    /// The proof with its statement's payload replaced, re-signed by `key`
    /// (its envelope's signer fields set to that key) or with the old
    /// signature.
    func proofTree(statementPayload payload: [UInt8], signedBy key: SigningKey?) -> TamperJSON {
        var proof = fixture.proofTree
        guard let envelope = proof["statement"] else { return proof }
        proof.set("statement", TamperEnvelopes.replacingPayload(of: envelope, with: payload, signedBy: key))
        return proof
    }

    /// A bundle with `payload`, signed by the publisher, and the proof (and
    /// its statement, re-signed by the custodian) made to agree with it
    /// wherever the verifier compares them: the bundle digest, and the
    /// epoch, curve and circuit name when the payload has them as text. What
    /// is left to reject such a variant is the circuit, the plan and the
    /// transcript, which binds the bundle's digest.
    func repointed(bundlePayload tree: TamperJSON) -> TamperFiles {
        let payload = tree.compact()
        let bundle = TamperEnvelopes.replacingPayload(of: fixture.bundleTree, with: payload, signedBy: fixture.publisherKey)
        func text(_ value: TamperJSON?) -> TamperJSON? {
            switch value {
            case .string(let s)?: return .string(s)
            case .number(let n)?: return .string(n)
            default: return nil
            }
        }
        let digest = TamperJSON.string(SHA256.hash(payload).hexString)
        let epoch = text(tree["epoch"]), curve = text(tree["curve"]), circuit = text(tree["circuit"]?["name"])
        var proof = fixture.proofTree
        proof.set("bundle", digest)
        if let epoch { proof.set("epoch", epoch) }
        if let curve { proof.set("curve", curve) }
        if let circuit { proof.set("circuit", circuit) }
        if var statement = fixture.statementPayloadTree, let envelope = proof["statement"] {
            statement.set("bundle", digest)
            if let epoch { statement.set("epoch", epoch) }
            if let curve { statement.set("curve", curve) }
            proof.set("statement", TamperEnvelopes.replacingPayload(of: envelope, with: statement.compact(), signedBy: fixture.custodianKey))
        }
        return TamperFiles(bundle: bundle.pretty(), proof: proof.pretty())
    }
}
