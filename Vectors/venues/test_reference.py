"""Known answers for reference.py, checked with exact Fraction equality.

Run: python3 Vectors/venues/test_reference.py   (exit status 1 on any failure)

Expected values are written out as decimal literals worked by hand (the working
is in the comments), not recomputed through reference.py. Where a venue's own
output or test vectors exist they are used (Binance position responses stored by
ccxt, dYdX chain unit-test vectors). Documents marked SYNTHETIC below are
hand-made inputs in the venue's wire shape, used where no real sample exists.
"""

import os
import sys
import traceback
from fractions import Fraction as F

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import reference as R  # noqa: E402


def path(*parts):
    return os.path.join(HERE, *parts)


def raises(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc:
        return
    raise AssertionError(f"{fn.__name__} did not raise {exc.__name__}")


def trunc8(x):
    """Truncate toward zero to 8 decimals, as Binance displays margins."""
    scaled = x * 10 ** 8
    whole = scaled.numerator // scaled.denominator if scaled >= 0 else -((-scaled.numerator) // scaled.denominator)
    return F(whole, 10 ** 8)


BN_TIERS = R.load_file(path("binance", "leverage_tiers_freqtrade.json"))
BN_MARKS = R.load_file(path("binance", "premiumIndex.json"))
HL = R.load_file(path("hyperliquid", "metaAndAssetCtxs.json"))
DYDX = R.load_file(path("dydx", "mainnet_genesis_subset.json"))
DERIBIT_INSTR = R.load_file(path("deribit", "get_instruments_BTC_option_28NOV25.json"))


# ---------------------------------------------------------------- parsing

def test_parsing_is_exact():
    doc = R.load_json('{"strike":5.0e4,"x":0.1,"n":7,"s":"0.0065"}')
    assert doc["strike"] == F(50000) and isinstance(doc["strike"], F)
    assert doc["x"] == F(1, 10) and isinstance(doc["x"], F)
    assert doc["n"] == 7 and isinstance(doc["n"], F)
    assert R.dec(doc["s"]) == F(65, 10000)
    assert R.dec("-1.5E-3") == F(-3, 2000)
    assert R.dec("1.") == 1 and R.dec(".5") == F(1, 2)     # plain decimal notation
    for bad in ("", "nan", "inf", "1_000", "0x10", " 1", ".", "+", "1e", "--1"):
        raises(ValueError, R.dec, bad)
    raises(TypeError, R.dec, 0.1)
    raises(TypeError, R.dec, True)
    raises(ValueError, R.load_json, '{"x": NaN}')


# ---------------------------------------------------------------- Binance

def test_binance_matches_venue_computed_positions():
    # Real /fapi/v2/positionRisk stored by ccxt (see binance/SOURCE.md):
    # 0.009 BTCUSDT at mark 67502.68519858 -> notional "607.52416678", maintMargin "2.43009666".
    brackets = R.binance_brackets(BN_TIERS)["BTCUSDT"]
    notional = F("0.009") * F("67502.68519858")           # 607.52416678722 exactly
    assert trunc8(notional) == F("607.52416678")
    mm = R.binance_position_mm(brackets, F("0.009"), F("67502.68519858"))
    assert mm == F("2.43009666714888")                      # 607.52416678722 x 0.004 - 0
    assert trunc8(mm) == F("2.43009666")
    # second response: mark 67582.2 -> notional 608.2398, maintMargin "2.43295920"
    assert R.binance_position_mm(brackets, F("0.009"), F("67582.2")) == F("2.43295920")
    # /fapi/v2/account: notional "607.55548506" -> maintMargin "2.43022194"
    assert trunc8(R.binance_position_mm(brackets, F(1), F("607.55548506"))) == F("2.43022194")


def test_binance_sample_account():
    # marks from premiumIndex.json: BTCUSDT 93951.80000000, ETHUSDT 3485.51000000
    # BTC: 0.5 x 93951.8 = 46975.9 <= 50000 -> bracket 1: x 0.004 - 0 = 187.9036
    # ETH: 10 x 3485.51 = 34855.1 -> bracket 1: x 0.004 = 139.4204 ; sum 327.324
    # uPnL: 0.5 x (93951.8 - 90000) = 1975.9 ; -10 x (3485.51 - 3500) = 144.9
    account = {"balances": {"USDT": "10000"},
               "positions": {"BTCUSDT": {"size": "0.5", "entry_price": "90000"},
                             "ETHUSDT": {"size": "-10", "entry_price": "3500"}}}
    m = R.binance_usdm(BN_TIERS, BN_MARKS, account)
    assert m.requirement == F("327.324")
    assert m.equity == F("12120.8")
    # USDC-margined symbols with quote="USDC": BTCUSDC mark 93972.1, 1 BTC -> 93972.1
    # BTC/USDC:USDC bracket 2 (50000 < n <= ...)? see brackets: 93972.1 x mmr - cum
    usdc = R.binance_brackets(BN_TIERS)["BTCUSDC"]
    b = R.binance_bracket_for(usdc, F("93972.1"))
    expected = F("93972.1") * R.dec(b["maintMarginRatio"]) - R.dec(b["cum"])
    m2 = R.binance_usdm(BN_TIERS, BN_MARKS, {"balances": {"USDC": "0"},
                                              "positions": {"BTCUSDC": {"size": "1"}}}, quote="USDC")
    assert m2.requirement == expected and m2.equity == 0


def test_binance_boundary_and_beyond_last():
    btc = R.binance_brackets(BN_TIERS)["BTCUSDT"]
    # exactly on bracket 1's cap: floor < 50000 <= cap -> bracket 1: 50000 x 0.004 = 200
    assert R.dec(R.binance_bracket_for(btc, F(50000))["bracket"]) == 1
    assert R.binance_position_mm(btc, F(1), F(50000)) == F(200)
    # the same notional through bracket 2 gives the same number: 50000 x 0.005 - 50 = 200
    assert F(50000) * F("0.005") - F(50) == F(200)
    # just above: bracket 2: 50000.01 x 0.005 - 50 = 200.00005
    assert R.dec(R.binance_bracket_for(btc, F("50000.01"))["bracket"]) == 2
    assert R.binance_position_mm(btc, F(1), F("50000.01")) == F("200.00005")
    # last cap 1.8e9: bracket 12: 1800000000 x 0.5 - 421481450 = 478518550
    assert R.binance_position_mm(btc, F(1), F(1800000000)) == F(478518550)
    raises(ValueError, R.binance_position_mm, btc, F(1), F(1800000001))
    # opt-in: last bracket: 1800000001 x 0.5 - 421481450 = 478518550.5
    assert R.binance_position_mm(btc, F(1), F(1800000001), beyond_last="last") == F("478518550.5")
    assert R.binance_position_mm(btc, F(0), F(1)) == 0


def test_binance_exactly_at_margin():
    # 0.5 BTCUSDT, no entry price (balance already marked): requirement 187.9036
    at = {"balances": {"USDT": "187.9036"}, "positions": {"BTCUSDT": {"size": "0.5"}}}
    m = R.binance_usdm(BN_TIERS, BN_MARKS, at)
    assert m.surplus == 0
    below = {"balances": {"USDT": "187.90359999"}, "positions": {"BTCUSDT": {"size": "-0.5"}}}
    assert R.binance_usdm(BN_TIERS, BN_MARKS, below).surplus == F("-0.00000001")


def test_binance_wire_shape_and_refusals():
    # SYNTHETIC wire-shape document (JSON numbers), one bracket: 2 x 3485.51 = 6971.02;
    # x 0.0065 - 0 = 45.31163
    wire = R.load_json('[{"symbol":"ETHUSDT","brackets":[{"bracket":1,"initialLeverage":75,'
                       '"notionalCap":10000,"notionalFloor":0,"maintMarginRatio":0.0065,"cum":0}]}]')
    m = R.binance_usdm(wire, BN_MARKS, {"balances": {}, "positions": {"ETHUSDT": {"size": "2"}}})
    assert m.requirement == F("45.31163")
    doc_example = R.load_file(path("binance", "leverageBracket_doc_example.json"))
    raises(ValueError, R.binance_brackets, doc_example)          # notionalCoef 1.50
    raises(ValueError, R.binance_usdm, BN_TIERS, BN_MARKS,
           {"balances": {"BTC": "1"}, "positions": {}})          # non-quote asset
    raises(ValueError, R.binance_usdm, BN_TIERS, BN_MARKS,
           {"balances": {}, "positions": {"BTCUSDC": {"size": "1"}}})  # settles in USDC


def test_binance_sample_brackets_are_continuous():
    # cum_n = cum_{n-1} + floor_n (mmr_n - mmr_{n-1}) for every kept symbol, so the
    # maintenance margin is the same on both sides of every boundary.
    for symbol, brackets in R.binance_brackets(BN_TIERS).items():
        for lower, upper in zip(brackets, brackets[1:]):
            cap = R.dec(lower["notionalCap"])
            below = cap * R.dec(lower["maintMarginRatio"]) - R.dec(lower["cum"])
            above = cap * R.dec(upper["maintMarginRatio"]) - R.dec(upper["cum"])
            assert below == above, (symbol, lower["bracket"])
    marks = R.binance_marks(BN_MARKS)
    assert len(marks) == 25 and set(marks) == set(R.binance_brackets(BN_TIERS))


# ---------------------------------------------------------------- Bybit

BYBIT_RL = R.load_file(path("bybit", "risk_limit_inverse_doc_example.json"))
BYBIT_TICKERS = R.load_file(path("bybit", "tickers_inverse_doc_example.json"))

# SYNTHETIC linear tiers (no real risk-limit response was found; see bybit/SOURCE.md).
# Deductions follow Bybit's published recurrence: 200000 x (0.015-0.01) = 1000;
# 1000 + 400000 x (0.02-0.015) = 3000. Listed out of order on purpose.
BYBIT_LINEAR = R.load_json('''{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[
 {"id":3,"symbol":"BTCUSDT","riskLimitValue":"600000","maintenanceMargin":"0.02","initialMargin":"0.04","isLowestRisk":0,"maxLeverage":"25.00","mmDeduction":"3000"},
 {"id":1,"symbol":"BTCUSDT","riskLimitValue":"200000","maintenanceMargin":"0.01","initialMargin":"0.02","isLowestRisk":1,"maxLeverage":"50.00","mmDeduction":""},
 {"id":2,"symbol":"BTCUSDT","riskLimitValue":"400000","maintenanceMargin":"0.015","initialMargin":"0.03","isLowestRisk":0,"maxLeverage":"33.33","mmDeduction":"1000"}],
 "nextPageCursor":""},"retExtInfo":{},"time":1}''')
BYBIT_LINEAR_TICKERS = R.load_json('{"retCode":0,"result":{"category":"linear","list":'
                                   '[{"symbol":"BTCUSDT","markPrice":"50000"}]}}')   # SYNTHETIC


def test_bybit_doc_example_inverse():
    # 1000 USD contracts of BTCUSD at mark 114898.43: value = 1000/114898.43 BTC <= 150
    # MM = value x "0.5" (read as the fraction the field table says) - 0 = 500/114898.43
    #    = 50000/11489843 BTC  (114898.43 = 11489843/100)
    m = R.bybit(BYBIT_RL, BYBIT_TICKERS,
                {"balances": {"BTC": "0.01"}, "positions": {"BTCUSD": {"size": "1000"}}}, settle="BTC")
    assert m.requirement == F(50000, 11489843)
    assert m.equity == F("0.01")
    # inverse uPnL = size x (1/entry - 1/mark): 1000 x (1/100000 - 1/114898.43)
    #              = 0.01 - 100000/11489843
    m = R.bybit(BYBIT_RL, BYBIT_TICKERS, {"balances": {"BTC": "0.01"},
                "positions": {"BTCUSD": {"size": "1000", "entry_price": "100000"}}}, settle="BTC")
    assert m.equity == F("0.01") + F("0.01") - F(100000, 11489843)


def test_bybit_linear_tiers_boundary_and_beyond():
    tiers = R.bybit_tiers(BYBIT_LINEAR)[1]["BTCUSDT"]
    assert [t["id"] for t in tiers] == [1, 2, 3]
    # value exactly 200000 (4 BTC at 50000) -> tier 1: 200000 x 0.01 - 0 = 2000
    assert R.bybit_position_mm(tiers, F(200000)) == F(2000)
    assert F(200000) * F("0.015") - F(1000) == F(2000)        # tier 2 gives the same
    # 200001 -> tier 2: 200001 x 0.015 - 1000 = 2000.015
    assert R.bybit_position_mm(tiers, F(200001)) == F("2000.015")
    # 600000 -> tier 3: 12000 - 3000 = 9000 ; beyond -> refused, or last tier on request
    assert R.bybit_position_mm(tiers, F(600000)) == F(9000)
    raises(ValueError, R.bybit_position_mm, tiers, F(600001))
    assert R.bybit_position_mm(tiers, F(600001), beyond_last="last") == F("9000.02")
    # account: short 4 BTC entry 49000, balance 100: uPnL = -4 x (50000-49000) = -4000
    m = R.bybit(BYBIT_LINEAR, BYBIT_LINEAR_TICKERS, {"balances": {"USDT": "100"},
                "positions": {"BTCUSDT": {"size": "-4", "entry_price": "49000"}}}, settle="USDT")
    assert m == (F(-3900), F(2000))


def test_bybit_empty_deduction_policy_and_margin_edge():
    text = ('{"retCode":0,"result":{"category":"linear","list":['
            '{"id":1,"symbol":"X","riskLimitValue":"200000","maintenanceMargin":"0.01","mmDeduction":""},'
            '{"id":2,"symbol":"X","riskLimitValue":"400000","maintenanceMargin":"0.015","mmDeduction":""}]}}')
    tiers = R.bybit_tiers(R.load_json(text))[1]["X"]                      # SYNTHETIC
    raises(ValueError, R.bybit_position_mm, tiers, F(300000))
    # recurrence: 300000 x 0.015 - 200000 x 0.005 = 4500 - 1000 = 3500
    assert R.bybit_position_mm(tiers, F(300000), empty_deduction="recurrence") == F(3500)
    assert R.bybit_position_mm(tiers, F(300000), empty_deduction="zero") == F(4500)
    # exactly at the margin: 5 BTC at 50000 = 250000 -> tier 2: 3750 - 1000 = 2750
    at = {"balances": {"USDT": "2750"}, "positions": {"BTCUSDT": {"size": "5"}}}
    assert R.bybit(BYBIT_LINEAR, BYBIT_LINEAR_TICKERS, at, settle="USDT").surplus == 0
    raises(ValueError, R.bybit, R.load_json('{"retCode":10001,"retMsg":"bad","result":{}}'),
           BYBIT_LINEAR_TICKERS, at, "USDT")


# ---------------------------------------------------------------- Hyperliquid

def test_hyperliquid_sample_positions():
    # BTC markPx 84255.0, table 56 (40x to 150M): 4.5 x 84255 = 379147.5; / 80 = 4739.34375
    tiers = R.hyperliquid_tiers(HL, "BTC")
    assert tiers == [(0, F(1, 80), 0), (150000000, F(1, 40), 1875000)]
    assert R.hyperliquid_position_mm(tiers, F("379147.5")) == F("4739.34375")
    # ATOM is on table 5 (< 50: one tier at 5x, rate 1/10): 1000 x 1.8588 = 1858.8 -> 185.88
    assert R.hyperliquid_tiers(HL, "ATOM") == [(0, F(1, 10), 0)]
    # account: BTC 0.1 long entry 80000 -> notional 8425.5, MM 105.31875, uPnL 425.5
    #          ETH 2 short entry 2700, mark 2688.33 -> notional 5376.66, table 55 (25x)
    #          MM 5376.66/50 = 107.5332, uPnL -2 x (2688.33 - 2700) = 23.34
    #          ATOM -1000 no entry -> MM 185.88, uPnL 0
    account = {"balances": {"USDC": "5000"},
               "positions": {"BTC": {"size": "0.1", "entry_price": "80000"},
                             "ETH": {"size": "-2", "entry_price": "2700"},
                             "ATOM": {"size": "-1000"}}}
    m = R.hyperliquid(HL, account)
    assert m.requirement == F("105.31875") + F("107.5332") + F("185.88")
    assert m.equity == F("5448.84")


def test_hyperliquid_tier_boundary_and_margin_edge():
    tiers = R.hyperliquid_tiers(HL, "BTC")
    # at the 150M bound: tier 0 gives 150M/80 = 1875000; tier 1 gives 150M/40 - 1875000 = same
    assert R.hyperliquid_position_mm(tiers, F(150000000)) == F(1875000)
    # 300M: tier 1: 7500000 - 1875000 = 5625000
    assert R.hyperliquid_position_mm(tiers, F(300000000)) == F(5625000)
    # no last cap: 10^12 -> 10^12/40 - 1875000
    assert R.hyperliquid_position_mm(tiers, F(10 ** 12)) == F(25000000000 - 1875000)
    at = {"balances": {"USDC": "4739.34375"}, "positions": {"BTC": {"size": "-4.5"}}}
    assert R.hyperliquid(HL, at).surplus == 0
    raises(ValueError, R.hyperliquid, HL, {"balances": {}, "positions": {"NOPE": {"size": "1"}}})


def test_hyperliquid_sample_consistency():
    assets = R.hyperliquid_assets(HL)
    assert len(assets) == 24
    for name, (asset, ctx) in assets.items():
        first_rate = R.hyperliquid_tiers(HL, name)[0][1]
        assert first_rate == F(1, 2 * int(asset["maxLeverage"])), name
        if asset.get("isDelisted"):
            assert ctx["midPx"] is None and ctx["impactPxs"] is None


# ---------------------------------------------------------------- dYdX v4

def test_dydx_chain_unit_test_vectors():
    # protocol/x/perpetuals/lib/lib_test.go @ 84d4664b (values copied as facts)
    f = R.dydx_margin_quantums
    assert f(1, 4, 123_456_789_123, -5, 200_000, 500_000)[1:] == (2469135782460000, 1234567891230000)
    assert f(-1, 4, 123_456_789_123, -5, 200_000, 500_000)[1:] == (2469135782460000, 1234567891230000)
    # open interest 10^12 base quantums, caps 10^12..2*10^12 quote quantums -> IMF 100%, MMR unchanged
    assert f(1, 4, 123_456_789_123, -5, 200_000, 500_000, 1_000_000_000_000,
             1_000_000_000_000, 2_000_000_000_000)[1:] == (12345678912300000, 1234567891230000)
    assert f(7_000, -4, 55_550, -1, 10_000, 500_000)[1:] == (38_885_000, 19_442_500)
    assert f(-5_000, -6, 42_000_000, -2, 10_000, 500_000)[1:] == (21_000_000, 10_500_000)
    assert f(7_000, -6, 55_550, -1, 1_000_000, 1_000_000)[1:] == (38_885_000, 38_885_000)
    assert f(7_000, -6, 55_550, -1, 10_000, 1_000_000)[1:] == (388_850, 388_850)
    assert f(7_000, -6, 55_550, -1, 0, 1_000_000)[1:] == (0, 0)
    big = 2 ** 64 - 1
    assert f(big, -6, big, -1, 100, 1_000_000)[1:] == (3402823669209384634264811192843492,) * 2


def test_dydx_sample_genesis():
    # BTC-USD: price 2868819524 e-5, atomic_resolution -10, Large-Cap IMF 50000 ppm, MF 600000 ppm
    # 0.5 BTC = 5e9 quantums; notional = 5e9 x 2868819524 x 10^(-5-10+6) = 14344097620 qq
    # base IMR = 14344097620 x 0.05 = 717204881 ; MMR = ceil(717204881 x 0.6 = 430322928.6) = 430322929
    long = {"balances": {"USDC": "-10000"}, "positions": {"BTC-USD": {"size": "0.5"}}}
    assert R.dydx_v4(DYDX, long) == (F("4344.09762"), F("430.322929"))
    short = {"balances": {"USDC": "20000"}, "positions": {"BTC-USD": {"size": "-0.5"}}}
    assert R.dydx_v4(DYDX, short) == (F("5655.90238"), F("430.322929"))
    # PEPE-USD: atomic_resolution +1 (one quantum = 10 PEPE), price 2481900353 e-16, IMF 10%, MF 50%
    # 20,000,000 PEPE = 2,000,000 quantums: 2e6 x 2481900353 x 10^(-16+1+6) = 4963800.706 -> 4963800 qq
    # IMR 496380, MMR 248190 -> 0.24819 USDC
    pepe = {"balances": {"USDC": "0"}, "positions": {"PEPE-USD": {"size": "20000000"}}}
    assert R.dydx_v4(DYDX, pepe) == (F("4.9638"), F("0.24819"))
    raises(ValueError, R.dydx_v4, DYDX, {"balances": {}, "positions": {"PEPE-USD": {"size": "15"}}})


def test_dydx_rounding_edges_and_refusals():
    # one ETH quantum (1e-9 ETH) short at 1811.985252: notional 1.811985252 qq -> -1 (toward zero,
    # not -2); IMR ceil(1 x 0.05) = 1; MMR ceil(1 x 0.6) = 1 -> requirement 0.000001 USDC
    one = {"balances": {"USDC": "0.000002"}, "positions": {"ETH-USD": {"size": "-0.000000001"}}}
    assert R.dydx_v4(DYDX, one) == (F("0.000001"), F("0.000001"))
    assert R.dydx_v4(DYDX, one).surplus == 0                      # exactly at the margin
    raises(ValueError, R.dydx_v4, DYDX,
           {"balances": {}, "positions": {"BTC-USD": {"size": "1", "entry_price": "1"}}})
    raises(ValueError, R.dydx_v4, DYDX, {"balances": {"USDC": "0.0000001"}, "positions": {}})
    raises(ValueError, R.dydx_v4, DYDX,
           {"balances": {}, "positions": {"BTC-USD": {"size": "0.00000000001"}}})


def test_dydx_sample_consistency():
    markets = R.dydx_markets(DYDX)
    assert len(markets) == 33
    for ticker, m in markets.items():
        assert 0 < m["maintenance_fraction_ppm"] <= 1_000_000, ticker
        assert m["price"] > 0, ticker


# ---------------------------------------------------------------- Deribit

# SYNTHETIC book summary (no real one was found; see deribit/SOURCE.md), for
# instruments that are in the real instruments sample. Index 101000.5 USD.
DERIBIT_BOOK = R.load_json('''{"jsonrpc":"2.0","result":[
 {"instrument_name":"BTC-28NOV25-100000-C","mark_price":0.0535,"underlying_price":101500.0,"estimated_delivery_price":101000.5},
 {"instrument_name":"BTC-28NOV25-150000-P","mark_price":0.49,"underlying_price":101500.0,"estimated_delivery_price":101000.5},
 {"instrument_name":"BTC-28NOV25-240000-P","mark_price":1.2,"underlying_price":101500.0,"estimated_delivery_price":101000.5},
 {"instrument_name":"BTC-28NOV25-200000-P","mark_price":1,"underlying_price":101500.0,"estimated_delivery_price":101000.5}]}''')


def test_deribit_standard_margin():
    # short 2 calls at mark 0.0535: 2 x (0.075 + 0.0535) = 0.257 BTC; x 101000.5 = 25957.1285 USD
    calls = {"balances": {"BTC": "1"}, "positions": {"BTC-28NOV25-100000-C": {"size": "-2"}}}
    m = R.deribit_options(DERIBIT_INSTR, DERIBIT_BOOK, calls, unit="BTC")
    assert m.requirement == F("0.257")
    assert m.equity == F("0.893")                  # 1 + (-2 x 0.0535): option valued at mark
    assert R.deribit_options(DERIBIT_INSTR, DERIBIT_BOOK, calls).requirement == F("25957.1285")
    # with entry 0.06: 1 + (-2) x (0.0535 - 0.06) = 1.013
    calls["positions"]["BTC-28NOV25-100000-C"]["entry_price"] = "0.06"
    assert R.deribit_options(DERIBIT_INSTR, DERIBIT_BOOK, calls, unit="BTC").equity == F("1.013")
    # puts: mark 0.49 -> max(0.075, 0.03675) + 0.49 = 0.565 ; mark 1.2 -> max(0.075, 0.09) + 1.2 = 1.29
    #       mark 1 (both branches equal) -> 0.075 + 1 = 1.075
    c = R.deribit_position_mm_coin
    assert c("put", F(-1), F("0.49")) == F("0.565")
    assert c("put", F(-1), F("1.2")) == F("1.29")
    assert c("put", F(-1), F(1)) == F("1.075")
    assert c("call", F(3), F("0.5")) == 0 and c("put", F(1), F("0.5")) == 0
    puts = {"balances": {"BTC": "0"}, "positions": {"BTC-28NOV25-150000-P": {"size": "-1"},
                                                    "BTC-28NOV25-240000-P": {"size": "-1"},
                                                    "BTC-28NOV25-200000-P": {"size": "2"}}}
    m = R.deribit_options(DERIBIT_INSTR, DERIBIT_BOOK, puts, unit="BTC")
    assert m.requirement == F("1.855")             # 0.565 + 1.29 (the long needs none)
    assert m.equity == F("0.31")                   # -0.49 - 1.2 + 2 x 1


def test_deribit_margin_edge_and_refusals():
    at = {"balances": {"BTC": "0.3105"}, "positions": {"BTC-28NOV25-100000-C": {"size": "-2"}}}
    # equity 0.3105 - 0.107 = 0.2035 ; requirement 0.257 -> short by 0.0535
    assert R.deribit_options(DERIBIT_INSTR, DERIBIT_BOOK, at, unit="BTC").surplus == F("-0.0535")
    at["balances"]["BTC"] = "0.364"                # 0.364 - 0.107 = 0.257
    assert R.deribit_options(DERIBIT_INSTR, DERIBIT_BOOK, at).surplus == 0
    raises(ValueError, R.deribit_options, DERIBIT_INSTR, DERIBIT_BOOK,
           {"balances": {}, "positions": {"BTC-PERPETUAL": {"size": "1"}}})
    raises(ValueError, R.deribit_options, DERIBIT_INSTR, DERIBIT_BOOK, at, unit="EUR")


def test_deribit_sample_quirks():
    by_name = {i["instrument_name"]: i for i in DERIBIT_INSTR["result"]}
    assert len(by_name) == 88
    assert by_name["BTC-28NOV25-50000-C"]["strike"] == 50000            # raw token "5.0e4"
    for name, instrument in by_name.items():
        assert R.dec(instrument["strike"]) == int(name.split("-")[2]), name
        assert instrument["contract_size"] == 1


def main():
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    failed = 0
    for name, fn in tests:
        try:
            fn()
            print(f"ok   {name}")
        except Exception:                                    # noqa: BLE001
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
    print(f"{len(tests) - failed}/{len(tests)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
