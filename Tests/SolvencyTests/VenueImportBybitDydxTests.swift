import Foundation
import MarginCircuits
import StrictJSON
import VenueImport
import XCTest
@testable import Solvency
import ZKTestSupport

/// `zkmargin import bybit` and `zkmargin import dydx`, against the
/// independent references of Vectors/venues/reference.py, as the Binance,
/// Hyperliquid and Deribit tests of `VenueImportTests` do.
extension VenueImportTests {
    // MARK: Bybit

    /// A SYNTHETIC linear risk-limit response (no real one is public:
    /// Vectors/venues/bybit/SOURCE.md), in Bybit's wire form: every value a
    /// string, `mmDeduction ""` on the lowest tier, the deductions by
    /// Bybit's published recurrence, initialMargin 2 × maintenanceMargin and
    /// maxLeverage its inverse to two decimals. Symbol, mark, first limit,
    /// limit step, first rate, rate step, tiers.
    static let bybitBook: [(symbol: String, mark: String, first: Int, step: Int, rate: String, rateStep: String, tiers: Int)] = [
        ("BTCUSDT", "91234.56", 2_000_000, 600_000, "0.005", "0.0005", 6),
        ("ETHUSDT", "3012.34", 1_000_000, 400_000, "0.005", "0.001", 5),
        ("10000SATSUSDT", "0.0001234", 200_000, 200_000, "0.01", "0.005", 4),
        ("SOLUSDT", "187.5", 1_000_000, 0, "0.01", "0", 1),
        ("BTCPERP", "91230.1", 2_000_000, 600_000, "0.005", "0.0005", 2),
    ]

    /// The tiers (limit, rate, deduction) of one symbol of `bybitBook`.
    static func bybitTiers(_ s: (symbol: String, mark: String, first: Int, step: Int, rate: String, rateStep: String, tiers: Int)) throws -> [(limit: Rational, rate: Rational, deduction: Rational)] {
        var out: [(limit: Rational, rate: Rational, deduction: Rational)] = []
        for k in 0..<s.tiers {
            let rate = try Rational(decimal: s.rate) + Rational(k) * (try Rational(decimal: s.rateStep))
            let deduction = out.last.map { $0.deduction + $0.limit * (rate - $0.rate) } ?? .zero
            out.append((Rational(s.first + k * s.step), rate, deduction))
        }
        return out
    }

    /// The risk-limit response: tiers listed highest first (the importer sorts them).
    func bybitRiskLimits(_ dir: String, symbols: [String]? = nil, name: String = "risk.json") throws -> String {
        var list: [String] = []
        for s in Self.bybitBook where symbols?.contains(s.symbol) ?? true {
            for (k, t) in try Self.bybitTiers(s).enumerated().reversed() {
                let im = t.rate * Rational(2)
                let leverage = Rational(((Rational(100) / im)).floor) / Rational(100)
                list.append(#"{"id": \#(k + 1), "symbol": "\#(s.symbol)", "riskLimitValue": "\#(t.limit)", "maintenanceMargin": "\#(t.rate)", "initialMargin": "\#(im)", "isLowestRisk": \#(k == 0 ? 1 : 0), "maxLeverage": "\#(leverage)", "mmDeduction": "\#(k == 0 ? "" : t.deduction.description)"}"#)
            }
        }
        let path = "\(dir)/\(name)"
        try FileIO.write(Array(#"{"retCode": 0, "retMsg": "OK", "result": {"category": "linear", "list": [\#(list.joined(separator: ",\n"))], "nextPageCursor": ""}, "retExtInfo": {}, "time": 1764400000000}"#.utf8), to: path, mode: 0o644)
        return path
    }

    func bybitTickers(_ dir: String) throws -> String {
        let list = Self.bybitBook.map { #"{"symbol": "\#($0.symbol)", "lastPrice": "\#($0.mark)", "markPrice": "\#($0.mark)", "basis": "", "fundingRate": "0.0001"}"# }
        let path = "\(dir)/tickers.json"
        try FileIO.write(Array(#"{"retCode": 0, "retMsg": "OK", "result": {"category": "linear", "list": [\#(list.joined(separator: ","))]}, "time": 1764400000000}"#.utf8), to: path, mode: 0o644)
        return path
    }

    /// Random accounts over the synthetic tiers, positions on tier limits and
    /// one step past them, exactly at the margin: the circuit agrees exactly
    /// with the reference; beyond the largest limit both refuse; the account
    /// at the margin proves and verifies and one 10^-8 USDT less does not.
    func testBybitAgreesExactlyWithTheReference() throws {
        let dir = try temporaryDirectory(self)
        let risk = try bybitRiskLimits(dir), tickers = try bybitTickers(dir)
        let result = try BybitImporter.values(riskLimits: [try FileIO.read(risk)], tickers: try FileIO.read(tickers), note: "test import")
        XCTAssertEqual(result.symbols, ["10000SATSUSDT", "BTCUSDT", "ETHUSDT", "SOLUSDT"])
        XCTAssertEqual(result.skipped.map(\.symbol), ["BTCPERP"], "settled in USDC")
        let values = result.values.encoded
        let statement = try compiled(values)
        let book = Dictionary(uniqueKeysWithValues: Self.bybitBook.map { ($0.symbol, $0) })
        var stream = Stream(state: 5_2026)
        var accounts: [String] = []
        for n in 0..<60 {
            var positions: [(String, Rational, Rational)] = []
            for _ in 0..<(1 + stream.below(3)) {
                let symbol = result.symbols[stream.below(result.symbols.count)]
                guard !positions.contains(where: { $0.0 == symbol }) else { continue }
                let tiers = try Self.bybitTiers(book[symbol]!), mark = try Rational(decimal: book[symbol]!.mark)
                let k = stream.below(tiers.count)
                let floor = k == 0 ? Rational.zero : tiers[k - 1].limit
                let value = floor + (tiers[k].limit - floor) * Rational(stream.below(1000) + 1) / Rational(1000)
                var size = Rational((value / mark * Rational(100_000_000)).floor) / Rational(100_000_000)
                if size.isZero { size = Rational(1) / Rational(100_000_000) }
                if stream.below(2) == 0 { size = -size }
                let entry = Rational((mark * Rational(9_800 + stream.below(400)) / Rational(10_000) * Rational(10_000)).floor) / Rational(10_000)
                positions.append((symbol, size, entry))
            }
            accounts.append(account("bybit-\(n)", balance: Rational(stream.below(100_000_000)) / Rational(100), positions))
        }
        // Exactly on each tier's limit (Bybit: that tier) and one 10^-8 step above (the next tier).
        for symbol in result.symbols {
            let mark = try Rational(decimal: book[symbol]!.mark), tiers = try Self.bybitTiers(book[symbol]!)
            for (k, t) in tiers.enumerated() {
                let on = Rational((t.limit / mark * Rational(100_000_000)).floor) / Rational(100_000_000)
                for size in [on, on + Rational(1) / Rational(100_000_000)] where size * mark <= tiers.last!.limit {
                    accounts.append(account("\(symbol)-limit-\(k)-\(size)", balance: Rational(1_000_000), [(symbol, -size, mark)]))
                }
            }
        }
        let expected = try reference(["bybit", risk, tickers], accounts)
        XCTAssertEqual(expected.count, accounts.count)
        for (a, e) in zip(accounts, expected) {
            guard case .success(let surplus) = e else { XCTFail("the reference refused \(a): \(e)"); continue }
            XCTAssertEqual(try excess(statement, a), surplus, a)
        }
        // 10000SATS: more than 10^9 units at its largest limit; beyond it Bybit has
        // no position, the reference refuses and the circuit's bound refuses.
        let sats = try Rational(decimal: "0.0001234"), cap = try Self.bybitTiers(book["10000SATSUSDT"]!).last!.limit / sats
        let largest = Rational((cap * Rational(100_000_000)).floor) / Rational(100_000_000)
        XCTAssertGreaterThan(largest, Rational(1_000_000_000))
        let within = account("largest", balance: Rational(1_000_000), [("10000SATSUSDT", largest, sats)])
        guard case .success(let s) = try reference(["bybit", risk, tickers], [within])[0] else { return XCTFail("refused \(within)") }
        XCTAssertEqual(try excess(statement, within), s)
        let beyond = account("beyond", balance: Rational(1_000_000), [("10000SATSUSDT", largest + Rational(1) / Rational(100_000_000), sats)])
        guard case .failure = try reference(["bybit", risk, tickers], [beyond])[0] else { return XCTFail("the reference accepted a position beyond the largest limit") }
        XCTAssertThrowsError(try excess(statement, beyond)) { XCTAssertTrue("\($0)".contains("outside the circuit's declared bounds"), "\($0)") }
        // Exactly at the margin: 30 BTC (2,737,036.8 USDT, tier 3) at entry = mark.
        let btc = try Rational(decimal: "91234.56")
        guard case .success(let negative) = try reference(["bybit", risk, tickers], [account("probe", balance: 0, [("BTCUSDT", 30, btc)])])[0] else { return XCTFail() }
        let exact = account("at-margin", balance: -negative, [("BTCUSDT", 30, btc)])
        let short = account("short", balance: -negative - Rational(1) / Rational(100_000_000), [("BTCUSDT", 30, btc)])
        XCTAssertEqual(try excess(statement, exact), .zero)
        XCTAssertEqual(try excess(statement, short), -(Rational(1) / Rational(100_000_000)))
        try assertProvesOnlyAtTheMargin(values: values, circuit: "tiered-margin", exact: exact, short: short)
    }

    /// The account at the margin proves and verifies (self-attested, the
    /// imported values published); the one just short does not prove.
    func assertProvesOnlyAtTheMargin(values: [UInt8], circuit: String, exact: String, short: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let bundle = try RiskBundle.publish(values: values, circuitName: circuit, circuitSource: try Repository.forTests.circuitSource(circuit),
                                            epoch: "2025-11-25T12:00:00Z", issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
        let proof = try Prover.proveSelfAttested(bundle: bundle, account: try Account.decode(from: Data(exact.utf8)), at: testNow)
        guard case .success = try verdict(proof.encoded(), bundle: bundle, policy: policy(selfAttested: true)) else {
            return XCTFail("the proof at the margin does not verify", file: file, line: line)
        }
        assertSolvencyError("marginShortfall") {
            try Prover.proveSelfAttested(bundle: bundle, account: try Account.decode(from: Data(short.utf8)), at: testNow)
        }
    }

    /// Pages are gathered; what the importer refuses names the field, the value and why.
    func testBybitPagesAndRefusals() throws {
        let dir = try temporaryDirectory(self)
        let tickers = try FileIO.read(try bybitTickers(dir))
        let whole = try BybitImporter.values(riskLimits: [try FileIO.read(try bybitRiskLimits(dir))], tickers: tickers, note: "t")
        let pages = try BybitImporter.values(riskLimits: [try FileIO.read(try bybitRiskLimits(dir, symbols: ["BTCUSDT", "ETHUSDT"], name: "p1.json")),
                                                          try FileIO.read(try bybitRiskLimits(dir, symbols: ["10000SATSUSDT", "SOLUSDT", "BTCPERP"], name: "p2.json"))],
                                             tickers: tickers, note: "t")
        XCTAssertEqual(pages.values.encoded, whole.values.encoded, "two pages give the values of one")
        // USDC perpetuals are named …PERP.
        XCTAssertEqual(try BybitImporter.values(riskLimits: [try FileIO.read(try bybitRiskLimits(dir))], tickers: tickers, quote: "USDC", note: "t").symbols, ["BTCPERP"])

        func refusal(_ list: String, category: String = "linear", retCode: String = "0") -> String {
            let page = #"{"retCode": \#(retCode), "retMsg": "bad", "result": {"category": "\#(category)", "list": [\#(list)]}}"#
            do {
                _ = try BybitImporter.values(riskLimits: [Array(page.utf8)], tickers: Array(#"{"result": {"list": [{"symbol": "XUSDT", "markPrice": "2"}]}}"#.utf8), note: "t")
                return "accepted"
            } catch { return error.description }
        }
        let t1 = #"{"id": 1, "symbol": "XUSDT", "riskLimitValue": "200000", "maintenanceMargin": "0.01", "initialMargin": "0.02", "maxLeverage": "50.00", "mmDeduction": ""}"#
        let t2 = { (deduction: String) in #"{"id": 2, "symbol": "XUSDT", "riskLimitValue": "400000", "maintenanceMargin": "0.015", "initialMargin": "0.03", "maxLeverage": "33.33", "mmDeduction": "\#(deduction)"}"# }
        XCTAssertEqual(refusal(t1 + "," + t2("1000")), "accepted")
        XCTAssertTrue(refusal(t1 + "," + t2("")).contains("risk-limits.result.list[1].mmDeduction: \"\": empty above the lowest tier"), refusal(t1 + "," + t2("")))
        XCTAssertTrue(refusal(t1 + "," + t2("999")).contains("risk-limits.result.list[1].mmDeduction: 999: the deduction is not continuous"), refusal(t1 + "," + t2("999")))
        XCTAssertTrue(refusal(t1 + "," + t1).contains("risk-limits.result.list[1].id: 1: XUSDT's tier 1 appears twice"), refusal(t1 + "," + t1))
        XCTAssertTrue(refusal(t1, retCode: "10001").contains("risk-limits.retCode: 10001: an error response"), refusal(t1, retCode: "10001"))
        XCTAssertTrue(refusal(t1, category: "inverse").contains("risk-limits.result.category: inverse: only linear contracts"))
        // Bybit's documentation example, read as fractions, does not add up: refused, not guessed.
        let doc = #"{"id": 1, "symbol": "XUSDT", "riskLimitValue": "150", "maintenanceMargin": "0.5", "initialMargin": "1", "isLowestRisk": 1, "maxLeverage": "100.00", "mmDeduction": ""}"#
        XCTAssertTrue(refusal(doc).contains(#"risk-limits.result.list[0].maintenanceMargin: "0.5": read as a fraction"#), refusal(doc))
        XCTAssertTrue(refusal(doc).contains("look like percentages"))
        // An explicit percentage is read as one: 1% = 0.01, initial 2% at 50x.
        XCTAssertEqual(refusal(#"{"id": 1, "symbol": "XUSDT", "riskLimitValue": "200000", "maintenanceMargin": "1%", "initialMargin": "2%", "maxLeverage": "50", "mmDeduction": ""}"#), "accepted")
        XCTAssertTrue(refusal(#"{"id": 1, "symbol": "XUSDT", "riskLimitValue": "0", "maintenanceMargin": "0.01", "mmDeduction": ""}"#).contains("riskLimitValue: 0: a risk limit must be positive"))
        XCTAssertTrue(refusal(#"{"id": 1, "symbol": "XUSDT", "riskLimitValue": "1e5", "maintenanceMargin": "0x1", "mmDeduction": ""}"#).contains("maintenanceMargin: 0x1: not an exact number"), "0x1")
        // The real documentation example file: inverse, refused.
        XCTAssertThrowsError(try BybitImporter.values(riskLimits: [try Repository.forTests.read("Vectors/venues/bybit/risk_limit_inverse_doc_example.json")],
                                                      tickers: try Repository.forTests.read("Vectors/venues/bybit/tickers_inverse_doc_example.json"), note: "t")) {
            XCTAssertTrue("\($0)".contains("result.category: inverse"), "\($0)")
        }
        // Through the command line: pages repeat the option; a refusal exits 2 and writes nothing.
        let r = try CLI.run("zkmargin", ["import", "bybit", "--risk-limits", "p1.json", "--risk-limits", "p2.json", "--tickers", "tickers.json", "--out", "values.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("4 instruments of Bybit linear perpetuals"), r.stdout)
        XCTAssertTrue(r.stdout.contains("left out 1: BTCPERP"), r.stdout)
        let note = String(decoding: try FileIO.read("\(dir)/values.json"), as: UTF8.self)
        XCTAssertTrue(note.contains("--risk-limits p1.json (sha256 ") && note.contains("--risk-limits p2.json (sha256 "), "every page is recorded")
        XCTAssertTrue(note.contains("maintenanceMargin read as a fraction"), "the note states the reading")
        let refused = try CLI.run("zkmargin", ["import", "bybit", "--risk-limits", Repository.forTests.path("Vectors/venues/bybit/risk_limit_inverse_doc_example.json"),
                                               "--tickers", "tickers.json", "--out", "v2.json"], in: dir)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("category"), refused.stderr)
        XCTAssertFalse(FileIO.exists("\(dir)/v2.json"))
        let help = try CLI.run("zkmargin", ["import", "bybit", "--help"], in: dir)
        XCTAssertTrue(help.stdout.contains("FRACTION"), "the help states the reading of maintenanceMargin")
    }

    // MARK: dYdX v4

    var genesisPath: String { Repository.forTests.path("Vectors/venues/dydx/mainnet_genesis_subset.json") }

    func dydxAccount(_ label: String, balance: Rational, _ positions: [(String, Rational)]) -> String {
        let p = positions.map { #""\#($0.0)": {"size": "\#($0.1)"}"# }.joined(separator: ", ")
        return #"{"account": "\#(label)", "balances": {"USDC": "\#(balance)"}, "positions": {\#(p)}}"#
    }

    /// The quote quanta by which rounded-margin's equity is below the
    /// chain's: one per short whose value is not a whole number of 10^-6 USDC.
    func dydxShortfall(_ positions: [(String, Rational)], marks: [String: Rational]) -> Rational {
        let quantum = DydxImporter.quantum
        return Rational(positions.filter { $0.1.signum < 0 && !($0.1 * marks[$0.0]! / quantum).isInteger }.count) * quantum
    }

    /// The real genesis: random accounts over all 33 perpetuals at real
    /// precision (BTC's quantum 10^-10, PEPE's 10 units at 2.48e-7 USD,
    /// positions beyond 10^9 units): the requirement is the chain's exactly
    /// (reference.py's integer arithmetic, two round-ups and the
    /// truncation); the equity is the chain's less one quantum per short
    /// whose value is not a whole number of quanta, and exactly the chain's
    /// otherwise.
    func testDydxAgreesWithTheChainsArithmetic() throws {
        let result = try DydxImporter.values(perpetuals: try FileIO.read(genesisPath), liquidityTiers: try FileIO.read(genesisPath),
                                             prices: try FileIO.read(genesisPath), note: "test import")
        XCTAssertEqual(result.markets.count, 33)
        XCTAssertTrue(result.skipped.isEmpty)
        let values = result.values.encoded
        let statement = try compiled(values, circuit: "rounded-margin")
        // What `zkmargin bench circuits --values` sizes its positions by: PEPE's lot is 10.
        let decoded = try RiskValues.decode(from: Data(values))
        XCTAssertEqual(decoded.field("size_step", of: "PEPE-USD", in: "instruments"), Rational(10))
        XCTAssertNil(decoded.field("size_step", of: "NOPE-USD", in: "instruments"))
        let markets = Dictionary(uniqueKeysWithValues: result.markets.map { ($0.ticker, $0) })
        let marks = markets.mapValues(\.mark)
        var stream = Stream(state: 4_2023)
        var accounts: [String] = [], positionsOf: [[(String, Rational)]] = []
        for n in 0..<60 {
            var positions: [(String, Rational)] = []
            for _ in 0..<(1 + stream.below(4)) {
                let m = result.markets[stream.below(result.markets.count)]
                guard !positions.contains(where: { $0.0 == m.ticker }) else { continue }
                // Notionals from a few quanta to about 10^7 USDC, on the base quantum.
                let notional = Rational(stream.below(1 << 20) + 1) * Rational(1 << stream.below(24)) / Rational(1_000_000)
                var quanta = (notional / m.mark / m.sizeStep).floor
                if quanta.isZero { quanta = BigInt(1) }
                positions.append((m.ticker, Rational(stream.below(2) == 0 ? BigInt(0) - quanta : quanta) * m.sizeStep))
            }
            let balance = Rational(stream.below(2_000_000_000) - 500_000_000) / Rational(100)
            accounts.append(dydxAccount("dydx-\(n)", balance: balance, positions))
            positionsOf.append(positions)
        }
        // One quantum of each market, long and short: the smallest notionals, where the rounding matters most.
        for m in result.markets {
            for sign in [Rational(1), Rational(-1)] {
                accounts.append(dydxAccount("\(m.ticker)-one-\(sign)", balance: Rational(1), [(m.ticker, sign * m.sizeStep)]))
                positionsOf.append([(m.ticker, sign * m.sizeStep)])
            }
        }
        let expected = try referenceMargins(["dydx", genesisPath], accounts)
        var exactly = 0, conservative = 0
        for ((a, e), positions) in zip(zip(accounts, expected), positionsOf) {
            guard case .success(let chain) = e else { XCTFail("the reference refused \(a): \(e)"); continue }
            let report = try statement.evaluate(try Account.decode(from: Data(a.utf8))).binding!
            XCTAssertEqual(report.requirement, chain.requirement, a)
            let gap = dydxShortfall(positions, marks: marks)
            XCTAssertEqual(report.equity, chain.equity - gap, a)
            if gap.isZero { exactly += 1 } else { conservative += 1 }
        }
        XCTAssertGreaterThan(exactly, 20, "accounts without such shorts: equity exactly the chain's")
        XCTAssertGreaterThan(conservative, 20, "accounts with them: one quantum below per short")
        // PEPE beyond 10^9 units (2·10^10 PEPE, about 4964 USDC), and the
        // largest position the values allow (10^12 USDC of notional).
        let pepe = markets["PEPE-USD"]!
        let big = dydxAccount("pepe", balance: 0, [("PEPE-USD", Rational(20_000_000_000))])
        guard case .success(let chainBig) = try referenceMargins(["dydx", genesisPath], [big])[0] else { return XCTFail() }
        XCTAssertEqual(try statement.evaluate(try Account.decode(from: Data(big.utf8))).binding!.requirement, chainBig.requirement)
        let largest = (DydxImporter.maximumNotional / pepe.mark / pepe.sizeStep).floor
        XCTAssertNoThrow(try excess(statement, dydxAccount("largest", balance: 0, [("PEPE-USD", Rational(largest) * pepe.sizeStep)])))
        // Beyond it: the chain has no such cap (the reference computes), zkmargin refuses.
        let beyond = dydxAccount("beyond", balance: 0, [("PEPE-USD", Rational(largest + BigInt(1)) * pepe.sizeStep)])
        guard case .success = try referenceMargins(["dydx", genesisPath], [beyond])[0] else { return XCTFail("the reference refused") }
        XCTAssertThrowsError(try excess(statement, beyond)) { XCTAssertTrue("\($0)".contains("outside the circuit's declared bounds"), "\($0)") }
        // Off the base quantum (15 PEPE, the quantum is 10): the chain has no such size; both refuse.
        let fine = dydxAccount("fine", balance: 0, [("PEPE-USD", Rational(15))])
        guard case .failure = try referenceMargins(["dydx", genesisPath], [fine])[0] else { return XCTFail("the reference accepted 15 PEPE") }
        XCTAssertThrowsError(try excess(statement, fine)) { XCTAssertTrue("\($0)".contains("more precise"), "\($0)") }
    }

    /// The rounding's edges (the chain's own worked figures in
    /// Vectors/venues/test_reference.py), exactly at the margin, and prove/verify.
    func testDydxRoundingEdgesAndTheExactMargin() throws {
        let result = try DydxImporter.values(perpetuals: try FileIO.read(genesisPath), liquidityTiers: try FileIO.read(genesisPath),
                                             prices: try FileIO.read(genesisPath), note: "test import")
        let values = result.values.encoded
        let statement = try compiled(values, circuit: "rounded-margin")
        func report(_ a: String) throws -> RequirementReport { try statement.evaluate(try Account.decode(from: Data(a.utf8))).binding! }
        // 0.5 BTC long: notional 14344.09762, MMR ⌈717.204881 × 0.6⌉ = 430.322929 (430.3229286 unrounded).
        let long = try report(dydxAccount("long", balance: Rational(-10_000), [("BTC-USD", try Rational(decimal: "0.5"))]))
        XCTAssertEqual(long.equity, try Rational(decimal: "4344.09762"))
        XCTAssertEqual(long.requirement, try Rational(decimal: "430.322929"))
        // 2·10^7 PEPE: notional 4.963800706 truncated to 4.9638; MMR 0.24819.
        let pepe = try report(dydxAccount("pepe", balance: 0, [("PEPE-USD", Rational(20_000_000))]))
        XCTAssertEqual(pepe.equity, try Rational(decimal: "4.9638"))
        XCTAssertEqual(pepe.requirement, try Rational(decimal: "0.24819"))
        // One ETH quantum short: the chain's notional −0.000001811985252 truncates to
        // −0.000001, rounded-margin floors it to −0.000002 (one quantum stricter);
        // the requirement, 0.000001, is the chain's.
        let one = try report(dydxAccount("one", balance: try Rational(decimal: "0.000002"), [("ETH-USD", try Rational(decimal: "-0.000000001"))]))
        XCTAssertEqual(one.requirement, try Rational(decimal: "0.000001"))
        XCTAssertEqual(one.equity, .zero)
        // Exactly at the margin (a long: equity exact), and one quantum short of it.
        let size = try Rational(decimal: "1.2345678901"), btc = result.markets.first { $0.ticker == "BTC-USD" }!
        guard case .success(let probe) = try referenceMargins(["dydx", genesisPath], [dydxAccount("probe", balance: 0, [("BTC-USD", size)])])[0] else { return XCTFail() }
        let balance = probe.requirement - probe.equity
        XCTAssertFalse((size * btc.mark / DydxImporter.quantum).isInteger, "a notional the chain truncates")
        let exact = dydxAccount("at-margin", balance: balance, [("BTC-USD", size)])
        let short = dydxAccount("short", balance: balance - DydxImporter.quantum, [("BTC-USD", size)])
        guard case .success(let chainExact) = try referenceMargins(["dydx", genesisPath], [exact])[0] else { return XCTFail() }
        XCTAssertEqual(chainExact.equity, chainExact.requirement, "the chain puts this account exactly at its margin")
        XCTAssertEqual(try excess(statement, exact), .zero)
        XCTAssertEqual(try excess(statement, short), -DydxImporter.quantum)
        try assertProvesOnlyAtTheMargin(values: values, circuit: "rounded-margin", exact: exact, short: short)
    }

    /// The REST answers give the same values as the genesis; what the
    /// importer refuses names the field, the value and why.
    func testDydxRestShapesAndRefusals() throws {
        let dir = try temporaryDirectory(self)
        let genesis = try FileIO.read(genesisPath)
        guard case .object(let g) = try JSONParser.parse(genesis), case .object(let state)? = g["app_state"],
              case .object(let perps)? = state["perpetuals"], case .object(let prices)? = state["prices"],
              case .array(let perpetualList)? = perps["perpetuals"], case .array(let tierList)? = perps["liquidity_tiers"],
              case .array(let priceList)? = prices["market_prices"] else { return XCTFail("the genesis sample's shape") }
        // REST: uint64 values as strings, a pagination object beside the list.
        let restPrices = priceList.map { p -> JSONValue in
            guard case .object(let o) = p, case .number(let n)? = o["price"] else { return p }
            return .object(JSONObject(o.keys.map { ($0, $0 == "price" ? .string(n) : o[$0]!) }))
        }
        let pagination: JSONValue = .object(JSONObject([("next_key", .null), ("total", .string("0"))]))
        let files = [("perpetual.json", JSONValue.object(JSONObject([("perpetual", .array(perpetualList)), ("pagination", pagination)]))),
                     ("tiers.json", .object(JSONObject([("liquidity_tiers", .array(tierList))]))),
                     ("market.json", .object(JSONObject([("market_prices", .array(restPrices)), ("pagination", pagination)])))]
        for (name, doc) in files { try FileIO.write(doc.encoded(), to: "\(dir)/\(name)", mode: 0o644) }
        let rest = try DydxImporter.values(perpetuals: try FileIO.read("\(dir)/perpetual.json"), liquidityTiers: try FileIO.read("\(dir)/tiers.json"),
                                           prices: try FileIO.read("\(dir)/market.json"), note: "t")
        let fromGenesis = try DydxImporter.values(perpetuals: genesis, liquidityTiers: genesis, prices: genesis, note: "t")
        XCTAssertEqual(rest.values.encoded, fromGenesis.values.encoded)

        func refusal(perpetual: String = #"{"params": {"ticker": "X-USD", "id": 0, "market_id": 0, "atomic_resolution": -6, "liquidity_tier": 0}}"#,
                     tier: String = #"{"id": 0, "initial_margin_ppm": 50000, "maintenance_fraction_ppm": 600000}"#,
                     price: String = #"{"id": 0, "exponent": -5, "price": "2868819524"}"#, asset: String = "") -> String {
            let doc = #"{"app_state": {\#(asset)"perpetuals": {"perpetuals": [\#(perpetual)], "liquidity_tiers": [\#(tier)]}, "prices": {"market_prices": [\#(price)]}}}"#
            do { _ = try DydxImporter.values(perpetuals: Array(doc.utf8), liquidityTiers: Array(doc.utf8), prices: Array(doc.utf8), note: "t"); return "accepted" } catch { return error.description }
        }
        XCTAssertEqual(refusal(), "accepted")
        XCTAssertTrue(refusal(tier: #"{"id": 1, "initial_margin_ppm": 50000, "maintenance_fraction_ppm": 600000}"#)
            .contains("perpetuals: app_state.perpetuals.perpetuals[0].params.liquidity_tier: 0: no liquidity tier with this id"), refusal(tier: #"{"id": 1, "initial_margin_ppm": 50000, "maintenance_fraction_ppm": 600000}"#))
        XCTAssertTrue(refusal(tier: #"{"id": 0, "initial_margin_ppm": 1000001, "maintenance_fraction_ppm": 600000}"#).contains("initial_margin_ppm: 1000001: a ppm value is a whole number"))
        XCTAssertTrue(refusal(tier: #"{"id": 0, "initial_margin_ppm": 50000, "maintenance_fraction_ppm": "0.5"}"#).contains("maintenance_fraction_ppm: 0.5: a ppm value"))
        XCTAssertTrue(refusal(perpetual: #"{"params": {"ticker": "X-USD", "market_id": 0, "atomic_resolution": -19, "liquidity_tier": 0}}"#).contains("atomic_resolution: -19: a base quantum"))
        XCTAssertTrue(refusal(price: #"{"id": 0, "exponent": -5, "price": "0"}"#).contains("price: 0: a market price is a positive whole number"))
        XCTAssertTrue(refusal(price: #"{"id": 0, "exponent": -5, "price": "1.5"}"#).contains("price: 1.5: a market price is a positive whole number"))
        XCTAssertTrue(refusal(price: #"{"id": 0, "exponent": -5, "price": 1}, {"id": 0, "exponent": -5, "price": 2}"#).contains("market_prices[1].id: 0: the market price appears twice"))
        let twice = #"{"params": {"ticker": "X-USD", "market_id": 0, "atomic_resolution": -6, "liquidity_tier": 0}}"#
        XCTAssertTrue(refusal(perpetual: twice + "," + twice).contains("perpetuals[1].params.ticker: X-USD: the perpetual appears twice"))
        XCTAssertTrue(refusal(asset: #""assets": {"assets": [{"id": 0, "symbol": "USDC", "atomic_resolution": -8}]}, "#).contains("atomic_resolution: -8: the quote asset's quantum must be 10^-6"))
        XCTAssertTrue(refusal(price: #"{"id": 7, "exponent": -5, "price": 1}"#).contains("no perpetual has a market price (1 left out)"))
        // Through the command line: --genesis, or the three files; not both.
        let r = try CLI.run("zkmargin", ["import", "dydx", "--genesis", genesisPath, "--out", "values.json"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("33 instruments of dYdX v4 perpetuals for circuit rounded-margin"), r.stdout)
        let written = try FileIO.read("\(dir)/values.json")
        XCTAssertNoThrow(try compiled(written, circuit: "rounded-margin"))
        let note = String(decoding: written, as: UTF8.self)
        XCTAssertTrue(note.contains("--genesis mainnet_genesis_subset.json (sha256 "), "the note records the source")
        XCTAssertTrue(note.contains("0.000001 USDC below it per other short"), "the note says where the values are conservative")
        let three = try CLI.run("zkmargin", ["import", "dydx", "--perpetuals", "perpetual.json", "--liquidity-tiers", "tiers.json", "--prices", "market.json", "--out", "v3.json"], in: dir)
        XCTAssertEqual(three.status, 0, three.output)
        XCTAssertEqual(try CLI.run("zkmargin", ["import", "dydx", "--genesis", genesisPath, "--prices", "market.json", "--out", "v4.json"], in: dir).status, 64)
        XCTAssertEqual(try CLI.run("zkmargin", ["import", "dydx", "--perpetuals", "perpetual.json", "--out", "v4.json"], in: dir).status, 64)
        XCTAssertFalse(FileIO.exists("\(dir)/v4.json"))
    }
}
