import Solvency
import ZKGroup
import ZKProofs

/// What part of the files a variant changes.
package enum TamperCategory: String, CaseIterable, Sendable, Comparable {
    /// One byte of a Bulletproofs+ range proof (xor 0x01, then xor 0xff), its
    /// length, or range proofs swapped.
    case rangeProofByte = "range-proof-byte"
    /// One commitment (a 33-byte slot of the statement's, the helpers' or
    /// the self-attested inputs' list) replaced by another point, a bad
    /// encoding, or a point off the curve.
    case commitment
    /// A commitment list as a whole: one byte or one commitment shorter or
    /// longer; the statement's signed digest or input count changed (with
    /// the old signature and re-signed), alone or with the list to match.
    case commitmentList = "commitment-list"
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
        out += commitmentLists(b)
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

    /// Every 33-byte slot of every commitment list replaced (see
    /// `TamperCommitments.replacements`; replacements of other lengths are
    /// `commitmentLists`' business); a statement slot both with the old
    /// digest (and signature) and with its digest re-signed by the
    /// custodian, which reaches the point decoding and the range proofs.
    static func commitments(_ b: TamperBuilder) -> [TamperVariant] {
        var out: [TamperVariant] = []
        let sites = b.commitmentSites
        for (s, site) in sites.enumerated() {
            for (what, bytes) in TamperCommitments.replacements(of: s, in: sites, curve: b.fixture.curve) where bytes.count == 33 {
                switch site.location {
                case .proof(let key, let i):
                    out.append(TamperVariant(.commitment, "\(site.name): \(what)") {
                        b.withProof(b.settingSlot(i, to: bytes, inProofList: key))
                    })
                case .statement(let i):
                    guard let list = b.statementCommitments else { continue }
                    var edited = list
                    edited.replaceSubrange((33 * i)..<(33 * i + 33), with: bytes)
                    let changed = edited
                    out.append(TamperVariant(.commitment, "\(site.name): \(what) (old digest and signature)") {
                        b.withProof(b.proofTree(statementCommitments: changed, digest: .unchanged))
                    })
                    out.append(TamperVariant(.commitment, "\(site.name): \(what) (digest re-signed by the custodian)") {
                        b.withProof(b.proofTree(statementCommitments: changed, digest: .resigned(of: changed)))
                    })
                }
            }
        }
        return out
    }

    /// Each commitment list one byte shorter and longer, one commitment
    /// (33 bytes) shorter and longer: the statement's with the old digest
    /// and with its digest re-signed; and the statement's signed digest and
    /// input count changed, with the old signature and re-signed, alone and
    /// with the list made to agree.
    static func commitmentLists(_ b: TamperBuilder) -> [TamperVariant] {
        var out: [TamperVariant] = []
        func lengths(_ bytes: [UInt8]) -> [(String, [UInt8])] {
            var edits: [(String, [UInt8])] = [
                ("last byte removed", Array(bytes.dropLast())),
                ("a zero byte appended", bytes + [0]),
                ("a copy of its first byte appended", bytes + bytes.prefix(1)),
                ("first commitment appended again (33 bytes longer)", bytes + bytes.prefix(33)),
                ("a 33-byte zero slot appended", bytes + [UInt8](repeating: 0, count: 33)),
            ]
            if bytes.count >= 33 { edits.append(("last commitment removed (33 bytes shorter)", Array(bytes.dropLast(33)))) }
            if !bytes.isEmpty { edits.append(("emptied", [])) }
            return edits.filter { $0.1 != bytes }
        }
        for key in ["inputs", "helpers"] {
            guard let bytes = b.proofCommitments(key) else { continue }
            for (what, changed) in lengths(bytes) {
                out.append(TamperVariant(.commitmentList, "proof.\(key): \(what)") { b.withProof(b.settingList(key, to: changed)) })
            }
        }
        guard let list = b.statementCommitments, let payload = b.fixture.statementPayloadTree else { return out }
        let name = "proof.statement.commitments"
        for (what, changed) in lengths(list) {
            out.append(TamperVariant(.commitmentList, "\(name): \(what) (old digest and signature)") {
                b.withProof(b.proofTree(statementCommitments: changed, digest: .unchanged))
            })
            out.append(TamperVariant(.commitmentList, "\(name): \(what) (digest re-signed by the custodian)") {
                b.withProof(b.proofTree(statementCommitments: changed, digest: .resigned(of: changed)))
            })
        }
        // The signed digest: another digest over the same list.
        let digest = SHA256.hash(list)
        var flipped = digest
        flipped[0] ^= 0x01
        for (what, other) in [("first byte ^ 0x01", flipped), ("the digest of the empty list", SHA256.hash([UInt8]())), ("all zero", [UInt8](repeating: 0, count: 32))] {
            var p = payload
            p.set("commitments", .string(other.hexString))
            let changed = p.compact()
            out.append(TamperVariant(.commitmentList, "statement.payload.commitments: \(what) (old signature)") {
                b.withProof(b.proofTree(statementPayload: changed, signedBy: nil))
            })
            out.append(TamperVariant(.commitmentList, "statement.payload.commitments: \(what) (re-signed by the custodian)") {
                b.withProof(b.proofTree(statementPayload: changed, signedBy: b.fixture.custodianKey))
            })
        }
        // The signed input count, alone and with the list (and digest) to match.
        let count = list.count / 33
        var counts = [count + 1, 0, 2 * count]
        if count > 0 { counts.append(count - 1) }
        for n in counts {
            var p = payload
            p.set("inputs", .number(String(n)))
            let alone = p.compact()
            out.append(TamperVariant(.commitmentList, "statement.payload.inputs: \(count) → \(n) (old signature)") {
                b.withProof(b.proofTree(statementPayload: alone, signedBy: nil))
            })
            out.append(TamperVariant(.commitmentList, "statement.payload.inputs: \(count) → \(n) (re-signed by the custodian)") {
                b.withProof(b.proofTree(statementPayload: alone, signedBy: b.fixture.custodianKey))
            })
            // The list made to agree: the first commitments repeated (or the list cut), digest re-signed.
            var grown = Array(list.prefix(33 * n))
            while grown.count < 33 * n, !list.isEmpty { grown += list.prefix(min(list.count, 33 * n - grown.count)) }
            guard grown.count == 33 * n else { continue }
            let matching = grown
            out.append(TamperVariant(.commitmentList, "statement.payload.inputs: \(count) → \(n), the list \(n > count ? "extended with its own commitments" : "cut") to match (re-signed by the custodian)") {
                b.withProof(b.proofTree(statementCommitments: matching, digest: .resigned(of: matching), inputs: n))
            })
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

/// Where a commitment sits in the fixture's files: a 33-byte slot of a
/// commitment list (base64 of the encodings, concatenated).
struct TamperCommitmentSite: Sendable {
    enum Location: Sendable {
        /// Slot i of `proof.<key>` (`inputs` or `helpers`).
        case proof(String, Int)
        /// Slot i of `proof.statement.commitments`.
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

    /// The bytes of the commitment list `proof.<key>` (nil if absent).
    func proofCommitments(_ key: String) -> [UInt8]? {
        guard case .string(let text)? = fixture.proofTree[key] else { return nil }
        return text.isEmpty ? [] : Base64.decode(text)
    }

    /// The bytes of the statement's commitment list (nil if self-attested).
    var statementCommitments: [UInt8]? {
        guard case .string(let text)? = fixture.proofTree["statement"]?["commitments"] else { return nil }
        return text.isEmpty ? [] : Base64.decode(text)
    }

    /// The proof with `proof.<key>` set to the base64 of `bytes`.
    func settingList(_ key: String, to bytes: [UInt8]) -> TamperJSON {
        var tree = fixture.proofTree
        tree.set(key, .string(Base64.encode(bytes)))
        return tree
    }

    /// The proof with slot `i` of `proof.<key>` set to `bytes`.
    func settingSlot(_ i: Int, to bytes: [UInt8], inProofList key: String) -> TamperJSON {
        guard var list = proofCommitments(key), 33 * i + 33 <= list.count else { return fixture.proofTree }
        list.replaceSubrange((33 * i)..<(33 * i + 33), with: bytes)
        return settingList(key, to: list)
    }

    /// Every commitment of the fixture: the statement's (or self-attested
    /// inputs), then helpers, each a 33-byte slot of its list.
    var commitmentSites: [TamperCommitmentSite] {
        var out: [TamperCommitmentSite] = []
        func collect(_ bytes: [UInt8]?, name: String, _ location: (Int) -> TamperCommitmentSite.Location) {
            guard let bytes else { return }
            for i in 0..<(bytes.count / 33) {
                out.append(TamperCommitmentSite(name: "\(name) commitment \(i)", location: location(i), bytes: Array(bytes[(33 * i)..<(33 * i + 33)])))
            }
        }
        collect(statementCommitments, name: "proof.statement.commitments") { .statement($0) }
        collect(proofCommitments("inputs"), name: "proof.inputs") { .proof("inputs", $0) }
        collect(proofCommitments("helpers"), name: "proof.helpers") { .proof("helpers", $0) }
        return out
    }

    /// What a statement variant does with the payload's signed digest.
    enum StatementDigest {
        /// The payload and signature as they were.
        case unchanged
        /// The payload's `commitments` set to SHA-256 of these bytes (and
        /// `inputs` to the count given, if any), re-signed by the custodian.
        case resigned(of: [UInt8])
    }

    /// The proof with its statement's commitment list replaced by `bytes`,
    /// the payload left alone or its digest (and input count) re-signed.
    func proofTree(statementCommitments bytes: [UInt8], digest: StatementDigest, inputs: Int? = nil) -> TamperJSON {
        var proof = fixture.proofTree
        guard var envelope = proof["statement"], var payload = fixture.statementPayloadTree else { return proof }
        envelope.set("commitments", .string(Base64.encode(bytes)))
        if case .resigned(let signed) = digest {
            payload.set("commitments", .string(SHA256.hash(signed).hexString))
            if let inputs { payload.set("inputs", .number(String(inputs))) }
            envelope = TamperEnvelopes.replacingPayload(of: envelope, with: payload.compact(), signedBy: fixture.custodianKey)
        }
        proof.set("statement", envelope)
        return proof
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
