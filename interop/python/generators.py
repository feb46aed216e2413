"""The generators G, H, Gᵢ, Hᵢ of a curve (SPEC.md §6)."""
from hash_to_curve import hash_to_curve


class Generators:
    def __init__(self, curve):
        self.curve = curve
        self.dst = ("ZKMARGIN-V1-" + curve.name).encode()
        self.G = curve.G                                         # value base
        self.H = self._hash(b"pedersen-H")                       # blinding base
        self.set_identifier = "ZKMARGIN-V1-%s/G=base,H=pedersen-H,Gi=bp-G,Hi=bp-H" % curve.name
        self.Gs, self.Hs = [], []

    def _hash(self, msg):
        P = hash_to_curve(self.curve, msg, self.dst)
        if P is None:
            raise ValueError("a generator is the identity")        # never, in practice
        return P

    def vectors(self, count):
        """(G₀ … G_{count−1}, H₀ … H_{count−1}), derived once and cached."""
        for i in range(len(self.Gs), count):
            self.Gs.append(self._hash(b"bp-G" + i.to_bytes(4, "big")))
            self.Hs.append(self._hash(b"bp-H" + i.to_bytes(4, "big")))
        return self.Gs[:count], self.Hs[:count]


_cache = {}


def standard(curve):
    if curve.name not in _cache:
        _cache[curve.name] = Generators(curve)
    return _cache[curve.name]
