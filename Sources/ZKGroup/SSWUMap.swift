// MARK: - RFC 9380 map_to_curve: simplified SWU and the 3-isogeny
//
// On `FieldElement` of the curve's base field. Per application of the map:
// one inversion (inv0, the Fermat addition chain), one or two square-root
// candidates (each one exponentiation and one squaring, which together give
// is_square and sqrt), and for secp256k1 one more inversion for the two
// denominators of the isogeny. Public data only; see `HashToCurve`.

/// The simplified SWU map of RFC 9380 §6.6.2 for one suite, with the
/// optional 3-isogeny of Appendix E.1 (secp256k1). Immutable; the two
/// instances are built once (`SSWUMaps`).
struct SSWUMap<C: CurveModel>: Sendable {
    typealias F = FieldElement<C.Field>
    /// Coefficients of the curve the SWU map targets (E itself or E′).
    let a: F
    let b: F
    /// The non-square Z of the suite.
    let z: F
    /// −B/A and B/(Z·A), precomputed.
    let minusBOverA: F
    let bOverZA: F
    let isogeny: Isogeny3<C.Field>?

    /// The map of `C`'s suite, from its constants (`CurveConstants.swift`).
    init() {
        a = F(C.sswuA)
        b = F(C.sswuB)
        z = F(C.sswuZ)
        precondition(!a.isZero && !b.isZero && !z.isSquare, "invalid simplified SWU parameters")
        minusBOverA = -(b * a.inverse)
        bOverZA = b * (z * a).inverse
        isogeny = C.isogeny.map { Isogeny3($0) }
    }

    /// g(x) = x³ + A·x + B.
    func g(_ x: F) -> F { (x.squared + a) * x + b }

    /// `map_to_curve_simple_swu(u)` onto E (or E′), straightforward
    /// (not constant-time) form of RFC 9380 §6.6.2.
    func simpleSWU(_ u: F) -> (x: F, y: F) {
        let zu2 = z * u.squared                          // Z·u²
        let tv1 = (zu2.squared + zu2).inverse            // inv0(Z²·u⁴ + Z·u²): 0 for 0
        let x1 = tv1.isZero ? bOverZA : minusBOverA * (F.one + tv1)
        var x: F, y: F
        // is_square(gx1) and sqrt(gx1) in one: the candidate root squares
        // back to gx1 exactly when gx1 is a square.
        if let y1 = g(x1).squareRoot {
            x = x1
            y = y1
        } else {
            x = zu2 * x1
            // gx2 = Z³·u⁶·gx1 is a square when gx1 is not (Z is a non-square).
            guard let y2 = g(x).squareRoot else {
                preconditionFailure("simplified SWU: neither gx1 nor gx2 is a square; constants are wrong")
            }
            y = y2
        }
        if u.isOdd != y.isOdd { y = -y }                 // sgn0(u) = sgn0(y)
        return (x, y)
    }

    /// The full `map_to_curve` of the suite, onto E; nil for the identity.
    func map(_ u: F) -> (F, F)? {
        let (x, y) = simpleSWU(u)
        guard let isogeny else { return (x, y) }
        return isogeny.map(x: x, y: y)
    }
}

/// The two suites' maps, built once (generic types cannot hold static
/// stored properties).
enum SSWUMaps {
    /// P256_XMD:SHA-256_SSWU_RO_ (RFC 9380 §8.2): A = a, B = b, Z = −10.
    static let p256 = SSWUMap<P256Model>()
    /// secp256k1_XMD:SHA-256_SSWU_RO_ (RFC 9380 §8.7): SWU on E′ with
    /// A′, B′ = 1771, Z = −11, then the 3-isogeny to E.
    static let secp256k1 = SSWUMap<Secp256k1Model>()
}

/// A 3-isogeny E′ → E given by the rational maps of RFC 9380 Appendix E.1:
/// x = x_num(x′) / x_den(x′), y = y′ · y_num(x′) / y_den(x′).
/// Coefficient arrays are in increasing degree, the denominators' leading 1
/// included.
struct Isogeny3<M: FieldModulus>: Sendable {
    typealias F = FieldElement<M>
    let xNum: [F]   // k_(1,0) … k_(1,3)
    let xDen: [F]   // k_(2,0), k_(2,1), 1
    let yNum: [F]   // k_(3,0) … k_(3,3)
    let yDen: [F]   // k_(4,0) … k_(4,2), 1

    init(_ k: IsogenyCoefficients) {
        xNum = k.xNum.map { F($0) }
        xDen = k.xDen.map { F($0) } + [.one]
        yNum = k.yNum.map { F($0) }
        yDen = k.yDen.map { F($0) } + [.one]
    }

    /// Horner evaluation of a polynomial with coefficients in increasing degree.
    static func evaluate(_ coefficients: [F], at x: F) -> F {
        var acc = coefficients.last!
        for c in coefficients.dropLast().reversed() { acc = acc * x + c }
        return acc
    }

    /// The image of (x′, y′), or nil (the identity) if a denominator
    /// vanishes. One inversion serves both denominators:
    /// 1/x_den = y_den/(x_den·y_den), 1/y_den = x_den/(x_den·y_den).
    func map(x: F, y: F) -> (F, F)? {
        let xd = Self.evaluate(xDen, at: x), yd = Self.evaluate(yDen, at: x)
        guard !xd.isZero, !yd.isZero else { return nil }
        let inverse = (xd * yd).inverse
        let outX = Self.evaluate(xNum, at: x) * yd * inverse
        let outY = y * Self.evaluate(yNum, at: x) * xd * inverse
        return (outX, outY)
    }
}
