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
        subcommands: [BinanceImport.self, BybitImport.self, HyperliquidImport.self, DydxImport.self, DeribitImport.self]
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

struct BybitImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bybit",
        abstract: "Bybit linear perpetuals: risk limits and tickers → tiered-margin values.",
        discussion: """
        --risk-limits: GET /v5/market/risk-limit?category=linear (the list is paginated: \
        repeat the option once per page); --tickers: GET /v5/market/tickers?category=linear. \
        Every symbol settled in --quote with tiers and a mark price becomes an instrument \
        of Circuits/tiered-margin.zkm: its markPrice and, per tier (ascending \
        riskLimitValue), maintenanceMargin (mm_rate) and mmDeduction (deduction). \
        maintenanceMargin is read as a FRACTION of the position value ("0.005" = 0.5 %, \
        Bybit's "maintain margin rate"; a string ending in % as a percentage); a tier whose \
        initialMargin × maxLeverage is not 1 (to maxLeverage's two decimals), as in Bybit's \
        documentation example ("0.5" and "1" at 100x), reads as percentages and is refused \
        rather than guessed. mmDeduction "" is 0 on the lowest tier and refused above it. \
        Bybit's margin for a position of value V is V·rate − deduction of the first tier \
        with V ≤ riskLimitValue; the circuit proves the maximum over tiers, the same number \
        when the rates do not fall and each deduction follows Bybit's recurrence: the \
        importer checks this and refuses a symbol that breaks it. No position may exceed the \
        largest riskLimitValue (max_position = that / mark). Inverse contracts are refused; \
        symbols settled in another coin or without a mark are left out and listed.

        Examples:
          zkmargin import bybit --risk-limits risk-limit-page1.json \\
              --risk-limits risk-limit-page2.json --tickers tickers.json --out values.json
        """
    )

    @Option(help: ArgumentHelp("A page of GET /v5/market/risk-limit's response (repeat for every page).", valueName: "RISK-LIMIT.json"))
    var riskLimits: [String]

    @Option(help: ArgumentHelp("GET /v5/market/tickers's response.", valueName: "TICKERS.json"))
    var tickers: String

    @Option(help: ArgumentHelp("The settlement coin: symbols settled in it are imported.", valueName: "COIN"))
    var quote = "USDT"

    @Option(help: ArgumentHelp("The values file to write.", valueName: "VALUES.json"))
    var out: String

    func run() throws {
        let pages = try riskLimits.map { try FileIO.read($0) }, t = try FileIO.read(tickers)
        let inputs = zip(riskLimits, pages).map { ("risk-limits", $0.0, $0.1) } + [("tickers", tickers, t)]
        try runImport(out: out) { () throws(ImportError) in
            let r = try BybitImporter.values(riskLimits: pages, tickers: t, quote: quote, note: importNote(BybitImporter.venue, inputs))
            return (r.values, "\(r.symbols.count) instruments of \(BybitImporter.venue) for circuit \(BybitImporter.circuit)",
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

struct DydxImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dydx",
        abstract: "dYdX v4 perpetuals: genesis or REST perpetuals, liquidity tiers and prices → rounded-margin values.",
        discussion: """
        --genesis: a dYdX Chain genesis (app_state.perpetuals and app_state.prices); or \
        the three REST answers --perpetuals (/dydxprotocol/perpetuals/perpetual), \
        --liquidity-tiers (/dydxprotocol/perpetuals/liquidity_tiers) and --prices \
        (/dydxprotocol/prices/market), each of which may also be a genesis. Every perpetual \
        with a market price becomes an instrument of Circuits/rounded-margin.zkm: mark = \
        price × 10^exponent, size_step = 10^atomic_resolution (the base quantum: a size \
        off it is refused, as the chain has none), im_rate = initial_margin_ppm / 10^6, \
        mm_fraction = maintenance_fraction_ppm / 10^6, and notional_slack, with which the \
        requirement is the chain's exactly: per position ⌈⌈|notional| · im_rate⌉ · \
        mm_fraction⌉ in whole 10^-6 USDC, the notional truncated to 10^-6. Equity is the \
        quote balance as the chain stores it (negative when borrowed) plus each position's \
        value rounded down to 10^-6 USDC: the chain's exactly for longs and for shorts \
        whose value is a whole number of 10^-6 USDC; for other shorts 10^-6 USDC below the \
        chain's (which truncates toward zero), so zkmargin can only be stricter. Entry \
        prices are not read. Perpetuals without a price are left out and listed.

        Examples:
          zkmargin import dydx --genesis genesis.json --out values.json
          zkmargin import dydx --perpetuals perpetual.json --liquidity-tiers tiers.json \\
              --prices market.json --out values.json
        """
    )

    @Option(help: ArgumentHelp("A dYdX Chain genesis (instead of the three files below).", valueName: "GENESIS.json"))
    var genesis: String?

    @Option(help: ArgumentHelp("/dydxprotocol/perpetuals/perpetual's answer.", valueName: "PERPETUALS.json"))
    var perpetuals: String?

    @Option(help: ArgumentHelp("/dydxprotocol/perpetuals/liquidity_tiers's answer.", valueName: "TIERS.json"))
    var liquidityTiers: String?

    @Option(help: ArgumentHelp("/dydxprotocol/prices/market's answer.", valueName: "PRICES.json"))
    var prices: String?

    @Option(help: ArgumentHelp("The quote asset.", valueName: "ASSET"))
    var quote = "USDC"

    @Option(help: ArgumentHelp("The values file to write.", valueName: "VALUES.json"))
    var out: String

    func validate() throws {
        let three = [perpetuals, liquidityTiers, prices]
        if genesis != nil {
            guard three.allSatisfy({ $0 == nil }) else { throw ValidationError("give --genesis, or --perpetuals, --liquidity-tiers and --prices, not both") }
        } else {
            guard three.allSatisfy({ $0 != nil }) else { throw ValidationError("give --genesis, or all three of --perpetuals, --liquidity-tiers and --prices") }
        }
    }

    func run() throws {
        let paths = genesis.map { [("genesis", $0)] } ?? [("perpetuals", perpetuals!), ("liquidity-tiers", liquidityTiers!), ("prices", prices!)]
        let files = try paths.map { ($0.0, $0.1, try FileIO.read($0.1)) }
        let p = files[0].2, t = files[files.count == 3 ? 1 : 0].2, m = files[files.count == 3 ? 2 : 0].2
        try runImport(out: out) { () throws(ImportError) in
            let r = try DydxImporter.values(perpetuals: p, liquidityTiers: t, prices: m, quote: quote, note: importNote(DydxImporter.venue, files))
            return (r.values, "\(r.markets.count) instruments of \(DydxImporter.venue) for circuit \(DydxImporter.circuit)",
                    r.skipped.map { "\($0.ticker) (\($0.reason))" })
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
