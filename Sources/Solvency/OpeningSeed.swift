import MarginCircuits
import StrictJSON
import ZKGroup
import ZKProofs

/// The blinding factors of a seeded attestation, derived from one secret
/// 32-byte seed per account (openings@3), so that an epoch's openings are
/// a seed and the values instead of a 64-digit blinding per input:
///
///     prefix = lp("zkmargin/opening-seed@1") ‖ lp(curve name) ‖ lp(bundle digest)
///              ‖ lp(account label bytes) ‖ u64be(k)
///     wide   = SHA-256(prefix ‖ 0x00 ‖ seed) ‖ SHA-256(prefix ‖ 0x01 ‖ seed)
///     r_k    = OS2IP(wide) mod n, or 1 if that is 0
///
/// with lp(x) = u64be(len x) ‖ x and k the input's position in the
/// compiled circuit. 64 bytes reduced mod n differ from uniform by less
/// than 2⁻²⁵⁶, and SHA-256 of a uniformly random 256-bit seed with
/// distinct prefixes gives independent-looking draws: the commitments hide
/// the values exactly as with fresh random blindings.
///
/// A seed is drawn fresh from the system's generator for every
/// attestation and never reused: two attestations of one account with one
/// seed would share blindings, and their commitments would differ by
/// (v − v′)·G, revealing the change in every value.
public enum OpeningSeed {
    public static let byteCount = 32
    static let domain = Array("zkmargin/opening-seed@1".utf8)

    /// A fresh seed from OpenSSL's private generator.
    static func fresh() -> [UInt8] {
        var seed = [UInt8](repeating: 0, count: byteCount)
        var source = SystemRandom()
        source.fill(&seed)
        return seed
    }

    /// r_k for the input at position `index`.
    static func blinding(seed: [UInt8], curve: Curve, bundleDigest: [UInt8], account: String, index: Int) -> Scalar {
        precondition(seed.count == byteCount)
        var prefix = lengthPrefixed(domain) + lengthPrefixed(Array(curve.rawValue.utf8)) + lengthPrefixed(bundleDigest)
            + lengthPrefixed(Array(account.utf8))
        prefix += u64be(index)
        var wide: [UInt8] = []
        wide.reserveCapacity(64)
        for half: UInt8 in [0, 1] {
            var h = SHA256()
            h.update(prefix)
            h.update([half])
            h.update(seed)
            wide += h.finalize()
        }
        defer { secureZero(&wide) }
        let r = Scalar(reducing: wide, curve: curve)
        // Zero has probability below 2⁻²⁵⁵; the branch reveals only that.
        return r.isZero ? Scalar.one(curve) : r
    }

    /// Every input's opening: its value and r_k.
    static func openings(values: [BigInt], seed: [UInt8], curve: Curve, bundleDigest: [UInt8], account: String) -> [Opening] {
        values.enumerated().map { k, v in
            var r = blinding(seed: seed, curve: curve, bundleDigest: bundleDigest, account: account, index: k)
            ConstantTimeCheck.markSecretWhenChecking(&r)
            return Opening(value: secretScalar(v, curve: curve), blinding: r)
        }
    }
}

extension Openings {
    /// openings@3:
    ///
    /// ```json
    /// {
    ///   "format": "zkmargin/openings@3",
    ///   "warning": "SECRET: …",
    ///   "bundle": "<bundle digest, hex>",
    ///   "statement": "<statement digest, hex>",
    ///   "account": "fund-7/subacct-2",
    ///   "curve": "p256",
    ///   "seed": "<64 hex digits>",
    ///   "values": ["125000000", "0", …]
    /// }
    /// ```
    ///
    /// `values` are the inputs' integers in the compiled circuit's order;
    /// input k's blinding is `OpeningSeed.blinding(…, index: k)`.
    func encodedSeeded(_ seed: [UInt8]) -> [UInt8] {
        var hex = seed.hexDigits
        defer { secureZero(&hex) }
        // Declassified ("openings file text"), as openings@2's blindings are.
        ConstantTimeCheck.declassify(&hex)
        let payload = JSONObject([
            ("format", .string(Self.seededFormatName)),
            ("warning", .string(Self.warning)),
            ("bundle", .string(bundleDigest.hexString)),
            ("statement", .string(statementDigest.hexString)),
            ("account", .string(account)),
            ("curve", .string(curve.rawValue)),
            ("seed", .string(String(decoding: hex, as: UTF8.self))),
            ("values", .array(entries.map { .string($0.value.description) })),
        ])
        return JSONValue.object(payload).encoded()
    }

    /// Strict decoding of openings@3 (its `format` already checked).
    /// Errors name fields, never a value or the seed.
    init(seeded object: JSONObject) throws(SolvencyError) {
        var r = FieldReader(object, path: "openings")
        _ = r.optional("format")
        _ = try r.optionalString("warning")
        let bundle = try r.hex("bundle", count: 32)
        let statement = try r.hex("statement", count: 32)
        let account = try r.string("account", maxLength: FormatLimits.maximumIdentifierBytes)
        let curveName = try r.string("curve", maxLength: 32)
        guard let curve = Curve(name: curveName), curve.rawValue == curveName else {
            throw .field("openings.curve", "unknown curve \(jsonQuoted(curveName))")
        }
        var seed = try r.hex("seed", count: OpeningSeed.byteCount)
        defer { secureZero(&seed) }
        let items = try r.array("values")
        guard items.count <= FormatLimits.maximumCommitments else {
            throw .field("openings.values", "holds \(items.count) values, more than the \(FormatLimits.maximumCommitments) inputs a statement may have")
        }
        var values: [BigInt] = []
        values.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            guard case .string(let text) = item, text.utf8.count <= 100, let v = BigInt(text) else {
                throw .field("openings.values[\(k)]", "expected an integer as a decimal string")
            }
            values.append(v)
        }
        try r.finish()
        let openings = OpeningSeed.openings(values: values, seed: seed, curve: curve, bundleDigest: bundle, account: account)
        let entries = zip(values, openings).enumerated().map { k, e in Entry(id: "inputs[\(k)]", value: e.0, opening: e.1) }
        self.init(bundleDigest: bundle, statementDigest: statement, account: account, curve: curve, entries: entries, seed: seed)
    }
}
