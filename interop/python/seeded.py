"""The deterministic stream the vectors draw their randomness from
(SPEC.md §14). TEST ONLY: never a source for real blindings or proofs."""
import hashlib


class SeededRandom:
    def __init__(self, seed):
        self.seed = seed.encode() if isinstance(seed, str) else bytes(seed)
        self.counter = 0
        self.pool = b""

    def bytes(self, count):
        while len(self.pool) < count:
            self.pool += hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
        out, self.pool = self.pool[:count], self.pool[count:]
        return out

    def scalar(self, q):
        """A random nonzero scalar: 64 bytes reduced mod q, again on zero."""
        while True:
            v = int.from_bytes(self.bytes(64), "big") % q
            if v:
                return v
