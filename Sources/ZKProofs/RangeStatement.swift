public import ZKGroup

/// What a range proof claims: for every form fₖ, fₖ(v) ∈ [0, 2ⁿ), where v are
/// the values inside `commitments`.
///
/// Invariant (checked in `init`): n ∈ {8, 16, 32, 64, 128}; at least one form;
/// every form index names a commitment; one curve throughout; n·m' ≤ 2²⁰ with
/// m' the form count padded to a power of two.
public struct RangeStatement: Sendable {
    public static let supportedBitWidths: Set<Int> = [8, 16, 32, 64, 128]
    public static let maximumTotalBits = 1 << 20

    public let curve: Curve
    /// n, the width of every range.
    public let bits: Int
    public let commitments: [Commitment]
    public let forms: [AffineForm]
    /// Caller-supplied bytes bound into the transcript (bundle digest,
    /// account label, epoch, …).
    public let context: [UInt8]

    public init(curve: Curve, bits: Int, commitments: [Commitment], forms: [AffineForm], context: [UInt8]) throws(RangeProofError) {
        guard Self.supportedBitWidths.contains(bits) else { throw .unsupportedBitWidth(bits) }
        guard !forms.isEmpty else { throw .emptyStatement }
        let padded = Self.padded(forms.count)
        guard padded <= Self.maximumTotalBits / bits else { throw .statementTooLarge(padded * bits) }
        for c in commitments where c.point.curve != curve { throw .curveMismatch }
        for (k, form) in forms.enumerated() {
            guard form.constant.curve == curve else { throw .curveMismatch }
            for t in form.terms where t.index >= commitments.count {
                throw .commitmentIndexOutOfRange(form: k, index: t.index)
            }
        }
        self.curve = curve
        self.bits = bits
        self.commitments = commitments
        self.forms = forms
        self.context = context
    }

    /// m', the number of forms padded up to a power of two.
    public var paddedCount: Int { Self.padded(forms.count) }

    /// n·m', the length of the bit vectors.
    public var totalBits: Int { bits * paddedCount }

    /// log₂(n·m'), the number of inner-product rounds.
    public var rounds: Int { totalBits.trailingZeroBitCount }

    static func padded(_ m: Int) -> Int {
        var p = 1
        while p < m { p <<= 1 }
        return p
    }

    /// The transcript after absorbing the whole statement, before any proof
    /// message: protocol, curve, generator set, n, m, m', context, every
    /// commitment, every form's indices, coefficients and constant.
    func transcript(generators: Generators) -> Transcript {
        var t = Transcript(protocolLabel: BulletproofsPlus.protocolLabel)
        t.append("curve", string: curve.rawValue)
        t.append("generators", string: generators.setIdentifier)
        t.append("n", u64: UInt64(bits))
        t.append("m", u64: UInt64(forms.count))
        t.append("m-padded", u64: UInt64(paddedCount))
        t.append("context", context)
        t.append("commitments", u64: UInt64(commitments.count))
        for c in commitments { t.append("C", point: c.point) }
        for form in forms {
            t.append("form", u64: UInt64(form.terms.count))
            for term in form.terms {
                t.append("index", u64: UInt64(term.index))
                t.append("coefficient", scalar: term.coefficient)
            }
            t.append("constant", scalar: form.constant)
        }
        return t
    }
}
