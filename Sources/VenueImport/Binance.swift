public import MarginCircuits
public import StrictJSON

/// Binance USDⓈ-M futures → `Circuits/tiered-margin.zkm`.
///
/// Inputs (the venue's own files, as it sends them):
/// * `--brackets`: `GET /fapi/v1/leverageBracket`, an array of
///   `{symbol, notionalCoef?, brackets: [{bracket, initialLeverage,
///   notionalCap, notionalFloor, maintMarginRatio, cum}]}` (or one such
///   object), numbers as JSON numbers or strings; also the ccxt/freqtrade
///   dump of the same brackets (`{"BTC/USDT:USDT": [{…, "info": {bracket
///   fields}}]}`), whose keys map to Binance's symbols as base + quote.
/// * `--marks`: `GET /fapi/v1/premiumIndex`, `[{symbol, markPrice, …}]`.
///
/// What it writes: one asset, the quote (price 1, no haircut: single-asset
/// mode); per symbol settled in the quote with both brackets and a mark
/// price, its mark, `max_position` = the last bracket's cap / mark (no
/// larger position exists on Binance), and, per bracket k (tiers `1`…`K`),
/// `mm_rate` = maintMarginRatio and `deduction` = cum. The size step stays
/// the circuit's default, 1e-8 (the brackets and marks do not carry
/// Binance's stepSize; every stepSize is a multiple of it). Binance's maintenance margin for a
/// position of notional N = |size|·mark is N·r_k − cum_k for the bracket
/// with floor_k < N ≤ cap_k; the circuit proves max over k of (N·r_k −
/// cum_k), which is the same number exactly when the brackets are
/// contiguous from 0, the rates do not decrease and cum_k = cum_{k−1} +
/// floor_k·(r_k − r_{k−1}), cum_1 = 0. The importer checks all of that and
/// refuses a symbol that breaks it, naming the bracket.
///
/// Refused: `notionalCoef` other than 1 (user-adjusted brackets: Binance
/// does not document whether the caps it returns include it, so neither
/// applying nor ignoring it can be shown right), dated futures in the ccxt
/// dump, brackets that are not as above.
public enum BinanceImporter {
    public static let venue = "Binance USD-M futures"
    public static let circuit = "tiered-margin"

    /// One symbol's brackets, in order of notionalFloor.
    public struct Bracket: Sendable, Equatable {
        public let floor: Rational
        public let cap: Rational
        public let rate: Rational
        public let cum: Rational
    }

    /// What was imported and what was left out (and why), for the command to report.
    public struct Result: Sendable {
        public let values: ValuesDocument
        public let symbols: [String]
        /// Symbols with brackets but no mark price, or settled in another asset.
        public let skipped: [(symbol: String, reason: String)]
    }

    /// The values for `quote`-settled symbols. `note` records the sources.
    public static func values(brackets bracketBytes: [UInt8], marks markBytes: [UInt8], quote: String = "USDT", note: String) throws(ImportError) -> Result {
        let brackets = try readBrackets(try WireDocument.parse(bracketBytes, "brackets"))
        let marks = try readMarks(try WireDocument.parse(markBytes, "marks"))
        var book = TieredBook(venue: venue, quote: quote)
        var skipped: [(String, String)] = []
        for (symbol, list) in brackets.sorted(by: { $0.key < $1.key }) {
            guard symbol.hasSuffix(quote) else { skipped.append((symbol, "settled in another asset than \(quote)")); continue }
            guard let mark = marks[symbol] else { skipped.append((symbol, "no mark price in --marks")); continue }
            // Binance lets no position's notional pass the last cap: the
            // circuit bounds |size| by cap / mark, so beyond it an account is
            // refused as Binance would refuse the position.
            try book.add(symbol, mark: mark, tiers: list.map { TieredBook.Tier(floor: $0.floor, rate: $0.rate, deduction: $0.cum) },
                         field: "marks[\(symbol)].markPrice", maxPosition: mark.signum > 0 ? list.last!.cap / mark : nil)
        }
        guard !book.instruments.isEmpty else {
            throw ImportError("brackets", nil, "no \(quote)-settled symbol has both brackets and a mark price (\(skipped.count) skipped)")
        }
        return Result(values: book.values(note: note), symbols: book.instruments.map(\.id), skipped: skipped)
    }

    /// Brackets per Binance symbol, checked (see the type's comment).
    public static func readBrackets(_ doc: JSONValue) throws(ImportError) -> [String: [Bracket]] {
        var raw: [(symbol: String, path: String, items: [(path: String, fields: JSONObject)])] = []
        switch doc {
        case .array(let entries):
            for (k, entry) in entries.enumerated() { raw.append(try wireEntry(entry, "brackets[\(k)]")) }
        case .object(let o) where o["brackets"] != nil:
            raw.append(try wireEntry(doc, "brackets"))
        case .object(let o):
            for key in o.keys {
                let path = "brackets[\(jsonQuoted(key))]"
                guard case .array(let tiers)? = o[key] else { throw ImportError(path, nil, "expected an array of tiers") }
                raw.append((try ccxtSymbol(key, path), path, try tiers.enumerated().map { (k, t) throws(ImportError) in
                    guard case .object(let tier) = t, case .object(let info)? = tier["info"] else {
                        throw ImportError("\(path)[\(k)].info", nil, "expected Binance's bracket object")
                    }
                    return ("\(path)[\(k)].info", info)
                }))
            }
        default:
            throw ImportError("brackets", nil, "expected Binance's leverageBracket array")
        }
        var out: [String: [Bracket]] = [:]
        for entry in raw {
            guard out[entry.symbol] == nil else { throw ImportError(entry.path, entry.symbol, "the symbol appears twice") }
            out[entry.symbol] = try checked(entry.symbol, entry.items)
        }
        return out
    }

    /// `{symbol, notionalCoef?, brackets}` of the wire format.
    static func wireEntry(_ value: JSONValue, _ path: String) throws(ImportError) -> (symbol: String, path: String, items: [(path: String, fields: JSONObject)]) {
        guard case .object(let o) = value else { throw ImportError(path, nil, "expected an object") }
        let symbol = try WireNumber.string(o["symbol"], "\(path).symbol")
        if let coef = o["notionalCoef"] {
            let c = try WireNumber.required(coef, "\(path).notionalCoef")
            guard c == .one else {
                throw ImportError("\(path).notionalCoef", c.description,
                                  "user-adjusted brackets (notionalCoef ≠ 1) are refused: Binance does not document whether notionalCap already includes the coefficient; import the brackets of an unadjusted account")
            }
        }
        guard case .array(let items)? = o["brackets"] else { throw ImportError("\(path).brackets", nil, "expected an array") }
        return (symbol, path, try items.enumerated().map { (k, item) throws(ImportError) in
            guard case .object(let b) = item else { throw ImportError("\(path).brackets[\(k)]", nil, "expected an object") }
            return ("\(path).brackets[\(k)]", b)
        })
    }

    /// `BASE/QUOTE:SETTLE` → `BASEQUOTE`; dated futures (`…:USDT-250328`) refused.
    static func ccxtSymbol(_ key: String, _ path: String) throws(ImportError) -> String {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ImportError(path, key, "expected BASE/QUOTE:SETTLE") }
        let rest = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard rest.count == 2, !rest[1].isEmpty, !rest[1].contains("-") else {
            throw ImportError(path, key, "only linear perpetuals (BASE/QUOTE:SETTLE) are imported")
        }
        return String(parts[0]) + String(rest[0])
    }

    /// One symbol's brackets in notionalFloor order, contiguous (each
    /// floor the previous cap) and checked as `TieredBook.checkedTiers`.
    static func checked(_ symbol: String, _ items: [(path: String, fields: JSONObject)]) throws(ImportError) -> [Bracket] {
        guard !items.isEmpty else { throw ImportError(symbol, nil, "no brackets") }
        var list: [(path: String, bracket: Bracket)] = []
        for (path, b) in items {
            let bracket = Bracket(floor: try WireNumber.required(b["notionalFloor"], "\(path).notionalFloor"),
                                  cap: try WireNumber.required(b["notionalCap"], "\(path).notionalCap"),
                                  rate: try WireNumber.required(b["maintMarginRatio"], "\(path).maintMarginRatio"),
                                  cum: try WireNumber.required(b["cum"], "\(path).cum"))
            guard bracket.floor < bracket.cap else { throw ImportError("\(path).notionalCap", bracket.cap.description, "not above notionalFloor \(bracket.floor)") }
            list.append((path, bracket))
        }
        list.sort { $0.bracket.floor < $1.bracket.floor }
        for k in list.indices.dropFirst() where list[k].bracket.floor != list[k - 1].bracket.cap {
            throw ImportError("\(list[k].path).notionalFloor", list[k].bracket.floor.description, "the brackets are not contiguous: the previous one ends at \(list[k - 1].bracket.cap)")
        }
        _ = try TieredBook.checkedTiers(list.map { ($0.path, TieredBook.Tier(floor: $0.bracket.floor, rate: $0.bracket.rate, deduction: $0.bracket.cum)) },
                                        fields: ("notionalFloor", "maintMarginRatio", "cum"))
        return list.map(\.bracket)
    }

    /// markPrice per symbol.
    public static func readMarks(_ doc: JSONValue) throws(ImportError) -> [String: Rational] {
        let entries: [JSONValue]
        switch doc {
        case .array(let a): entries = a
        case .object: entries = [doc]
        default: throw ImportError("marks", nil, "expected premiumIndex's array")
        }
        var out: [String: Rational] = [:]
        for (k, entry) in entries.enumerated() {
            guard case .object(let o) = entry else { throw ImportError("marks[\(k)]", nil, "expected an object") }
            let symbol = try WireNumber.string(o["symbol"], "marks[\(k)].symbol")
            guard out[symbol] == nil else { throw ImportError("marks[\(k)].symbol", symbol, "the symbol appears twice") }
            out[symbol] = try WireNumber.required(o["markPrice"], "marks[\(k)].markPrice")
        }
        return out
    }
}
