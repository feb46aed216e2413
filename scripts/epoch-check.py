#!/usr/bin/env python3
"""Check a finished epoch directory against the generator's ground truth (scripts/slurm-e2e.sh).

    scripts/epoch-check.py --expected expected.jsonl --dir DIR --verdict verdict.json --shards N

expected.jsonl is scripts/epoch-accounts.py's exact arithmetic (independent of
zkmargin); verdict.json is `zkmargin-verify --json` over the epoch's proofs.
Checks, naming every account that fails one:
  - one statement per account, files named by the SHA-256 of the label;
  - DIR/openings is 0700 and every openings file 0600;
  - every solvent account has exactly one proof, DIR/proofs/<L>.json, for its
    label, and zkmargin-verify found it valid; every short account has none;
    nothing else is in DIR/proofs but temporary files a killed task may have
    left (.<L>.json.<random>.tmp, counted: they are never read as proofs);
  - the verdict is valid and names each solvent account exactly once; with an
    index (verdict member "index"), it counts the solvent accounts and each
    has DIR/inclusion/<L>.json;
  - the shard reports: every shard of both stages reported, no failure, and the
    prove reports' short accounts are exactly the expected short ones.
Prints a one-line summary and a JSON line of counts (for the figures); exits 1
if any check fails.
"""

import argparse
import collections
import hashlib
import json
import os
import re
import stat
import sys

HEX = re.compile(r"^[0-9a-f]{64}\.json$")
# A temporary file a killed task left behind (FileIO: ".<name>.<random>.tmp"):
# never read as a proof, so not an error; counted.
LEFTOVER = re.compile(r"^\.[0-9a-f]{64}\.json\.[0-9a-f]+\.tmp$")


def key(label: str) -> str:
    return hashlib.sha256(label.encode("utf-8")).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--expected", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--verdict", required=True)
    ap.add_argument("--shards", type=int, required=True)
    a = ap.parse_args()
    problems = []

    def bad(msg: str) -> None:
        if len(problems) < 50:
            problems.append(msg)
        elif len(problems) == 50:
            problems.append("… (more)")

    truth = [json.loads(line) for line in open(a.expected, encoding="utf-8") if line.strip()]
    solvent = {t["account"] for t in truth if t["solvent"]}
    short = {t["account"] for t in truth if not t["solvent"]}
    keys = {key(t["account"]): t["account"] for t in truth}

    def listing(area: str) -> list:
        path = os.path.join(a.dir, area)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    statements = listing("statements")
    if set(statements) != {k + ".json" for k in keys}:
        bad(f"statements: {len(statements)} files, expected one per account ({len(keys)})")

    op = os.path.join(a.dir, "openings")
    if stat.S_IMODE(os.stat(op).st_mode) != 0o700:
        bad(f"DIR/openings is mode {oct(stat.S_IMODE(os.stat(op).st_mode))}, not 0700")
    for name in listing("openings"):
        mode = stat.S_IMODE(os.stat(os.path.join(op, name)).st_mode)
        if mode != 0o600:
            bad(f"openings/{name} is mode {oct(mode)}, not 0600")

    proofs = listing("proofs")
    leftovers = [n for n in proofs if LEFTOVER.match(n)]
    proofs = [n for n in proofs if not LEFTOVER.match(n)]
    for name in proofs:
        if not HEX.match(name) or name[:-5] not in keys:
            bad(f"proofs/{name}: not the proof file of any account")
    for name in proofs:
        label = keys.get(name[:-5])
        if label is None:
            continue
        if label in short:
            bad(f"short account {label!r} has a proof (proofs/{name})")
        with open(os.path.join(a.dir, "proofs", name), "rb") as f:
            doc = json.load(f)
        if doc.get("account") != label:
            bad(f"proofs/{name} is for {doc.get('account')!r}, not {label!r}")
    for label in sorted(solvent):
        if key(label) + ".json" not in proofs:
            bad(f"solvent account {label!r} has no proof")

    verdict = json.load(open(a.verdict, encoding="utf-8"))
    if verdict.get("valid") is not True:
        bad(f"zkmargin-verify: the epoch is not valid ({verdict.get('error')})")
    seen = collections.Counter()
    for p in verdict.get("proofs", []):
        if p.get("valid") is not True:
            bad(f"zkmargin-verify: {p.get('file')} is INVALID: {p.get('error')}")
            continue
        seen[p.get("account")] += 1
        if os.path.basename(p.get("file", "")) != key(p.get("account", "")) + ".json":
            bad(f"zkmargin-verify: {p.get('file')} holds the proof of {p.get('account')!r}, whose file is {key(p.get('account', ''))}.json")
    for label in sorted(solvent):
        if seen[label] != 1:
            bad(f"solvent account {label!r}: {seen[label]} valid proofs, not exactly one")
    for label in sorted(set(seen) - solvent):
        bad(f"account {label!r}: a valid proof, but it is short (or unknown)")

    # The epoch index (zkmargin index; zkmargin-verify --index): it counts
    # the solvent accounts, and each has its inclusion proof.
    index = verdict.get("index")
    if not isinstance(index, dict):
        bad("the verdict has no epoch index: the directory was not verified with --index")
        index = {}
    if index.get("count") != len(solvent):
        bad(f"the epoch index counts {index.get('count')} accounts, not the {len(solvent)} solvent ones")
    inclusion = listing("inclusion")
    if set(inclusion) != {key(label) + ".json" for label in solvent}:
        bad(f"inclusion: {len(inclusion)} files, expected one per solvent account ({len(solvent)})")

    reports = collections.defaultdict(dict)
    for name in listing("reports"):
        m = re.match(r"^(attest|prove)-(\d+)-of-(\d+)\.json$", name)
        if not m:
            continue
        reports[m.group(1)][int(m.group(2)), int(m.group(3))] = json.load(open(os.path.join(a.dir, "reports", name), encoding="utf-8"))
    totals = {}
    for stage in ("attest", "prove"):
        got = sorted(reports[stage])
        if got != [(i, a.shards) for i in range(a.shards)]:
            bad(f"{stage} reports: {got}, expected shards 0…{a.shards - 1} of {a.shards}")
        rs = list(reports[stage].values())
        totals[stage] = {f: sum(r[f] for r in rs) for f in ("accounts", "written", "kept")}
        totals[stage]["failed"] = sum(len(r["failed"]) for r in rs)
        if totals[stage]["accounts"] != len(truth):
            bad(f"{stage} reports cover {totals[stage]['accounts']} accounts, not {len(truth)}")
        for r in rs:
            for f in r["failed"]:
                bad(f"{stage} {r['shard']}: {f.get('account')!r} failed: {f.get('code')}: {f.get('message')}")
    reported_short = [s["account"] for r in reports["prove"].values() for s in r["short"]]
    if sorted(reported_short) != sorted(short):
        bad(f"prove reports name {len(reported_short)} short accounts; expected {len(short)}: "
            f"missing {sorted(short - set(reported_short))[:5]}, extra {sorted(set(reported_short) - short)[:5]}")

    if problems:
        for p in problems:
            print(f"epoch-check: {p}", file=sys.stderr)
        print(f"epoch-check: FAILED ({len(problems)} problem{'s' if len(problems) != 1 else ''} shown)", file=sys.stderr)
        return 1
    print(f"epoch-check: {len(truth)} accounts: all {len(solvent)} solvent have exactly one valid proof, "
          f"none of the {len(short)} short has one; {len(statements)} statements, openings 0700/0600, "
          f"{a.shards} attest and {a.shards} prove shard reports, none failed"
          + f"; the signed index counts {index['count']} accounts, each with its inclusion proof"
          + (f"; {len(leftovers)} temporary file(s) of a killed task left in proofs/" if leftovers else ""), file=sys.stderr)
    print(json.dumps({"accounts": len(truth), "solvent": len(solvent), "short": len(short), "reports": totals, "leftovers": len(leftovers)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
