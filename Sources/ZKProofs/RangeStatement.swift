public import ZKGroup

/// What a range proof claims: for every form fₖ, fₖ(v) ∈ [0, 2^{wₖ}), where v
/// are the values inside `commitments` and wₖ is the form's width.
///
/// Each form has a block of n bits in the proof (n the proof's size, `bits`);
/// its width wₖ ≤ n says how many of them carry its value, the others are
/// proven zero-weight bits (`BulletproofsPlus.md`, "Widths").
///
/// Invariant (checked in `init`): n ∈ {8, 16, 32, 64, 128, 256}; at least one
/// form; one width per form, each in 1…n; every form index names a
/// commitment; one curve throughout; n·m' ≤ 2²⁰ with m' the form count
/// padded to a power of two.
public struct RangeStatement: Sendable {
    public static let supportedBitWidths: Set<Int> = [8, 16, 32, 64, 128, 256]
    public static let maximumTotalBits = 1 << 20

    public let curve: Curve
    /// n, the proof's size: the number of bits each form has in the proof,
    /// and the largest width a form may have.
    public let bits: Int
    /// wₖ, one per form: the proof shows fₖ(v) ∈ [0, 2^{wₖ}). Every wₖ is in 1…n.
    public let widths: [Int]
    public let commitments: [Commitment]
    public let forms: [AffineForm]
    /// Caller-supplied bytes bound into the transcript (bundle digest,
    /// account label, epoch, …).
    public let context: [UInt8]

    /// A statement whose form k is proven in [0, 2^{widths[k]}).
    public init(curve: Curve, bits: Int, widths: [Int], commitments: [Commitment], forms: [AffineForm], context: [UInt8]) throws(RangeProofError) {
        guard Self.supportedBitWidths.contains(bits) else { throw .unsupportedBitWidth(bits) }
        guard !forms.isEmpty else { throw .emptyStatement }
        guard widths.count == forms.count else { throw .widthCount(expected: forms.count, got: widths.count) }
        for (k, w) in widths.enumerated() where !(1...bits).contains(w) {
            throw .widthOutOfRange(form: k, width: w, bits: bits)
        }
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
        self.widths = widths
        self.commitments = commitments
        self.forms = forms
        self.context = context
    }

    /// A statement whose every form is proven in [0, 2ⁿ) (every width = n).
    public init(curve: Curve, bits: Int, commitments: [Commitment], forms: [AffineForm], context: [UInt8]) throws(RangeProofError) {
        try self.init(curve: curve, bits: bits, widths: [Int](repeating: bits, count: forms.count),
                      commitments: commitments, forms: forms, context: context)
    }

    /// m', the number of forms padded up to a power of two.
    public var paddedCount: Int { Self.padded(forms.count) }

    /// n·m', the length of the bit vectors.
    public var totalBits: Int { bits * paddedCount }

    /// log₂(n·m'), the number of inner-product rounds.
    public var rounds: Int { totalBits.trailingZeroBitCount }

    /// The widths of the m' forms the proof has: `widths`, then n for each
    /// padding form (value 0, so any width holds; n keeps their bits as
    /// they were before widths existed).
    var paddedWidths: [Int] { widths + [Int](repeating: bits, count: paddedCount - forms.count) }

    static func padded(_ m: Int) -> Int {
        var p = 1
        while p < m { p <<= 1 }
        return p
    }

    /// The transcript after absorbing the whole statement, before any proof
    /// message: protocol, curve, generator set, n, m, m', context, every
    /// commitment, then per form its width, its indices and coefficients
    /// and its constant.
    func transcript(generators: Generators) -> Transcript {
        transcript(generators: generators, commitmentEncodings: nil)
    }

    /// The same transcript, absorbing `commitmentEncodings[j]` for
    /// commitment j when given (the verifier's, derived from the affine
    /// points it already has; the same bytes `Point.compressed()` gives, 00
    /// for the identity).
    func transcript(generators: Generators, commitmentEncodings: [[UInt8]]?) -> Transcript {
        var t = Transcript(protocolLabel: BulletproofsPlus.protocolLabel)
        t.append("curve", string: curve.rawValue)
        t.append("generators", string: generators.setIdentifier)
        t.append("n", u64: UInt64(bits))
        t.append("m", u64: UInt64(forms.count))
        t.append("m-padded", u64: UInt64(paddedCount))
        t.append("context", context)
        t.append("commitments", u64: UInt64(commitments.count))
        if let commitmentEncodings {
            precondition(commitmentEncodings.count == commitments.count, "one encoding per commitment")
            for e in commitmentEncodings { t.append("C", e) }
        } else {
            for c in commitments { t.append("C", point: c.point) }
        }
        for (form, width) in zip(forms, widths) {
            t.append("form", u64: UInt64(form.terms.count))
            t.append("width", u64: UInt64(width))
            for term in form.terms {
                t.append("index", u64: UInt64(term.index))
                t.append("coefficient", scalar: term.coefficient)
            }
            t.append("constant", scalar: form.constant)
        }
        return t
    }
}
