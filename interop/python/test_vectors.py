#!/usr/bin/env python3
"""Checks every known-answer vector family of Vectors/ that SPEC.md covers
against this independent implementation (SPEC.md §15).

    python3 interop/python/test_vectors.py [-v] [--full]

Besides verifying, it reproduces the seeded range proofs byte for byte with
the prover of SPEC.md §10.2 (prover.py): those with N ≤ 128 by default, all
of them with --full (about 15 s more).

Exit status 0 when everything agrees; 1, with one line per disagreement,
otherwise."""
import json
import os
import sys
import time

sys.dont_write_bytecode = True        # leave no __pycache__ in the repository
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
VECTORS = os.path.join(HERE, "..", "..", "Vectors")

from curves import CURVES, DecodeError                                   # noqa: E402
from generators import standard                                          # noqa: E402
from hash_to_curve import (dst_prime, expand_message_xmd, hash_to_curve,  # noqa: E402
                           hash_to_field, map_to_curve, msg_prime)
from rangeproof import RangeProofError, Statement, verify, verify_batch  # noqa: E402
from prover import prove                                                 # noqa: E402
from seeded import SeededRandom                                          # noqa: E402
from transcript import Transcript                                        # noqa: E402
import zero_openings                                                     # noqa: E402
import merkle                                                            # noqa: E402
from circuit import MAXIMUM_EXPANDED_TERMS, Circuit, CircuitError, Compiler, Number, decimal, decode_values  # noqa: E402
from fractions import Fraction                                           # noqa: E402

VERBOSE = "-v" in sys.argv[1:]
PROVE_UP_TO = 1 << 20 if "--full" in sys.argv[1:] else 128
failures = []
checks = 0


def load(relative):
    with open(os.path.join(VECTORS, relative), encoding="utf-8") as f:
        return json.load(f)


def check(condition, what):
    """Counts one check; records a disagreement."""
    global checks
    checks += 1
    if not condition:
        failures.append(what)
        print("FAIL " + what)


def expect_error(function, expected, what):
    """`function` must raise an error whose code is `expected`."""
    try:
        function()
    except (DecodeError, RangeProofError) as e:
        got = e.code if isinstance(e, DecodeError) else str(e)
        check(got == expected, "%s: expected %s, got %s" % (what, expected, got))
    else:
        check(False, "%s: accepted, expected %s" % (what, expected))


def affine(d):
    return (int(d["x"], 16), int(d["y"], 16))


def h(b):
    return bytes.fromhex(b)


# -- SPEC.md §5: RFC 9380's own vectors (external) -------------------------------

def hash_to_curve_vectors():
    for curve, name in (("p256", "p256_XMD-SHA-256_SSWU_RO_.json"),
                        ("secp256k1", "secp256k1_XMD-SHA-256_SSWU_RO_.json")):
        c = CURVES[curve]
        f = load("hash-to-curve/" + name)
        check(f["suite"] == c.suite, "%s: suite %s" % (name, f["suite"]))
        dst = f["dst"].encode()
        for v in f["vectors"]:
            what = "%s msg=%r" % (name, v["msg"][:20])
            msg = v["msg"].encode()
            u0, u1 = hash_to_field(c, msg, dst)
            check((u0, u1) == (int(v["u0"], 16), int(v["u1"], 16)), what + ": hash_to_field")
            check(map_to_curve(c, u0) == affine(v["Q0"]), what + ": Q0")
            check(map_to_curve(c, u1) == affine(v["Q1"]), what + ": Q1")
            check(hash_to_curve(c, msg, dst) == affine(v["P"]), what + ": P")
    f = load("hash-to-curve/expand_message_xmd_SHA-256.json")
    for v in f["vectors"]:
        dst, msg, n = v["DST"].encode(), v["msg"].encode(), v["len_in_bytes"]
        what = "expand_message_xmd DST=%s… msg=%r len=%d" % (v["DST"][:12], v["msg"][:12], n)
        check(dst_prime(dst).hex() == v["DST_prime"], what + ": DST_prime")
        check(msg_prime(msg, dst, n).hex() == v["msg_prime"], what + ": msg_prime")
        check(expand_message_xmd(msg, dst, n).hex() == v["uniform_bytes"], what + ": uniform_bytes")


# -- SPEC.md §6 -------------------------------------------------------------------

def generator_vectors():
    for name, c in CURVES.items():
        f = load("generators/%s.json" % name)
        g = standard(c)
        check(f["curve"] == name and f["suite"] == c.suite, "generators/%s: curve and suite" % name)
        check(f["dst"].encode() == g.dst, "generators/%s: dst" % name)
        check(c.encode_point(g.G).hex() == f["G"], "generators/%s: G" % name)
        check(c.encode_point(g.H).hex() == f["H"], "generators/%s: H" % name)
        Gs, Hs = g.vectors(len(f["Gi"]))
        for i, (gi, hi) in enumerate(zip(f["Gi"], f["Hi"])):
            check(c.encode_point(Gs[i]).hex() == gi, "generators/%s: G%d" % (name, i))
            check(c.encode_point(Hs[i]).hex() == hi, "generators/%s: H%d" % (name, i))


# -- SPEC.md §7, §14 ----------------------------------------------------------------

def opens(c, x, beta, encoded):
    g = standard(c)
    return c.encode_point(c.msm([x, beta], [g.G, g.H])) == encoded


def commitment_vectors():
    for name, c in CURVES.items():
        f = load("commitments/%s.json" % name)
        rng = SeededRandom("commitment-vectors-" + name)          # §14
        values = [0, 1, c.q - 1, 9700025, 2 ** 63 - 1]
        check(len(f["cases"]) == len(values), "commitments/%s: case count" % name)
        for i, case in enumerate(f["cases"]):
            x, beta = c.decode_scalar(h(case["value"])), c.decode_scalar(h(case["blinding"]))
            check(opens(c, x, beta, h(case["commitment"])), "commitments/%s[%d]: x·G + β·H" % (name, i))
            check(x == values[i], "commitments/%s[%d]: value" % (name, i))
            check(beta == rng.scalar(c.q), "commitments/%s[%d]: seeded blinding" % (name, i))


# -- SPEC.md §4 -----------------------------------------------------------------------

def encoding_vectors():
    for name, c in CURVES.items():
        f = load("encoding/%s.json" % name)
        for v in f["valid_points"]:
            enc = h(v["compressed"])
            P = c.decode_point(enc)
            check(c.encode_point(P) == enc, "encoding/%s: round trip %s" % (name, v["compressed"][:10]))
            check(c.mul(c.decode_scalar(h(v["k"])), c.G) == P, "encoding/%s: k·G %s" % (name, v["k"][:10]))
        for v in f["invalid_points"]:
            expect_error(lambda: c.decode_point(h(v["hex"])), v["error"], "encoding/%s: %s" % (name, v["case"]))
        for s in f["valid_scalars"]:
            check(c.encode_scalar(c.decode_scalar(h(s))).hex() == s, "encoding/%s: scalar %s" % (name, s[:10]))
        for v in f["invalid_scalars"]:
            expect_error(lambda: c.decode_scalar(h(v["hex"])), v["error"], "encoding/%s: scalar %s" % (name, v["case"]))


def scalar_vectors():
    for name, c in CURVES.items():
        f = load("scalar/%s.json" % name)
        q = c.q
        check(int(f["order"], 16) == q, "scalar/%s: order" % name)
        hx = lambda v: "%064x" % (v % q)
        for i, v in enumerate(f["arithmetic"]):
            a, b = c.decode_scalar(h(v["a"])), c.decode_scalar(h(v["b"]))
            what = "scalar/%s arithmetic[%d]" % (name, i)
            check(hx(a + b) == v["sum"], what + ": sum")
            check(hx(a - b) == v["difference"], what + ": difference")
            check(hx(a * b) == v["product"], what + ": product")
            check(hx(-a) == v["a_negated"], what + ": negation")
            check((hx(pow(a, q - 2, q)) if a else None) == v["a_inverse"], what + ": inverse")
        for i, v in enumerate(f["wide_reduction"]):
            check(hx(c.reduce(h(v["wide"]))) == v["reduced"], "scalar/%s wide_reduction[%d]" % (name, i))


# -- SPEC.md §8, §9.4 --------------------------------------------------------------------

def transcript_vectors():
    f = load("transcript/transcript.json")
    for n, case in enumerate(f["cases"]):
        c = CURVES[case["curve"]]
        what = "transcript case %d (%s)" % (n, case.get("name", case["protocol"] or "empty label"))
        t = Transcript(case["protocol"])
        check(t.state.hex() == case["initial_state"], what + ": initial state")
        for i, op in enumerate(case["operations"]):
            if op["op"] == "append":
                t.append(op["label"], h(op["message"]))
            else:
                check("%064x" % t.challenge(op["label"], c.q) == op["challenge"], "%s op %d: challenge" % (what, i))
            check(t.state.hex() == op["state"], "%s op %d (%s): state" % (what, i, op["label"]))
        if case.get("name") == "range-statement":
            # The same statement built by this implementation's Statement (§9.4):
            # n = 64; forms x₀, 3·x₁ − 2, 7 with widths 64, 40, 1; C₀ = G, C₁ = H; context "ctx".
            g = standard(c)
            st = Statement(c, 64, [64, 40, 1], [c.encode_point(g.G), c.encode_point(g.H)],
                           [([(0, 1)], 0), ([(1, 3)], -2), ([], 7)], b"ctx")
            check(st.transcript().state.hex() == case["operations"][-1]["state"], what + ": Statement.transcript()")


# -- SPEC.md §9–§11, §13, §14 ---------------------------------------------------------------

def statement_of(c, v, widths=None):
    forms = [([(t["index"], c.decode_scalar(h(t["coefficient"]))) for t in f["terms"]],
              c.decode_scalar(h(f["constant"]))) for f in v["forms"]]
    return Statement(c, v["bits"], widths if widths is not None else v["widths"],
                     [h(x) for x in v["commitments"]], forms, h(v["context"]))


# How the dishonest vectors' prover chose its bits and d (the files say it in
# prose, `how`): widths for a_L and for d per real form, instead of the statement's.
DISHONEST = {"width-ignored-64": ([64, 64], [64, 64]), "padding-bits-256": ([256, 256], [250, 129])}


def check_openings(c, v, st, what):
    """The openings open the commitments, with blindings from the seeded stream
    (§14); then, for small enough N, the seeded prover (§10.2) must reproduce
    the stored proof byte for byte, drawing on from the same stream."""
    rng = SeededRandom(v["seed"])
    openings = []
    for i, (o, enc) in enumerate(zip(v["openings"], v["commitments"])):
        x, beta = c.decode_scalar(h(o["value"])), c.decode_scalar(h(o["blinding"]))
        check(opens(c, x, beta, h(enc)), "%s: opening %d" % (what, i))
        check(beta == rng.scalar(c.q), "%s: seeded blinding %d" % (what, i))
        openings.append((x, beta))
    if st.N <= PROVE_UP_TO:
        bit_widths, d_widths = DISHONEST.get(v["name"], (None, None)) if "error" in v else (None, None)
        data = prove(st, openings, rng, bit_widths, d_widths)
        check(data.hex() == v["proof"], "%s: the seeded prover (§10.2) does not reproduce the proof" % what)


def rangeproof_vectors():
    timings = []
    for name, c in CURVES.items():
        f = load("rangeproof/%s.json" % name)
        statements = []
        for v in f["valid"]:
            what = "rangeproof/%s valid %s" % (name, v["name"])
            st = statement_of(c, v)
            check_openings(c, v, st, what)
            statements.append(st)
            start = time.perf_counter()
            try:
                verify(h(v["proof"]), st)
                check(True, what)
            except RangeProofError as e:
                check(False, "%s: rejected (%s)" % (what, e))
            timings.append((name, v["name"], st.N, time.perf_counter() - start))
            # The claim (§11.6) holds for the openings: every form's value is below 2^w.
            xs = [c.decode_scalar(h(o["value"])) for o in v["openings"]]
            for l, ((terms, constant), w) in enumerate(zip(st.forms, st.widths)):
                value = (constant + sum(a * xs[i] for i, a in terms)) % c.q
                check(value < 2 ** w, "%s: form %d below 2^%d" % (what, l, w))
        for v in f["invalid"]:
            st = statements[v["valid"]]
            if "widths" in v:
                base = f["valid"][v["valid"]]
                st = statement_of(c, base, v["widths"])
            expect_error(lambda: verify(h(v["proof"]), st), v["error"],
                         "rangeproof/%s invalid '%s' of valid[%d]" % (name, v["name"], v["valid"]))
        for v in f["dishonest"]:
            what = "rangeproof/%s dishonest %s" % (name, v["name"])
            st = statement_of(c, v)
            check_openings(c, v, st, what)
            expect_error(lambda: verify(h(v["proof"]), st), v["error"], what)
        for v in f["refused_statements"]:
            commitment = c.encode_point(standard(c).G)
            expect_error(lambda: Statement(c, v["bits"], v["widths"], [commitment],
                                           [([(0, 1)], 0)] * v["forms"], b""),
                         v["error"], "rangeproof/%s refused %s" % (name, v["error"]))
        # §11.4: the valid proofs in one batch pass; with one dishonest proof added, it fails.
        batch = [(h(v["proof"]), st) for v, st in zip(f["valid"], statements)]
        try:
            verify_batch(batch)
            check(True, "batch")
        except RangeProofError as e:
            check(False, "rangeproof/%s: batch of the valid proofs rejected (%s)" % (name, e))
        bad = f["dishonest"][0]
        expect_error(lambda: verify_batch(batch + [(h(bad["proof"]), statement_of(c, bad))]),
                     "verificationFailed", "rangeproof/%s: batch with a dishonest proof" % name)
    return timings


# -- SPEC.md §12, §14 ------------------------------------------------------------------------

def zero_opening_vectors():
    for name, c in CURVES.items():
        f = load("zero-openings/%s.json" % name)
        check(f["protocol"] == zero_openings.PROTOCOL, "zero-openings/%s: protocol" % name)
        for v in f["valid"]:
            what = "zero-openings/%s valid %s" % (name, v["name"])
            rng = SeededRandom("zero-openings/%s/%s" % (name, v["name"]))
            cs = [h(x) for x in v["commitments"]]
            betas = []
            for i, (o, enc) in enumerate(zip(v["openings"], cs)):
                x, beta = c.decode_scalar(h(o["value"])), c.decode_scalar(h(o["blinding"]))
                check(opens(c, x, beta, enc), "%s: opening %d" % (what, i))
                check(beta == rng.scalar(c.q), "%s: seeded blinding %d" % (what, i))
                betas.append(beta)
            w = zero_openings.weights(c, h(v["context"]), cs, v["indices"])
            check(["%064x" % x for x in w] == v["weights"], what + ": weights")
            rho = c.decode_scalar(h(v["rho"]))
            check(rho == sum(wu * betas[i] for wu, i in zip(w, v["indices"])) % c.q, what + ": ρ = Σ w·β")
            check(zero_openings.verify(c, h(v["context"]), cs, v["indices"], rho), what + ": verifies")
        for v in f["invalid"]:
            ok = zero_openings.verify(c, h(v["context"]), [h(x) for x in v["commitments"]], v["indices"],
                                      c.decode_scalar(h(v["rho"])))
            check(not ok, "zero-openings/%s invalid '%s' of valid[%d]: accepted" % (name, v["name"], v["valid"]))


def checker_vectors():
    """Vectors/checker/: circuits the reference's checker (and the limits with
    values) accepts or refuses (SPEC.md §16.2.1–§16.2.2)."""
    doc = load("checker/cases.json")
    values = decode_values(doc["values"])
    for n, case in enumerate(doc["cases"]):
        try:
            Compiler(Circuit(doc["header"] + case["body"] + "\n", "checker"), values)
            refused = False
        except CircuitError:
            refused = True
        check(refused == case["refused"], "checker case %d (%s): the reference %s it, this implementation %s"
              % (n, case["body"].replace("\n", " | "), "refuses" if case["refused"] else "accepts", "refuses" if refused else "accepts"))


def work_vectors():
    """Vectors/work/: the work budget's units the reference charges compiling
    each case, or null where the budget refuses it (SPEC.md §16.2.2)."""
    doc = load("work/cases.json")
    root = os.path.dirname(VECTORS)
    check(doc["limit"] == MAXIMUM_EXPANDED_TERMS, "work: the limit is %s, not %d" % (doc["limit"], MAXIMUM_EXPANDED_TERMS))
    for case in doc["cases"]:
        if "circuit_file" in case:
            with open(os.path.join(root, case["circuit_file"]), encoding="utf-8") as f:
                source = f.read()
            with open(os.path.join(root, case["values_file"]), encoding="utf-8") as f:
                values = json.load(f, parse_int=Number, parse_float=Number)
        else:
            source, values = case["circuit"], case["values"]
        try:
            units = Compiler(Circuit(source, "work"), decode_values(values)).work_used
        except CircuitError as e:
            units = None
            check("CircuitLimits.maximumExpandedTerms" in str(e), "work case %r: refused for another reason: %s" % (case["name"], e))
        check(units == case["work"], "work case %r: the reference charges %s units, this implementation %s"
              % (case["name"], case["work"], units))


def number_vectors():
    """Vectors/numbers/: the exact numbers of values and account files
    (SPEC.md §16.1): each accepted text has exactly the reference's value,
    each refused text is refused. A `json` case is a JSON number's literal."""
    doc = load("numbers/cases.json")

    def read(case):
        return decimal(Number(case["text"]) if case["json"] else case["text"], "case")

    for case in doc["accepted"]:
        try:
            got = read(case)
        except CircuitError as e:
            got = e
        check(got == Fraction(case["value"]), "numbers: %r (json %s): expected %s, got %s"
              % (case["text"], case["json"], case["value"], got))
    for case in doc["refused"]:
        try:
            got = read(case)
        except CircuitError:
            got = None
        check(got is None, "numbers: %r (json %s) is refused by the reference (%s), accepted here as %s"
              % (case["text"], case["json"], case["says"], got))


def merkle_vectors():
    """Vectors/merkle/: transparency-dev/merkle's numbers (external) for the
    RFC 9162 tree of SPEC.md §16.19: leaf hashes, the root of every prefix of
    the eight classic leaves, paths, and the inclusion probes."""
    doc = load("merkle/rfc9162.json")
    leaves = [h(x) for x in doc["leaves"]]
    hashes = [merkle.leaf_hash(x) for x in leaves]
    check([x.hex() for x in hashes] == doc["leaf_hashes"], "merkle: leaf hashes")
    for n, want in enumerate(doc["roots"]):
        check(merkle.root(hashes[:n]).hex() == want, "merkle: root of %d leaves" % n)
    for p in doc["paths"]:
        got = merkle.path(p["index"], hashes[:p["count"]])
        check([x.hex() for x in got] == p["path"], "merkle: path of leaf %d of %d" % (p["index"], p["count"]))
        check(merkle.root_from_path(got, hashes[p["index"]], p["index"], p["count"]) == h(doc["roots"][p["count"]]),
              "merkle: path of leaf %d of %d leads to the root" % (p["index"], p["count"]))
    for p in doc["probes"]:
        got = merkle.root_from_path([h(x) for x in p["path"]], h(p["leaf_hash"]), p["index"], p["count"])
        check((got == h(p["root"])) == p["valid"], "merkle: probe %s" % p["source"])


def seal_vectors():
    """Vectors/seal/: custodian statements read alone (SPEC.md §16.18): each
    signed, sealed, unsealed or tampered statement gives the reference's
    error code, or none when valid."""
    import verify
    with open(os.path.join(VECTORS, "seal", "cases.json"), "rb") as f:
        doc = verify.parse_json(f.read(), "Vectors/seal/cases.json")   # numbers as the verifier reads them
    for case in doc["cases"]:
        try:
            verify.read_statement(case["statement"], "statement", None)
            got = None
        except verify.Refused as e:
            got = e.code
        check(got == case["error"], "seal case %r: the reference gives %s, this implementation %s" % (case["name"], case["error"], got))


FAMILIES = [
    ("hash-to-curve (RFC 9380)", hash_to_curve_vectors),
    ("generators", generator_vectors),
    ("commitments", commitment_vectors),
    ("encoding", encoding_vectors),
    ("scalar", scalar_vectors),
    ("transcript", transcript_vectors),
    ("rangeproof", rangeproof_vectors),
    ("zero-openings", zero_opening_vectors),
    ("checker", checker_vectors),
    ("work", work_vectors),
    ("numbers", number_vectors),
    ("merkle (RFC 9162)", merkle_vectors),

    ("seal", seal_vectors),
]


def main():
    total = time.perf_counter()
    for name, run in FAMILIES:
        before, failed, start = checks, len(failures), time.perf_counter()
        try:
            extra = run()
        except Exception as e:  # a crash is a disagreement too
            failures.append("%s: %s: %s" % (name, type(e).__name__, e))
            print("FAIL %s crashed: %s: %s" % (name, type(e).__name__, e))
            extra = None
        print("%-26s %5d checks, %d failed, %.2f s" % (name, checks - before, len(failures) - failed,
                                                     time.perf_counter() - start))
        if VERBOSE and extra:
            for curve, proof, N, seconds in extra:
                print("    verify %-9s %-10s N = %4d  %.3f s" % (curve, proof, N, seconds))
    print("%d checks, %d disagreements, %.1f s" % (checks, len(failures), time.perf_counter() - total))
    if failures:
        print("DISAGREEMENT with the vectors: see the FAIL lines above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
