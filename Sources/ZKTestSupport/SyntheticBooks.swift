package import MarginCircuits
import Foundation

/// Risk values for real-size venue books, deterministic, and an account
/// that holds some of their instruments: what the limits tests compile and
/// `zkmargin bench circuits` proves. Instruments are `I0`, `I1`, …, assets
/// `A0`, …; tiered-margin gets Binance-like brackets (rates rising by 0.25
/// points, deductions keeping the margin continuous, floors doubling from
/// 50 000), rounded-margin dYdX-like initial fractions (2–20 %) and
/// maintenance fractions (50 or 60 % of them), portfolio-margin a loss per scenario and, on every other
/// instrument, a short-option minimum.
package enum SyntheticBooks {
    /// `circuit` with `instruments` instruments, `assets` assets, `tiers`
    /// brackets (tiered-margin) and `scenarios` scenarios (portfolio-margin).
    package static func values(circuit: String, instruments n: Int, assets: Int = 20, tiers: Int = 12, scenarios: Int = 16) -> String {
        var rng = SplitMix64(seed: 11)
        func price() -> String {   // 1.00 … 99999.99
            let cents = 100 + Int(rng.next() % 9_999_900)
            return "\(cents / 100).\(String(format: "%02d", cents % 100))"
        }
        var assetList: [String] = []
        for a in 0..<assets {
            assetList.append(#"{"id": "A\#(a)", "price": "\#(price())", "haircut": "0.\#(String(format: "%02d", Int(rng.next() % 30)))"}"#)
        }
        let tierIDs = (1...tiers).map { "\($0)" }
        let scenarioIDs = (1...scenarios).map { "s\($0)" }
        var instruments: [String] = []
        for i in 0..<n {
            var fields = [#""id": "I\#(i)""#, #""mark": "\#(price())""#]
            switch circuit {
            case "cross-margin":
                fields.append(#""mm_rate": "0.\#(String(format: "%04d", 10 + Int(rng.next() % 490)))""#)
            case "tiered-margin":
                // Binance-like brackets: rates rise, deductions keep MM continuous.
                var rate = Rational(Int(rng.next() % 20) + 40) / Rational(10_000)
                var deduction = Rational.zero
                var floor = Rational(50_000)
                var rates: [String] = [], deductions: [String] = []
                for t in tierIDs {
                    rates.append(#""\#(t)": "\#(rate)""#)
                    deductions.append(#""\#(t)": "\#(deduction)""#)
                    let next = rate + Rational(25) / Rational(10_000)
                    deduction = deduction + floor * (next - rate)
                    rate = next
                    floor = floor * Rational(2)
                }
                fields.append(#""mm_rate": {\#(rates.joined(separator: ", "))}"#)
                fields.append(#""deduction": {\#(deductions.joined(separator: ", "))}"#)
            case "portfolio-margin":
                let losses = scenarioIDs.map { #""\#($0)": "\#(Int(rng.next() % 20001) - 10000).\#(Int(rng.next() % 100))""# }
                fields.append(#""loss": {\#(losses.joined(separator: ", "))}"#)
                if i % 2 == 1 { fields.append(#""short_option_min": "\#(Int(rng.next() % 1000) + 1).5""#) }
            case "rounded-margin":
                // dYdX-like: an initial fraction of 2–20 %, maintenance 50–60 % of it.
                fields.append(#""im_rate": "0.\#(String(format: "%02d", 2 + Int(rng.next() % 19)))""#)
                fields.append(#""mm_fraction": "0.\#(5 + Int(rng.next() % 2))""#)
            case "options-standard":
                fields.append(#""underlying": "\#(price())""#)
                fields.append(#""mm_rate": "0.075""#)
            default:
                break
            }
            instruments.append("{" + fields.joined(separator: ", ") + "}")
        }
        var json = #"{"venue": "Real size", "quote": "USD", "circuit": "\#(circuit)", "assets": [\#(assetList.joined(separator: ", "))], "instruments": [\#(instruments.joined(separator: ",\n"))]"#
        if circuit == "tiered-margin" { json += #", "tiers": [\#(tierIDs.map { "\"\($0)\"" }.joined(separator: ", "))]"# }
        if circuit == "portfolio-margin" { json += #", "scenarios": [\#(scenarioIDs.map { "\"\($0)\"" }.joined(separator: ", "))]"# }
        return json + "}"
    }

    /// An account holding every 7th instrument and two assets.
    package static func account(instruments n: Int) -> Account {
        var rng = SplitMix64(seed: 5)
        var positions: [String: Account.Position] = [:]
        for i in stride(from: 0, to: n, by: 7) {
            positions["I\(i)"] = .init(size: Rational(Int(rng.next() % 20001) - 10000) / Rational(1000),
                                       entryPrice: Rational(Int(rng.next() % 1_000_000)) / Rational(100))
        }
        return Account(label: "real-size", balances: ["A0": Rational(10_000_000), "A3": Rational(125) / Rational(10)], positions: positions)
    }
}

/// A deterministic generator (SplitMix64), for synthetic books and random
/// tests that must reproduce.
package struct SplitMix64: Sendable {
    var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    package mutating func below(_ k: Int) -> Int { Int(next() % UInt64(k)) }
    package mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}
