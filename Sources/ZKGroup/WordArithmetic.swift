// MARK: - Word primitives of the field arithmetic
//
// a + b·c + carry, a + b + carry and a − b − borrow on 64-bit words, with the
// carry or borrow out as the number 0 or 1: what `FieldElement`'s Montgomery
// arithmetic is written in.
//
// Written over `UInt128` where the standard library has it unconditionally
// (Linux): LLVM then emits straight mul/adc chains. With
// `multipliedFullWidth` and `addingReportingOverflow` it turned some carry
// propagations into conditional branches, ≈ 2× slower (and branches on
// carries are data-dependent timing). Apple platforms
// before macOS 15 lack `UInt128`, hence the fallback; debug builds use it
// too, since unoptimised `UInt128` arithmetic is ≈ 10× slower than the
// fallback there (and debug test runs are dominated by it).

#if !canImport(Darwin) && !DEBUG
/// a + b·c + carry as (low, high); never overflows 128 bits.
@inline(__always)
func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let t = UInt128(b) &* UInt128(c) &+ UInt128(a) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t &>> 64))
}

/// a + b + carry (carry ∈ {0, 1}) as (sum, carry out).
@inline(__always)
func adc(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let t = UInt128(a) &+ UInt128(b) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t &>> 64))
}

/// a − b − borrow (borrow ∈ {0, 1}) as (difference, borrow out).
@inline(__always)
func subb(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
    let t = UInt128(a) &- UInt128(b) &- UInt128(borrow)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t &>> 127))
}
#else
/// a + b·c + carry as (low, high); never overflows 128 bits.
@inline(__always)
func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let (hi, lo) = b.multipliedFullWidth(by: c)
    let (s1, c1) = lo.addingReportingOverflow(a)
    let (s2, c2) = s1.addingReportingOverflow(carry)
    return (s2, hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0))
}

/// a + b + carry (carry ∈ {0, 1}) as (sum, carry out).
@inline(__always)
func adc(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let (s1, c1) = a.addingReportingOverflow(b)
    let (s2, c2) = s1.addingReportingOverflow(carry)
    return (s2, (c1 ? 1 : 0) | (c2 ? 1 : 0))
}

/// a − b − borrow (borrow ∈ {0, 1}) as (difference, borrow out).
@inline(__always)
func subb(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
    let (d1, b1) = a.subtractingReportingOverflow(b)
    let (d2, b2) = d1.subtractingReportingOverflow(borrow)
    return (d2, (b1 ? 1 : 0) | (b2 ? 1 : 0))
}
#endif
