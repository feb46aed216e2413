public import MarginCircuits
public import StrictJSON

/// Bybit v5 linear perpetuals (regular cross margin, per contract) →
/// `Circuits/tiered-margin.zkm`.
///
/// Inputs (the venue's own responses, as it sends them):
/// * `--risk-limits`: `GET /v5/market/risk-limit?category=linear`, `{retCode,
///   result: {category, list: [{id, symbol, riskLimitValue,
///   maintenanceMargin, initialMargin, isLowestRisk, maxLeverage,
///   mmDeduction}], nextPageCursor}}`; the list is paginated, so every page
///   is given (one file each) and the tiers of a symbol are gathered across
///   them;
/// * `--tickers`: `GET /v5/market/tickers?category=linear`, `{result:
///   {list: [{symbol, markPrice, …}]}}`.
///
/// Reading: `maintenanceMargin` is a **fraction** of the position value
/// (Bybit's field table: "Maintain margin rate"; "0.005" is 0.5 %), a
/// string ending in `%` a percentage. Bybit's own example answers
/// `maintenanceMargin "0.5"`, `initialMargin "1"` on a 100x tier, which
/// only a percentage reading makes consistent; so a tier must show the
/// fraction reading is right: where it carries `initialMargin` and
/// `maxLeverage`, 1/initialMargin must be maxLeverage within its two
/// displayed decimals (|1 − initialMargin·maxLeverage| ≤ initialMargin/100).
/// A tier that fails this is refused, not reinterpreted. `mmDeduction` is
/// the tier's deduction in the quote coin; `""` means 0 on the lowest tier
/// (what Bybit's recurrence gives there) and is refused on any other tier
/// (no number was published).
///
/// Bybit's maintenance margin of a position of value V = |size|·mark is
/// V·rate_k − deduction_k for the first tier (ascending riskLimitValue) with
/// V ≤ riskLimitValue_k; the tiers are contiguous (tier k covers
/// (riskLimitValue_{k−1}, riskLimitValue_k], the first from 0), so they are
/// written as `TieredBook` tiers with floor_k = riskLimitValue_{k−1} and
/// checked as `TieredBook.checkedTiers` (rates never fall, deduction_k =
/// deduction_{k−1} + riskLimitValue_{k−1}·(rate_k − rate_{k−1}), Bybit's
/// published recurrence), so the circuit's max over tiers is Bybit's number
/// exactly. `max_position` = the largest riskLimitValue / mark: Bybit lets
/// no position's value pass its largest risk limit. The size step stays
/// the circuit's default, 1e-8 (the responses carry no qtyStep); the cost
/// step is 1e-8 × the finest decimal of any mark (an entry price is on the
/// tick, like the mark), when finer than the default 1e-12.
///
/// Refused: an error response (retCode ≠ 0), a category other than linear
/// (inverse contracts' PnL is size·(1/entry − 1/mark), which tiered-margin
/// does not express), a tier twice, tiers that are not as above. Left out
/// (and listed): symbols settled in another coin, symbols without a mark.
public enum BybitImporter {
    public static let venue = "Bybit linear perpetuals"
    public static let circuit = "tiered-margin"

    /// What the values' note says of the reading, after the sources.
    public static let readingNote = "maintenanceMargin read as a fraction of the position value (checked against initialMargin × maxLeverage = 1); mmDeduction \"\" as 0 on the lowest tier only."

    /// One tier as Bybit publishes it (its floor is the previous tier's limit).
    public struct Tier: Sendable, Equatable {
        public let limit: Rational
        public let rate: Rational
        public let deduction: Rational
    }

    public struct Result: Sendable {
        public let values: ValuesDocument
        public let symbols: [String]
        public let skipped: [(symbol: String, reason: String)]
    }

    /// The values for symbols settled in `quote` (USDT, or USDC, whose
    /// perpetuals are named `…PERP` as well as `…USDC`).
    public static func values(riskLimits pages: [[UInt8]], tickers tickerBytes: [UInt8], quote: String = "USDT", note: String) throws(ImportError) -> Result {
        let tiers = try readTiers(pages)
        let marks = try readMarks(try WireDocument.parse(tickerBytes, "tickers"))
        var book = TieredBook(venue: venue, quote: quote)
        var skipped: [(String, String)] = []
        for (symbol, list) in tiers.sorted(by: { $0.key < $1.key }) {
            guard settles(symbol, in: quote) else { skipped.append((symbol, "settled in another coin than \(quote)")); continue }
            guard let mark = marks[symbol] else { skipped.append((symbol, "no mark price in --tickers")); continue }
            try book.add(symbol, mark: mark, tiers: tieredBookTiers(list), field: "tickers[\(jsonQuoted(symbol))].markPrice",
                         maxPosition: mark.signum > 0 ? list.last!.limit / mark : nil)
        }
        guard !book.instruments.isEmpty else {
            throw ImportError("risk-limits", nil, "no \(quote)-settled symbol has both tiers and a mark price (\(skipped.count) skipped)")
        }
        book.costStep = costStep(marks: book.instruments.map(\.mark))
        return Result(values: book.values(note: note + " " + readingNote), symbols: book.instruments.map(\.id), skipped: skipped)
    }

    /// The default size step (1e-8) times the finest decimal among the
    /// marks (Bybit quotes prices on each symbol's tick), when finer than the
    /// circuit's default 1e-12: a 10000SATSUSDT entry of 0.0001234 needs
    /// 1e-15. An entry price finer still is refused by the circuit, naming
    /// the position, never rounded.
    static func costStep(marks: [Rational]) -> Rational? {
        var decimals = 4
        for m in marks {
            var d = 0
            while !(m * Rational.powerOfTen(d)).isInteger, d < 18 { d += 1 }
            decimals = max(decimals, d)
        }
        return decimals > 4 ? Rational.powerOfTen(-8 - decimals) : nil
    }

    static func settles(_ symbol: String, in quote: String) -> Bool {
        symbol.hasSuffix(quote) || (quote == "USDC" && symbol.hasSuffix("PERP"))
    }

    /// Tiers as `TieredBook` tiers: floor_k = limit_{k−1}, floor_1 = 0.
    static func tieredBookTiers(_ list: [Tier]) -> [TieredBook.Tier] {
        list.enumerated().map { k, t in TieredBook.Tier(floor: k == 0 ? .zero : list[k - 1].limit, rate: t.rate, deduction: t.deduction) }
    }

    /// Tiers per symbol in ascending riskLimitValue, gathered over the pages
    /// and checked (see the type's comment).
    public static func readTiers(_ pages: [[UInt8]]) throws(ImportError) -> [String: [Tier]] {
        guard !pages.isEmpty else { throw ImportError("risk-limits", nil, "no page given") }
        var raw: [String: [(path: String, id: String, fields: JSONObject)]] = [:]
        for (p, bytes) in pages.enumerated() {
            let what = pages.count == 1 ? "risk-limits" : "risk-limits[\(p)]"
            let doc = try WireDocument.parse(bytes, what)
            let list = try resultList(doc, what)
            guard case .object(let o) = doc, case .object(let result)? = o["result"] else { continue }
            let category = try WireNumber.string(result["category"], "\(what).result.category")
            guard category == "linear" else {
                throw ImportError("\(what).result.category", category, "only linear contracts are imported: an inverse contract's PnL is size·(1/entry − 1/mark), which tiered-margin does not express")
            }
            for (k, entry) in list.enumerated() {
                let path = "\(what).result.list[\(k)]"
                guard case .object(let tier) = entry else { throw ImportError(path, nil, "expected an object") }
                let symbol = try WireNumber.string(tier["symbol"], "\(path).symbol")
                let id = try WireNumber.required(tier["id"], "\(path).id").description
                if let twin = raw[symbol]?.first(where: { $0.id == id }) {
                    throw ImportError("\(path).id", id, "\(symbol)'s tier \(id) appears twice (also at \(twin.path))")
                }
                raw[symbol, default: []].append((path, id, tier))
            }
        }
        var out: [String: [Tier]] = [:]
        for symbol in raw.keys.sorted() { out[symbol] = try checked(raw[symbol]!) }   // in order: the same file, the same refusal
        return out
    }

    /// One symbol's tiers, read, sorted by riskLimitValue and checked.
    static func checked(_ items: [(path: String, id: String, fields: JSONObject)]) throws(ImportError) -> [Tier] {
        var list: [(path: String, tier: Tier, lowest: Bool)] = []
        for (path, _, t) in items {
            let limit = try WireNumber.required(t["riskLimitValue"], "\(path).riskLimitValue")
            guard limit.signum > 0 else { throw ImportError("\(path).riskLimitValue", limit.description, "a risk limit must be positive") }
            let rate = try WireNumber.required(t["maintenanceMargin"], "\(path).maintenanceMargin", percent: true)
            try checkFractionReading(t, path: path)
            let deduction = try WireNumber.read(t["mmDeduction"] ?? .string(""), "\(path).mmDeduction")
            list.append((path, Tier(limit: limit, rate: rate, deduction: deduction ?? .zero), deduction == nil))
        }
        list.sort { $0.tier.limit < $1.tier.limit }
        for (k, item) in list.enumerated() where k > 0 && item.lowest {
            throw ImportError("\(item.path).mmDeduction", "\"\"", "empty above the lowest tier: Bybit published no deduction for it (an empty string means 0 only on the lowest tier)")
        }
        let tiers = list.enumerated().map { k, item in
            (item.path, TieredBook.Tier(floor: k == 0 ? .zero : list[k - 1].tier.limit, rate: item.tier.rate, deduction: item.tier.deduction))
        }
        _ = try TieredBook.checkedTiers(tiers, fields: ("riskLimitValue", "maintenanceMargin", "mmDeduction"))
        return list.map(\.tier)
    }

    /// A tier's initialMargin and maxLeverage, where both are given, must
    /// agree with reading the rates as fractions: 1/initialMargin is
    /// maxLeverage to its two displayed decimals.
    static func checkFractionReading(_ t: JSONObject, path: String) throws(ImportError) {
        guard let imValue = t["initialMargin"], let levValue = t["maxLeverage"],
              let im = try WireNumber.read(imValue, "\(path).initialMargin", percent: true),
              let leverage = try WireNumber.read(levValue, "\(path).maxLeverage") else { return }
        guard im.signum > 0, leverage.signum > 0 else { throw ImportError("\(path).initialMargin", im.description, "initialMargin and maxLeverage must be positive") }
        let product = im * leverage
        let gap = product > .one ? product - .one : .one - product
        guard gap * Rational(100) <= im else {
            throw ImportError("\(path).maintenanceMargin", t["maintenanceMargin"].map(wireText),
                              "read as a fraction (Bybit's \"maintain margin rate\"), but this tier's initialMargin \(im) × maxLeverage \(leverage) = \(product), not 1: its rates look like percentages (Bybit's documentation example has this form); refused rather than guessed")
        }
    }

    /// markPrice per symbol from the tickers response.
    public static func readMarks(_ doc: JSONValue) throws(ImportError) -> [String: Rational] {
        var out: [String: Rational] = [:]
        for (k, entry) in try resultList(doc, "tickers").enumerated() {
            let path = "tickers.result.list[\(k)]"
            guard case .object(let o) = entry else { throw ImportError(path, nil, "expected an object") }
            let symbol = try WireNumber.string(o["symbol"], "\(path).symbol")
            guard out[symbol] == nil else { throw ImportError("\(path).symbol", symbol, "the symbol appears twice") }
            out[symbol] = try WireNumber.required(o["markPrice"], "\(path).markPrice")
        }
        return out
    }

    /// A JSON value as it was written (a message quotes it).
    static func wireText(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return jsonQuoted(s)
        case .number(let literal): return literal
        default: return v.kindDescription
        }
    }

    /// `result.list` of a v5 response, refusing an error response.
    static func resultList(_ doc: JSONValue, _ what: String) throws(ImportError) -> [JSONValue] {
        guard case .object(let o) = doc else { throw ImportError(what, nil, "expected Bybit's v5 response object") }
        if let code = o["retCode"] {
            let c = try WireNumber.required(code, "\(what).retCode")
            guard c.isZero else {
                throw ImportError("\(what).retCode", c.description, "an error response (retMsg \(o["retMsg"].map(wireText) ?? "absent")), not data")
            }
        }
        guard case .object(let result)? = o["result"], case .array(let list)? = result["list"] else {
            throw ImportError("\(what).result.list", nil, "expected the response's result list")
        }
        return list
    }
}
