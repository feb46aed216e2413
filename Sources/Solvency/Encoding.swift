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
    /// The custodian's signed epoch index (`EpochIndex`).
    case epochIndex = "epoch-index"
    /// One account's inclusion proof in an epoch index (`InclusionProof`).
    case inclusion
    /// The custodian's signed root over an epoch's statements
    /// (`zkmargin/statement-root@1`, `StatementSeal`).
    case statementRoot = "statement-root"

    /// The only version of this kind this build writes and reads: bundles
    /// are at 1; statements, proofs and openings at 2 (commitments as one
    /// base64 blob each, README.md "File formats").
    public var version: Int {
        switch self {
        case .bundle, .statementRoot: return 1
        case .statement, .proof, .openings: return 2
        case .epochIndex, .inclusion: return 1
        }
    }

    /// `zkmargin/bundle@1`, `zkmargin/statement@2`, …
    public var formatName: String { "zkmargin/\(rawValue)@\(version)" }

    /// The advice for a file of kind `noun` found in format `found`, if
    /// that is an older version of the kind (for `unsupportedVersion`).
    static func adviceForOlder(noun: String, found: String) -> String? {
        guard let kind = allCases.first(where: { $0.noun == noun }), let at = found.lastIndex(of: "@"),
              found[..<at] == "zkmargin/\(kind.rawValue)", let old = Int(found[found.index(after: at)...]) else { return nil }
        return kind.adviceForOlder(version: old)
    }

    /// What to do with a file of this kind written in an older `version`
    /// this build no longer reads (nil if there is nothing to say).
    func adviceForOlder(version old: Int) -> String? {
        guard old >= 1, old < version else { return nil }
        switch self {
        case .bundle, .epochIndex, .inclusion, .statementRoot:
            return nil
        case .statement:
            return "the custodian must attest the account again with this version (zkmargin attest), and the proof be made again from the new statement"
        case .openings:
            return "they belong to a statement in the old format: the custodian must attest the account again with this version (zkmargin attest), which writes new openings"
        case .proof:
            return "make the proof again with this version (zkmargin prove), from a statement the custodian attests again with this version"
        }
    }

    /// What a user calls this file in messages.
    var noun: String {
        switch self {
        case .bundle: return "risk bundle"
        case .statement: return "custodian statement"
        case .proof: return "margin proof"
        case .openings: return "openings file"
        case .epochIndex: return "epoch index"
        case .inclusion: return "inclusion proof"
        case .statementRoot: return "statement root"
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
                // Openings are read in two versions (openings@3: seeded, SPEC §16.17).
                let supported = expected == .openings ? "\(expected.formatName)\" or \"zkmargin/openings@3" : expected.formatName
                throw .unsupportedVersion(file: expected.noun, found: s, supported: supported)
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
    /// The most commitments one list in a statement or proof can declare:
    /// as many 44-character base64 slots as fit in the largest file.
    public static let maximumCommitments = maximumFileBytes / 44
}
