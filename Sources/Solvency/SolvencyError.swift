public import MarginCircuits
import StrictJSON
public import ZKProofs

/// Why a requirement of the circuit is not met, as the prover reports it
/// before refusing to make a proof.
public struct MarginShortfall: Sendable, Equatable {
    /// The binding requirement (the one with the smallest excess).
    public let requirement: String
    /// How much equity is missing for it, in the quote currency (> 0).
    public let shortfall: Rational
    public let quote: String
    /// Every failing requirement with its shortfall, binding first.
    public let failing: [(name: String, shortfall: Rational)]

    public static func == (a: MarginShortfall, b: MarginShortfall) -> Bool {
        a.requirement == b.requirement && a.shortfall == b.shortfall && a.quote == b.quote
            && a.failing.map(\.name) == b.failing.map(\.name) && a.failing.map(\.shortfall) == b.failing.map(\.shortfall)
    }
}

/// Every way reading, signing, attesting, proving or verifying can fail.
///
/// Each rejection has its own case (and `code`, the case name, for `--json`
/// and tests). Messages name files, fields, key ids and digests; they never
/// contain a blinding factor, an opening or a private key. They speak of the
/// data, never of a command line: a tool that has a flag for the remedy
/// adds it (the zkmargin CLIs' `Remedy`).
public enum SolvencyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file could not be read or written.
    case io(path: String, message: String)
    /// A file that is never replaced without being told to (a private key,
    /// openings) already exists; `what` names it ("a private key"). Its
    /// `code` is `io`, as it was before it had its own case.
    case alreadyExists(path: String, what: String)
    /// The bytes are not a JSON object (empty, truncated, garbled).
    case malformed(String, String)
    /// A field is missing, of the wrong type, malformed or unknown.
    case field(String, String)
    /// The `format` field is not a zkmargin format of the expected kind.
    case unknownFormat(file: String, found: String, expected: String)
    /// The right kind of file, in a version this build does not read.
    case unsupportedVersion(file: String, found: String, supported: String)
    /// Another kind of zkmargin file (a proof where a bundle was expected, …).
    case wrongFileKind(expected: String, found: String)
    /// A key file or key encoding is unusable.
    case invalidKey(String)
    /// The signature does not verify over the payload: the file was changed
    /// after signing, or is corrupt.
    case signatureInvalid(file: String)
    /// A custodian statement written without its custodian's key
    /// (`zkmargin attest --custodian-key`) and not sealed yet: nothing
    /// authenticates it until the custodian's seal run (`zkmargin seal`).
    case statementUnsealed(String)
    /// A sealed statement whose seal does not lead from it to the root its
    /// custodian signed (`StatementSeal`): the statement, its position or
    /// its path was changed, or the seal belongs to another statement.
    case sealInvalid(String)
    /// The file is correctly signed, but by another key than the one trusted.
    case wrongSigner(file: String, role: String, expected: String, found: String)
    /// The bundle's validity window has not started at the given time.
    case bundleNotYetValid(issuedAt: String, at: String)
    /// The bundle's validity window has ended at the given time.
    case bundleExpired(validUntil: String, at: String)
    /// A proof made against a different bundle than the one given.
    case proofForAnotherBundle(proof: String, bundle: String)
    /// A statement (or openings) made against a different bundle.
    case statementForAnotherBundle(statement: String, bundle: String)
    /// The statement does not fit the bundle's compiled circuit, or does not
    /// fit the proof it is inside of.
    case statementMismatch(String)
    /// The openings do not open the statement's commitments.
    case openingsMismatch(String)
    /// The proof's own fields disagree with what the bundle compiles to.
    case proofMismatch(String)
    /// The range proofs do not verify against the commitments.
    case proofInvalid(String)
    /// A self-attested proof, and the verifier did not allow them.
    case selfAttestedNotAllowed
    /// A custodian-attested proof, and no custodian key was given.
    case custodianKeyRequired(String)
    /// The account does not meet its margin: no proof is made.
    case marginShortfall(MarginShortfall)
    /// The circuit, the risk values or the account were rejected.
    case circuit(MarginError)
    /// The values name a circuit that cannot be found.
    case circuitNotFound(name: String, searched: [String])
    /// A range-proof error (statement too large, …).
    case rangeProof(RangeProofError)
    /// A bad argument to an operation.
    case invalidArgument(String)
    /// The proof does not answer the challenge the verifier expects
    /// (`--expect-challenge`), or carries none.
    case challengeMismatch(String)
    /// The proof names another audience than the verifier (`--for`), or none.
    case audienceMismatch(String)
    /// The custodian's statement is older than the verifier allows
    /// (`--max-age`), or the proof has no signed time to check.
    case proofTooOld(String)
    /// A trusted key was revoked before the time checked (`--trust`).
    case keyRevoked(String)
    /// A file was issued outside its signer's trusted period (`--trust`).
    case keyOutOfPeriod(String)
    /// The proof does not prove a covenant the verifier asks (`--require`).
    case covenantNotProven(String)
    /// A named limit (`FormatLimits`, `CircuitLimits`) would be exceeded.
    case limitExceeded(String)
    /// The proof is not shown to be in the custodian's signed epoch index
    /// (`--index`): no inclusion proof, one for another index, proof or
    /// statement, or a path that does not lead to the signed root.
    case notInIndex(String)

    /// A stable machine-readable name: the case name (`alreadyExists`: `io`).
    public var code: String {
        switch self {
        case .io, .alreadyExists: return "io"
        case .malformed: return "malformed"
        case .field: return "field"
        case .unknownFormat: return "unknownFormat"
        case .unsupportedVersion: return "unsupportedVersion"
        case .wrongFileKind: return "wrongFileKind"
        case .invalidKey: return "invalidKey"
        case .signatureInvalid: return "signatureInvalid"
        case .statementUnsealed: return "statementUnsealed"
        case .sealInvalid: return "sealInvalid"
        case .wrongSigner: return "wrongSigner"
        case .bundleNotYetValid: return "bundleNotYetValid"
        case .bundleExpired: return "bundleExpired"
        case .proofForAnotherBundle: return "proofForAnotherBundle"
        case .statementForAnotherBundle: return "statementForAnotherBundle"
        case .statementMismatch: return "statementMismatch"
        case .openingsMismatch: return "openingsMismatch"
        case .proofMismatch: return "proofMismatch"
        case .proofInvalid: return "proofInvalid"
        case .selfAttestedNotAllowed: return "selfAttestedNotAllowed"
        case .custodianKeyRequired: return "custodianKeyRequired"
        case .marginShortfall: return "marginShortfall"
        case .circuit: return "circuit"
        case .circuitNotFound: return "circuitNotFound"
        case .rangeProof: return "rangeProof"
        case .invalidArgument: return "invalidArgument"
        case .challengeMismatch: return "challengeMismatch"
        case .audienceMismatch: return "audienceMismatch"
        case .proofTooOld: return "proofTooOld"
        case .keyRevoked: return "keyRevoked"
        case .keyOutOfPeriod: return "keyOutOfPeriod"
        case .covenantNotProven: return "covenantNotProven"
        case .limitExceeded: return "limitExceeded"
        case .notInIndex: return "notInIndex"
        }
    }

    public var description: String {
        switch self {
        case .io(let path, let message):
            return "\(path): \(message)"
        case .alreadyExists(let path, let what):
            return "\(path): already exists; refusing to overwrite \(what)"
        case .malformed(let what, let message):
            return "\(what): \(message)"
        case .field(let path, let message):
            return "\(path): \(message)"
        case .unknownFormat(let file, let found, let expected):
            return "not a \(file): unknown format \(found) (expected \"\(expected)\")"
        case .unsupportedVersion(let file, let found, let supported):
            let text = "\(file) in format \"\(found)\", which this build does not read (it reads \"\(supported)\")"
            if let advice = FileKind.adviceForOlder(noun: file, found: found) { return text + ": " + advice }
            return text + "; use a matching zkmargin version"
        case .wrongFileKind(let expected, let found):
            return "expected a \(expected), found a \(found)"
        case .invalidKey(let message):
            return message
        case .signatureInvalid(let file):
            return "the signature on the \(file) does not verify: the file was changed after it was signed, or is corrupt"
        case .statementUnsealed(let message), .sealInvalid(let message):
            return message
        case .wrongSigner(let file, let role, let expected, let found):
            return "the \(file) is signed by key \(short(found)), not by the \(role) key \(short(expected)) you trust"
        case .bundleNotYetValid(let issuedAt, let at):
            return "the risk bundle is not valid yet: it was issued for \(issuedAt), and the time checked is \(at)"
        case .bundleExpired(let validUntil, let at):
            return "the risk bundle expired at \(validUntil) (time checked: \(at))"
        case .proofForAnotherBundle(let proof, let bundle):
            return "the proof was made for another risk bundle (\(short(proof))…), not for the bundle given (\(short(bundle))…)"
        case .statementForAnotherBundle(let statement, let bundle):
            return "the statement was made for another risk bundle (\(short(statement))…), not for the bundle given (\(short(bundle))…)"
        case .statementMismatch(let message):
            return message
        case .openingsMismatch(let message):
            return "the openings do not match the statement: \(message)"
        case .proofMismatch(let message):
            return message
        case .proofInvalid(let message):
            return message
        case .selfAttestedNotAllowed:
            return "self-attested proof: no custodian vouches for its inputs, and self-attested proofs are not accepted"
        case .custodianKeyRequired(let keyID):
            return "the proof's inputs are attested by custodian key \(short(keyID)), and no custodian key was given to check its statement against"
        case .marginShortfall(let s):
            var text = "the account does not meet its margin: requirement `\(s.requirement)` is short by \(amount(s.shortfall)) \(s.quote); no proof was made"
            if s.failing.count > 1 {
                text += " (failing: " + s.failing.map { "`\($0.name)` by \(amount($0.shortfall))" }.joined(separator: ", ") + ")"
            }
            return text
        case .circuit(let e):
            return e.description
        case .circuitNotFound(let name, let searched):
            return "circuit \(jsonQuoted(name)) not found (looked for " + searched.joined(separator: ", ") + ")"
        case .rangeProof(let e):
            return e.description
        case .invalidArgument(let message), .challengeMismatch(let message), .audienceMismatch(let message), .proofTooOld(let message),
             .keyRevoked(let message), .keyOutOfPeriod(let message), .covenantNotProven(let message), .notInIndex(let message):
            return message
        case .limitExceeded(let message):
            return message
        }
    }
}
