"""Zero-opening proofs, protocol zkmargin/zero-openings/v1 (SPEC.md §12)."""
from generators import standard
from transcript import Transcript

PROTOCOL = "zkmargin/zero-openings/v1"


def weights(curve, context, encoded_commitments, indices):
    t = Transcript(PROTOCOL)
    t.append("context", context)
    t.append_string("curve", curve.name)
    t.append_u64("commitments", len(encoded_commitments))
    for c in encoded_commitments:
        t.append("C", c)
    t.append_u64("zero", len(indices))
    for i in indices:
        t.append_u64("index", i)
    return [t.challenge("c", curve.q) for _ in indices]


def verify(curve, context, encoded_commitments, indices, rho):
    """True if ρ shows every commitment at `indices` to open to zero."""
    if any(a >= b for a, b in zip(indices, indices[1:])):
        return False
    if any(not 0 <= i < len(encoded_commitments) for i in indices):
        return False
    if not indices:
        return rho == 0
    points = [curve.decode_point(c) for c in encoded_commitments]
    w = weights(curve, context, encoded_commitments, indices)
    return curve.msm(w + [-rho], [points[i] for i in indices] + [standard(curve).H]) is None
