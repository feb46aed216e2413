"""Exact, independent reference of five venues' maintenance-margin formulas.

Python 3.11 standard library only. Every number is a ``fractions.Fraction``:
venue files are parsed from their raw JSON text with ``load_json`` (JSON number
tokens go straight from their text to a Fraction, never through a binary float),
and decimal strings inside the files or the account are parsed by ``dec``, which
accepts only plain decimal notation (optional sign, digits, optional fraction,
optional exponent) and refuses everything else (``""``, ``"nan"``, ``"1_000"``,
hex, floats, bools).

An *account* is::

    {"balances": {asset: decimal-string},
     "positions": {symbol: {"size": decimal-string,          # signed; < 0 short
                            "entry_price": decimal-string}}}  # optional

Each venue function takes (the venue's own documents, account) and returns a
``Margin(equity, requirement)`` of Fractions; ``equity - requirement >= 0`` means
the account meets the venue's maintenance margin. Units and the meaning of an
absent ``entry_price`` differ per venue and are stated in each docstring.

Nothing here rounds unless the venue documents (or its published code performs)
the rounding: Binance, Bybit, Hyperliquid and Deribit are exact rational
evaluations of the published formula (the venues themselves display truncated
decimals); dYdX v4 reproduces the chain's integer quote-quantum arithmetic,
including its two round-ups.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any, NamedTuple

__all__ = [
    "Margin", "dec", "load_json", "load_file",
    "binance_brackets", "binance_marks", "binance_bracket_for", "binance_position_mm",
    "binance_usdm",
    "bybit_tiers", "bybit_marks", "bybit_tier_for", "bybit_position_mm", "bybit",
    "hyperliquid_assets", "hyperliquid_tiers", "hyperliquid_position_mm", "hyperliquid",
    "dydx_margin_quantums", "dydx_markets", "dydx_v4",
    "deribit_position_mm_coin", "deribit_options",
]


class Margin(NamedTuple):
    """Exact result: account equity and maintenance-margin requirement, same unit."""

    equity: Fraction
    requirement: Fraction

    @property
    def surplus(self) -> Fraction:
        return self.equity - self.requirement


# --------------------------------------------------------------------------
# Exact parsing
# --------------------------------------------------------------------------

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def dec(value: Any) -> Fraction:
    """A Fraction from a decimal string, an int, or a Fraction (never a float).

    Strings must be plain decimal notation; ``""`` is refused here (callers that
    give the empty string a meaning, like Bybit's ``mmDeduction``, handle it first).
    """
    if isinstance(value, bool):
        raise TypeError(f"boolean is not a number: {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        if not _DECIMAL.match(value):
            raise ValueError(f"not a plain decimal number: {value!r}")
        return Fraction(value)
    raise TypeError(f"not an exact number: {value!r} ({type(value).__name__})")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-finite JSON constant {name} refused")


def load_json(text: str) -> Any:
    """Parse raw JSON text; every JSON number becomes a Fraction built from its token.

    ``parse_float`` receives the token text (e.g. ``"5.0e4"``, ``"0.0065"``) and
    ``parse_int`` the integer token, so nothing passes through a binary float.
    Integers come back as Fractions too (``Fraction(7)``), which compare and hash
    equal to ``7``.
    """
    return json.loads(text, parse_float=Fraction, parse_int=Fraction,
                      parse_constant=_refuse_constant)


def load_file(path: str) -> Any:
    with open(path, encoding="utf-8") as handle:
        return load_json(handle.read())


def _as_int(value: Any, what: str) -> int:
    number = dec(value)
    if number.denominator != 1:
        raise ValueError(f"{what} must be an integer, got {value!r}")
    return int(number)


def _positions(account: dict) -> dict[str, dict]:
    positions = account.get("positions", {})
    for symbol, position in positions.items():
        extra = set(position) - {"size", "entry_price"}
        if extra:
            raise ValueError(f"{symbol}: unknown position fields {sorted(extra)}")
        if "size" not in position:
            raise ValueError(f"{symbol}: position without size")
    return positions


def _quote_balance(account: dict, quote: str) -> Fraction:
    """Sum of the quote-asset balance; any other asset is refused, not valued."""
    balances = account.get("balances", {})
    other = sorted(asset for asset in balances if asset != quote)
    if other:
        raise ValueError(
            f"balances in {other} are not valued by this reference "
            f"(only the quote/settlement asset {quote!r} counts)")
    return dec(balances.get(quote, "0"))


def _upnl(position: dict, mark: Fraction) -> Fraction:
    """size × (mark − entry); an absent entry_price contributes 0 (balance is marked)."""
    if "entry_price" not in position:
        return Fraction(0)
    return dec(position["size"]) * (mark - dec(position["entry_price"]))


# --------------------------------------------------------------------------
# Binance USDⓈ-M futures
# --------------------------------------------------------------------------
# Formula: https://www.binance.com/en/support/faq/leverage-and-margin-of-usd%E2%93%A2-m-futures-360033162192
#   "Maintenance Margin = Notional Position Value * Maintenance Margin Rate - Maintenance Amount"
#   (the API's `cum`, "Auxiliary number for quick calculation", is the maintenance amount).
#   Notional of a held position = mark price × size (restated in Binance's copy-trading docs,
#   https://docs.traderwagon.com/faq/futures-trading-introduction/leverage-and-margin).
# Boundary: Binance's tier tables are written "0 < Position ≤ 5,000",
#   "5,000 < Position ≤ 25,000" (e.g. the CVCUSDT tier announcement,
#   https://www.binance.com/en/support/announcement/binance-futures-will-delist-and-update-the-leverage-margin-tiers-of-cvcusdt-perpetual-futures-contract-3188e26f14a1464b91487abad452c04f),
#   i.e. notionalFloor < notional ≤ notionalCap: a notional exactly on a cap belongs
#   to the LOWER bracket. With consistent `cum` values the maintenance margin is
#   continuous, so both sides of a boundary give the same number.


def binance_brackets(doc: Any) -> dict[str, list[dict]]:
    """Brackets per Binance symbol id, sorted by notionalFloor.

    Accepts Binance's wire shape (a list of ``{symbol, notionalCoef?, brackets}``
    or one such object) or the freqtrade/ccxt dump (``{"BTC/USDT:USDT": [tier…]}``
    whose tiers carry Binance's bracket in ``info``). ccxt keys map to Binance ids
    as base+quote ("BTC/USDT:USDT" → "BTCUSDT"); dated futures are refused.
    A ``notionalCoef`` other than 1 is refused: Binance does not document whether
    the caps it returns already include it.
    """
    out: dict[str, list[dict]] = {}
    if isinstance(doc, dict) and "brackets" in doc:
        doc = [doc]
    if isinstance(doc, list):
        for entry in doc:
            symbol = entry["symbol"]
            if "notionalCoef" in entry and dec(entry["notionalCoef"]) != 1:
                raise ValueError(f"{symbol}: notionalCoef {entry['notionalCoef']} "
                                 "(user-adjusted brackets) is not supported")
            out[symbol] = [dict(b) for b in entry["brackets"]]
    elif isinstance(doc, dict):
        for key, tiers in doc.items():
            base, rest = key.split("/")
            quote, _, settle = rest.partition(":")
            if "-" in settle or not settle:
                raise ValueError(f"{key}: only linear perpetuals are mapped")
            out[base + quote] = [dict(t["info"]) for t in tiers]
    else:
        raise TypeError("unrecognised leverage-bracket document")
    for symbol, brackets in out.items():
        brackets.sort(key=lambda b: dec(b["notionalFloor"]))
        for lower, upper in zip(brackets, brackets[1:]):
            if dec(upper["notionalFloor"]) != dec(lower["notionalCap"]):
                raise ValueError(f"{symbol}: brackets are not contiguous")
    return out


def binance_marks(doc: Any) -> dict[str, Fraction]:
    """markPrice per symbol from a /fapi/v1/premiumIndex response (list or one object)."""
    if isinstance(doc, dict):
        doc = [doc]
    return {entry["symbol"]: dec(entry["markPrice"]) for entry in doc}


def binance_bracket_for(brackets: list[dict], notional: Fraction,
                        beyond_last: str = "refuse") -> dict:
    """The bracket with notionalFloor < notional ≤ notionalCap (0 → the first).

    Beyond the last cap Binance would not have let the position grow; by default
    that is refused (ValueError). ``beyond_last="last"`` applies the last bracket.
    """
    if notional < 0:
        raise ValueError("notional must be non-negative")
    for bracket in brackets:
        if notional <= dec(bracket["notionalCap"]):
            return bracket
    if beyond_last == "last":
        return brackets[-1]
    if beyond_last != "refuse":
        raise ValueError(f"beyond_last must be 'refuse' or 'last', not {beyond_last!r}")
    raise ValueError(f"notional {notional} exceeds the last bracket cap "
                     f"{brackets[-1]['notionalCap']}")


def binance_position_mm(brackets: list[dict], size: Fraction, mark: Fraction,
                        beyond_last: str = "refuse") -> Fraction:
    """notional × maintMarginRatio − cum, notional = |size| × mark."""
    notional = abs(size) * mark
    if notional == 0:
        return Fraction(0)
    bracket = binance_bracket_for(brackets, notional, beyond_last)
    return notional * dec(bracket["maintMarginRatio"]) - dec(bracket["cum"])


def binance_usdm(bracket_doc: Any, premium_index_doc: Any, account: dict,
                 quote: str = "USDT", beyond_last: str = "refuse") -> Margin:
    """Binance USDⓈ-M cross margin, single-asset mode, in the quote asset.

    requirement = Σ over positions of (|size|·mark·maintMarginRatio − cum) for the
    position's bracket (floor < notional ≤ cap); equity = balance[quote] +
    Σ size·(mark − entry_price). An absent entry_price adds 0 (the balance is
    taken as already including that position's PnL). Only the quote asset is
    counted (multi-assets mode, where other assets count at a haircut index value,
    is not modelled; other balances are refused). Every position's symbol must end
    in ``quote``. Hedge mode (two positions per symbol) is not modelled.
    """
    brackets = binance_brackets(bracket_doc)
    marks = binance_marks(premium_index_doc)
    equity = _quote_balance(account, quote)
    requirement = Fraction(0)
    for symbol, position in _positions(account).items():
        if not symbol.endswith(quote):
            raise ValueError(f"{symbol} does not settle in {quote}")
        if symbol not in brackets or symbol not in marks:
            raise ValueError(f"{symbol}: no brackets or no mark price")
        size, mark = dec(position["size"]), marks[symbol]
        requirement += binance_position_mm(brackets[symbol], size, mark, beyond_last)
        equity += _upnl(position, mark)
    return Margin(equity, requirement)


# --------------------------------------------------------------------------
# Bybit v5 (linear and inverse perpetuals, regular cross margin per contract)
# --------------------------------------------------------------------------
# Formula: https://www.bybit.com/en/announcement-info/margin-parameters
#   "Maintenance Margin = Position Value × Maintenance Margin Rate - Maintenance Margin Deduction"
#   "Maintenance Margin Deduction = Risk Limit on Tier (n-1) × (Difference between Maintenance
#    Margin Rate on Tier n and Tier (n-1)) + Maintenance Margin Deduction on Tier (n-1)"
# API fields: https://bybit-exchange.github.io/docs/v5/market/risk-limit
#   (riskLimitValue "Position limit", maintenanceMargin "Maintain margin rate",
#    mmDeduction "The maintenance margin deduction value when risk limit tier changed").
# Boundary: a tier covers position values up to and including its riskLimitValue
#   (the risk limit is the largest position value the tier allows); with consistent
#   deductions the maintenance margin is continuous across tiers anyway.
# Position value: linear = |size| × markPrice (quote coin); inverse = |size| / markPrice
#   (size in USD contracts, value and margin in the coin).


def bybit_tiers(doc: Any) -> tuple[str, dict[str, list[dict]]]:
    """(category, tiers per symbol sorted by riskLimitValue) from /v5/market/risk-limit."""
    if doc.get("retCode", 0) != 0:
        raise ValueError(f"risk-limit response is an error: {doc.get('retMsg')!r}")
    result = doc["result"]
    out: dict[str, list[dict]] = {}
    for tier in result["list"]:
        out.setdefault(tier["symbol"], []).append(dict(tier))
    for tiers in out.values():
        tiers.sort(key=lambda t: dec(t["riskLimitValue"]))
    return result["category"], out


def bybit_marks(doc: Any) -> dict[str, Fraction]:
    """markPrice per symbol from a /v5/market/tickers response."""
    if doc.get("retCode", 0) != 0:
        raise ValueError(f"tickers response is an error: {doc.get('retMsg')!r}")
    return {t["symbol"]: dec(t["markPrice"]) for t in doc["result"]["list"]}


def _bybit_deduction(tiers: list[dict], index: int, empty_deduction: str) -> Fraction:
    raw = tiers[index].get("mmDeduction", "")
    if raw != "":
        return dec(raw)
    if index == 0:
        return Fraction(0)           # the documented recurrence gives 0 on tier 1
    if empty_deduction == "zero":
        return Fraction(0)
    if empty_deduction == "recurrence":
        previous = tiers[index - 1]
        return (dec(previous["riskLimitValue"])
                * (dec(tiers[index]["maintenanceMargin"]) - dec(previous["maintenanceMargin"]))
                + _bybit_deduction(tiers, index - 1, empty_deduction))
    raise ValueError(
        f"{tiers[index]['symbol']} tier id {tiers[index].get('id')}: empty mmDeduction above "
        "the lowest tier; pass empty_deduction='recurrence' or 'zero' to decide")


def bybit_tier_for(tiers: list[dict], value: Fraction, beyond_last: str = "refuse") -> int:
    """Index of the first tier (ascending riskLimitValue) with value ≤ riskLimitValue."""
    for index, tier in enumerate(tiers):
        if value <= dec(tier["riskLimitValue"]):
            return index
    if beyond_last == "last":
        return len(tiers) - 1
    if beyond_last != "refuse":
        raise ValueError(f"beyond_last must be 'refuse' or 'last', not {beyond_last!r}")
    raise ValueError(f"position value {value} exceeds the largest risk limit "
                     f"{tiers[-1]['riskLimitValue']}")


def bybit_position_mm(tiers: list[dict], value: Fraction, beyond_last: str = "refuse",
                      empty_deduction: str = "refuse") -> Fraction:
    """value × maintenanceMargin − mmDeduction for the tier holding ``value``."""
    if value == 0:
        return Fraction(0)
    index = bybit_tier_for(tiers, value, beyond_last)
    return (value * dec(tiers[index]["maintenanceMargin"])
            - _bybit_deduction(tiers, index, empty_deduction))


def bybit(risk_limit_doc: Any, tickers_doc: Any, account: dict, settle: str,
          beyond_last: str = "refuse", empty_deduction: str = "refuse") -> Margin:
    """Bybit per-contract maintenance margin summed over positions, in ``settle``.

    requirement = Σ (position value × maintenanceMargin − mmDeduction) of the tier
    with value ≤ riskLimitValue; equity = balance[settle] + Σ uPnL, where uPnL is
    size·(mark − entry) for linear and size·(1/entry − 1/mark) for inverse
    (size in USD contracts); an absent entry_price adds 0. ``settle`` is the
    settlement coin (USDT/USDC for linear, e.g. BTC for BTCUSD inverse); other
    balances are refused. ``mmDeduction: ""`` is 0 on the lowest tier (which is
    also what Bybit's recurrence gives); on a higher tier it is refused unless
    ``empty_deduction`` is ``"recurrence"`` (Bybit's published recurrence) or
    ``"zero"``. Unified-account portfolio margin is not modelled.
    """
    category, tiers = bybit_tiers(risk_limit_doc)
    if category not in ("linear", "inverse"):
        raise ValueError(f"category {category!r} not modelled")
    marks = bybit_marks(tickers_doc)
    equity = _quote_balance(account, settle)
    requirement = Fraction(0)
    for symbol, position in _positions(account).items():
        if symbol not in tiers or symbol not in marks:
            raise ValueError(f"{symbol}: no risk-limit tiers or no mark price")
        size, mark = dec(position["size"]), marks[symbol]
        value = abs(size) * mark if category == "linear" else abs(size) / mark
        requirement += bybit_position_mm(tiers[symbol], value, beyond_last, empty_deduction)
        if "entry_price" in position:
            entry = dec(position["entry_price"])
            equity += size * (mark - entry) if category == "linear" else size * (1 / entry - 1 / mark)
    return Margin(equity, requirement)


# --------------------------------------------------------------------------
# Hyperliquid (perpetuals, cross margin)
# --------------------------------------------------------------------------
# Formula: https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers
#   maintenance_margin = notional_position_value * maintenance_margin_rate - maintenance_deduction
#   maintenance_margin_rate(tier n) = (initial margin rate at max leverage of tier n) / 2
#   maintenance_deduction(0) = 0; (n) = (n-1) + lower_bound(n) * (rate(n) - rate(n-1))
#   "For IDs less than 50, there is a single tier with max leverage equal to the ID."
# Price: https://hyperliquid.gitbook.io/hyperliquid-docs/trading/robust-price-indices
#   "Mark price ... is used for margining, liquidations, triggering TP/SL, and computing
#    unrealized pnl."
# Boundary: the docs' tables read "0-150M: 40x, >150M: 20x"; a tier with lowerBound L
#   applies to notionals > L (tier 0 from 0). The deduction makes the margin continuous,
#   so the choice cannot change a requirement. There is no "beyond the last tier".


def hyperliquid_assets(doc: Any) -> dict[str, tuple[dict, dict]]:
    """name → (universe entry, asset context) from a metaAndAssetCtxs response."""
    meta, contexts = doc
    universe = meta["universe"]
    if len(universe) != len(contexts):
        raise ValueError("universe and asset contexts differ in length")
    return {asset["name"]: (asset, ctx) for asset, ctx in zip(universe, contexts)}


def hyperliquid_tiers(doc: Any, name: str) -> list[tuple[Fraction, Fraction, Fraction]]:
    """[(lowerBound, maintenance rate, deduction)] for asset ``name``."""
    meta = doc[0]
    asset, _ = hyperliquid_assets(doc)[name]
    tables = {int(dec(table_id)): table for table_id, table in meta.get("marginTables", [])}
    table_id = asset.get("marginTableId")
    if table_id is not None and int(dec(table_id)) in tables:
        raw = [(dec(t["lowerBound"]), dec(t["maxLeverage"]))
               for t in tables[int(dec(table_id))]["marginTiers"]]
    elif table_id is not None and int(dec(table_id)) < 50:
        raw = [(Fraction(0), dec(table_id))]
    elif table_id is None:
        raw = [(Fraction(0), dec(asset["maxLeverage"]))]
    else:
        raise ValueError(f"{name}: margin table {table_id} is not in marginTables")
    raw.sort()
    if raw[0][0] != 0:
        raise ValueError(f"{name}: first margin tier does not start at 0")
    tiers, deduction, previous_rate = [], Fraction(0), None
    for lower, leverage in raw:
        rate = 1 / (2 * leverage)
        if previous_rate is not None:
            deduction += lower * (rate - previous_rate)
        tiers.append((lower, rate, deduction))
        previous_rate = rate
    return tiers


def hyperliquid_position_mm(tiers: list[tuple[Fraction, Fraction, Fraction]],
                            notional: Fraction) -> Fraction:
    """notional × rate − deduction for the last tier whose lowerBound < notional."""
    chosen = tiers[0]
    for tier in tiers[1:]:
        if notional > tier[0]:
            chosen = tier
    _, rate, deduction = chosen
    return notional * rate - deduction


def hyperliquid(doc: Any, account: dict, quote: str = "USDC") -> Margin:
    """Hyperliquid cross-margin maintenance requirement and account value, in USDC.

    requirement = Σ |szi|·markPx·rate − deduction (tiers from marginTables, or one
    tier at the table id / maxLeverage); equity = balance[USDC] + Σ szi·(markPx −
    entryPx); an absent entry_price adds 0. Isolated positions, spot balances and
    HIP-3 dexes are not modelled; other balances are refused.
    """
    assets = hyperliquid_assets(doc)
    equity = _quote_balance(account, quote)
    requirement = Fraction(0)
    for name, position in _positions(account).items():
        if name not in assets:
            raise ValueError(f"{name}: not in the universe")
        mark = dec(assets[name][1]["markPx"])
        size = dec(position["size"])
        requirement += hyperliquid_position_mm(hyperliquid_tiers(doc, name), abs(size) * mark)
        equity += _upnl(position, mark)
    return Margin(equity, requirement)


# --------------------------------------------------------------------------
# dYdX v4 (dYdX Chain)
# --------------------------------------------------------------------------
# Formula: https://docs.dydx.exchange/concepts-trading/margin
#   "Maintenance Margin Requirement = abs(S × P × M)", P the oracle price, M the MMF;
#   OI-based scaling changes only the IMF ("Importantly, the MMF does not change").
# Integer arithmetic as in dydxprotocol/v4-chain protocol/x/perpetuals/lib/lib.go
#   GetMarginRequirementsInQuoteQuantums and protocol/lib/quantums.go BaseToQuoteQuantums
#   (commit 84d4664bae71e3a077adaac67fb77ad19cd28d30, read not copied):
#   notional_qq = trunc_toward_zero(quantums · price · 10^(exponent + atomic_resolution + 6))
#   base_imr    = ceil(|notional_qq| · initial_margin_ppm / 10^6)
#   mmr         = ceil(base_imr · maintenance_fraction_ppm / 10^6)
#   net collateral = quote balance + Σ signed notional_qq.

_QUOTE_ATOMIC_RESOLUTION = -6
_ONE_MILLION = 1_000_000


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def _base_to_quote_quantums(quantums: int, atomic_resolution: int,
                            price: int, exponent: int) -> int:
    value = quantums * price
    shift = exponent + atomic_resolution - _QUOTE_ATOMIC_RESOLUTION
    if shift >= 0:
        return value * 10 ** shift
    scale = 10 ** (-shift)
    return abs(value) // scale * (1 if value >= 0 else -1)     # Go big.Int Quo: toward zero


def dydx_margin_quantums(quantums: int, atomic_resolution: int, price: int, exponent: int,
                         initial_margin_ppm: int, maintenance_fraction_ppm: int,
                         open_interest_quantums: int = 0, open_interest_lower_cap: int = 0,
                         open_interest_upper_cap: int = 0) -> tuple[int, int, int]:
    """(net notional, IMR, MMR) in quote quantums (10^-6 USDC) for one position.

    IMR includes the open-interest scaling (lower/upper caps in quote quantums,
    upper cap 0 = off); MMR never does. All integer, as on chain.
    """
    net = _base_to_quote_quantums(quantums, atomic_resolution, price, exponent)
    notional = _base_to_quote_quantums(abs(quantums), atomic_resolution, price, exponent)
    base_imr = _ceil_div(notional * initial_margin_ppm, _ONE_MILLION)
    mmr = _ceil_div(base_imr * maintenance_fraction_ppm, _ONE_MILLION)
    oi = _base_to_quote_quantums(open_interest_quantums, atomic_resolution, price, exponent)
    if open_interest_upper_cap == 0 or oi <= open_interest_lower_cap:
        imf = initial_margin_ppm
    elif oi >= open_interest_upper_cap:
        imf = _ONE_MILLION
    else:
        imf = ((_ONE_MILLION - initial_margin_ppm) * (oi - open_interest_lower_cap)
               // (open_interest_upper_cap - open_interest_lower_cap) + initial_margin_ppm)
    imr = _ceil_div(notional * imf, _ONE_MILLION)
    return net, imr, mmr


def dydx_markets(doc: Any) -> dict[str, dict]:
    """ticker → {atomic_resolution, price, exponent, initial_margin_ppm,
    maintenance_fraction_ppm} from a genesis-shaped document (``app_state`` …)."""
    state = doc.get("app_state", doc)
    tiers = {int(t["id"]): t for t in state["perpetuals"]["liquidity_tiers"]}
    prices = {int(p["id"]): p for p in state["prices"]["market_prices"]}
    out = {}
    for perpetual in state["perpetuals"]["perpetuals"]:
        params = perpetual["params"]
        tier, price = tiers[int(params["liquidity_tier"])], prices[int(params["market_id"])]
        out[params["ticker"]] = {
            "atomic_resolution": _as_int(params["atomic_resolution"], "atomic_resolution"),
            "price": _as_int(price["price"], "price"),
            "exponent": _as_int(price["exponent"], "exponent"),
            "initial_margin_ppm": _as_int(tier["initial_margin_ppm"], "initial_margin_ppm"),
            "maintenance_fraction_ppm": _as_int(tier["maintenance_fraction_ppm"],
                                                "maintenance_fraction_ppm"),
        }
    return out


def dydx_v4(doc: Any, account: dict, quote: str = "USDC") -> Margin:
    """dYdX v4 subaccount: (net collateral, maintenance requirement) in USDC.

    ``balances[USDC]`` is the subaccount's quote balance as the chain stores it
    (it already paid for the positions, so it may be negative); it must be a
    whole number of quote quantums (10^-6). Position sizes are in base units and
    must be whole numbers of base quantums (10^atomic_resolution). ``entry_price``
    is refused: the chain has none; equity = balance + Σ signed notional at the
    oracle price (truncated toward zero per position, in quote quantums),
    requirement = Σ MMR with the chain's two round-ups. Funding not yet settled
    into the balance is not included.
    """
    markets = dydx_markets(doc)
    balance = _quote_balance(account, quote) * 10 ** 6
    if balance.denominator != 1:
        raise ValueError("quote balance is not a whole number of quote quantums (1e-6)")
    net_collateral, requirement = int(balance), 0
    for ticker, position in _positions(account).items():
        if "entry_price" in position:
            raise ValueError(f"{ticker}: dYdX v4 positions have no entry price; "
                             "give the subaccount's quote balance instead")
        if ticker not in markets:
            raise ValueError(f"{ticker}: unknown perpetual")
        m = markets[ticker]
        quantums = dec(position["size"]) / Fraction(10) ** m["atomic_resolution"]
        if quantums.denominator != 1:
            raise ValueError(f"{ticker}: size is not a whole number of base quantums "
                             f"(10^{m['atomic_resolution']})")
        net, _, mmr = dydx_margin_quantums(int(quantums), m["atomic_resolution"], m["price"],
                                           m["exponent"], m["initial_margin_ppm"],
                                           m["maintenance_fraction_ppm"])
        net_collateral += net
        requirement += mmr
    return Margin(Fraction(net_collateral, 10 ** 6), Fraction(requirement, 10 ** 6))


# --------------------------------------------------------------------------
# Deribit inverse (coin-settled) options, standard margin
# --------------------------------------------------------------------------
# Formula (per contract, in the coin, mark in the coin): short call
#   MM = 0.075 + mark; short put MM = max(0.075, 0.075 × mark) + mark; long: none.
#   Deribit's own knowledge-base page could not be retrieved here; the same formula is
#   restated at https://doc.tslab.pro/tslab/eng/data-providers/connection-to-broker/deribit-cryptocurrency-exchange/deribit-margin-requirements-calculation
# Convention chosen: amounts in coin are converted to USD with the book summary's
#   `estimated_delivery_price` (Deribit's index price for the currency) — not with
#   `underlying_price`, which is the expiry's forward used for implied volatility.

_DERIBIT_MM = Fraction(75, 1000)


def deribit_position_mm_coin(option_type: str, amount: Fraction, mark: Fraction) -> Fraction:
    """Maintenance margin in coin for ``amount`` (signed, in coin) of one inverse option."""
    if amount >= 0:
        return Fraction(0)
    if option_type == "call":
        per = _DERIBIT_MM + mark
    elif option_type == "put":
        per = max(_DERIBIT_MM, _DERIBIT_MM * mark) + mark
    else:
        raise ValueError(f"option_type {option_type!r}")
    return -amount * per


def deribit_options(instruments_doc: Any, book_summary_doc: Any, account: dict,
                    currency: str = "BTC", unit: str = "USD") -> Margin:
    """Deribit standard-margin requirement for inverse options, in USD or the coin.

    Positions are keyed by instrument_name; ``size`` is in contracts (× contract_size
    = coin amount). requirement = Σ over short options of |amount|·(0.075 + mark)
    for calls and |amount|·(max(0.075, 0.075·mark) + mark) for puts; longs need
    none. equity = balance[coin] + Σ amount·(mark − entry_price) when entry_price is
    given; when it is absent the option is valued at amount·mark (Deribit's own
    convention: premiums already went through the balance). With ``unit="USD"``
    both are multiplied by the book summary's ``estimated_delivery_price`` (index).
    Futures, linear (USDC) options, and portfolio margin are not modelled.
    """
    if unit not in ("USD", currency):
        raise ValueError(f"unit must be 'USD' or {currency!r}")
    instruments = {i["instrument_name"]: i for i in instruments_doc["result"]}
    summaries = {s["instrument_name"]: s for s in book_summary_doc["result"]}
    balance = _quote_balance(account, currency)
    equity_coin, requirement_coin = balance, Fraction(0)
    index = None
    for name, position in _positions(account).items():
        instrument = instruments.get(name)
        if instrument is None or name not in summaries:
            raise ValueError(f"{name}: not in the instruments or the book summary")
        if (instrument["kind"] != "option" or instrument["settlement_currency"] != currency
                or instrument["base_currency"] != currency):
            raise ValueError(f"{name}: only {currency}-settled inverse options are modelled")
        summary = summaries[name]
        mark = dec(summary["mark_price"])
        position_index = dec(summary["estimated_delivery_price"])
        if index is None:
            index = position_index
        elif index != position_index:
            raise ValueError("book summary entries disagree on the index price")
        amount = dec(position["size"]) * dec(instrument["contract_size"])
        requirement_coin += deribit_position_mm_coin(instrument["option_type"], amount, mark)
        if "entry_price" in position:
            equity_coin += amount * (mark - dec(position["entry_price"]))
        else:
            equity_coin += amount * mark
    if unit == currency:
        return Margin(equity_coin, requirement_coin)
    if index is None:
        raise ValueError("USD conversion takes the index from a position's book summary; "
                         f"use unit={currency!r} for an account without positions")
    return Margin(equity_coin * index, requirement_coin * index)


if __name__ == "__main__":   # pragma: no cover - a smoke run on the committed samples
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    brackets = load_file(os.path.join(here, "binance", "leverage_tiers_freqtrade.json"))
    marks = load_file(os.path.join(here, "binance", "premiumIndex.json"))
    demo = {"balances": {"USDT": "1000"}, "positions": {"BTCUSDT": {"size": "0.1"}}}
    print("binance", binance_usdm(brackets, marks, demo))
