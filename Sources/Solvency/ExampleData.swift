// Example data embedded in the library so that `zkmargin demo` needs no file
// from the working directory. `ExampleDataTests` checks the circuit is
// byte-for-byte Circuits/cross-margin.zkm and the values and accounts are
// the ones in Vectors/examples/cross-margin/.

/// The embedded examples.
public enum ExampleData {
    /// Circuits/cross-margin.zkm.
    public static let crossMarginSource = #"""
// cross-margin — one collateral pool against a flat maintenance rate per market.
//
// Models: dYdX v4 (maintenance fraction per perpetual market, USDC
// collateral), StarkEx perpetuals (risk factor per synthetic asset), and
// Binance USDⓈ-M futures in their first (single) bracket.
//
// Equity = Σ balance · price · (1 − haircut)            collateral
//        + Σ size · mark · multiplier − cost            unrealized PnL
// where cost = size · entry_price · multiplier is committed by the custodian,
// so PnL stays linear in the committed values.
// Requirement = Σ |size| · mark · multiplier · mm_rate  (+ an optional buffer).
//
// Simplifies: a single maintenance rate per market whatever the position's
// size (see tiered-margin for brackets); funding payments, fees and the
// venues' insurance-fund and liquidation-fee add-ons are not modelled;
// collateral other than the quote currency is valued with a flat haircut.

set assets
set instruments

param price[a in assets] >= 0             // quote currency per unit of the asset
param haircut[a in assets] in [0, 1] default 0
param mark[i in instruments] >= 0         // mark price, quote currency
param mm_rate[i in instruments] in [0, 1] // maintenance margin fraction
param multiplier[i in instruments] >= 0 default 1
param buffer >= 0 default 0               // public excess the account must keep above maintenance

private balance[a in assets] from balance in [0, 1e12] scale 1e-8
private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8
private cost[i in instruments] from size * entry_price * multiplier[i] in [-1e15, 1e15] scale 1e-12

let collateral = sum(a in assets: balance[a] * price[a] * (1 - haircut[a]))
let unrealized = sum(i in instruments: size[i] * mark[i] * multiplier[i] - cost[i])
let equity = collateral + unrealized
let notional[i in instruments] = abs(size[i]) * mark[i] * multiplier[i]

require maintenance: equity >= sum(i in instruments: notional[i] * mm_rate[i]) + buffer

"""#

    /// Vectors/examples/cross-margin/values.json.
    public static let crossMarginValues = #"""
{
  "format": "zkmargin/values@1",
  "venue": "Example Exchange",
  "quote": "USD",
  "circuit": "cross-margin",
  "assets": [
    { "id": "BTC", "price": "97000", "haircut": "0.05" },
    { "id": "USDC", "price": "1", "haircut": "0" }
  ],
  "instruments": [
    { "id": "BTC-PERP", "mark": "97010.5", "mm_rate": "0.005", "multiplier": "1" },
    { "id": "ETH-PERP", "mark": "3400.25", "mm_rate": "0.01", "multiplier": "1" }
  ]
}

"""#

    /// Vectors/examples/cross-margin/solvent.json: meets its margin.
    public static let solventAccount = #"""
{
  "account": "fund-7/subacct-2",
  "balances": { "BTC": "1.25", "USDC": "50000" },
  "positions": {
    "BTC-PERP": { "size": "-2.5", "entry_price": "96000" },
    "ETH-PERP": { "size": "10", "entry_price": "3400" }
  }
}

"""#

    /// Vectors/examples/cross-margin/short.json: short of its margin.
    public static let shortAccount = #"""
{
  "account": "fund-7/subacct-4",
  "balances": { "USDC": "4076.40624" },
  "positions": {
    "BTC-PERP": { "size": "-2.5", "entry_price": "96000" },
    "ETH-PERP": { "size": "10", "entry_price": "3400" }
  }
}

"""#
}
