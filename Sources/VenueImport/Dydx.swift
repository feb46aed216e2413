public import MarginCircuits
import StrictJSON

/// dYdX v4 (dYdX Chain) perpetuals → `Circuits/rounded-margin.zkm`.
///
/// Inputs, the chain's own JSON: the genesis (`app_state.perpetuals.
/// {perpetuals, liquidity_tiers}`, `app_state.prices.market_prices`), or
/// the node's REST answers (`/dydxprotocol/perpetuals/perpetual` →
/// `{perpetual: [{params, …}]}`, `/dydxprotocol/perpetuals/liquidity_tiers`
/// → `{liquidity_tiers}`, `/dydxprotocol/prices/market` →
/// `{market_prices}`), integers as JSON numbers or strings:
/// * a perpetual's `params`: `ticker`, `market_id`, `atomic_resolution`
///   (one base quantum is 10^atomic_resolution units), `liquidity_tier`;
/// * a liquidity tier: `id`, `initial_margin_ppm`, `maintenance_fraction_ppm`
///   (the open-interest caps scale the initial margin only, and are not read);
/// * a market price: `id`, `price`, `exponent` (the price is price·10^exponent).
///
/// The chain's maintenance requirement of a position of q base quantums, in
/// quote quantums (10^-6 USDC), is ⌈⌈|n|·imf⌉·mf⌉ with n = q·price·
/// 10^(exponent + atomic_resolution + 6) truncated toward zero, imf =
/// initial_margin_ppm/10^6 and mf = maintenance_fraction_ppm/10^6; net
/// collateral is the quote balance + Σ n. Per perpetual the values give
/// `mark` = price·10^exponent, `size_step` = 10^atomic_resolution, `im_rate`
/// = imf, `mm_fraction` = mf and `notional_slack` = 1 − gcd(size_step ·
/// mark, 10^-6) / 10^-6 (in quanta), with which rounded-margin's requirement is the chain's
/// exactly (Circuits/rounded-margin.zkm); its equity is the chain's for
/// longs and for shorts whose notional is a whole number of quote quantums,
/// else 10^-6 USDC below it per such short (the chain truncates a negative
/// notional up). `max_position` = 10¹² USDC / mark. The quote asset USDC
/// has price 1, step 10^-6 and may be negative (borrowed) down to −10¹².
///
/// Refused: a perpetual whose liquidity tier is not given, ppm values that
/// are not whole numbers in [0, 10^6], an atomic resolution outside
/// [−18, 6], a price that is not a positive whole number, a ticker or id
/// twice, a quote asset (genesis `assets`, id 0) whose atomic resolution is
/// not −6. Left out (and listed): perpetuals without a market price.
public enum DydxImporter {
    public static let venue = "dYdX v4 perpetuals"
    public static let circuit = "rounded-margin"
    /// The quote quantum, 10^-6 USDC (USDC's atomic resolution on the chain).
    public static let quantum = Rational.powerOfTen(-6)
    /// The largest notional a position may have (no such cap is published;
    /// the chain's open-interest caps are far below it): |size| ≤ 10¹² / mark.
    public static let maximumNotional = Rational(1_000_000_000_000)

    /// What the values' note says of the rounding, after the sources.
    public static let roundingNote = "Rounding as the chain's: the requirement is exactly ceil(ceil(trunc(|notional|)·imf)·mf) in whole 0.000001 USDC; equity is the chain's net collateral for longs and for shorts whose value is a whole number of 0.000001 USDC, and 0.000001 USDC below it per other short (the chain truncates a negative value up; a proof rounds equity only down)."

    /// One perpetual as the values carry it.
    public struct Market: Sendable, Equatable {
        public let ticker: String
        public let mark: Rational
        public let sizeStep: Rational
        public let imRate: Rational
        public let mmFraction: Rational
        /// In quanta: 1 − gcd(sizeStep · mark, quantum) / quantum, in [0, 1).
        public let notionalSlack: Rational
    }

    public struct Result: Sendable {
        public let values: ValuesDocument
        public let markets: [Market]
        public let skipped: [(ticker: String, reason: String)]
    }

    /// The values from the three documents (the same genesis three times, or
    /// the three REST answers).
    public static func values(perpetuals perpetualBytes: [UInt8], liquidityTiers tierBytes: [UInt8], prices priceBytes: [UInt8],
                              quote: String = "USDC", note: String) throws(ImportError) -> Result {
        let perpetualDoc = try WireDocument.parse(perpetualBytes, "perpetuals")
        let tierDoc = tierBytes == perpetualBytes ? perpetualDoc : try WireDocument.parse(tierBytes, "liquidity-tiers")
        let priceDoc = priceBytes == perpetualBytes ? perpetualDoc : try WireDocument.parse(priceBytes, "prices")
        try checkQuoteAsset(perpetualDoc)
        let tiers = try readTiers(tierDoc)
        let prices = try readPrices(priceDoc)
        var markets: [Market] = []
        var skipped: [(String, String)] = []
        var seen: Set<String> = []
        let (list, listPath) = try perpetualList(perpetualDoc)
        for (k, entry) in list.enumerated() {
            let path = "\(listPath)[\(k)]"
            guard case .object(let perpetual) = entry else { throw ImportError(path, nil, "expected an object") }
            guard case .object(let params)? = perpetual["params"] else { throw ImportError("\(path).params", nil, "expected the perpetual's params object") }
            let p = "\(path).params"
            let ticker = try WireNumber.string(params["ticker"], "\(p).ticker")
            guard seen.insert(ticker).inserted else { throw ImportError("\(p).ticker", ticker, "the perpetual appears twice") }
            let resolution = try integer(params["atomic_resolution"], "\(p).atomic_resolution", in: -18...6,
                                         why: "a base quantum of 10^atomic_resolution must lie in [10^-18, 10^6], the circuit's size_step range")
            let tierID = try integer(params["liquidity_tier"], "\(p).liquidity_tier", in: 0...Int(UInt32.max), why: "a liquidity tier id is a whole number")
            let marketID = try integer(params["market_id"], "\(p).market_id", in: 0...Int(UInt32.max), why: "a market id is a whole number")
            guard let tier = tiers[tierID] else { throw ImportError("\(p).liquidity_tier", "\(tierID)", "no liquidity tier with this id was given") }
            guard let mark = prices[marketID] else { skipped.append((ticker, "no price for market \(marketID)")); continue }
            let step = Rational.powerOfTen(resolution)
            markets.append(Market(ticker: ticker, mark: mark, sizeStep: step, imRate: tier.initial, mmFraction: tier.maintenance,
                                  notionalSlack: .one - gcd(step * mark, quantum) / quantum))
        }
        guard !markets.isEmpty else { throw ImportError("perpetuals", nil, "no perpetual has a market price (\(skipped.count) left out)") }
        var doc = ValuesDocument(venue: venue, quote: quote, circuit: circuit, note: note + " " + roundingNote)
        doc.parameters.append(("quantum", quantum))
        var usdc = ValuesDocument.Element(id: quote)
        usdc.set("price", .one)
        usdc.set("balance_step", quantum)
        usdc.set("max_balance", maximumNotional)
        usdc.set("max_borrow", maximumNotional)
        doc.addSet("assets", elements: [usdc])
        doc.addSet("instruments", elements: markets.map { m in
            var e = ValuesDocument.Element(id: m.ticker)
            e.set("mark", m.mark)
            e.set("im_rate", m.imRate)
            e.set("mm_fraction", m.mmFraction)
            if !m.notionalSlack.isZero { e.set("notional_slack", m.notionalSlack) }
            e.set("size_step", m.sizeStep)
            e.set("max_position", maximumNotional / m.mark)
            return e
        })
        return Result(values: doc, markets: markets, skipped: skipped)
    }

    /// gcd of two positive rationals: the largest r with a/r and b/r whole
    /// (gcd of the numerators over the lcm of the denominators, both reduced).
    static func gcd(_ a: Rational, _ b: Rational) -> Rational {
        Rational(numerator: BigInt.gcd(a.numerator, b.numerator), denominator: BigInt.lcm(a.denominator, b.denominator))
    }

    /// A whole number in `range` at `field`.
    static func integer(_ value: JSONValue?, _ field: String, in range: ClosedRange<Int>, why: String) throws(ImportError) -> Int {
        let r = try WireNumber.required(value, field)
        guard r.isInteger, let n = r.numerator.intValue, range.contains(n) else { throw ImportError(field, r.description, why) }
        return n
    }

    /// The document's `app_state` (a genesis), or the document itself.
    static func state(_ doc: JSONValue) -> JSONObject? {
        guard case .object(let o) = doc else { return nil }
        if case .object(let s)? = o["app_state"] { return s }
        return o
    }

    /// A list found at the first of `paths` (keys, outermost first) the document has.
    static func list(_ doc: JSONValue, _ what: String, _ paths: [[String]]) throws(ImportError) -> (list: [JSONValue], path: String) {
        guard let root = state(doc) else { throw ImportError(what, nil, "expected a dYdX genesis or REST answer (an object)") }
        let prefix: String = if case .object(let o) = doc, o["app_state"] != nil { "app_state." } else { "" }
        for keys in paths {
            var node = JSONValue.object(root)
            var found = true
            for key in keys {
                guard case .object(let o) = node, let next = o[key] else { found = false; break }
                node = next
            }
            guard found else { continue }
            let path = "\(what): \(prefix)\(keys.joined(separator: "."))"
            guard case .array(let a) = node else { throw ImportError(path, nil, "expected an array") }
            return (a, path)
        }
        throw ImportError(what, nil, "no \(paths.map { $0.joined(separator: ".") }.joined(separator: " or ")) in the document")
    }

    static func perpetualList(_ doc: JSONValue) throws(ImportError) -> (list: [JSONValue], path: String) {
        try list(doc, "perpetuals", [["perpetuals", "perpetuals"], ["perpetual"], ["perpetuals"]])
    }

    /// Liquidity tier id → (imf, mf), each ppm / 10^6.
    static func readTiers(_ doc: JSONValue) throws(ImportError) -> [Int: (initial: Rational, maintenance: Rational)] {
        let (entries, path) = try list(doc, "liquidity-tiers", [["perpetuals", "liquidity_tiers"], ["liquidity_tiers"]])
        var out: [Int: (Rational, Rational)] = [:]
        let million = Rational(1_000_000)
        for (k, entry) in entries.enumerated() {
            let p = "\(path)[\(k)]"
            guard case .object(let t) = entry else { throw ImportError(p, nil, "expected an object") }
            let id = try integer(t["id"], "\(p).id", in: 0...Int(UInt32.max), why: "a tier id is a whole number")
            guard out[id] == nil else { throw ImportError("\(p).id", "\(id)", "the liquidity tier appears twice") }
            let ppm = "a ppm value is a whole number from 0 to 1000000"
            let imf = try integer(t["initial_margin_ppm"], "\(p).initial_margin_ppm", in: 0...1_000_000, why: ppm)
            let mf = try integer(t["maintenance_fraction_ppm"], "\(p).maintenance_fraction_ppm", in: 0...1_000_000, why: ppm)
            out[id] = (Rational(imf) / million, Rational(mf) / million)
        }
        return out
    }

    /// Market id → price·10^exponent.
    static func readPrices(_ doc: JSONValue) throws(ImportError) -> [Int: Rational] {
        let (entries, path) = try list(doc, "prices", [["prices", "market_prices"], ["market_prices"], ["market_price"]])
        var out: [Int: Rational] = [:]
        for (k, entry) in entries.enumerated() {
            let p = "\(path)[\(k)]"
            guard case .object(let m) = entry else { throw ImportError(p, nil, "expected an object") }
            let id = try integer(m["id"], "\(p).id", in: 0...Int(UInt32.max), why: "a market id is a whole number")
            guard out[id] == nil else { throw ImportError("\(p).id", "\(id)", "the market price appears twice") }
            let price = try WireNumber.required(m["price"], "\(p).price")
            guard price.isInteger, price.signum > 0 else { throw ImportError("\(p).price", price.description, "a market price is a positive whole number (scaled by 10^exponent)") }
            let exponent = try integer(m["exponent"], "\(p).exponent", in: -100...100, why: "a price exponent is a whole number within ±100")
            out[id] = price * Rational.powerOfTen(exponent)
        }
        return out
    }

    /// The genesis' quote asset (id 0), where given, has quantum 10^-6.
    static func checkQuoteAsset(_ doc: JSONValue) throws(ImportError) {
        guard let s = state(doc), case .object(let assets)? = s["assets"], case .array(let list)? = assets["assets"] else { return }
        for (k, entry) in list.enumerated() {
            guard case .object(let a) = entry, let id = a["id"], (try? WireNumber.required(id, "id")) == .zero else { continue }
            let field = "perpetuals: app_state.assets.assets[\(k)].atomic_resolution"
            let r = try WireNumber.required(a["atomic_resolution"], field)
            guard r == Rational(-6) else { throw ImportError(field, r.description, "the quote asset's quantum must be 10^-6, the quantum the margin is rounded to") }
        }
    }
}
