"""Range statements and Bulletproofs+ range-proof verification,
protocol zkmargin/bulletproofs-plus/v2 (SPEC.md §9–§11, §13)."""
import secrets

from curves import DecodeError
from generators import standard
from transcript import Transcript

PROTOCOL = "zkmargin/bulletproofs-plus/v2"
SIZES = (8, 16, 32, 64, 128, 256)
MAX_TOTAL_BITS = 1 << 20


class RangeProofError(Exception):
    """A refused statement or proof; str(e) is the SPEC.md §13 name, as the
    vector files spell it (e.g. "invalidPoint(L[0]): invalidPointPrefix")."""


def canonical_terms(terms, q):
    """SPEC.md §9.1: add repeated indices, drop zero coefficients, sort."""
    merged = {}
    for index, coefficient in terms:
        merged[index] = (merged.get(index, 0) + coefficient) % q
    return [(c, a) for c, a in sorted(merged.items()) if a]


def padded(m):
    p = 1
    while p < m:
        p <<= 1
    return p


class Statement:
    """A range statement (SPEC.md §9.1). `commitments` are 33-byte encodings,
    `forms` a list of (terms, constant) with terms [(index, coefficient)]."""

    def __init__(self, curve, bits, widths, commitments, forms, context):
        # SPEC.md §9.2, the shape checks in order.
        if bits not in SIZES:
            raise RangeProofError("unsupportedBitWidth(%d)" % bits)
        if not forms:
            raise RangeProofError("emptyStatement")
        if len(widths) != len(forms):
            raise RangeProofError("widthCount(expected: %d, got: %d)" % (len(forms), len(widths)))
        for l, w in enumerate(widths):
            if not 1 <= w <= bits:
                raise RangeProofError("widthOutOfRange(form: %d, width: %d, bits: %d)" % (l, w, bits))
        if bits * padded(len(forms)) > MAX_TOTAL_BITS:
            raise RangeProofError("statementTooLarge(%d)" % (bits * padded(len(forms))))
        q = curve.q
        self.forms = [(canonical_terms(terms, q), constant % q) for terms, constant in forms]
        for l, (terms, _) in enumerate(self.forms):
            for c, _ in terms:
                if not 0 <= c < len(commitments):
                    raise RangeProofError("commitmentIndexOutOfRange(form: %d, index: %d)" % (l, c))
        self.curve, self.n, self.widths, self.context = curve, bits, list(widths), bytes(context)
        self.encoded_commitments = [bytes(c) for c in commitments]
        self.commitments = [curve.decode_point(c) for c in self.encoded_commitments]  # §9.1: never 𝒪
        self.m = len(forms)
        self.m_padded = padded(self.m)                                  # §9.3
        self.N = self.n * self.m_padded
        self.k = self.N.bit_length() - 1
        self.padded_widths = self.widths + [self.n] * (self.m_padded - self.m)

    def transcript(self):
        """SPEC.md §9.4: everything the statement absorbs, in order."""
        t = Transcript(PROTOCOL)
        t.append_string("curve", self.curve.name)
        t.append_string("generators", standard(self.curve).set_identifier)
        t.append_u64("n", self.n)
        t.append_u64("m", self.m)
        t.append_u64("m-padded", self.m_padded)
        t.append("context", self.context)
        t.append_u64("commitments", len(self.commitments))
        for c in self.encoded_commitments:
            t.append("C", c)
        for (terms, constant), width in zip(self.forms, self.widths):
            t.append_u64("form", len(terms))
            t.append_u64("width", width)
            for index, coefficient in terms:
                t.append_u64("index", index)
                t.append("coefficient", self.curve.encode_scalar(coefficient))
            t.append("constant", self.curve.encode_scalar(constant))
        return t


def point_name(i):
    """A, A1, B, L[0], R[0], L[1], … (SPEC.md §10.4)."""
    return ("A", "A1", "B")[i] if i < 3 else "%s[%d]" % ("L" if i % 2 else "R", (i - 3) // 2)


class Proof:
    """A decoded proof (SPEC.md §10.3, §10.4): `encoded_points` as received,
    `points` decoded, and the scalars r′, s′, δ′."""

    def __init__(self, data, statement):
        curve, k = statement.curve, statement.k
        expected = 33 * (3 + 2 * k) + 96
        if len(data) != expected:                                        # step 1
            body = len(data) - 195
            if body >= 0 and body % 66 == 0:
                raise RangeProofError("roundCount(expected: %d, got: %d)" % (k, body // 66))
            raise RangeProofError("proofLength(expected: %d, got: %d)" % (expected, len(data)))
        self.encoded_points, self.points = [], []
        for i in range(3 + 2 * k):                                       # step 2
            enc = bytes(data[33 * i:33 * (i + 1)])
            try:
                self.points.append(curve.decode_point(enc))
            except DecodeError as e:
                raise RangeProofError("invalidPoint(%s): %s" % (point_name(i), e.code)) from None
            self.encoded_points.append(enc)
        offset = 33 * (3 + 2 * k)
        scalars = []
        for name in ("r'", "s'", "δ'"):                                  # step 3
            try:
                scalars.append(curve.decode_scalar(data[offset:offset + 32]))
            except DecodeError as e:
                raise RangeProofError("invalidScalar(%s): %s" % (name, e.code)) from None
            offset += 32
        self.r1, self.s1, self.d1 = scalars
        self.k = k


def challenges(proof, statement):
    """SPEC.md §11.1: replay §9.4 then §10.1; returns y, z, [e_j], e."""
    q = statement.curve.q
    t = statement.transcript()
    t.append("A", proof.encoded_points[0])
    y, z = t.challenge("y", q), t.challenge("z", q)
    es = []
    for j in range(proof.k):
        t.append("L", proof.encoded_points[3 + 2 * j])
        t.append("R", proof.encoded_points[4 + 2 * j])
        es.append(t.challenge("e", q))
    t.append("A1", proof.encoded_points[1])
    t.append("B", proof.encoded_points[2])
    return y, z, es, t.challenge("e-final", q)


def add_equation(proof, st, omega, base, extra):
    """Adds ω times the left side of SPEC.md §11.3 to the scalars `base`
    (index 0: G, 1: H, 2 + i: Gᵢ, 2 + W + i: Hᵢ, W = len(base)//2 − 1) and
    appends the proof's own (scalar, point) terms to `extra`."""
    q = st.curve.q
    inv = lambda v: pow(v, q - 2, q)
    N, k, n = st.N, st.k, st.n
    W = len(base) // 2 - 1
    y, z, es, e = challenges(proof, st)
    r1, s1, d1 = proof.r1, proof.s1, proof.d1
    es_inv = [inv(x) for x in es]

    # s_i and s_i⁻¹ (§11.2): s₀ = Π e_j⁻¹; index bit u (round j = k−1−u) multiplies by e_j².
    s, s_inv = [1], [1]
    for x, xi in zip(es_inv, es):
        s[0] = s[0] * x % q
        s_inv[0] = s_inv[0] * xi % q
    for u in range(k):
        j = k - 1 - u
        f, fi = es[j] * es[j] % q, es_inv[j] * es_inv[j] % q
        s += [v * f % q for v in s]
        s_inv += [v * fi % q for v in s_inv]

    # d_i by form block (padding forms at width n), and Σ d_i.
    z2 = z * z % q
    d = [0] * N
    zl = z2                                                  # z^{2(ℓ+1)}
    for l, w in enumerate(st.padded_widths):
        for t in range(w):
            d[l * n + t] = zl * pow(2, t, q) % q
        zl = zl * z2 % q
    sum_d = sum(d) % q

    y_pow = [1] * (N + 2)                                    # y⁰ … y^{N+1}
    for i in range(1, N + 2):
        y_pow[i] = y_pow[i - 1] * y % q
    yinv = inv(y)
    zeta = ((z - z2) * sum(y_pow[1:N + 1]) - z * y_pow[N + 1] * sum_d) % q

    e2 = e * e % q
    yinv_i = 1                                               # y^{−i}
    for i in range(N):
        base[2 + i] += omega * (-e2 * z - e * r1 * yinv_i * s[i])
        base[2 + W + i] += omega * (e2 * (z + d[i] * y_pow[N - i]) - e * s1 * s_inv[i])
        yinv_i = yinv_i * yinv % q

    # G: ζ, the forms' constants and −r′·y·s′; H: −δ′; C_c: the forms' coefficients.
    g_scalar = e2 * zeta - r1 * y * s1
    c_scalars = [0] * len(st.commitments)
    zl = z2
    for terms, constant in st.forms:
        weight = e2 * y_pow[N + 1] * zl % q
        g_scalar += weight * constant
        for c, a in terms:
            c_scalars[c] += weight * a
        zl = zl * z2 % q
    base[0] += omega * g_scalar
    base[1] += omega * -d1

    P = proof.points
    extra.append((omega * e2, P[0]))                         # A
    for j in range(k):
        extra.append((omega * e2 * es[j] * es[j], P[3 + 2 * j]))           # L_j
        extra.append((omega * e2 * es_inv[j] * es_inv[j], P[4 + 2 * j]))   # R_j
    extra.append((omega * e, P[1]))                          # A1
    extra.append((omega, P[2]))                              # B
    for c, point in enumerate(st.commitments):
        extra.append((omega * c_scalars[c], point))


def verify_batch(items, weights=None):
    """Verifies [(proof bytes, Statement)] on one curve. Raises RangeProofError
    (decoding, §10.4; or verificationFailed). With several items and no
    weights, draws random nonzero weights ω (SPEC.md §11.4)."""
    if not items:
        return
    curve = items[0][1].curve
    assert all(st.curve is curve for _, st in items), "one curve per batch"
    proofs = [(Proof(data, st), st) for data, st in items]
    if weights is None:
        weights = [1] if len(items) == 1 else [1 + secrets.randbelow(curve.q - 1) for _ in items]
    W = max(st.N for _, st in proofs)
    gens = standard(curve)
    Gs, Hs = gens.vectors(W)
    base, extra = [0] * (2 + 2 * W), []
    for (proof, st), omega in zip(proofs, weights):
        add_equation(proof, st, omega, base, extra)
    scalars = base + [s for s, _ in extra]
    points = [gens.G, gens.H] + Gs + Hs + [P for _, P in extra]
    if curve.msm(scalars, points) is not None:
        raise RangeProofError("verificationFailed")


def verify(data, statement):
    """Verifies one encoded proof against its statement (SPEC.md §10.4, §11.3)."""
    verify_batch([(data, statement)], weights=[1])
