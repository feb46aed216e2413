import CGMP
@testable import ZKGroup
import ZKTestSupport

/// An arbitrary-precision integer on GMP's `mpz`, the independent reference
/// the fixed-limb arithmetic and the derived curve constants are checked
/// against. Test code only: nothing here is fast or constant time.
final class MPZ {
    let z: UnsafeMutablePointer<__mpz_struct>

    init() {
        z = .allocate(capacity: 1)
        zk_mpz_init(z)
    }

    deinit {
        zk_mpz_clear(z)
        z.deallocate()
    }

    /// OS2IP: a big-endian byte string of any length.
    convenience init(bigEndian bytes: [UInt8]) {
        self.init()
        if !bytes.isEmpty {
            bytes.withUnsafeBufferPointer { zk_mpz_import(z, $0.count, 1, 1, 1, 0, $0.baseAddress) }
        }
    }

    convenience init(_ u: U256) { self.init(bigEndian: u.bigEndianBytes) }

    convenience init(_ v: Int) {
        self.init()
        zk_mpz_set_si(z, v)
    }

    /// 2^k.
    static func twoTo(_ k: Int) -> MPZ {
        let r = MPZ()
        zk_mpz_ui_pow_ui(r.z, 2, UInt(k))
        return r
    }

    /// The value as a `U256`. Precondition: 0 ≤ value < 2²⁵⁶.
    var u256: U256 {
        precondition(zk_mpz_sgn(z) >= 0 && zk_mpz_sizeinbase(z, 2) <= 256, "MPZ value does not fit 256 bits")
        var u = U256.zero
        for i in 0..<min(zk_mpz_size(z), 4) { u[i] = UInt64(zk_mpz_getlimbn(z, mp_size_t(i))) }
        return u
    }

    /// The value as a `UInt64`. Precondition: 0 ≤ value < 2⁶⁴.
    var uint64: UInt64 {
        precondition(zk_mpz_sgn(z) >= 0 && zk_mpz_sizeinbase(z, 2) <= 64)
        return zk_mpz_size(z) == 0 ? 0 : UInt64(zk_mpz_getlimbn(z, 0))
    }

    private static func op(_ body: (UnsafeMutablePointer<__mpz_struct>) -> Void) -> MPZ {
        let r = MPZ()
        body(r.z)
        return r
    }

    static func + (a: MPZ, b: MPZ) -> MPZ { op { zk_mpz_add($0, a.z, b.z) } }
    static func - (a: MPZ, b: MPZ) -> MPZ { op { zk_mpz_sub($0, a.z, b.z) } }
    static func * (a: MPZ, b: MPZ) -> MPZ { op { zk_mpz_mul($0, a.z, b.z) } }
    /// Exact division (precondition: b divides a).
    static func / (a: MPZ, b: MPZ) -> MPZ { op { zk_mpz_divexact($0, a.z, b.z) } }
    /// The least non-negative residue.
    static func % (a: MPZ, m: MPZ) -> MPZ { op { zk_mpz_mod($0, a.z, m.z) } }

    /// a^e mod m.
    func power(_ e: MPZ, mod m: MPZ) -> MPZ { MPZ.op { zk_mpz_powm($0, z, e.z, m.z) } }

    /// a⁻¹ mod m, or nil when gcd(a, m) ≠ 1.
    func inverse(mod m: MPZ) -> MPZ? {
        let r = MPZ()
        return zk_mpz_invert(r.z, z, m.z) != 0 ? r : nil
    }

    /// The Legendre symbol (a/m), m an odd prime.
    func legendre(_ m: MPZ) -> Int { Int(zk_mpz_legendre(z, m.z)) }
}

/// Residue arithmetic mod m on `U256` values, by GMP.
struct GMPModular {
    let m: MPZ

    init(_ m: U256) { self.m = MPZ(m) }

    func add(_ a: U256, _ b: U256) -> U256 { ((MPZ(a) + MPZ(b)) % m).u256 }
    func sub(_ a: U256, _ b: U256) -> U256 { ((MPZ(a) - MPZ(b)) % m).u256 }
    func mul(_ a: U256, _ b: U256) -> U256 { ((MPZ(a) * MPZ(b)) % m).u256 }
    func reduce(_ a: U256) -> U256 { (MPZ(a) % m).u256 }
    func reduce(bigEndian bytes: [UInt8]) -> U256 { (MPZ(bigEndian: bytes) % m).u256 }
    func power(_ a: U256, _ e: U256) -> U256 { MPZ(a).power(MPZ(e), mod: m).u256 }
    func inverse(_ a: U256) -> U256? { MPZ(a).inverse(mod: m)?.u256 }
    func isSquare(_ a: U256) -> Bool { MPZ(a).legendre(m) >= 0 }
}

enum TestValues {
    /// A uniformly random value below `bound`.
    static func random(below bound: U256, _ rng: inout SeededRandom) -> U256 {
        var bytes = [UInt8](repeating: 0, count: 32)
        while true {
            rng.fill(&bytes)
            let v = U256(bigEndian: bytes)
            if U256.compare(v, bound) < 0 { return v }
        }
    }

    /// Values below m that stress carries: 0, 1, 2, m − 1, m − 2, 2¹²⁸,
    /// 2²⁵⁵ − 1, alternating limbs, 2²⁵⁵ + 2⁶⁴ − 1 … (each reduced below m).
    static func edges(below m: U256) -> [U256] {
        let raw: [U256] = [
            .zero, .one, U256(2, 0, 0, 0), U256.sub(m, .one).0, U256.sub(m, U256(2, 0, 0, 0)).0,
            U256(0, 0, 1, 0), U256(~0, ~0, ~0, 0x7fff_ffff_ffff_ffff), U256(~0, 0, ~0, 0),
            U256(0, ~0, 0, 0x8000_0000_0000_0000), U256(~0, 0, 0, 0x8000_0000_0000_0000),
        ]
        let ref = GMPModular(m)
        return raw.map { ref.reduce($0) }
    }
}
