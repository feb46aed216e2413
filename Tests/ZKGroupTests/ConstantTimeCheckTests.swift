import Foundation
import XCTest
@testable import ZKGroup
import ZKTestSupport

/// The marking API of the dynamic constant-time check (`zkmargin-ctcheck`,
/// `scripts/ctcheck.sh`): outside valgrind it changes no value, and it says
/// truthfully whether valgrind's client requests were compiled in.
final class ConstantTimeCheckTests: XCTestCase {
    /// The test process does not run under valgrind, so every marking and
    /// declassification must leave every value as it was.
    func testMarkingChangesNoValueOutsideValgrind() throws {
        XCTAssertFalse(ConstantTimeCheck.isRunningOnValgrind, "these tests are not meant to run under valgrind")
        var rng = SeededRandom(seed: "ct-marking")
        for curve in Curve.allCases {
            var s = Scalar.random(curve, using: &rng)
            let original = s
            ConstantTimeCheck.markSecret(&s)
            XCTAssertEqual(s, original)
            XCTAssertEqual(s.curve, curve)
            XCTAssertFalse(ConstantTimeCheck.isMarkedSecret(s))
            ConstantTimeCheck.declassify(&s)
            XCTAssertEqual(s, original)

            var scalars = (0..<5).map { _ in Scalar.random(curve, using: &rng) } + [.zero(curve), .one(curve)]
            let scalarsBefore = scalars
            ConstantTimeCheck.markSecret(&scalars)
            XCTAssertEqual(scalars, scalarsBefore)
            ConstantTimeCheck.declassify(&scalars)
            XCTAssertEqual(scalars, scalarsBefore)
            XCTAssertEqual(scalars.map(\.curve), Array(repeating: curve, count: scalars.count))
        }
        var bytes: [UInt8] = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let bytesBefore = bytes
        ConstantTimeCheck.markSecret(&bytes)
        XCTAssertEqual(bytes, bytesBefore)
        ConstantTimeCheck.declassify(&bytes)
        XCTAssertEqual(bytes, bytesBefore)
        bytes.withUnsafeBytes { ConstantTimeCheck.markSecret($0); ConstantTimeCheck.declassify($0) }
        XCTAssertEqual(bytes, bytesBefore)
        var empty: [UInt8] = []
        ConstantTimeCheck.markSecret(&empty)
        ConstantTimeCheck.declassify(&empty)
        XCTAssertEqual(empty, [])

        XCTAssertEqual(ConstantTimeCheck.declassified(UInt64(0xdead_beef_0123_4567)), 0xdead_beef_0123_4567)
        XCTAssertEqual(ConstantTimeCheck.declassified(true), true)
        XCTAssertEqual(ConstantTimeCheck.declassified(false), false)
        XCTAssertEqual(ConstantTimeCheck.declassified(UInt8(7)), 7)
    }

    /// With the check's switch on, the libraries' hooks (the DRBG's output,
    /// the custodian's values) still produce the same values: random
    /// scalars are nonzero and reduced, a seeded source gives the same
    /// draws as with the switch off.
    func testCheckingSwitchChangesNoValue() {
        XCTAssertFalse(ConstantTimeCheck.isChecking, "off by default")
        var off = SeededRandom(seed: "ct-switch"), on = SeededRandom(seed: "ct-switch")
        let expected = (0..<8).map { _ in Scalar.random(.secp256k1, using: &off) }
        ConstantTimeCheck.isChecking = true
        defer { ConstantTimeCheck.isChecking = false }
        let drawn = (0..<8).map { _ in Scalar.random(.secp256k1, using: &on) }
        XCTAssertEqual(drawn, expected)
        var s = Scalar(77, curve: .p256)
        ConstantTimeCheck.markSecretWhenChecking(&s)
        XCTAssertEqual(s, Scalar(77, curve: .p256))
        var buffer = [UInt8](repeating: 0, count: 64)
        var system = SystemRandom()
        system.fill(&buffer)
        XCTAssertNotEqual(buffer, [UInt8](repeating: 0, count: 64))
        XCTAssertFalse(Scalar.random(.p256).isZero)
    }

    /// `isCompiledIn` is true exactly when valgrind's memcheck header was
    /// there to build against (the shim's `__has_include`), which is where
    /// Debian's valgrind package puts it. ctcheck refuses to run without it,
    /// so a wrong answer here would let the check pass vacuously.
    func testCompiledInStatusMatchesTheHeader() {
        let header = ["/usr/include/valgrind/memcheck.h", "/usr/local/include/valgrind/memcheck.h"]
            .contains { FileManager.default.fileExists(atPath: $0) }
        XCTAssertEqual(ConstantTimeCheck.isCompiledIn, header,
                       "valgrind's memcheck.h is \(header ? "" : "not ")installed but the client requests are \(ConstantTimeCheck.isCompiledIn ? "" : "not ")compiled in: rebuild")
        // Outside valgrind the metadata query answers "not marked".
        XCTAssertFalse(ConstantTimeCheck.isMarkedSecret(Scalar.one(.p256)))
    }

    /// The constant-time hex digits agree with a table, for every byte.
    func testHexDigitsWithoutATable() {
        let table = Array("0123456789abcdef".utf8)
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(all.hexDigits, all.flatMap { [table[Int($0 >> 4)], table[Int($0 & 15)]] })
        XCTAssertEqual(all.hexString, String(decoding: all.hexDigits, as: UTF8.self))
        XCTAssertEqual([UInt8]().hexString, "")
    }
}
