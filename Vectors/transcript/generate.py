#!/usr/bin/env python3
"""Known answers for the transcript of Vectors/transcript/README.md, computed
with Python's hashlib: independent of the Swift implementation."""
import hashlib, json, os

ORDERS = {
    "p256": 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551,
    "secp256k1": 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141,
}

def lp(b): return len(b).to_bytes(8, "big") + b
def sha(b): return hashlib.sha256(b).digest()

class Transcript:
    def __init__(self, protocol):
        self.state = sha(b"zkmargin/transcript/v1" + lp(protocol.encode()))
    def append(self, label, msg):
        self.state = sha(b"\x01" + self.state + lp(label.encode()) + lp(msg))
    def challenge(self, label, n):
        while True:
            self.state = sha(b"\x02" + self.state + lp(label.encode()))
            wide = sha(b"\x03" + self.state) + sha(b"\x04" + self.state)
            c = int.from_bytes(wide, "big") % n
            if c: return c

def run(curve, protocol, ops, name=None):
    t = Transcript(protocol)
    out = {"curve": curve, "protocol": protocol, "initial_state": t.state.hex(), "operations": []}
    if name: out["name"] = name
    for op in ops:
        if op[0] == "append":
            t.append(op[1], bytes.fromhex(op[2]))
            out["operations"].append({"op": "append", "label": op[1], "message": op[2], "state": t.state.hex()})
        else:
            c = t.challenge(op[1], ORDERS[curve])
            out["operations"].append({"op": "challenge", "label": op[1], "challenge": "%064x" % c, "state": t.state.hex()})
    return out

ops = [
    ("challenge", "first"),
    ("append", "empty", ""),
    ("append", "n", (64).to_bytes(8, "big").hex()),
    ("append", "point", "02" + "11" * 32),
    ("challenge", "y"),
    ("challenge", "z"),
    ("append", "", "00"),
    ("append", "long", "ab" * 300),
    ("challenge", "e"),
]
PROTOCOL = "zkmargin/bulletproofs-plus/v2"
HERE = os.path.dirname(os.path.abspath(__file__))

def u64(v): return v.to_bytes(8, "big").hex()
def scalar(v, curve): return "%064x" % (v % ORDERS[curve])

def range_statement():
    """What RangeStatement.transcript absorbs (README, "What the range proof
    absorbs") for one fixed P-256 statement: n = 64, three forms of widths
    64, 40, 1 over the commitments C0 = G (the base point) and C1 = H."""
    curve = "p256"
    with open(os.path.join(HERE, "..", "generators", "p256.json")) as f:
        h = json.load(f)["H"]
    g = "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    # (width, [(index, coefficient)], constant)
    forms = [(64, [(0, 1)], 0), (40, [(1, 3)], -2), (1, [], 7)]
    ops = [
        ("append", "curve", b"p256".hex()),
        ("append", "generators", b"ZKMARGIN-V1-p256/G=base,H=pedersen-H,Gi=bp-G,Hi=bp-H".hex()),
        ("append", "n", u64(64)),
        ("append", "m", u64(len(forms))),
        ("append", "m-padded", u64(4)),
        ("append", "context", b"ctx".hex()),
        ("append", "commitments", u64(2)),
        ("append", "C", g),
        ("append", "C", h),
    ]
    for width, terms, constant in forms:
        ops.append(("append", "form", u64(len(terms))))
        ops.append(("append", "width", u64(width)))
        for index, coefficient in terms:
            ops.append(("append", "index", u64(index)))
            ops.append(("append", "coefficient", scalar(coefficient, curve)))
        ops.append(("append", "constant", scalar(constant, curve)))
    return run(curve, PROTOCOL, ops, name="range-statement")

cases = [run(c, PROTOCOL, ops) for c in ORDERS] + [run("p256", "", ops[:3])]
# Framing: moving a byte between label and message must change the state.
cases.append(run("p256", "framing", [("append", "ab", "63"), ("challenge", "c")]))
cases.append(run("p256", "framing", [("append", "a", "6263"), ("challenge", "c")]))
cases.append(range_statement())
with open(os.path.join(HERE, "transcript.json"), "w") as f:
    json.dump({"cases": cases}, f, indent=1)
    f.write("\n")
