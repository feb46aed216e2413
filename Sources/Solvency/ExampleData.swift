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
// Equity = Σ balance · price − Σ max(balance, 0) · price · haircut    collateral
//        + Σ size · mark · multiplier − cost                          unrealized PnL
// where cost = size · entry_price · multiplier is committed by the custodian,
// so PnL stays linear in the committed values.
// Requirement = Σ |size| · mark · multiplier · mm_rate  (+ an optional buffer).
//
// Simplifies: a single maintenance rate per market whatever the position's
// size (see tiered-margin for brackets); funding payments, fees and the
// venues' insurance-fund and liquidation-fee add-ons are not modelled;
// collateral other than the quote currency is valued with a flat haircut.
//
// Balances are signed: a borrowed balance (negative, down to −max_borrow)
// counts in full; the haircut applies to the asset part only.
//
// Numbers: every bound and precision is a per-element parameter with a
// default, so a venue's values can give each asset and instrument its own:
// balances in [−max_borrow, max_balance] at balance_step (defaults 0, 10^12,
// 10^-8), sizes in [−max_position, max_position] at size_step (10^9, 10^-8),
// costs in [−max_cost, max_cost] at cost_step (10^15, 10^-12). cost_step
// must divide size_step × the price tick × multiplier, so that every cost
// size · entry_price · multiplier is a multiple of it; one cost_step for
// all instruments keeps the costs committed as a single sum.

set assets
set instruments

param price[a in assets] >= 0             // quote currency per unit of the asset
param haircut[a in assets] in [0, 1] default 0
param mark[i in instruments] >= 0         // mark price, quote currency
param mm_rate[i in instruments] in [0, 1] // maintenance margin fraction
param multiplier[i in instruments] >= 0 default 1
param buffer >= 0 default 0               // public excess the account must keep above maintenance

param max_balance[a in assets] >= 0 default 1e12                  // largest balance, units of the asset
param max_borrow[a in assets] >= 0 default 0                      // largest borrowed (negative) balance; 0: no borrowing
param balance_step[a in assets] in [1e-18, 1e6] default 1e-8      // the balance's precision
param max_position[i in instruments] >= 0 default 1e9             // largest |size|, units (contracts) of the instrument
param size_step[i in instruments] in [1e-18, 1e6] default 1e-8    // order-size step (dYdX: the quantum)
param max_cost[i in instruments] >= 0 default 1e15                // largest |size · entry_price · multiplier|
param cost_step[i in instruments] in [1e-36, 1e6] default 1e-12   // cost's precision: size_step × price tick × multiplier

private balance[a in assets] from balance in [-max_borrow[a], max_balance[a]] scale balance_step[a]
private size[i in instruments] from size in [-max_position[i], max_position[i]] scale size_step[i]
private cost[i in instruments] from size * entry_price * multiplier[i] in [-max_cost[i], max_cost[i]] scale cost_step[i]

// A haircut applies to the asset part only: a borrowed balance counts in full.
let collateral = sum(a in assets: balance[a] * price[a] - max(balance[a], 0) * price[a] * haircut[a])
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
    { "id": "USDC", "price": "1", "haircut": "0", "max_borrow": "10000000" }
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
