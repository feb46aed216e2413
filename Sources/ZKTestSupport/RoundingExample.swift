/// A circuit that rounds as dYdX v4 does, for the tests of `ceil`/`floor`
/// (SPEC.md §16.4, "Rounding helpers"): equity rounded down and each
/// position's maintenance requirement rounded up to 10^-6 USD.
///
/// The account's positions (`account(balance:btc:)`): A: 0.0000034 × 3 × 0.1
/// = 0.00000102, just above a multiple of 10^-6 (rounds to 0.000002); B:
/// 0.000005 × 2 × 0.5 = 0.000005, exactly on one; C: 0.0000014 × 7 × 0.1 =
/// 0.00000098, just below one (0.000001). Rounded requirement 0.000008,
/// unrounded 0.000007. BTC adds a real-sized term when held.
package enum RoundingExample {
    package static let circuit = """
        set assets
        set instruments
        param mark[i in instruments] >= 0
        param mm_rate[i in instruments] in [0, 1]
        param quantum >= 0 default 0.000001
        private balance[a in assets] from balance in [0, 1e12] scale 1e-8
        private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8
        let equity = sum(a in assets: floor(balance[a], quantum))
        require maintenance: equity >= sum(i in instruments: ceil(abs(size[i]) * mark[i] * mm_rate[i], quantum))
        """

    package static let values = #"""
        {"venue": "Test", "quote": "USD", "circuit": "rounding", "assets": ["USDC"],
         "instruments": [{"id": "A", "mark": "3", "mm_rate": "0.1"}, {"id": "B", "mark": "2", "mm_rate": "0.5"},
                         {"id": "C", "mark": "7", "mm_rate": "0.1"}, {"id": "BTC", "mark": "97010.5", "mm_rate": "0.03"}]}
        """#

    /// The account holding A, B, C (and `btc` of BTC) and `balance` USDC.
    package static func account(balance: String, btc: String = "0") -> String {
        #"{"account": "fund-r", "balances": {"USDC": "\#(balance)"}, "positions": {"A": {"size": "0.0000034"}, "B": {"size": "0.000005"}, "C": {"size": "-0.0000014"}, "BTC": {"size": "\#(btc)"}}}"#
    }
}
