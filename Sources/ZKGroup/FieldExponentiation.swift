internal import CGMP

// MARK: - Exponentiation, inversion and square roots of `FieldElement`
//
// Everything here is built from the Montgomery product of
// `FieldElement.swift`, except `inverseVariableTime` (GMP). Timing as stated
// there: the exponent is always public, the base may be secret for every
// function but `inverseVariableTime` and `batchInvert`.

extension FieldElement {
    /// self^e by a 4-bit fixed window: 256 squarings and one product per
    /// nonzero nibble of e. The branches and table indices depend on e only
    /// (public exponents); the table lives on the stack.
    func power(_ e: U256) -> FieldElement {
        withUnsafeTemporaryAllocation(of: FieldElement.self, capacity: 16) { table in
            table.initialize(repeating: .one)
            for i in 1..<16 { table[i] = table[i - 1] * self }
            var r = FieldElement.one
            for i in stride(from: 63, through: 0, by: -1) {
                r = r.squared(times: 4)
                let nibble = e.bits(from: 4 * i, count: 4)
                if nibble != 0 { r = r * table[nibble] }
            }
            return r
        }
    }

    // MARK: Inversion

    /// a⁻¹ by Fermat's little theorem, a^(m−2) (m prime): the same sequence of
    /// operations for every input (`M.fermatInverse`: an addition chain of
    /// about 255 squarings and 15 products for the base fields, the fixed
    /// window of `power` otherwise). Zero maps to zero, as RFC 9380's inv0.
    @inline(__always)
    var inverse: FieldElement { M.fermatInverse(self) }

    /// a⁻¹ through GMP's `mpz_invert` (variable time, about 2.5× faster than
    /// the addition chain; public values only). Zero maps to zero.
    ///
    /// mpz_invert(ā) = (a·R)⁻¹; one Montgomery product with R³ gives
    /// (a·R)⁻¹·R³·R⁻¹ = a⁻¹·R.
    var inverseVariableTime: FieldElement {
        if isZero { return self }
        var out = U256.zero
        var ok: Int32 = 0
        montgomery.withLimbs { ap in
            M.modulus.withLimbs { mp in
                var aRO = __mpz_struct(), mRO = __mpz_struct(), r = __mpz_struct()
                zk_mpz_init(&r)
                defer { zk_mpz_clear(&r) }
                let a = zk_mpz_roinit_n(&aRO, ap, 4)
                let m = zk_mpz_roinit_n(&mRO, mp, 4)
                ok = zk_mpz_invert(&r, a, m)
                let size = zk_mpz_size(&r)
                for i in 0..<min(size, 4) { out[i] = UInt64(zk_mpz_getlimbn(&r, mp_size_t(i))) }
            }
        }
        precondition(ok != 0, "inversion of an element sharing a factor with the modulus")
        return FieldElement(montgomery: out) * FieldElement(montgomery: M.r3ModM)
    }

    /// Inverts `count` elements in place with one inversion (Montgomery's
    /// trick: prefix products, one inverse, a backward sweep; 3
    /// multiplications per element). `scratch` holds at least `count`
    /// elements. Precondition: no element is zero. Variable time (GMP).
    static func batchInvert(_ xs: UnsafeMutablePointer<FieldElement>, count: Int,
                            scratch: UnsafeMutablePointer<FieldElement>) {
        guard count > 0 else { return }
        var acc = xs[0]
        scratch[0] = acc
        for i in 1..<count {
            acc = acc * xs[i]
            scratch[i] = acc
        }
        var inv = acc.inverseVariableTime
        var i = count - 1
        while i > 0 {
            let xi = xs[i]
            xs[i] = inv * scratch[i - 1]
            inv = inv * xi
            i -= 1
        }
        xs[0] = inv
    }

    /// Batch inversion over an array (convenience for tests and set-up code).
    static func batchInverted(_ xs: [FieldElement]) -> [FieldElement] {
        var out = xs
        var scratch = xs
        out.withUnsafeMutableBufferPointer { o in
            scratch.withUnsafeMutableBufferPointer { s in
                batchInvert(o.baseAddress!, count: o.count, scratch: s.baseAddress!)
            }
        }
        return out
    }

    // MARK: Squares

    /// RFC 9380 `is_square`: true for 0 and the quadratic residues. Euler's
    /// criterion (m prime): a^((m−1)/2) is 0, 1 or −1, and −1 exactly for
    /// the non-squares.
    var isSquare: Bool { power(M.eulerExponent) != -.one }
}

extension FieldElement where M: SquareRootModulus {
    /// A square root of `self`, or nil if `self` is not a square: the
    /// candidate r = self^((m+1)/4), which squares to self exactly when self
    /// is a square (m ≡ 3 mod 4), checked by squaring. Which of ±r comes out
    /// is not specified; callers fix the sign (`isOdd`).
    var squareRoot: FieldElement? {
        let r = M.sqrtCandidate(self)
        return r.squared == self ? r : nil
    }
}
