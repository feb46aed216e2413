#!/usr/bin/env python3
"""Runs the venues' reference formulas (reference.py) on many accounts at once,
for the importers' agreement tests (Tests/SolvencyTests/VenueImportTests.swift).

    python3 Vectors/venues/evaluate.py binance BRACKETS.json MARKS.json ACCOUNTS.json
    python3 Vectors/venues/evaluate.py bybit RISK-LIMIT.json TICKERS.json ACCOUNTS.json [SETTLE]
    python3 Vectors/venues/evaluate.py hyperliquid META.json ACCOUNTS.json
    python3 Vectors/venues/evaluate.py dydx GENESIS.json ACCOUNTS.json
    python3 Vectors/venues/evaluate.py deribit INSTRUMENTS.json BOOK.json ACCOUNTS.json

ACCOUNTS.json is a JSON array of zkmargin accounts ({"account", "balances",
"positions"}). Prints one JSON object per line, in order: {"account", "equity",
"requirement"} as exact fractions "p/q", or {"account", "refused": reason}.
Bybit's SETTLE (the settlement coin whose balance counts) defaults to USDT."""
import json
import os
import sys
from fractions import Fraction

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402


def text(r: Fraction) -> str:
    return "%d/%d" % (r.numerator, r.denominator)


def main(argv):
    venue, *files = argv
    if venue == "binance" and len(files) == 3:
        brackets, marks = reference.load_file(files[0]), reference.load_file(files[1])
        run = lambda body: reference.binance_usdm(brackets, marks, body)  # noqa: E731
    elif venue == "bybit" and len(files) in (3, 4):
        settle = files.pop() if len(files) == 4 else "USDT"
        risk, tickers = reference.load_file(files[0]), reference.load_file(files[1])
        run = lambda body: reference.bybit(risk, tickers, body, settle)  # noqa: E731
    elif venue == "dydx" and len(files) == 2:
        genesis = reference.load_file(files[0])
        run = lambda body: reference.dydx_v4(genesis, body)  # noqa: E731
    elif venue == "hyperliquid" and len(files) == 2:
        meta = reference.load_file(files[0])
        run = lambda body: reference.hyperliquid(meta, body)  # noqa: E731
    elif venue == "deribit" and len(files) == 3:
        instruments, book = reference.load_file(files[0]), reference.load_file(files[1])
        run = lambda body: reference.deribit_options(instruments, book, body)  # noqa: E731
    else:
        sys.exit(__doc__)
    with open(files[-1], encoding="utf-8") as f:
        accounts = json.load(f)
    for account in accounts:
        label = account.get("account")
        body = {k: v for k, v in account.items() if k in ("balances", "positions")}
        try:
            m = run(body)
            print(json.dumps({"account": label, "equity": text(m.equity), "requirement": text(m.requirement)}))
        except (ValueError, KeyError) as e:
            print(json.dumps({"account": label, "refused": str(e)}))


if __name__ == "__main__":
    main(sys.argv[1:])
