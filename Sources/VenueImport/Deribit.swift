import MarginCircuits
import StrictJSON

/// Deribit inverse options (standard margin) → `Circuits/options-standard.zkm`.
///
/// Inputs, the venue's JSON-RPC responses:
/// * `--instruments`: `public/get_instruments` (`result`: `{instrument_name,
///   kind, option_type, contract_size, min_trade_amount, base_currency,
///   settlement_currency, …}`);
/// * `--book`: `public/get_book_summary_by_currency` (`result`:
///   `{instrument_name, mark_price, estimated_delivery_price, …}`), the mark
///   in the coin per contract and the index in USD.
///
/// Deribit's maintenance margin of a short option, per contract in the coin:
/// call 0.075 + mark, put max(0.075, 0.075 × mark) + mark; long options need
/// none. In USD with the index U and the USD mark m = mark × U: call 0.075·U
/// + m, put max(0.075·U, 0.075·m) + m. So each option gets `mark` = m,
/// `underlying` = U, `mm_rate` = 0.075, `mark_floor_rate` = 0.075 for puts
/// and 0 for calls, `multiplier` = contract_size and `size_step` =
/// min_trade_amount (Deribit's amount step); the coin is the one asset,
/// priced at U, and the quote currency is USD. An account's entry prices are
/// in USD (the coin price × U).
///
/// Refused: instruments that are not options settled in the coin, book
/// entries that disagree on the index (the coin has one price), an option
/// type other than call or put. Left out (and listed): options without a
/// book entry.
public enum DeribitImporter {
    public static let venue = "Deribit options"
    /// Deribit's standard-margin floor, as a fraction of the underlying (and of the mark for puts).
    static let floorRate = Rational(75) / Rational(1000)

    public struct Result: Sendable {
        public let values: ValuesDocument
        public let options: [String]
        public let skipped: [(name: String, reason: String)]
    }

    public static func values(instruments instrumentBytes: [UInt8], book bookBytes: [UInt8], currency: String = "BTC", note: String) throws(ImportError) -> Result {
        let instruments = try results(instrumentBytes, "instruments")
        let book = try results(bookBytes, "book")
        var summaries: [String: (mark: Rational, index: Rational)] = [:]
        var index: Rational? = nil
        for (k, entry) in book.enumerated() {
            let path = "book.result[\(k)]"
            guard case .object(let o) = entry else { throw ImportError(path, nil, "expected an object") }
            let name = try WireNumber.string(o["instrument_name"], "\(path).instrument_name")
            let mark = try WireNumber.required(o["mark_price"], "\(path).mark_price")
            let u = try WireNumber.required(o["estimated_delivery_price"], "\(path).estimated_delivery_price")
            guard mark.signum >= 0 else { throw ImportError("\(path).mark_price", mark.description, "a mark price cannot be negative") }
            guard u.signum > 0 else { throw ImportError("\(path).estimated_delivery_price", u.description, "the index must be positive") }
            if let i = index, i != u {
                throw ImportError("\(path).estimated_delivery_price", u.description, "the book disagrees on the index (\(i) before): the coin has one price")
            }
            index = u
            summaries[name] = (mark, u)
        }
        var elements: [ValuesDocument.Element] = []
        var skipped: [(String, String)] = []
        for (k, entry) in instruments.enumerated() {
            let path = "instruments.result[\(k)]"
            guard case .object(let o) = entry else { throw ImportError(path, nil, "expected an object") }
            let name = try WireNumber.string(o["instrument_name"], "\(path).instrument_name")
            guard case .string("option")? = o["kind"] else { skipped.append((name, "not an option")); continue }
            let settles = try WireNumber.string(o["settlement_currency"], "\(path).settlement_currency")
            let base = try WireNumber.string(o["base_currency"], "\(path).base_currency")
            guard settles == currency, base == currency else { skipped.append((name, "not a \(currency)-settled inverse option")); continue }
            guard let s = summaries[name] else { skipped.append((name, "no book entry")); continue }
            let type = try WireNumber.string(o["option_type"], "\(path).option_type")
            guard type == "call" || type == "put" else { throw ImportError("\(path).option_type", type, "expected call or put") }
            let contract = try WireNumber.required(o["contract_size"], "\(path).contract_size")
            let step = try WireNumber.required(o["min_trade_amount"], "\(path).min_trade_amount")
            guard contract.signum > 0, step.signum > 0 else { throw ImportError("\(path).contract_size", contract.description, "contract size and min_trade_amount must be positive") }
            var e = ValuesDocument.Element(id: name)
            e.set("mark", s.mark * s.index)
            e.set("underlying", s.index)
            e.set("mm_rate", floorRate)
            if type == "put" { e.set("mark_floor_rate", floorRate) }
            e.set("multiplier", contract)
            e.set("size_step", step)
            elements.append(e)
        }
        guard let index, !elements.isEmpty else { throw ImportError("instruments", nil, "no \(currency) option has a book entry (\(skipped.count) left out)") }
        var doc = ValuesDocument(venue: venue, quote: "USD", circuit: "options-standard", note: note)
        var coin = ValuesDocument.Element(id: currency)
        coin.set("price", index)
        doc.addSet("assets", elements: [coin])
        doc.addSet("instruments", elements: elements)
        return Result(values: doc, options: elements.map(\.id), skipped: skipped)
    }

    /// The `result` array of a JSON-RPC response (or a bare array).
    static func results(_ bytes: [UInt8], _ what: String) throws(ImportError) -> [JSONValue] {
        switch try WireDocument.parse(bytes, what) {
        case .array(let a): return a
        case .object(let o):
            guard case .array(let a)? = o["result"] else { throw ImportError("\(what).result", nil, "expected the response's result array") }
            return a
        default: throw ImportError(what, nil, "expected a JSON-RPC response")
        }
    }
}
