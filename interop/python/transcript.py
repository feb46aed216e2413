"""The Fiat–Shamir transcript zkmargin/transcript/v1 (SPEC.md §8)."""
import hashlib


def sha256(b):
    return hashlib.sha256(b).digest()


def u64be(v):
    return v.to_bytes(8, "big")


def lp(b):
    return u64be(len(b)) + b


class Transcript:
    def __init__(self, protocol):
        self.state = sha256(b"zkmargin/transcript/v1" + lp(protocol.encode()))

    def append(self, label, msg):
        self.state = sha256(b"\x01" + self.state + lp(label.encode()) + lp(bytes(msg)))

    # Typed messages (SPEC.md §8, the table).
    def append_u64(self, label, v):
        self.append(label, u64be(v))

    def append_string(self, label, s):
        self.append(label, s.encode())

    def challenge(self, label, q):
        """A nonzero scalar: 64 bytes reduced mod q, drawn again on zero."""
        while True:
            self.state = sha256(b"\x02" + self.state + lp(label.encode()))
            wide = sha256(b"\x03" + self.state) + sha256(b"\x04" + self.state)
            c = int.from_bytes(wide, "big") % q
            if c:
                return c
