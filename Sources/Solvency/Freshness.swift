public import Foundation
import StrictJSON
import ZKGroup

/// What a proof is made for beyond its bundle and account (SPEC.md §16.6,
/// §16.10): a verifier's **challenge** (a nonce the verifier printed, so a
/// proof made before it was asked cannot be replayed) and an **audience**
/// (the verifier's name, so a proof shown to one counterparty is not a
/// bearer document for another). Both are optional; each one given is bound
/// into the context of every range proof, so it cannot be changed or
/// removed without the proof failing.
public struct ProofBinding: Sendable, Equatable {
    public var challenge: String?
    public var audience: String?

    public init(challenge: String? = nil, audience: String? = nil) {
        self.challenge = challenge
        self.audience = audience
    }

    public var isEmpty: Bool { challenge == nil && audience == nil }

    /// The bytes a challenge may hold: URL-safe unreserved characters
    /// (RFC 3986 §2.3), so it survives every shell, URL and file.
    static func isChallengeByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
            || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    public static let challengeLength = 16...256

    /// Why `text` cannot be a challenge, or nil.
    public static func challengeProblem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard challengeLength.contains(bytes.count) else {
            return "a challenge is \(challengeLength.lowerBound)–\(challengeLength.upperBound) characters, this one \(bytes.count)"
        }
        guard bytes.allSatisfy(isChallengeByte) else {
            return "a challenge holds only letters, digits and - . _ ~"
        }
        return nil
    }

    /// Why `text` cannot be an audience (an identifier, as account labels
    /// are), or nil.
    public static func audienceProblem(_ text: String) -> String? {
        identifierProblem(text, maxBytes: FormatLimits.maximumIdentifierBytes).map { "the audience \($0)" }
    }

    /// A fresh challenge: 32 bytes of the system's random generator as 64
    /// lower-case hex digits (`zkmargin-verify --challenge`).
    public static func freshChallenge() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var random = SystemRandom()
        random.fill(&bytes)
        return bytes.hexString
    }

    /// `self` after checking both members, for a prover's arguments.
    public func checked() throws(SolvencyError) -> ProofBinding {
        if let c = challenge, let p = Self.challengeProblem(c) { throw .invalidArgument("--challenge: \(p)") }
        if let a = audience, let p = Self.audienceProblem(a) { throw .invalidArgument("--for: \(p)") }
        return self
    }
}

/// What a verifier requires of each proof's freshness and audience
/// (`zkmargin-verify --expect-challenge`, `--for`, `--max-age`).
public struct FreshnessPolicy: Sendable, Equatable {
    /// The challenge every proof must carry, byte for byte.
    public var challenge: String?
    /// The audience every proof must name, byte for byte.
    public var audience: String?
    /// The oldest a custodian's statement may be at the time checked (its
    /// `issued_at`); a self-attested proof has no signed time and is refused
    /// when this is set.
    public var maximumAge: TimeInterval?

    public init(challenge: String? = nil, audience: String? = nil, maximumAge: TimeInterval? = nil) {
        self.challenge = challenge
        self.audience = audience
        self.maximumAge = maximumAge
    }

    /// Refuses a proof bound to `binding`, whose statement (nil when
    /// self-attested) was issued at `issuedAt`, checked at `at`.
    func check(_ binding: ProofBinding, issuedAt: Date?, at: Date) throws(SolvencyError) {
        if let expected = challenge {
            guard let found = binding.challenge else {
                throw .challengeMismatch("the proof carries no challenge; it was not made in answer to \(displaySafe(expected))")
            }
            guard sameBytes(found, expected) else {
                throw .challengeMismatch("the proof answers challenge \(displaySafe(found)), not \(displaySafe(expected)): it was made for another request, or replayed")
            }
        }
        if let expected = audience {
            guard let found = binding.audience else {
                throw .audienceMismatch("the proof names no audience; it was not made for \(jsonQuoted(expected))")
            }
            guard sameBytes(found, expected) else {
                throw .audienceMismatch("the proof was made for \(jsonQuoted(found)), not for \(jsonQuoted(expected))")
            }
        }
        if let maximumAge {
            guard let issuedAt else {
                throw .proofTooOld("a self-attested proof carries no signed issue time, so its age cannot be checked; ask for a challenge (--expect-challenge) instead")
            }
            let age = at.timeIntervalSince(issuedAt)
            guard age <= maximumAge else {
                throw .proofTooOld("the custodian's statement was issued at \(RFC3339.format(issuedAt)), \(DurationText.format(age)) before the time checked (\(RFC3339.format(at))), more than the \(DurationText.format(maximumAge)) allowed")
            }
        }
    }
}

/// Durations on the command line: a positive whole number with a unit,
/// `s`, `m`, `h` or `d` (`90s`, `15m`, `24h`, `7d`), or several in
/// decreasing order (`1h30m`).
public enum DurationText {
    static let units: [(Character, TimeInterval)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    public static func parse(_ text: String) -> TimeInterval? {
        var total: TimeInterval = 0
        var digits = ""
        var lastUnit = -1
        for ch in text {
            if ch.isASCII, ch.isNumber {
                digits.append(ch)
                guard digits.count <= 9 else { return nil }
                continue
            }
            guard let k = units.firstIndex(where: { $0.0 == ch }), k > lastUnit, let n = Int(digits) else { return nil }
            total += TimeInterval(n) * units[k].1
            lastUnit = k
            digits = ""
        }
        guard digits.isEmpty, lastUnit >= 0, total > 0 else { return nil }
        return total
    }

    /// `1d2h3m4s` (whole seconds, rounded down; `0s` for less than one).
    public static func format(_ interval: TimeInterval) -> String {
        var rest = Int(max(0, interval.rounded(.down)))
        var out = ""
        for (unit, size) in units {
            let n = rest / Int(size)
            if n > 0 { out += "\(n)\(unit)" }
            rest -= n * Int(size)
        }
        return out.isEmpty ? "0s" : out
    }
}
