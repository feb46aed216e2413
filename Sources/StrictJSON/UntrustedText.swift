// Text that came from an untrusted file: how to show it, and when a string is
// acceptable as an identifier.
//
// Two separate dangers. (1) Display: control characters, bidi overrides,
// zero-width and other invisible "format" characters, and the Unicode line and
// paragraph separators can make a terminal or log show something other than
// the bytes (a forged line in a report, a name that reads backwards). (2)
// Identity: Swift's `String ==` is Unicode canonical equivalence, so two byte
// strings a signature or transcript treats as different compare equal
// ("fund-\u{00C5}" == "fund-\u{212B}", and even "\u{212A}" == "K"). An
// identifier that is in NFC and free of display-changing characters has one
// spelling, so `==`, dictionary lookups and byte comparison all agree on it.

import Foundation

/// Whether a Unicode scalar can change how a terminal or log shows the text
/// around it: C0 controls (U+0000–U+001F, tab and newline included), DEL,
/// C1 controls (U+0080–U+009F), every format character (general category Cf:
/// bidi marks, embeddings, overrides and isolates, zero-width characters,
/// U+FEFF, soft hyphen, tags, …), and the line and paragraph separators
/// (U+2028, U+2029). `displaySafe` escapes exactly these; `jsonQuoted`
/// escapes them too.
public func isDisplayUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    if v < 0x20 || (v >= 0x7F && v <= 0x9F) { return true }
    if v < 0xA0 { return false }   // printable ASCII: the common case, no table lookup
    switch scalar.properties.generalCategory {
    case .format, .lineSeparator, .paragraphSeparator: return true
    default: return false
    }
}

/// `s` with every display-unsafe scalar (see `isDisplayUnsafe`) replaced by
/// a visible escape `\u{XXXX}` (upper-case hexadecimal, at least four
/// digits). Every other character, including ordinary non-ASCII text such as
/// "≥", "…", "·" or "Å", is kept as it is.
///
/// The result contains no control, format or separator character, so it can
/// be printed without changing how surrounding text is shown. It is not an
/// unambiguous encoding (a string may already contain the text `\u{000A}`);
/// where that matters, quote with `jsonQuoted`.
public func displaySafe(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: isDisplayUnsafe) else { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
        if isDisplayUnsafe(u) {
            out.append(contentsOf: "\\u{\(hexDigits(u.value, minimumWidth: 4, uppercase: true))}".unicodeScalars)
        } else {
            out.append(u)
        }
    }
    return String(out)
}

/// Why `s` cannot serve as an identifier (an account label; an asset,
/// instrument, scenario or tier id; a venue or quote-currency name), or nil
/// if it can. A usable identifier is non-empty, at most `maxBytes` bytes of
/// UTF-8, contains no display-unsafe scalar (see `isDisplayUnsafe`), and is
/// in Unicode Normalization Form C, so that it has exactly one byte spelling
/// and Swift `==` on it agrees with comparing bytes.
///
/// The reason is a short phrase that reads after a subject: "is empty",
/// "is longer than 128 bytes", "contains the control character U+000A",
/// "is not in Unicode normalization form C (NFC)". It never quotes `s`.
public func identifierProblem(_ s: String, maxBytes: Int) -> String? {
    if s.isEmpty { return "is empty" }
    if let problem = textProblem(s, maxBytes: maxBytes) { return problem }
    if !isNFC(s) { return "is not in Unicode normalization form C (NFC)" }
    return nil
}

/// Why `s` cannot be accepted as free text that will be shown to people (a
/// note, a file name in a report), or nil if it can: at most `maxBytes`
/// bytes of UTF-8 and no display-unsafe scalar. Unlike `identifierProblem`
/// it allows the empty string and any normalization form. Reasons read like
/// those of `identifierProblem`.
public func textProblem(_ s: String, maxBytes: Int) -> String? {
    if s.utf8.count > maxBytes { return "is longer than \(maxBytes) bytes" }
    if let u = s.unicodeScalars.first(where: isDisplayUnsafe) {
        return "contains the \(unsafeKind(u)) U+\(hexDigits(u.value, minimumWidth: 4, uppercase: true))"
    }
    return nil
}

/// Whether `s` is in Unicode Normalization Form C: its UTF-8 bytes equal
/// those of its NFC form. ASCII strings are NFC without a lookup.
public func isNFC(_ s: String) -> Bool {
    if s.utf8.allSatisfy({ $0 < 0x80 }) { return true }
    return s.utf8.elementsEqual(s.precomposedStringWithCanonicalMapping.utf8)
}

/// Equality of UTF-8 bytes: what to use for identifiers and keys.
///
/// Swift's `==` on `String` is Unicode canonical equivalence, not byte
/// equality: "fund-\u{00C5}" == "fund-\u{212B}" (Å as one letter and as the
/// Ångström sign) and "\u{212A}" == "K" (the Kelvin sign) are both true. But
/// signatures, hashes and proof transcripts bind bytes, so two strings `==`
/// calls equal can name different things in a signed payload. Compare
/// identifiers with `sameBytes` (or require NFC first, see
/// `identifierProblem`, after which the two agree).
public func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}

/// Element-wise `sameBytes`: the same count and the same bytes at each
/// position.
public func sameBytes(_ a: [String], _ b: [String]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { sameBytes($0, $1) }
}

/// A string that is equal to, and hashes like, exactly the strings with the
/// same UTF-8 bytes. Use it as a `Set` element or `Dictionary` key wherever
/// keys are identifiers (see `sameBytes` for why `String` itself is wrong).
public struct UTF8Key: Hashable, Sendable, CustomStringConvertible {
    public let string: String

    public init(_ string: String) { self.string = string }

    public static func == (a: UTF8Key, b: UTF8Key) -> Bool { sameBytes(a.string, b.string) }

    public func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            Array(string.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    public var description: String { string }
}

// MARK: Helpers

/// What kind of display-unsafe scalar `u` is, for messages.
private func unsafeKind(_ u: Unicode.Scalar) -> String {
    switch u.properties.generalCategory {
    case .lineSeparator: return "line separator"
    case .paragraphSeparator: return "paragraph separator"
    case .format: return "invisible format character"
    default: return "control character"
    }
}

/// `value` in hexadecimal, left-padded with zeros to `minimumWidth` digits.
func hexDigits(_ value: UInt32, minimumWidth: Int, uppercase: Bool) -> String {
    let digits = String(value, radix: 16, uppercase: uppercase)
    return digits.count >= minimumWidth ? digits : String(repeating: "0", count: minimumWidth - digits.count) + digits
}
