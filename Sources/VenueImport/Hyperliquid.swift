import MarginCircuits
import StrictJSON

/// Hyperliquid perpetuals → `Circuits/tiered-margin.zkm`.
///
/// Input (`--meta`): the response of `POST /info {"type": "metaAndAssetCtxs"}`,
/// `[meta, contexts]` with `meta.universe[i] = {name, szDecimals,
/// maxLeverage, marginTableId?, isDelisted?}`, `meta.marginTables = [[id,
/// {marginTiers: [{lowerBound, maxLeverage}]}], …]` and `contexts[i] =
/// {markPx, …}` (the mark price, which Hyperliquid margins with).
///
/// Hyperliquid's maintenance margin rate is half the initial margin at
/// maximum leverage, 1/(2·maxLeverage) (1/6 at 3×: a ratio, written exactly),
/// per tier of the asset's margin table, with the deduction that keeps the
/// margin continuous (Hyperliquid's "Margin tiers"): deduction_k =
/// deduction_{k−1} + lowerBound_k·(rate_k − rate_{k−1}). A table id below 50
/// is one tier at that leverage; no id, one tier at the asset's
/// maxLeverage. The tiers are then checked as `TieredBook.checkedTiers`.
///
/// Sizes: `size_step` = 10^−szDecimals (a size finer than the venue's lot
/// is refused, as the venue would), `max_position` = 10¹² USDC / mark.
///
/// Left out (and listed): delisted assets and assets without a mark price.
/// Refused: a margin table id that is neither below 50 nor in marginTables,
/// a universe and contexts of different lengths, leverage ≤ 0.
public enum HyperliquidImporter {
    public static let venue = "Hyperliquid perpetuals"

    /// Hyperliquid's top margin tier has no cap and the response carries no
    /// position limit, so positions are bounded by this notional (USDC), far
    /// beyond any open-interest cap: |size| ≤ 10¹² / mark.
    static let maximumNotional = Rational(1_000_000_000_000)

    public struct Result: Sendable {
        public let values: ValuesDocument
        public let assets: [String]
        public let skipped: [(asset: String, reason: String)]
    }

    public static func values(meta bytes: [UInt8], quote: String = "USDC", note: String) throws(ImportError) -> Result {
        guard case .array(let top) = try WireDocument.parse(bytes, "meta"), top.count == 2, case .object(let meta) = top[0], case .array(let contexts) = top[1] else {
            throw ImportError("meta", nil, "expected metaAndAssetCtxs' [meta, contexts]")
        }
        guard case .array(let universe)? = meta["universe"] else { throw ImportError("meta[0].universe", nil, "expected an array") }
        guard universe.count == contexts.count else {
            throw ImportError("meta", nil, "the universe has \(universe.count) assets and the contexts \(contexts.count)")
        }
        let tables = try marginTables(meta["marginTables"])
        var book = TieredBook(venue: venue, quote: quote)
        var skipped: [(String, String)] = []
        var seen: Set<String> = []
        for (k, (entry, context)) in zip(universe, contexts).enumerated() {
            let path = "meta[0].universe[\(k)]"
            guard case .object(let asset) = entry, case .object(let ctx) = context else { throw ImportError(path, nil, "expected an object") }
            let name = try WireNumber.string(asset["name"], "\(path).name")
            guard seen.insert(name).inserted else { throw ImportError("\(path).name", name, "the asset appears twice") }
            if case .bool(true)? = asset["isDelisted"] { skipped.append((name, "delisted")); continue }
            guard let markValue = ctx["markPx"], markValue != .null, let mark = try WireNumber.read(markValue, "meta[1][\(k)].markPx") else {
                skipped.append((name, "no mark price")); continue
            }
            let tiers = try tiersOf(asset, path: path, tables: tables)
            let decimals = try WireNumber.required(asset["szDecimals"], "\(path).szDecimals")
            guard decimals.denominator == 1, decimals.signum >= 0, decimals <= Rational(18), let d = Int(decimals.description) else {
                throw ImportError("\(path).szDecimals", decimals.description, "expected a whole number of decimals from 0 to 18")
            }
            try book.add(name, mark: mark, tiers: tiers, field: "meta[1][\(k)].markPx",
                         maxPosition: mark.signum > 0 ? Self.maximumNotional / mark : nil, sizeStep: Rational.powerOfTen(-d))
        }
        guard !book.instruments.isEmpty else { throw ImportError("meta", nil, "no asset with a mark price (\(skipped.count) skipped)") }
        return Result(values: book.values(note: note), assets: book.instruments.map(\.id), skipped: skipped)
    }

    /// Margin table id → its tiers' (lowerBound, maxLeverage) with their paths.
    static func marginTables(_ value: JSONValue?) throws(ImportError) -> [Int: [(path: String, lower: Rational, leverage: Rational)]] {
        guard let value else { return [:] }
        guard case .array(let entries) = value else { throw ImportError("meta[0].marginTables", nil, "expected an array") }
        var out: [Int: [(String, Rational, Rational)]] = [:]
        for (k, entry) in entries.enumerated() {
            let path = "meta[0].marginTables[\(k)]"
            guard case .array(let pair) = entry, pair.count == 2, case .object(let table) = pair[1],
                  case .array(let tiers)? = table["marginTiers"] else { throw ImportError(path, nil, "expected [id, {marginTiers}]") }
            let id = try WireNumber.required(pair[0], "\(path)[0]")
            guard id.denominator == 1, let n = Int(id.description) else { throw ImportError("\(path)[0]", id.description, "a table id is an integer") }
            out[n] = try tiers.enumerated().map { (j, t) throws(ImportError) in
                let tpath = "\(path)[1].marginTiers[\(j)]"
                guard case .object(let tier) = t else { throw ImportError(tpath, nil, "expected an object") }
                return (tpath, try WireNumber.required(tier["lowerBound"], "\(tpath).lowerBound"), try WireNumber.required(tier["maxLeverage"], "\(tpath).maxLeverage"))
            }
        }
        return out
    }

    /// The asset's tiers: rate 1/(2·maxLeverage), deductions by continuity.
    static func tiersOf(_ asset: JSONObject, path: String, tables: [Int: [(path: String, lower: Rational, leverage: Rational)]]) throws(ImportError) -> [TieredBook.Tier] {
        var raw: [(path: String, lower: Rational, leverage: Rational)]
        if let idValue = asset["marginTableId"] {
            let id = try WireNumber.required(idValue, "\(path).marginTableId")
            guard id.denominator == 1, let n = Int(id.description) else { throw ImportError("\(path).marginTableId", id.description, "a table id is an integer") }
            if let table = tables[n] {
                raw = table
            } else if n > 0 && n < 50 {
                raw = [("\(path).marginTableId", .zero, id)]
            } else {
                throw ImportError("\(path).marginTableId", id.description, "not in marginTables (ids below 50 mean one tier at that leverage)")
            }
        } else {
            raw = [("\(path).maxLeverage", .zero, try WireNumber.required(asset["maxLeverage"], "\(path).maxLeverage"))]
        }
        raw.sort { $0.lower < $1.lower }
        var tiers: [(path: String, tier: TieredBook.Tier)] = []
        for (p, lower, leverage) in raw {
            guard leverage.signum > 0 else { throw ImportError(p, leverage.description, "a maximum leverage must be positive") }
            let rate = Rational.one / (Rational(2) * leverage)
            let deduction = tiers.last.map { $0.tier.deduction + lower * (rate - $0.tier.rate) } ?? .zero
            tiers.append((p, TieredBook.Tier(floor: lower, rate: rate, deduction: deduction)))
        }
        return try TieredBook.checkedTiers(tiers, fields: ("lowerBound", "maxLeverage", "maxLeverage"))
    }
}
