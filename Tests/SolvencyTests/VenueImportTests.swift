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

    /// Binance's reference (equity − requirement) per account, or its refusal.
    func reference(marks: String, _ accounts: [String]) throws -> [Result<Rational, ImportError>] {
        try reference(["binance", bracketsPath, marks], accounts)
    }

    /// The reference of `venue` (evaluate.py's arguments before the accounts file): equity − requirement.
    func reference(_ venue: [String], _ accounts: [String]) throws -> [Result<Rational, ImportError>] {
        try referenceMargins(venue, accounts).map { $0.map { $0.equity - $0.requirement } }
    }

    /// The reference's equity and requirement per account, or its refusal.
    func referenceMargins(_ venue: [String], _ accounts: [String]) throws -> [Result<(equity: Rational, requirement: Rational), ImportError>] {
        let dir = try temporaryDirectory(self)
        try FileIO.write(Array(("[" + accounts.joined(separator: ",") + "]").utf8), to: "\(dir)/accounts.json", mode: 0o644)
        guard let python = InteropTests.python else { throw InteropTests.PythonMissing() }
        let r = try CLI.execute(python, ["-B", Repository.forTests.path("Vectors/venues/evaluate.py")] + venue + ["\(dir)/accounts.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try r.stdout.split(separator: "\n").map { line throws -> Result<(equity: Rational, requirement: Rational), ImportError> in
            guard case .object(let o) = try JSONParser.parse(Array(line.utf8)) else { throw ImportError("reference", String(line), "not an object") }
            if case .string(let why)? = o["refused"] { return .failure(ImportError("reference", nil, why)) }
            guard case .string(let e)? = o["equity"], case .string(let q)? = o["requirement"] else { throw ImportError("reference", String(line), "no result") }
            return .success((try Rational(exact: e), try Rational(exact: q)))
        }
    }

    func excess(_ statement: CompiledStatement, _ account: String) throws -> Rational {
        try statement.evaluate(try Account.decode(from: Data(account.utf8))).binding!.excess
    }

    func compiled(_ values: [UInt8], circuit: String = "tiered-margin") throws -> CompiledStatement {
        try compile(circuitSource: try Repository.forTests.circuitSource(circuit), fileName: "\(circuit).zkm",
                    values: try RiskValues.decode(from: Data(values)))
    }

    func account(_ label: String, balance: Rational, quote: String = "USDT", _ positions: [(String, Rational, Rational)]) -> String {
        let p = positions.map { #""\#($0.0)": {"size": "\#($0.1)", "entry_price": "\#($0.2)"}"# }.joined(separator: ", ")
        return #"{"account": "\#(label)", "balances": {"\#(quote)": "\#(balance)"}, "positions": {\#(p)}}"#
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
                for size in [b.cap / mark, b.cap / mark + Rational(1) / Rational(100_000_000)] where size * mark <= brackets[symbol]!.last!.cap {
                    accounts.append(account("\(symbol)-\(k)-\(size)", balance: Rational(1_000_000), [(symbol, size, mark)]))
                }
            }
        }
        let expected = try reference(marks: "\(dir)/marks.json", accounts)
        for (a, e) in zip(accounts, expected) {
            guard case .success(let surplus) = e else { XCTFail("refused: \(a)"); continue }
            XCTAssertEqual(try excess(statement, a), surplus, a)
        }
        // Beyond the last cap: Binance has no such position, the reference
        // refuses it, and the circuit's bound (max_position = cap / mark)
        // refuses the account.
        let pepeCap = brackets["1000PEPEUSDT"]!.last!.cap / (try Rational(decimal: "0.02"))
        let beyond = account("beyond", balance: Rational(1_000_000_000), [("1000PEPEUSDT", pepeCap + Rational(1) / Rational(100_000_000), try Rational(decimal: "0.02"))])
        guard case .failure = try reference(marks: "\(dir)/marks.json", [beyond])[0] else { return XCTFail("the reference accepted a position beyond the last cap") }
        XCTAssertThrowsError(try excess(statement, beyond)) { XCTAssertTrue("\($0)".contains("outside the circuit's declared bounds"), "\($0)") }
        XCTAssertNoThrow(try excess(statement, account("at-cap", balance: Rational(1_000_000_000), [("1000PEPEUSDT", pepeCap, try Rational(decimal: "0.02"))])),
                         "7.5e9 units of 1000PEPE: above 10^9, at the last cap")
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
        XCTAssertTrue(refusal(wire(discontinuous)).contains("brackets[0].brackets[1].cum: 49: the deduction is not continuous"), refusal(wire(discontinuous)))
        let gap = b1 + #", {"bracket": 2, "initialLeverage": 25, "notionalCap": 50000, "notionalFloor": 6000, "maintMarginRatio": 0.02, "cum": 60}"#
        XCTAssertTrue(refusal(wire(gap)).contains("not contiguous"))
        let falling = b1 + #", {"bracket": 2, "initialLeverage": 25, "notionalCap": 50000, "notionalFloor": 5000, "maintMarginRatio": 0.005, "cum": -25}"#
        XCTAssertTrue(refusal(wire(falling)).contains("brackets[0].brackets[1].maintMarginRatio: 0.005: a rate below the previous tier's"), refusal(wire(falling)))
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

    // MARK: Hyperliquid

    let metaPath = Repository.forTests.path("Vectors/venues/hyperliquid/metaAndAssetCtxs.json")

    /// The real sample: every listed asset with a mark, tiers from the margin
    /// tables, rates 1/(2·maxLeverage) exactly; random accounts over the
    /// tiers agree exactly with the reference.
    func testHyperliquidAgreesExactlyWithTheReference() throws {
        let result = try HyperliquidImporter.values(meta: try FileIO.read(metaPath), note: "test import")
        XCTAssertGreaterThan(result.assets.count, 15, "\(result.skipped)")
        let values = result.values.encoded
        let text = String(decoding: values, as: UTF8.self)
        XCTAssertTrue(text.contains("\"1/"), "rates such as 1/6 and 1/10 are written as exact ratios")
        let statement = try compiled(values)
        guard case .object(let doc) = try JSONParser.parse(values), case .array(let instruments)? = doc["instruments"] else { return XCTFail() }
        var stream = Stream(state: 7)
        var accounts: [String] = []
        for n in 0..<60 {
            var positions: [(String, Rational, Rational)] = []
            for _ in 0..<(1 + stream.below(3)) {
                guard case .object(let inst) = instruments[stream.below(instruments.count)], case .string(let id)? = inst["id"],
                      case .string(let markText)? = inst["mark"], case .string(let stepText)? = inst["size_step"],
                      !positions.contains(where: { $0.0 == id }) else { continue }
                let mark = try Rational(exact: markText), step = try Rational(exact: stepText)
                // Notionals from a few dollars to above the first tiers' bounds (3M–150M).
                let notional = Rational(stream.below(1 << 20) + 1) * Rational(1 << stream.below(9)) * Rational(10)
                var size = Rational((notional / mark / step).floor) * step   // a whole number of the venue's lots
                guard !size.isZero else { continue }
                if stream.below(2) == 0 { size = -size }
                positions.append((id, size, Rational(((mark * Rational(97 + stream.below(6)) / Rational(100)) * Rational(10_000)).floor) / Rational(10_000)))
            }
            accounts.append(account("hl-\(n)", balance: Rational(stream.below(100_000_000)) / Rational(100), quote: "USDC", positions))
        }
        let expected = try reference(["hyperliquid", metaPath], accounts)
        XCTAssertEqual(expected.count, accounts.count)
        for (a, e) in zip(accounts, expected) {
            guard case .success(let surplus) = e else { XCTFail("the reference refused \(a): \(e)"); continue }
            XCTAssertEqual(try excess(statement, a), surplus, a)
        }
        // A size finer than the asset's lot (szDecimals) is refused, as Hyperliquid would.
        XCTAssertThrowsError(try excess(statement, account("fine", balance: 1000, quote: "USDC", [("BTC", Rational(1) / Rational(1_000_000), 80000)]))) {
            XCTAssertTrue("\($0)".contains("more precise"), "\($0)")
        }
        // Through the command line.
        let dir = try temporaryDirectory(self)
        let r = try CLI.run("zkmargin", ["import", "hyperliquid", "--meta", metaPath, "--out", "values.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(try FileIO.read("\(dir)/values.json").count > 0, true)
    }

    func testHyperliquidRefusals() throws {
        func refusal(_ meta: String) -> String {
            do { _ = try HyperliquidImporter.values(meta: Array(meta.utf8), note: "t"); return "accepted" } catch { return error.description }
        }
        let ctx = #"[{"markPx": "2.5"}]"#
        XCTAssertEqual(refusal(#"[{"universe": [{"name": "X", "szDecimals": 2, "maxLeverage": 3}]}, \#(ctx)]"#), "accepted")
        XCTAssertTrue(refusal(#"[{"universe": [{"name": "X", "maxLeverage": 3, "marginTableId": 77}], "marginTables": []}, \#(ctx)]"#)
            .contains("meta[0].universe[0].marginTableId: 77: not in marginTables"))
        // Leverage that rises with notional: rates falling, not convex.
        let rising = #"[{"universe": [{"name": "X", "maxLeverage": 3, "marginTableId": 60}], "marginTables": [[60, {"marginTiers": [{"lowerBound": "0", "maxLeverage": 5}, {"lowerBound": "1000", "maxLeverage": 10}]}]]}, \#(ctx)]"#
        XCTAssertTrue(refusal(rising).contains("marginTiers[1].maxLeverage"), refusal(rising))
        XCTAssertTrue(refusal(#"[{"universe": [{"name": "X", "maxLeverage": 0}]}, \#(ctx)]"#).contains("must be positive"))
        XCTAssertTrue(refusal(#"[{"universe": [{"name": "X", "maxLeverage": 3}]}, []]"#).contains("the universe has 1 assets and the contexts 0"))
    }

    // MARK: Deribit

    let instrumentsPath = Repository.forTests.path("Vectors/venues/deribit/get_instruments_BTC_option_28NOV25.json")

    /// The real instruments with a book summary made for them (no real one
    /// is public: Vectors/venues/deribit/SOURCE.md): calls and puts across
    /// strikes, a deep in-the-money put whose 0.075 × mark floor binds.
    func deribitBook(_ dir: String) throws -> (path: String, index: Rational, marks: [String: Rational]) {
        let index = try Rational(decimal: "95123.45")
        let marks: [String: String] = [
            "BTC-28NOV25-50000-C": "0.4745", "BTC-28NOV25-90000-C": "0.0712", "BTC-28NOV25-100000-C": "0.0215", "BTC-28NOV25-150000-C": "0.0005",
            "BTC-28NOV25-50000-P": "0.0005", "BTC-28NOV25-90000-P": "0.0175", "BTC-28NOV25-100000-P": "0.0734", "BTC-28NOV25-240000-P": "1.5232",
        ]
        let entries = marks.sorted { $0.key < $1.key }.map { #"{"instrument_name": "\#($0.key)", "mark_price": \#($0.value), "estimated_delivery_price": 95123.45, "underlying_price": 95200.1}"# }
        let path = "\(dir)/book.json"
        try FileIO.write(Array(#"{"jsonrpc": "2.0", "result": [\#(entries.joined(separator: ","))]}"#.utf8), to: path, mode: 0o644)
        return (path, index, try marks.mapValues { try Rational(decimal: $0) })
    }

    func testDeribitAgreesExactlyWithTheReference() throws {
        let dir = try temporaryDirectory(self)
        let (bookPath, index, marks) = try deribitBook(dir)
        let result = try DeribitImporter.values(instruments: try FileIO.read(instrumentsPath), book: try FileIO.read(bookPath), note: "test import")
        XCTAssertEqual(Set(result.options), Set(marks.keys))
        XCTAssertEqual(result.skipped.count, 88 - marks.count)
        let statement = try compile(circuitSource: try Repository.forTests.circuitSource("options-standard"), fileName: "options-standard.zkm",
                                    values: try RiskValues.decode(from: Data(result.values.encoded)))
        let names = marks.keys.sorted()
        var stream = Stream(state: 28)
        var zk: [String] = [], ref: [String] = []
        for n in 0..<60 {
            var zkPositions: [String] = [], refPositions: [String] = []
            for _ in 0..<(1 + stream.below(4)) {
                let name = names[stream.below(names.count)]
                guard !zkPositions.contains(where: { $0.contains(name) }) else { continue }
                var size = Rational(stream.below(500) + 1) / 10   // Deribit's amount step, 0.1
                if stream.below(3) > 0 { size = -size }           // mostly short: what needs margin
                let entry = Rational(((marks[name]! * Rational(90 + stream.below(20)) / 100) * 10_000).floor) / 10_000
                zkPositions.append(#""\#(name)": {"size": "\#(size)", "entry_price": "\#(entry * index)"}"#)
                refPositions.append(#""\#(name)": {"size": "\#(size)", "entry_price": "\#(entry)"}"#)
            }
            let balance = Rational(stream.below(2_000_000_000)) / Rational(100_000_000)
            zk.append(#"{"account": "d-\#(n)", "balances": {"BTC": "\#(balance)"}, "positions": {\#(zkPositions.joined(separator: ", "))}}"#)
            ref.append(#"{"account": "d-\#(n)", "balances": {"BTC": "\#(balance)"}, "positions": {\#(refPositions.joined(separator: ", "))}}"#)
        }
        let expected = try reference(["deribit", instrumentsPath, bookPath], ref)
        XCTAssertEqual(expected.count, zk.count)
        for (a, e) in zip(zk, expected) {
            guard case .success(let surplus) = e else { XCTFail("the reference refused \(a): \(e)"); continue }
            XCTAssertEqual(try excess(statement, a), surplus, a)
        }
        // The put floor binds for the deep in-the-money put: the requirement of
        // one short contract is (max(0.075, 0.075 × 1.5232) + 1.5232) × U, not (0.075 + 1.5232) × U.
        let put = #"{"account": "put", "balances": {"BTC": "0"}, "positions": {"BTC-28NOV25-240000-P": {"size": "-1", "entry_price": "\#(marks["BTC-28NOV25-240000-P"]! * index)"}}}"#
        let perContract = (Rational(75) / 1000 * marks["BTC-28NOV25-240000-P"]! + marks["BTC-28NOV25-240000-P"]!) * index
        XCTAssertEqual(try statement.evaluate(try Account.decode(from: Data(put.utf8))).binding!.requirement, perContract)
        // A size finer than Deribit's amount step is refused.
        XCTAssertThrowsError(try excess(statement, #"{"account": "x", "balances": {"BTC": "1"}, "positions": {"BTC-28NOV25-90000-C": {"size": "-0.05", "entry_price": "1"}}}"#))
        // Through the command line.
        let r = try CLI.run("zkmargin", ["import", "deribit", "--instruments", instrumentsPath, "--book", bookPath, "--out", "values.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        // A book that disagrees on the index is refused, naming the field.
        try FileIO.write(Array(#"{"result": [{"instrument_name": "BTC-28NOV25-90000-C", "mark_price": 0.07, "estimated_delivery_price": 95000}, {"instrument_name": "BTC-28NOV25-90000-P", "mark_price": 0.01, "estimated_delivery_price": 95001}]}"#.utf8), to: "\(dir)/bad.json", mode: 0o644)
        XCTAssertThrowsError(try DeribitImporter.values(instruments: try FileIO.read(instrumentsPath), book: try FileIO.read("\(dir)/bad.json"), note: "t")) {
            XCTAssertTrue("\($0)".contains("book.result[1].estimated_delivery_price: 95001: the book disagrees on the index"), "\($0)")
        }
    }
}
