public import ZKGroup

/// Every way building, proving or verifying a range proof can fail. Messages
/// name the field or the form index, never a value or a blinding factor.
public enum RangeProofError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The proof size n is not one of 8, 16, 32, 64, 128, 256.
    case unsupportedBitWidth(Int)
    /// The statement does not give exactly one width per form.
    case widthCount(expected: Int, got: Int)
    /// A form's width wₖ is outside 1…n.
    case widthOutOfRange(form: Int, width: Int, bits: Int)
    /// The statement has no form to prove.
    case emptyStatement
    /// n·m′ (m′ the form count padded to a power of two) exceeds the
    /// supported maximum (2²⁰ bits in one proof).
    case statementTooLarge(Int)
    /// A form refers to a commitment that does not exist.
    case commitmentIndexOutOfRange(form: Int, index: Int)
    /// Points, scalars or generators of different curves were mixed.
    case curveMismatch
    /// The prover got a different number of openings than commitments.
    case openingCount(expected: Int, got: Int)
    /// An opening does not open the commitment at this index.
    case openingMismatch(index: Int)
    /// A form's value is outside [0, 2^{wₖ}), wₖ its width: the statement is false.
    case valueOutOfRange(form: Int)
    /// The encoded proof has a length that no round count explains.
    case proofLength(expected: Int, got: Int)
    /// The encoded proof has a valid shape for a different number of rounds.
    case roundCount(expected: Int, got: Int)
    /// A point of the proof is not a canonical encoding of a non-identity point.
    case invalidPoint(field: String, reason: GroupError)
    /// A scalar of the proof is not canonical.
    case invalidScalar(field: String, reason: GroupError)
    /// The proof is well-formed but the verification equation does not hold.
    case verificationFailed

    public var description: String {
        switch self {
        case .unsupportedBitWidth(let n): return "unsupported range-proof size \(n) bits (expected 8, 16, 32, 64, 128 or 256)"
        case .widthCount(let e, let g): return "expected one width per form (\(e)), got \(g)"
        case .widthOutOfRange(let form, let width, let bits): return "form \(form) has width \(width) bits, outside 1…\(bits) (the proof's size n)"
        case .emptyStatement: return "the statement has no value to prove"
        case .statementTooLarge(let bits): return "statement too large: \(bits) bits in one proof (maximum 1048576)"
        case .commitmentIndexOutOfRange(let form, let index): return "form \(form) refers to commitment \(index), which does not exist"
        case .curveMismatch: return "statement mixes curves"
        case .openingCount(let e, let g): return "expected \(e) openings, got \(g)"
        case .openingMismatch(let index): return "opening \(index) does not open commitment \(index)"
        case .valueOutOfRange(let form): return "the value of form \(form) is outside the proven range; no proof can be made"
        case .proofLength(let e, let g): return "proof must be \(e) bytes for this statement, got \(g)"
        case .roundCount(let e, let g): return "proof has \(g) inner-product rounds, the statement needs exactly \(e)"
        case .invalidPoint(let field, let reason): return "proof field \(field): \(reason)"
        case .invalidScalar(let field, let reason): return "proof field \(field): \(reason)"
        case .verificationFailed: return "range proof does not verify"
        }
    }
}
