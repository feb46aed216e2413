import Solvency
import ZKGroup
import ZKProofs

/// Variants of one signed envelope (`format`, `payload`, `signer`,
/// `signer_key`, `signature`) that field edits do not reach: every byte of
/// the signature and of the signer key, the file signed by another key,
/// another format, the same JSON in other bytes.
struct TamperEnvelopes: Sendable {
    /// The envelope as stored, and its payload parsed.
    let envelope: TamperJSON
    let payload: TamperJSON
    /// Who must sign it (`custodian`), the payload field naming that key
    /// (`custodian`), and the trusted key.
    let role: String
    let payloadKeyField: String
    let trustedKey: SigningKey
    /// The other party's key, which must not be accepted in its place.
    let otherRoleKey: SigningKey
    let otherRole: String
    let ownKind: FileKind

    /// `envelope` with `payload` in it, re-signed by `key` (signer, signer
    /// key and signature all that key's) or with the old signature.
    static func replacingPayload(of envelope: TamperJSON, with payload: [UInt8], signedBy key: SigningKey?) -> TamperJSON {
        var e = envelope
        e.set("payload", .string(Base64.encode(payload)))
        if let key { e = signing(e, payload: payload, with: key) }
        return e
    }

    /// `envelope` signed by `key` over `payload`. A sealed statement's
    /// `seal` becomes that `signature`, in its place: signing by the
    /// custodian reaches every check behind the authentication.
    static func signing(_ envelope: TamperJSON, payload: [UInt8], with key: SigningKey) -> TamperJSON {
        var e = envelope
        if case .object(let members) = envelope, members.contains(where: { $0.key == "seal" }) {
            e = .object(members.map { $0.key == "seal" ? TamperJSON.Member("signature", .string("")) : $0 })
        }
        e.set("signer", .string(key.verifyingKey.id))
        e.set("signer_key", .string(Base64.encode(key.verifyingKey.derRepresentation)))
        e.set("signature", .string(Base64.encode(key.signature(for: payload))))
        return e
    }

    /// `envelope` with `key` set to the base64 of `bytes`.
    static func setting(_ envelope: TamperJSON, _ key: String, _ bytes: [UInt8]) -> TamperJSON {
        var e = envelope
        e.set(key, .string(Base64.encode(bytes)))
        return e
    }

    /// Every variant, each with a description and a maker (re-signing
    /// draws a fresh ECDSA nonce each time).
    func variants(name: String) -> [(String, @Sendable () -> TamperJSON)] {
        var out: [(String, @Sendable () -> TamperJSON)] = []
        let envelope = self.envelope
        let payloadBytes = payload.compact()
        func add(_ what: String, _ make: @escaping @Sendable () -> TamperJSON) { out.append((what, make)) }

        // Every byte of the signature and of the signer key.
        for field in ["signature", "signer_key"] {
            guard case .string(let text)? = envelope[field], let bytes = Base64.decode(text) else { continue }
            for mask: UInt8 in [0x01, 0xff] {
                for i in bytes.indices {
                    add("\(name).\(field) byte \(i) ^ 0x\(TamperVariants.hex(mask))") {
                        var t = bytes
                        t[i] ^= mask
                        return Self.setting(envelope, field, t)
                    }
                }
            }
            add("\(name).\(field): last byte removed") { Self.setting(envelope, field, Array(bytes.dropLast())) }
            add("\(name).\(field): a zero byte appended") { Self.setting(envelope, field, bytes + [0]) }
        }

        // A sealed statement's seal (SPEC.md §16.18): every byte of its
        // root payload, root signature and path, and other positions.
        if case .object(let seal)? = envelope["seal"] {
            @Sendable func withSeal(_ key: String, _ value: TamperJSON) -> TamperJSON {
                var e = envelope
                var s = TamperJSON.object(seal)
                s.set(key, value)
                e.set("seal", s)
                return e
            }
            for field in ["root", "signature", "path"] {
                guard case .string(let text)? = envelope["seal"]?[field], let bytes = Base64.decode(text) else { continue }
                for mask: UInt8 in [0x01, 0xff] {
                    for i in bytes.indices {
                        add("\(name).seal.\(field) byte \(i) ^ 0x\(TamperVariants.hex(mask))") {
                            var t = bytes
                            t[i] ^= mask
                            return withSeal(field, .string(Base64.encode(t)))
                        }
                    }
                }
            }
            if case .number(let text)? = envelope["seal"]?["position"], let position = Int(text) {
                for other in [position - 1, position + 1, position + 2, 1 << 32, -1] where other != position {
                    add("\(name).seal.position set to \(other)") { withSeal("position", .number(String(other))) }
                }
            }
        }

        // Other signers: the other party's key and a fresh one, with the old
        // signature, signing the payload as is, and signing a payload that
        // names them.
        let otherRole = self.otherRole, role = self.role, payloadKeyField = self.payloadKeyField, payload = self.payload
        let others: [(String, SigningKey)] = [("the \(otherRole)'s key", otherRoleKey), ("a fresh key", SigningKey.generate())]
        for (who, key) in others {
            add("\(name).signer and signer_key set to \(who) (old signature)") {
                var e = envelope
                e.set("signer", .string(key.verifyingKey.id))
                e.set("signer_key", .string(Base64.encode(key.verifyingKey.derRepresentation)))
                return e
            }
            add("\(name).signature replaced by \(who)'s signature of the same payload (signer unchanged)") {
                Self.setting(envelope, "signature", key.signature(for: payloadBytes))
            }
            add("\(name) signed by \(who) instead of the \(role)'s (payload unchanged)") {
                Self.signing(envelope, payload: payloadBytes, with: key)
            }
            add("\(name) signed by \(who), its payload's \(payloadKeyField) naming that key") {
                var p = payload
                p.set(payloadKeyField, .string(key.verifyingKey.id))
                return Self.replacingPayload(of: envelope, with: p.compact(), signedBy: key)
            }
        }

        // Other formats, on the envelope, on the payload, on both.
        let ownKind = self.ownKind, trustedKey = self.trustedKey
        var formats = FileKind.allCases.filter { $0 != ownKind }.map(\.formatName)
        for version in Set([ownKind.version + 1, ownKind.version - 1, 0]).sorted() where version >= 0 && version != ownKind.version {
            formats.append("zkmargin/\(ownKind.rawValue)@\(version)")
        }
        formats.append("zkmargin/\(ownKind.rawValue)")
        for format in formats {
            add("\(name).format set to \(format)") {
                var e = envelope
                e.set("format", .string(format))
                return e
            }
            add("\(name).payload's format set to \(format) (re-signed by the \(role))") {
                var p = payload
                p.set("format", .string(format))
                return Self.replacingPayload(of: envelope, with: p.compact(), signedBy: trustedKey)
            }
            add("\(name) relabelled \(format), envelope and payload (re-signed by the \(role))") {
                var p = payload
                p.set("format", .string(format))
                var e = Self.replacingPayload(of: envelope, with: p.compact(), signedBy: trustedKey)
                e.set("format", .string(format))
                return e
            }
        }

        // The same JSON in other bytes: a different signed payload, so a
        // different digest.
        add("\(name).payload pretty-printed (the same JSON in other bytes; re-signed by the \(role))") {
            Self.replacingPayload(of: envelope, with: payload.pretty(), signedBy: trustedKey)
        }
        add("\(name).payload with a trailing space (re-signed by the \(role))") {
            Self.replacingPayload(of: envelope, with: payloadBytes + [0x20], signedBy: trustedKey)
        }
        return out
    }
}

/// Replacements for one commitment.
enum TamperCommitments {
    /// Another commitment of the file (the next and the previous), the
    /// generators G and H, C ± G (the committed value ± 1, same blinding),
    /// −C (prefix 02 ↔ 03), the identity's encodings, an uncompressed and a
    /// hybrid form, other prefixes, an x with no curve point, x ≥ p, and
    /// wrong lengths. Replacements equal to the original are left out.
    static func replacements(of s: Int, in sites: [TamperCommitmentSite], curve: Curve) -> [(String, [UInt8])] {
        let c = sites[s].bytes
        var out: [(String, [UInt8])] = []
        func add(_ what: String, _ bytes: [UInt8]?) {
            guard let bytes, bytes != c, !out.contains(where: { $0.1 == bytes }) else { return }
            out.append((what, bytes))
        }
        if sites.count > 1 {
            let next = sites[(s + 1) % sites.count], previous = sites[(s + sites.count - 1) % sites.count]
            add("replaced by \(next.name)", next.bytes)
            add("replaced by \(previous.name)", previous.bytes)
        }
        let g = Point.generator(curve)
        add("replaced by the base point G", try? g.compressed())
        add("replaced by the Pedersen generator H", try? Generators.standard(curve).h.compressed())
        if let point = try? Point(compressed: c, curve: curve) {
            add("C + G (the committed value + 1, same blinding)", try? (point + g).compressed())
            add("C − G (the committed value − 1, same blinding)", try? (point - g).compressed())
        }
        guard c.count == 33 else { return out }
        let x = Array(c[1...])
        add("negated (prefix 02 ↔ 03)", [c[0] ^ 0x01] + x)
        add("the identity's encoding (the single byte 00)", [0])
        add("33 zero bytes", [UInt8](repeating: 0, count: 33))
        add("prefix 00 with its x", [0] + x)
        add("uncompressed form (04 ‖ x ‖ 32 zero bytes, 65 bytes)", [4] + x + [UInt8](repeating: 0, count: 32))
        add("prefix 04 with its x (33 bytes)", [4] + x)
        add("hybrid prefix 06 with its x", [6] + x)
        add("hybrid prefix 07 with its x", [7] + x)
        add("prefix 05 with its x", [5] + x)
        if let off = offCurve(x, prefix: c[0], curve: curve) { add("an x with no point on the curve (\(off.steps) above its own)", off.bytes) }
        add("x = p (not reduced)", [c[0]] + curve.primeBytes)
        add("x = 2^256 − 1", [c[0]] + [UInt8](repeating: 0xFF, count: 32))
        add("truncated to 32 bytes", Array(c.dropLast()))
        add("a zero byte appended (34 bytes)", c + [0])
        add("empty", [])
        return out
    }

    /// The first x above `x` (by at most 64) that no point of `curve` has.
    static func offCurve(_ x: [UInt8], prefix: UInt8, curve: Curve) -> (bytes: [UInt8], steps: Int)? {
        var candidate = x
        for steps in 1...64 {
            var k = candidate.count - 1
            while k >= 0 {
                candidate[k] &+= 1
                if candidate[k] != 0 { break }
                k -= 1
            }
            let bytes = [prefix] + candidate
            do {
                _ = try Point(compressed: bytes, curve: curve)
            } catch .notOnCurve {
                return (bytes, steps)
            } catch {
                return nil
            }
        }
        return nil
    }
}
