import Foundation
import XCTest
import ZKGroup
import ZKTestSupport

/// RFC 9380 known answers from Vectors/hash-to-curve/ (see its README.md for
/// provenance), plus the error paths of expand_message_xmd.
final class HashToCurveTests: XCTestCase {
    struct AffinePoint: Decodable {
        let x: String
        let y: String
    }

    struct SuiteFile: Decodable {
        let suite: String
        let dst: String
        let vectors: [Vector]

        struct Vector: Decodable {
            let msg: String
            let u0: String
            let u1: String
            let Q0: AffinePoint
            let Q1: AffinePoint
            let P: AffinePoint
        }
    }

    struct ExpandFile: Decodable {
        let name: String
        let hash: String
        let vectors: [Vector]

        struct Vector: Decodable {
            let DST: String
            let msg: String
            let len_in_bytes: Int
            let DST_prime: String
            let msg_prime: String
            let uniform_bytes: String
        }
    }

    func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(Repository.forTests.read("Vectors/hash-to-curve/\(name)")))
    }

    func bytes(_ hex: String, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        try XCTUnwrap([UInt8](hex: hex), "bad hex in vector file", file: file, line: line)
    }

    /// SEC1 compressed encoding of an affine point given as hex: the prefix
    /// carries y's parity, which with x determines y.
    func compressed(_ p: AffinePoint) throws -> [UInt8] {
        let y = try bytes(p.y)
        return [y[31] & 1 == 0 ? 0x02 : 0x03] + (try bytes(p.x))
    }

    // MARK: Suites

    func checkSuite(file: String, curve: Curve, expectedCount: Int) throws {
        let suite = try load(file, as: SuiteFile.self)
        XCTAssertEqual(suite.suite, curve.hashToCurveSuite)
        XCTAssertEqual(suite.vectors.count, expectedCount)
        let dst = Array(suite.dst.utf8)
        var passed = 0
        for v in suite.vectors {
            let msg = Array(v.msg.utf8)
            let label = "\(curve) msg '\(v.msg.prefix(20))'"

            let u = try HashToCurve.hashToField(msg, dst: dst, count: 2, curve: curve)
            XCTAssertEqual(u.count, 2)
            XCTAssertEqual(u[0].hexString, v.u0, "u0, \(label)")
            XCTAssertEqual(u[1].hexString, v.u1, "u1, \(label)")

            // map_to_curve on the vector's own u values, so a hash_to_field
            // bug cannot mask a map bug.
            let q0 = try XCTUnwrap(HashToCurve.mapToCurve(try bytes(v.u0), curve: curve), "Q0 identity, \(label)")
            XCTAssertEqual(q0.x.hexString, v.Q0.x, "Q0.x, \(label)")
            XCTAssertEqual(q0.y.hexString, v.Q0.y, "Q0.y, \(label)")
            let q1 = try XCTUnwrap(HashToCurve.mapToCurve(try bytes(v.u1), curve: curve), "Q1 identity, \(label)")
            XCTAssertEqual(q1.x.hexString, v.Q1.x, "Q1.x, \(label)")
            XCTAssertEqual(q1.y.hexString, v.Q1.y, "Q1.y, \(label)")

            let p = HashToCurve.hash(msg, dst: dst, curve: curve)
            XCTAssertEqual(p.curve, curve)
            let expected = try compressed(v.P)
            XCTAssertEqual(try p.compressed(), expected, "P, \(label)")
            XCTAssertEqual(p, try Point(compressed: expected, curve: curve), "P, \(label)")
            // Q0 + Q1 = P through the public decoder too.
            let sum = try Point(compressed: try compressed(v.Q0), curve: curve)
                + Point(compressed: try compressed(v.Q1), curve: curve)
            XCTAssertEqual(sum, p, "Q0 + Q1, \(label)")
            passed += 1
        }
        XCTAssertEqual(passed, expectedCount)
    }

    func testP256Vectors() throws {
        try checkSuite(file: "p256_XMD-SHA-256_SSWU_RO_.json", curve: .p256, expectedCount: 5)
    }

    func testSecp256k1Vectors() throws {
        try checkSuite(file: "secp256k1_XMD-SHA-256_SSWU_RO_.json", curve: .secp256k1, expectedCount: 5)
    }

    // MARK: expand_message_xmd

    func testExpandMessageXMDVectors() throws {
        let file = try load("expand_message_xmd_SHA-256.json", as: ExpandFile.self)
        XCTAssertEqual(file.name, "expand_message_xmd")
        XCTAssertEqual(file.hash, "SHA-256")
        XCTAssertEqual(file.vectors.count, 20)
        XCTAssertEqual(file.vectors.filter { $0.DST.utf8.count > 255 }.count, 10, "long-DST vectors present")
        for v in file.vectors {
            let dst = Array(v.DST.utf8), msg = Array(v.msg.utf8)
            let label = "DST \(dst.count) bytes, msg '\(v.msg.prefix(20))', len \(v.len_in_bytes)"
            let dstPrime = HashToCurve.dstPrime(dst)
            XCTAssertEqual(dstPrime.hexString, v.DST_prime, "DST_prime, \(label)")
            XCTAssertEqual(HashToCurve.msgPrime(msg, dstPrime: dstPrime, length: v.len_in_bytes).hexString,
                           v.msg_prime, "msg_prime, \(label)")
            let out = try HashToCurve.expandMessageXMD(msg, dst: dst, length: v.len_in_bytes)
            XCTAssertEqual(out.count, v.len_in_bytes)
            XCTAssertEqual(out.hexString, v.uniform_bytes, "uniform_bytes, \(label)")
        }
    }

    func assertThrows(_ expected: HashToCurveError, _ body: () throws(HashToCurveError) -> Void,
                      file: StaticString = #filePath, line: UInt = #line) {
        do {
            try body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        }
    }

    func testExpandMessageXMDErrors() throws {
        let dst = Array("QUUX-V01-CS02-with-expander-SHA256-128".utf8)
        assertThrows(.negativeOutputLength(-1)) { () throws(HashToCurveError) in _ = try HashToCurve.expandMessageXMD([], dst: dst, length: -1) }
        assertThrows(.outputLengthTooLarge(65536)) { () throws(HashToCurveError) in _ = try HashToCurve.expandMessageXMD([], dst: dst, length: 65536) }
        // ell = ceil(8161 / 32) = 256 > 255.
        assertThrows(.tooManyBlocks(8161)) { () throws(HashToCurveError) in _ = try HashToCurve.expandMessageXMD([], dst: dst, length: 8161) }
        assertThrows(.tooManyBlocks(65535)) { () throws(HashToCurveError) in _ = try HashToCurve.expandMessageXMD([], dst: dst, length: 65535) }
        assertThrows(.emptyDST) { () throws(HashToCurveError) in _ = try HashToCurve.expandMessageXMD([1, 2, 3], dst: [], length: 32) }
        // hash_to_field propagates: 171 · 48 = 8208 bytes > 8160.
        assertThrows(.tooManyBlocks(171 * 48)) { () throws(HashToCurveError) in _ = try HashToCurve.hashToField([], dst: dst, count: 171, curve: .p256) }
        assertThrows(.emptyDST) { () throws(HashToCurveError) in _ = try HashToCurve.hashToField([], dst: [], count: 2, curve: .secp256k1) }

        // The limits themselves are accepted.
        XCTAssertEqual(try HashToCurve.expandMessageXMD([], dst: dst, length: 8160).count, 8160)
        XCTAssertEqual(try HashToCurve.expandMessageXMD([], dst: dst, length: 0), [])
        XCTAssertEqual(try HashToCurve.hashToField([], dst: dst, count: 170, curve: .p256).count, 170)
        // len_in_bytes is bound into msg′: a 32-byte output is not a prefix of a 33-byte one.
        let a = try HashToCurve.expandMessageXMD([7], dst: dst, length: 32)
        let b = try HashToCurve.expandMessageXMD([7], dst: dst, length: 33)
        XCTAssertNotEqual(a, Array(b.prefix(32)))
    }

    // MARK: Domain separation

    func testHashDependsOnMessageAndDST() throws {
        for curve in Curve.allCases {
            let dst = Array("ZKMARGIN-V1-\(curve)".utf8)
            let h = HashToCurve.hash(Array("pedersen-H".utf8), dst: dst, curve: curve)
            XCTAssertFalse(h.isIdentity)
            XCTAssertEqual(h, HashToCurve.hash(Array("pedersen-H".utf8), dst: dst, curve: curve), "deterministic")
            XCTAssertNotEqual(h, HashToCurve.hash(Array("pedersen-G".utf8), dst: dst, curve: curve), "message")
            XCTAssertNotEqual(h, HashToCurve.hash(Array("pedersen-H".utf8), dst: Array("ZKMARGIN-V2-\(curve)".utf8), curve: curve), "DST")
            XCTAssertNotEqual(h, Point.generator(curve))
            // A DST longer than 255 bytes is accepted (hashed per §5.3.3) and differs from its prefix.
            let long = [UInt8](repeating: 0x41, count: 300)
            XCTAssertNotEqual(HashToCurve.hash([], dst: long, curve: curve),
                              HashToCurve.hash([], dst: Array(long.prefix(255)), curve: curve))
            // Every u in [0, p) maps onto the curve, including u = 0 (the exceptional tv1 = 0 case).
            let zero = [UInt8](repeating: 0, count: 32)
            let q = try XCTUnwrap(HashToCurve.mapToCurve(zero, curve: curve))
            let prefix: UInt8 = q.y[31] & 1 == 0 ? 0x02 : 0x03
            XCTAssertNoThrow(try Point(compressed: [prefix] + q.x, curve: curve))
        }
    }
}
