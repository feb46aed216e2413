import ArgumentParser
import Foundation
import Solvency
import VenueImport
import ZKMarginCLI
import ZKGroup

/// `zkmargin import <venue>`: risk values from what a venue publishes, read
/// exactly, for the library circuit that models the venue's rule.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write risk values (for `zkmargin publish`) from a venue's own published files.",
        discussion: """
        Each importer reads the venue's files as the venue serves them (JSON numbers, \
        strings, exponents, percentages and empty strings included), exactly: no number \
        passes through a binary float and nothing is rounded. It writes the values for the \
        library circuit that models the venue's rule, records the sources, their SHA-256 \
        and the time in the values' note, and refuses what it cannot represent, naming the \
        field, the value and why. Vectors/venues/ holds public samples of each format.

        Exit status: 0 written; 2 a file unreadable or refused; 64 usage error.
        """,
        subcommands: [BinanceImport.self, HyperliquidImport.self, DeribitImport.self]
    )
}

/// Runs an importer: its refusal becomes a field error (exit 2, naming the
/// field, the value and why), the values are written, and what was
/// imported and left out is reported.
func runImport(out: String, _ make: () throws(ImportError) -> (values: ValuesDocument, what: String, skipped: [String])) throws {
    let result: (values: ValuesDocument, what: String, skipped: [String])
    do { result = try make() } catch {
        throw SolvencyError.field(error.field, (error.value.map { "\($0): " } ?? "") + error.reason)
    }
    try FileIO.write(result.values.encoded, to: out, mode: FileIO.publicMode)
    Terminal.say("wrote \(out): \(result.what)")
    if !result.skipped.isEmpty {
        Terminal.say("left out \(result.skipped.count): \(result.skipped.prefix(5).joined(separator: ", "))\(result.skipped.count > 5 ? ", …" : "")")
    }
}

/// Provenance for the values' note: each input's name, SHA-256 and the time.
func importNote(_ venue: String, _ inputs: [(flag: String, path: String, bytes: [UInt8])]) -> String {
    let files = inputs.map { "--\($0.flag) \(URL(fileURLWithPath: $0.path).lastPathComponent) (sha256 \(SHA256.hash($0.bytes).hexString))" }
    return "Imported from \(venue) by zkmargin import at \(RFC3339.format(Date())): " + files.joined(separator: ", ")
}

struct BinanceImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "binance",
        abstract: "Binance USD-M futures: leverage brackets and mark prices → tiered-margin values.",
        discussion: """
        --brackets: the response of GET /fapi/v1/leverageBracket (or the ccxt/freqtrade \
        dump of it); --marks: GET /fapi/v1/premiumIndex. Every symbol settled in --quote \
        with brackets and a mark price becomes an instrument of Circuits/tiered-margin.zkm: \
        its mark, and per bracket its maintMarginRatio (mm_rate) and cum (deduction). \
        Binance's margin for a position of notional N is N·rate − cum of N's bracket; the \
        circuit proves the maximum over brackets, the same number when the brackets are \
        contiguous from 0, their rates do not decrease and each cum continues the previous \
        one: the importer checks this and refuses a symbol that breaks it. User-adjusted \
        brackets (notionalCoef ≠ 1) are refused. Symbols without a mark price are left out \
        and listed.

        Examples:
          zkmargin import binance --brackets leverageBracket.json \\
              --marks premiumIndex.json --out values.json
          zkmargin import binance --brackets Vectors/venues/binance/leverage_tiers_freqtrade.json \\
              --marks Vectors/venues/binance/premiumIndex.json --quote USDT --out values.json
        """
    )

    @Option(help: ArgumentHelp("GET /fapi/v1/leverageBracket's response.", valueName: "BRACKETS.json"))
    var brackets: String

    @Option(help: ArgumentHelp("GET /fapi/v1/premiumIndex's response.", valueName: "MARKS.json"))
    var marks: String

    @Option(help: ArgumentHelp("The margin asset: symbols settled in it are imported.", valueName: "ASSET"))
    var quote = "USDT"

    @Option(help: ArgumentHelp("The values file to write.", valueName: "VALUES.json"))
    var out: String

    func run() throws {
        let b = try FileIO.read(brackets), m = try FileIO.read(marks)
        try runImport(out: out) { () throws(ImportError) in
            let r = try BinanceImporter.values(brackets: b, marks: m, quote: quote,
                                               note: importNote(BinanceImporter.venue, [("brackets", brackets, b), ("marks", marks, m)]))
            return (r.values, "\(r.symbols.count) instruments of \(BinanceImporter.venue) for circuit \(BinanceImporter.circuit)",
                    r.skipped.map { "\($0.symbol) (\($0.reason))" })
        }
    }
}

struct HyperliquidImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hyperliquid",
        abstract: "Hyperliquid perpetuals: metaAndAssetCtxs → tiered-margin values.",
        discussion: """
        --meta: the response of POST /info {"type": "metaAndAssetCtxs"}. Every listed \
        asset with a mark price becomes an instrument of Circuits/tiered-margin.zkm: its \
        markPx and, per tier of its margin table, the maintenance rate 1/(2·maxLeverage) \
        (written exactly, e.g. 1/6 at 3x) and the deduction that keeps the margin \
        continuous. Delisted assets and assets without a mark are left out and listed.

        Examples:
          zkmargin import hyperliquid --meta metaAndAssetCtxs.json --out values.json
        """
    )

    @Option(help: ArgumentHelp("The metaAndAssetCtxs response.", valueName: "META.json"))
    var meta: String

    @Option(help: ArgumentHelp("The margin asset.", valueName: "ASSET"))
    var quote = "USDC"

    @Option(help: ArgumentHelp("The values file to write.", valueName: "VALUES.json"))
    var out: String

    func run() throws {
        let bytes = try FileIO.read(meta)
        try runImport(out: out) { () throws(ImportError) in
            let r = try HyperliquidImporter.values(meta: bytes, quote: quote, note: importNote(HyperliquidImporter.venue, [("meta", meta, bytes)]))
            return (r.values, "\(r.assets.count) instruments of \(HyperliquidImporter.venue) for circuit tiered-margin", r.skipped.map { "\($0.asset) (\($0.reason))" })
        }
    }
}

struct DeribitImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deribit",
        abstract: "Deribit inverse options: instruments and book summary → options-standard values.",
        discussion: """
        --instruments: public/get_instruments; --book: public/get_book_summary_by_currency. \
        Every option settled in --currency with a book entry becomes an instrument of \
        Circuits/options-standard.zkm, in USD: mark = mark_price × index, underlying = \
        the index (estimated_delivery_price), the floor 0.075 of the underlying, and for \
        puts also 0.075 of the mark (Deribit's put floor), the contract size and the \
        amount step (min_trade_amount). The coin is the one asset, priced at the index; \
        an account's entry prices are in USD.

        Examples:
          zkmargin import deribit --instruments get_instruments.json \\
              --book get_book_summary_by_currency.json --out values.json
        """
    )

    @Option(help: ArgumentHelp("public/get_instruments's response.", valueName: "INSTRUMENTS.json"))
    var instruments: String

    @Option(help: ArgumentHelp("public/get_book_summary_by_currency's response.", valueName: "BOOK.json"))
    var book: String

    @Option(help: ArgumentHelp("The settlement coin.", valueName: "COIN"))
    var currency = "BTC"

    @Option(help: ArgumentHelp("The values file to write.", valueName: "VALUES.json"))
    var out: String

    func run() throws {
        let i = try FileIO.read(instruments), b = try FileIO.read(book)
        try runImport(out: out) { () throws(ImportError) in
            let r = try DeribitImporter.values(instruments: i, book: b, currency: currency,
                                               note: importNote(DeribitImporter.venue, [("instruments", instruments, i), ("book", book, b)]))
            return (r.values, "\(r.options.count) options of \(DeribitImporter.venue) for circuit options-standard", r.skipped.map { "\($0.name) (\($0.reason))" })
        }
    }
}
