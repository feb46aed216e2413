import Foundation
import MarginCircuits
import StrictJSON
import VenueImport
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// `zkmargin import binance` on the real public samples in Vectors/venues/:
/// the imported values, compiled with Circuits/tiered-margin.zkm, give every
/// account exactly the excess (equity − requirement) that the independent
/// reference of Binance's formula (Vectors/venues/reference.py) computes —
/// on random accounts across the brackets, on bracket boundaries and exactly
/// at the margin — and the same accounts prove and verify.
final class VenueImportTests: XCTestCase {
    let bracketsPath = Repository.forTests.path("Vectors/venues/binance/leverage_tiers_freqtrade.json")
    let marksPath = Repository.forTests.path("Vectors/venues/binance/premiumIndex.json")

    /// A deterministic stream (SplitMix64) for the accounts.
    struct Stream {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    func imported(marks: [UInt8]? = nil) throws -> (values: [UInt8], result: BinanceImporter.Result) {
        let result = try BinanceImporter.values(brackets: try FileIO.read(bracketsPath), marks: marks ?? (try FileIO.read(marksPath)),
                                                quote: "USDT", note: "test import")
        return (result.values.encoded, result)
    }

    /// The reference's (equity − requirement) per account, or its refusal.
    func reference(marks: String, _ accounts: [String]) throws -> [Result<Rational, ImportError>] {
        let dir = try temporaryDirectory(self)
        try FileIO.write(Array(("[" + accounts.joined(separator: ",") + "]").utf8), to: "\(dir)/accounts.json", mode: 0o644)
        guard let python = InteropTests.python else { throw InteropTests.PythonMissing() }
        let r = try CLI.execute(python, ["-B", Repository.forTests.path("Vectors/venues/evaluate.py"), "binance", bracketsPath, marks, "\(dir)/accounts.json"],
                                in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try r.stdout.split(separator: "\n").map { line throws -> Result<Rational, ImportError> in
            guard case .object(let o) = try JSONParser.parse(Array(line.utf8)) else { throw ImportError("reference", String(line), "not an object") }
            if case .string(let why)? = o["refused"] { return .failure(ImportError("reference", nil, why)) }
            guard case .string(let e)? = o["equity"], case .string(let q)? = o["requirement"] else { throw ImportError("reference", String(line), "no result") }
            return .success(try Rational(exact: e) - (try Rational(exact: q)))
        }
    }

    func excess(_ statement: CompiledStatement, _ account: String) throws -> Rational {
        try statement.evaluate(try Account.decode(from: Data(account.utf8))).binding!.excess
    }

    func compiled(_ values: [UInt8]) throws -> CompiledStatement {
        try compile(circuitSource: try Repository.forTests.circuitSource("tiered-margin"), fileName: "tiered-margin.zkm",
                    values: try RiskValues.decode(from: Data(values)))
    }

    /// The largest position Circuits/tiered-margin.zkm accepts today (its
    /// size bound, [-1e9, 1e9]): real books need per-instrument bounds
    /// from the venue's last bracket cap, which the circuit does not take yet.
    static let sizeBound = Rational(1_000_000_000)

    func account(_ label: String, balance: Rational, _ positions: [(String, Rational, Rational)]) -> String {
        let p = positions.map { #""\#($0.0)": {"size": "\#($0.1)", "entry_price": "\#($0.2)"}"# }.joined(separator: ", ")
        return #"{"account": "\#(label)", "balances": {"USDT": "\#(balance)"}, "positions": {\#(p)}}"#
    }

    func testImportsTheRealSample() throws {
        let (values, result) = try imported()
        XCTAssertEqual(result.symbols.count, 22, "the sample's USDT-settled symbols with a mark")
        XCTAssertEqual(result.skipped.count, 3, "\(result.skipped)")
        XCTAssertTrue(result.skipped.allSatisfy { $0.reason.contains("another asset") })
        let s = try compiled(values)
        XCTAssertEqual(s.inputs.count > 22, true)
        // The values record where they came from.
        XCTAssertTrue(String(decoding: values, as: UTF8.self).contains(#""note": "test import""#))
    }

    /// Random accounts over the real brackets and marks: exact agreement.
    func testRandomAccountsAgreeExactlyWithTheReference() throws {
        let (values, result) = try imported()
        let statement = try compiled(values)
        let brackets = try BinanceImporter.readBrackets(try JSONParser.parse(try FileIO.read(bracketsPath)))
        let marks = try BinanceImporter.readMarks(try JSONParser.parse(try FileIO.read(marksPath)))
        var stream = Stream(state: 20261130)
        var accounts: [String] = []
        for n in 0..<60 {
            var positions: [(String, Rational, Rational)] = []
            for _ in 0..<(1 + stream.below(4)) {
                let symbol = result.symbols[stream.below(result.symbols.count)]
                guard !positions.contains(where: { $0.0 == symbol }) else { continue }
                let list = brackets[symbol]!, mark = marks[symbol]!
                // A notional somewhere in a random bracket (never beyond the last cap, where Binance refuses).
                let b = list[stream.below(list.count)]
                let notional = b.floor + (b.cap - b.floor) * Rational(stream.below(1000) + 1) / Rational(1000)
                var size = Rational(((notional / mark) * Rational(100_000_000)).floor) / Rational(100_000_000)
                if size.isZero { size = Rational(1) / Rational(100_000_000) }
                guard size <= Self.sizeBound else { continue }
                if stream.below(2) == 0 { size = -size }
                let entry = Rational(((mark * Rational(10_000 + stream.below(400) - 200) / Rational(10_000)) * Rational(10_000)).floor) / Rational(10_000)
                positions.append((symbol, size, entry))
            }
            let balance = Rational(stream.below(50_000_000)) / Rational(100)
            accounts.append(account("random-\(n)", balance: balance, positions))
        }
        let expected = try reference(marks: marksPath, accounts)
        XCTAssertEqual(expected.count, accounts.count)
        var compared = 0
        for (a, e) in zip(accounts, expected) {
            switch e {
            case .success(let surplus):
                XCTAssertEqual(try excess(statement, a), surplus, a)
                compared += 1
            case .failure(let why):
                XCTFail("the reference refused an account within the brackets: \(why) \(a)")
            }
        }
        XCTAssertEqual(compared, accounts.count)
    }

    /// Round marks (the real brackets), so that accounts can sit exactly on
    /// a bracket boundary and exactly at the margin: agreement there, a
    /// zero excess passes and one hundred-millionth of a USDT less fails.
    func testBoundariesAndTheExactMargin() throws {
        let symbols = ["BTCUSDT", "ETHUSDT", "1000PEPEUSDT"]
        let roundMarks = ["BTCUSDT": "80000", "ETHUSDT": "2500", "1000PEPEUSDT": "0.02"]
        let marksJSON = "[" + roundMarks.map { #"{"symbol": "\#($0.key)", "markPrice": "\#($0.value)"}"# }.joined(separator: ",") + "]"
        let dir = try temporaryDirectory(self)
        try FileIO.write(Array(marksJSON.utf8), to: "\(dir)/marks.json", mode: 0o644)
        let (values, result) = try imported(marks: Array(marksJSON.utf8))
        XCTAssertEqual(Set(result.symbols), Set(symbols))
        let statement = try compiled(values)
        let brackets = try BinanceImporter.readBrackets(try JSONParser.parse(try FileIO.read(bracketsPath)))
        var accounts: [String] = []
        for symbol in symbols {
            let mark = try Rational(decimal: roundMarks[symbol]!)
            for (k, b) in brackets[symbol]!.enumerated() {
                // Exactly on the cap (owned by this bracket), and one step above it.
                for size in [b.cap / mark, b.cap / mark + Rational(1) / Rational(100_000_000)] where size * mark <= brackets[symbol]!.last!.cap && size <= Self.sizeBound {
                    accounts.append(account("\(symbol)-\(k)-\(size)", balance: Rational(1_000_000), [(symbol, size, mark)]))
                }
            }
        }
        let expected = try reference(marks: "\(dir)/marks.json", accounts)
        for (a, e) in zip(accounts, expected) {
            guard case .success(let surplus) = e else { XCTFail("refused: \(a)"); continue }
            XCTAssertEqual(try excess(statement, a), surplus, a)
        }
        // Exactly at the margin: entry = mark (no PnL), balance = the requirement.
        let size = Rational(3), mark = try Rational(decimal: "80000")
        let atMargin = try reference(marks: "\(dir)/marks.json", [account("probe", balance: 0, [("BTCUSDT", size, mark)])])
        guard case .success(let negRequirement) = atMargin[0] else { return XCTFail("probe refused") }
        let requirement = -negRequirement
        let exact = account("at-margin", balance: requirement, [("BTCUSDT", size, mark)])
        let short = account("short", balance: requirement - Rational(1) / Rational(100_000_000), [("BTCUSDT", size, mark)])
        XCTAssertEqual(try excess(statement, exact), .zero)
        XCTAssertEqual(try excess(statement, short), -(Rational(1) / Rational(100_000_000)))

        // The same accounts prove and verify (self-attested, with the imported values published).
        let bundle = try RiskBundle.publish(values: values, circuitName: "tiered-margin", circuitSource: try Repository.forTests.circuitSource("tiered-margin"),
                                            epoch: "2025-11-25T12:00:00Z", issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
        let proof = try Prover.proveSelfAttested(bundle: bundle, account: try Account.decode(from: Data(exact.utf8)), at: testNow)
        guard case .success = try verdict(proof.encoded(), bundle: bundle, policy: policy(selfAttested: true)) else { return XCTFail("the proof at the margin does not verify") }
        assertSolvencyError("marginShortfall") {
            try Prover.proveSelfAttested(bundle: bundle, account: try Account.decode(from: Data(short.utf8)), at: testNow)
        }
    }

    /// What the importer refuses names the field, the value and why.
    func testRefusals() throws {
        let marks = Array(#"[{"symbol": "XUSDT", "markPrice": "2"}]"#.utf8)
        func refusal(_ brackets: String) -> String {
            do {
                _ = try BinanceImporter.values(brackets: Array(brackets.utf8), marks: marks, note: "t")
                return "accepted"
            } catch { return error.description }
        }
        let wire = { (b: String) in #"[{"symbol": "XUSDT", "brackets": [\#(b)]}]"# }
        let b1 = #"{"bracket": 1, "initialLeverage": 50, "notionalCap": 5000, "notionalFloor": 0, "maintMarginRatio": 0.01, "cum": 0}"#
        XCTAssertEqual(refusal(wire(b1)), "accepted")
        XCTAssertTrue(refusal(#"[{"symbol": "XUSDT", "notionalCoef": 1.50, "brackets": [\#(b1)]}]"#).contains("brackets[0].notionalCoef: 1.5: user-adjusted brackets"))
        let discontinuous = b1 + #", {"bracket": 2, "initialLeverage": 25, "notionalCap": 50000, "notionalFloor": 5000, "maintMarginRatio": 0.02, "cum": 49}"#
        XCTAssertTrue(refusal(wire(discontinuous)).contains("brackets[0].brackets[1].cum: 49: not continuous"), refusal(wire(discontinuous)))
        let gap = b1 + #", {"bracket": 2, "initialLeverage": 25, "notionalCap": 50000, "notionalFloor": 6000, "maintMarginRatio": 0.02, "cum": 60}"#
        XCTAssertTrue(refusal(wire(gap)).contains("not contiguous"))
        let falling = b1 + #", {"bracket": 2, "initialLeverage": 25, "notionalCap": 50000, "notionalFloor": 5000, "maintMarginRatio": 0.005, "cum": -25}"#
        XCTAssertTrue(refusal(wire(falling)).contains("below the previous bracket"))
        XCTAssertTrue(refusal(wire(#"{"notionalCap": 5000, "notionalFloor": 0, "maintMarginRatio": "", "cum": 0}"#)).contains("maintMarginRatio: \"\": an empty string"))
        XCTAssertTrue(refusal(wire(#"{"notionalCap": 5000, "notionalFloor": 0, "maintMarginRatio": "0x1", "cum": 0}"#)).contains("not an exact number"))
        XCTAssertTrue(refusal(#"{"BTC/USDT:USDT-250328": []}"#).contains("only linear perpetuals"))
        // Exponents and JSON numbers are read exactly.
        let exp = #"[{"symbol": "XUSDT", "brackets": [{"notionalCap": "5E3", "notionalFloor": 0, "maintMarginRatio": 1e-2, "cum": "0.0"}]}]"#
        XCTAssertEqual(refusal(exp), "accepted")
    }

    func testThroughTheCommandLine() throws {
        let dir = try temporaryDirectory(self)
        let r = try CLI.run("zkmargin", ["import", "binance", "--brackets", bracketsPath, "--marks", marksPath, "--out", "values.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("22 instruments"), r.stdout)
        let values = try FileIO.read("\(dir)/values.json")
        XCTAssertTrue(String(decoding: values, as: UTF8.self).contains("sha256"), "the note records the sources' digests")
        XCTAssertNoThrow(try compiled(values))
        try FileIO.write(Array(#"[{"symbol": "XUSDT", "notionalCoef": "4.0", "brackets": []}]"#.utf8), to: "\(dir)/adjusted.json", mode: 0o644)
        let refused = try CLI.run("zkmargin", ["import", "binance", "--brackets", "adjusted.json", "--marks", marksPath, "--out", "v2.json"], in: dir)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("notionalCoef"), refused.stderr)
        XCTAssertFalse(FileIO.exists("\(dir)/v2.json"))
    }
}
