import Foundation
import MarginCircuits
import StrictJSON
import ZKGroup
import ZKProofs

/// Canonical base64 (RFC 4648 §4, padded, no line breaks or whitespace).
package enum Base64 {
    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes only the canonical encoding: the one `encode` would produce
    /// (so no whitespace, no missing padding, no stray bits in the last
    /// character). Anything else is nil.
    package static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 4 == 0,
              text.utf8.allSatisfy({ c in
                  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 43 || c == 47 || c == 61
              }),
              let data = Data(base64Encoded: text)
        else { return nil }
        let bytes = [UInt8](data)
        guard encode(bytes) == text else { return nil }
        return bytes
    }
}

/// The `format` field of every zkmargin file: `zkmargin/<kind>@<version>`.
public enum FileKind: String, Sendable, CaseIterable {
    case bundle
    case statement
    case proof
    case openings

    /// The only version this build writes and reads.
    public static let version = 1

    /// `zkmargin/bundle@1`, …
    public var formatName: String { "zkmargin/\(rawValue)@\(Self.version)" }

    /// What a user calls this file in messages.
    var noun: String {
        switch self {
        case .bundle: return "risk bundle"
        case .statement: return "custodian statement"
        case .proof: return "margin proof"
        case .openings: return "openings file"
        }
    }

    /// Checks a file's `format` field, telling apart another kind of zkmargin
    /// file, another version of this kind, and something else entirely.
    static func check(_ value: JSONValue?, expected: FileKind, path: String) throws(SolvencyError) {
        guard let value else {
            throw .unknownFormat(file: expected.noun, found: "no \"format\" field", expected: expected.formatName)
        }
        guard case .string(let s) = value else {
            throw .unknownFormat(file: expected.noun, found: "a \"format\" that is \(value.kindDescription)", expected: expected.formatName)
        }
        if s == expected.formatName { return }
        if s.hasPrefix("zkmargin/"), let at = s.lastIndex(of: "@") {
            let kind = String(s[s.index(s.startIndex, offsetBy: 9)..<at])
            let version = String(s[s.index(after: at)...])
            if kind == expected.rawValue {
                throw .unsupportedVersion(file: expected.noun, found: s, supported: expected.formatName)
            }
            if let other = FileKind(rawValue: kind) {
                throw .wrongFileKind(expected: expected.noun, found: "\(other.noun) (\(s))")
            }
            _ = version
        }
        throw .unknownFormat(file: expected.noun, found: jsonQuoted(s), expected: expected.formatName)
    }
}

/// lp(x) = u64be(len(x)) ‖ x (the transcript's framing, `Transcript.lengthPrefixed`).
func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] { Transcript.lengthPrefixed(bytes) }

func u64be(_ v: Int) -> [UInt8] { Transcript.u64be(v) }

extension Scalar {
    /// The scalar congruent to an integer of any size and sign.
    ///
    /// Values are often secret (a committed balance, a position's size): the
    /// magnitude's bytes are wiped, and both signs are computed so that only
    /// the final selection depends on the sign. (The `BigInt` itself lives in
    /// GMP, which neither wipes nor hides anything: SECURITY.md, "Constant time".)
    init(_ value: BigInt, curve: Curve) {
        var bytes = value.magnitudeBigEndianBytes
        defer { secureZero(&bytes) }
        let magnitude = Scalar(reducing: bytes, curve: curve)
        let negated = -magnitude
        self = value.isNegative ? negated : magnitude
    }
}

/// A key id or digest shortened for one-line messages: the first 8 bytes.
func short(_ hex: String) -> String { String(hex.prefix(16)) }

/// Quote-currency amounts for messages: exact decimals, else a fraction.
func amount(_ r: Rational) -> String { r.decimalString ?? r.description }

/// The limits every zkmargin file reader applies, in one place, so that the
/// writers (`publish`, `attest`) refuse what a later reader would refuse
/// instead of signing files nobody can use.
public enum FormatLimits {
    /// The largest file any command reads (`FileIO.maximumFileSize`).
    public static let maximumFileBytes = FileIO.maximumFileSize
    /// Input, helper and requirement ids and account labels in statements,
    /// openings and proofs, in UTF-8 bytes.
    public static let maximumIdentifierBytes = 512
    /// A circuit's name.
    public static let maximumCircuitNameBytes = 128
}
