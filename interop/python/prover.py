"""The range prover of SPEC.md §10.2, used only to reproduce the seeded
vectors byte for byte (which checks §10.2 and §14 as written). Not constant
time, not for real proofs: its randomness is whatever `rng` gives."""
from generators import standard
from rangeproof import Proof


def lincomb2(curve, a, P, b, Q):
    """a·P + b·Q by Shamir's trick (public values only)."""
    PQ = curve.add(P, Q)
    table = {1: P, 2: Q, 3: PQ}
    acc = (0, 1, 0)
    for bit in range(curve.q.bit_length() - 1, -1, -1):
        acc = curve.jdouble(acc)
        sel = ((a >> bit) & 1) | (((b >> bit) & 1) << 1)
        if sel and table[sel] is not None:
            acc = curve.jadd_affine(acc, table[sel])
    return curve.to_affine(acc)


def prove(st, openings, rng, bit_widths=None, d_widths=None):
    """The proof bytes for statement `st` and openings [(x_c, β_c)], random
    scalars drawn from `rng` in §10.2's order. `bit_widths` and `d_widths`
    (per real form) replace the widths used for a_L and for d: only for the
    dishonest vectors; an honest prover never sets them."""
    c, q = st.curve, st.curve.q
    inv = lambda v: pow(v, q - 2, q)
    n, mp, N = st.n, st.m_padded, st.N
    gens = standard(c)
    G, H = gens.G, gens.H
    Gs, Hs = gens.vectors(N)
    pad = [n] * (mp - st.m)
    bit_widths = (bit_widths or st.widths) + pad
    d_widths = (d_widths or st.widths) + pad

    xs = [x for x, _ in openings]
    betas = [b for _, b in openings]
    v = [(b + sum(a * xs[i] for i, a in terms)) % q for terms, b in st.forms] + [0] * len(pad)
    gamma = [sum(a * betas[i] for i, a in terms) % q for terms, _ in st.forms] + [0] * len(pad)

    # 1. bits
    aL = [(v[l] >> t) & 1 if t < bit_widths[l] else 0 for l in range(mp) for t in range(n)]
    aR = [(x - 1) % q for x in aL]
    # 2. A
    t = st.transcript()
    alpha = rng.scalar(q)
    A = c.msm(aL + aR + [alpha], Gs + Hs + [H])
    t.append("A", c.encode_point(A))
    y, z = t.challenge("y", q), t.challenge("z", q)
    # 3. d, the shifted vectors, α̂
    ypow = [pow(y, i, q) for i in range(N + 2)]
    z2 = z * z % q
    d = [pow(z2, l + 1, q) * pow(2, tt, q) % q if tt < d_widths[l] else 0 for l in range(mp) for tt in range(n)]
    a = [(x - z) % q for x in aL]
    b = [(aR[i] + z + d[i] * ypow[N - i]) % q for i in range(N)]
    alpha_hat = (alpha + sum(pow(z2, l + 1, q) * ypow[N + 1] * gamma[l] for l in range(mp))) % q
    # 4. rounds
    g, hh = list(Gs), list(Hs)
    out = [None, None, None]            # A, A1, B, then L_j, R_j
    while len(a) > 1:
        half = len(a) // 2
        yh, yh_inv = ypow[half], inv(ypow[half])
        cL = sum(a[i] * b[half + i] * ypow[i + 1] for i in range(half)) % q
        cR = sum(yh * a[half + i] * b[i] * ypow[i + 1] for i in range(half)) % q
        dL, dR = rng.scalar(q), rng.scalar(q)
        L = c.msm([yh_inv * x for x in a[:half]] + b[half:] + [cL, dL], g[half:] + hh[:half] + [G, H])
        R = c.msm([yh * x for x in a[half:]] + b[:half] + [cR, dR], g[:half] + hh[half:] + [G, H])
        out += [L, R]
        t.append("L", c.encode_point(L))
        t.append("R", c.encode_point(R))
        e = t.challenge("e", q)
        ei = inv(e)
        g = [lincomb2(c, ei, g[i], e * yh_inv % q, g[half + i]) for i in range(half)]
        hh = [lincomb2(c, e, hh[i], ei, hh[half + i]) for i in range(half)]
        a = [(e * a[i] + yh * ei * a[half + i]) % q for i in range(half)]
        b = [(ei * b[i] + e * b[half + i]) % q for i in range(half)]
        alpha_hat = (alpha_hat + dL * e * e + dR * ei * ei) % q
    # 5. final round
    r, s, delta, eta = (rng.scalar(q) for _ in range(4))
    A1 = c.msm([r, s, (r * y * b[0] + s * y * a[0]) % q, delta], [g[0], hh[0], G, H])
    B = c.msm([r * y * s % q, eta], [G, H])
    t.append("A1", c.encode_point(A1))
    t.append("B", c.encode_point(B))
    e = t.challenge("e-final", q)
    r1, s1, d1 = (r + a[0] * e) % q, (s + b[0] * e) % q, (eta + delta * e + alpha_hat * e * e) % q
    out[0:3] = [A, A1, B]
    data = b"".join(c.encode_point(P) for P in out) + b"".join(c.encode_scalar(x) for x in (r1, s1, d1))
    Proof(data, st)                     # the encoding is well formed (§10.3)
    return data
