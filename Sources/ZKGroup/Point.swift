internal import CLibCrypto

/// Owns one OpenSSL `EC_POINT *`.
///
/// Invariant: the point is fully initialised in `init` and never mutated
/// after, so sharing it between threads is safe (OpenSSL only reads it).

final class ECPointBox: @unchecked Sendable {
    let pointer: OpaquePointer

    /// A new identity point on `curve`.
    init(curve: Curve) {
        guard let p = EC_POINT_new(curve.parameters.group) else { fatalError("EC_POINT_new: out of memory") }
        pointer = p
    }

    deinit { EC_POINT_free(pointer) }
}

/// A point on a prime-order curve (P-256 or secp256k1), backed by OpenSSL.
///
/// The identity is a valid `Point` value (sums may cancel) but it has no
/// encoding: `compressed()` throws for it and decoding never produces it.
public struct Point: Sendable {
    public let curve: Curve
    let box: ECPointBox

    var group: OpaquePointer { curve.parameters.group }

    /// Creates a point by letting `body` fill a fresh `EC_POINT`.
    init(curve: Curve, _ body: (OpaquePointer, OpaquePointer) -> Int32) {
        let box = ECPointBox(curve: curve)
        let ok = body(curve.parameters.group, box.pointer)
        precondition(ok == 1, "OpenSSL point operation failed")
        self.curve = curve
        self.box = box
    }

    /// The curve's standard base point G.
    public static func generator(_ curve: Curve) -> Point {
        Point(curve: curve) { group, out in EC_POINT_copy(out, EC_GROUP_get0_generator(group)) }
    }

    /// The identity (point at infinity).
    public static func identity(_ curve: Curve) -> Point {
        Point(curve: curve) { group, out in EC_POINT_set_to_infinity(group, out) }
    }

    public var isIdentity: Bool { EC_POINT_is_at_infinity(group, box.pointer) == 1 }

    // MARK: Encoding

    /// Strict SEC1 compressed decoding: exactly 33 bytes, prefix 02 or 03,
    /// x < p, and x the abscissa of a curve point. Rejects the identity
    /// encoding 00, the uncompressed (04) and hybrid (06, 07) forms that
    /// OpenSSL's own decoder would accept.
    public init<B: Collection<UInt8>>(compressed bytes: B, curve: Curve) throws(GroupError) {
        let (x, odd) = try Point.parseCompressed(bytes, curve: curve)
        // The square root runs in the pure-Swift field arithmetic
        // (`Point.decompress` in JacobianPoint.swift).
        self = try Point.decompress(x: x, odd: odd, curve: curve)
        if isIdentity { throw .identityPoint }
    }

    /// The checks every decoder of a SEC1 compressed point shares, before any
    /// square root: exactly 33 bytes, prefix 02 or 03 (00, 04, 06, 07 and
    /// every other prefix each rejected with its own error), x < p.
    /// Returns x and whether y must be odd.
    static func parseCompressed<B: Collection<UInt8>>(_ bytes: B, curve: Curve) throws(GroupError) -> (x: U256, odd: Bool) {
        let bytes = Array(bytes)
        if bytes == [0] { throw .identityEncoding }
        guard bytes.count == 33 else {
            if let first = bytes.first {
                switch first {
                case 0x04: throw .uncompressedPoint
                case 0x06, 0x07: throw .hybridPoint
                default: break
                }
            }
            throw .pointLength(bytes.count)
        }
        switch bytes[0] {
        case 0x02, 0x03: break
        case 0x00: throw .identityEncoding
        case 0x04: throw .uncompressedPoint
        case 0x06, 0x07: throw .hybridPoint
        default: throw .invalidPointPrefix(bytes[0])
        }
        let x = U256(bigEndian: bytes[1...])
        guard U256.compare(x, curve.parameters.prime) < 0 else { throw .coordinateNotReduced }
        return (x, bytes[0] == 0x03)
    }

    /// SEC1 compressed encoding, 33 bytes. Throws for the identity.
    public func compressed() throws(GroupError) -> [UInt8] {
        guard !isIdentity else { throw .identityPoint }
        var out = [UInt8](repeating: 0, count: 33)
        let written = EC_POINT_point2oct(group, box.pointer, POINT_CONVERSION_COMPRESSED, &out, 33, nil)
        precondition(written == 33, "EC_POINT_point2oct failed")
        return out
    }

    /// The affine coordinates, or nil for the identity.
    var affineCoordinates: (x: U256, y: U256)? {
        guard !isIdentity else { return nil }
        let x = BN_new(), y = BN_new()
        defer { BN_free(x); BN_free(y) }
        guard EC_POINT_get_affine_coordinates(group, box.pointer, x, y, nil) == 1 else { return nil }
        var xb = [UInt8](repeating: 0, count: 32), yb = [UInt8](repeating: 0, count: 32)
        _ = BN_bn2binpad(x, &xb, 32)
        _ = BN_bn2binpad(y, &yb, 32)
        return (U256(bigEndian: xb), U256(bigEndian: yb))
    }

    /// The point with affine coordinates (x, y), or nil if (x, y) is not on
    /// the curve or a coordinate is not reduced.
    init?(affineX x: U256, y: U256, curve: Curve) {
        let p = curve.parameters.prime
        guard U256.compare(x, p) < 0, U256.compare(y, p) < 0 else { return nil }
        let bx = x.bigEndianBytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        let by = y.bigEndianBytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        defer { BN_free(bx); BN_free(by) }
        let box = ECPointBox(curve: curve)
        let ok = EC_POINT_set_affine_coordinates(curve.parameters.group, box.pointer, bx, by, nil)
        ERR_clear_error()
        guard ok == 1 else { return nil }
        self.curve = curve
        self.box = box
    }

    // MARK: Group law

    static func checkSameCurve(_ a: Point, _ b: Point) {
        precondition(a.curve == b.curve, "points from different curves")
    }

    public static func + (a: Point, b: Point) -> Point {
        checkSameCurve(a, b)
        return Point(curve: a.curve) { group, out in EC_POINT_add(group, out, a.box.pointer, b.box.pointer, nil) }
    }

    public static prefix func - (a: Point) -> Point {
        Point(curve: a.curve) { group, out in
            guard EC_POINT_copy(out, a.box.pointer) == 1 else { return 0 }
            return EC_POINT_invert(group, out, nil)
        }
    }

    public static func - (a: Point, b: Point) -> Point { a + (-b) }

    public static func += (a: inout Point, b: Point) { a = a + b }

    /// `2·self`.
    public func doubled() -> Point {
        Point(curve: curve) { group, out in EC_POINT_dbl(group, out, box.pointer, nil) }
    }

    /// `k·self` on OpenSSL's constant-time path (the scalar is treated as a
    /// secret: its BIGNUM carries `BN_FLG_CONSTTIME` and is wiped after use).
    public func multiplied(by k: Scalar) -> Point {
        precondition(k.curve == curve, "scalar and point from different curves")
        return Scalar.withSecretBignum(k) { bn in
            Point(curve: curve) { group, out in EC_POINT_mul(group, out, nil, box.pointer, bn, nil) }
        }
    }

    /// `k·G`, G the base point, on OpenSSL's constant-time fixed-base path.
    public static func generatorMultiple(_ k: Scalar) -> Point {
        Scalar.withSecretBignum(k) { bn in
            Point(curve: k.curve) { group, out in EC_POINT_mul(group, out, bn, nil, nil, nil) }
        }
    }

    public static func * (k: Scalar, p: Point) -> Point { p.multiplied(by: k) }
}

extension Point: Equatable {
    public static func == (a: Point, b: Point) -> Bool {
        a.curve == b.curve && EC_POINT_cmp(a.group, a.box.pointer, b.box.pointer, nil) == 0
    }
}

extension Point: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(curve)
        hasher.combine((try? compressed()) ?? [0])
    }
}

extension Point: CustomStringConvertible {
    public var description: String {
        guard let bytes = try? compressed() else { return "Point(\(curve), identity)" }
        return "Point(\(curve), \(bytes.hexString))"
    }
}

extension Scalar {
    /// Runs `body` with a temporary `BIGNUM` holding `k`, flagged constant-time,
    /// cleared and freed afterwards.
    static func withSecretBignum<R>(_ k: Scalar, _ body: (OpaquePointer) -> R) -> R {
        var bytes = k.bytes
        defer { secureZero(&bytes) }
        guard let bn = BN_secure_new() ?? BN_new() else { fatalError("BN_new: out of memory") }
        defer { BN_clear_free(bn) }
        zk_BN_set_consttime(bn)
        _ = bytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, bn) }
        return body(bn)
    }
}

extension Collection<UInt8> {
    /// Lower-case hexadecimal.
    public var hexString: String {
        String(decoding: hexDigits, as: UTF8.self)
    }

    /// Lower-case hexadecimal as ASCII bytes, computed without a branch or
    /// a table index on the bytes (they may be a blinding factor: the
    /// openings file). The caller wipes the result when the bytes are secret.
    package var hexDigits: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self { out.append(hexDigit(b >> 4)); out.append(hexDigit(b & 15)) }
        return out
    }
}

/// The ASCII lower-case digit of a nibble v ≤ 15: 48 + v, plus 39 when
/// v > 9 ('a' = 97 = 48 + 10 + 39), the 39 added by mask.
@inline(__always)
private func hexDigit(_ v: UInt8) -> UInt8 {
    let above9 = (UInt32(9) &- UInt32(v)) >> 31          // 1 when v > 9
    return UInt8(truncatingIfNeeded: UInt32(v) &+ 48 &+ ((0 &- above9) & 39))
}

extension Array where Element == UInt8 {
    /// Parses hexadecimal (either case, even length); nil otherwise.
    public init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self = out
    }
}
