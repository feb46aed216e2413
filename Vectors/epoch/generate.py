#!/usr/bin/env python3
"""Writes vectors.json: shard assignment and seeded blindings (SPEC.md §17),
computed with hashlib and Python integers only, independently of the Swift code."""
import hashlib, json

ORDERS = {
    "p256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "secp256k1": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
}

def lp(b: bytes) -> bytes:
    return len(b).to_bytes(8, "big") + b

def shard(label: str, count: int) -> int:
    return int.from_bytes(hashlib.sha256(label.encode()).digest(), "big") % count

def blinding(seed: bytes, curve: str, bundle: bytes, label: str, k: int) -> int:
    prefix = lp(b"zkmargin/opening-seed@1") + lp(curve.encode()) + lp(bundle) + lp(label.encode()) + k.to_bytes(8, "big")
    wide = hashlib.sha256(prefix + b"\x00" + seed).digest() + hashlib.sha256(prefix + b"\x01" + seed).digest()
    r = int.from_bytes(wide, "big") % ORDERS[curve]
    return r or 1

labels = ["fund-7/subacct-2", "acct/12 ü borrowed-solvent", "", "../../etc/passwd", "客户 7"]
counts = [1, 2, 8, 1000, 1048576]
shards = [{"label": l, "key": hashlib.sha256(l.encode()).hexdigest(),
           "shards": {str(n): shard(l, n) for n in counts}} for l in labels]
seed = bytes(range(32))
bundle = bytes([0xAB]) * 32
seeds = [{"curve": c, "seed": seed.hex(), "bundle": bundle.hex(), "account": l, "index": k,
          "blinding": format(blinding(seed, c, bundle, l, k), "064x")}
         for c in ORDERS for (l, k) in [("fund-7/subacct-2", 0), ("fund-7/subacct-2", 5), ("ü", 1), ("", 4095)]]
with open("vectors.json", "w") as f:
    json.dump({"shards": shards, "seeded_blindings": seeds}, f, indent=2, ensure_ascii=False)
    f.write("\n")
