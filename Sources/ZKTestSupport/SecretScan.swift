package import ZKGroup

/// Every way Swift can turn a value into text: what the secret-hygiene tests
/// search for a secret's forms. Printing, interpolation and `dump`, alone
/// and inside an array, and the value's mirror children.
package func renderings<T>(_ x: T) -> [String] {
    var dumped = ""
    dump(x, to: &dumped)
    var dumpedArray = ""
    dump([x], to: &dumpedArray)
    return [String(describing: x), String(reflecting: x), "\(x)", "\([x])", String(reflecting: [x]), dumped, dumpedArray,
            Mirror(reflecting: x).children.map { "\($0.label ?? ""): \($0.value)" }.joined(separator: ", ")]
}

/// The forms a scalar's value could take in text: hex (both cases), its
/// first and last 16 hex digits, and each 64-bit limb above 9999 in decimal
/// (smaller limbs, such as the zero high limbs of a small value, would
/// match any text).
package func secretForms(_ s: Scalar) -> [String] {
    let bytes = s.bytes
    let hex = bytes.hexString
    var forms = [hex, hex.uppercased(), String(hex.prefix(16)), String(hex.suffix(16))]
    for limb in stride(from: 0, to: 32, by: 8) {
        let value = bytes[limb..<limb + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if value > 9_999 { forms.append(String(value)) }
    }
    return forms
}
