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

def run(curve, protocol, ops):
    t = Transcript(protocol)
    out = {"curve": curve, "protocol": protocol, "initial_state": t.state.hex(), "operations": []}
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
cases = [run(c, "zkmargin/bulletproofs-plus/v1", ops) for c in ORDERS] + [run("p256", "", ops[:3])]
# Framing: moving a byte between label and message must change the state.
cases.append(run("p256", "framing", [("append", "ab", "63"), ("challenge", "c")]))
cases.append(run("p256", "framing", [("append", "a", "6263"), ("challenge", "c")]))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "transcript.json"), "w") as f:
    json.dump({"cases": cases}, f, indent=1)
    f.write("\n")
