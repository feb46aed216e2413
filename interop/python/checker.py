"""The circuit checker's static rules (SPEC.md §16.2.1): names and scopes, the
shapes of declarations, linearity, exact constants within
CircuitLimits.maximumConstantBits, nesting depth, and the convexity rule with
the signs of public factors taken from the parameters' declared ranges.
Run on the parsed circuit before any risk value is read."""

from fractions import Fraction

NEG, POS = "-inf", "+inf"
PUBLIC, AFFINE, NONLINEAR = 0, 1, 2
FIELDS = ("balance", "size", "entry_price")


class CheckError(Exception):
    pass


def bits(r):
    return max(abs(r.numerator).bit_length(), r.denominator.bit_length())


def checked(r, what):
    if bits(r) > 1024:
        raise CheckError("%s: a folded constant has %d bits, more than the limit of 1024 (CircuitLimits.maximumConstantBits)" % (what, bits(r)))
    return r


def signum(e):
    if e == NEG:
        return -1
    if e == POS:
        return 1
    return (e > 0) - (e < 0)


def less(a, b):
    if a == b and not isinstance(a, Fraction):
        return False
    if a == NEG or b == POS:
        return True
    if b == NEG or a == POS:
        return False
    return a < b


def neg(e):
    return POS if e == NEG else NEG if e == POS else -e


def ext_sum(a, b, upper):
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        s = a + b
        if bits(s) <= 1024:
            return s
        if upper:
            return Fraction(0) if signum(a) <= 0 and signum(b) <= 0 else POS
        return Fraction(0) if signum(a) >= 0 and signum(b) >= 0 else NEG
    if POS in (a, b):
        return POS
    return NEG


def ext_product(a, b, upper):
    s = signum(a) * signum(b)
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        p = a * b
        if bits(p) <= 1024:
            return p
        if upper:
            return POS if s > 0 else Fraction(0)
        return Fraction(0) if s > 0 else NEG
    return Fraction(0) if s == 0 else (POS if s > 0 else NEG)


UNBOUNDED = (NEG, POS)


def point(r):
    return (r, r)


def point_value(iv):
    lo, hi = iv
    if isinstance(lo, Fraction) and isinstance(hi, Fraction) and lo == hi:
        return lo
    return None


def i_add(a, b):
    return (ext_sum(a[0], b[0], False), ext_sum(a[1], b[1], True))


def i_neg(a):
    return (neg(a[1]), neg(a[0]))


def i_mul(a, b):
    pairs = [(a[0], b[0]), (a[0], b[1]), (a[1], b[0]), (a[1], b[1])]
    lo = ext_product(pairs[0][0], pairs[0][1], False)
    hi = ext_product(pairs[0][0], pairs[0][1], True)
    for x, y in pairs[1:]:
        l, h = ext_product(x, y, False), ext_product(x, y, True)
        if less(l, lo):
            lo = l
        if less(hi, h):
            hi = h
    return (lo, hi)


def i_reciprocal(a):
    if signum(a[0]) <= 0 and signum(a[1]) >= 0:
        return UNBOUNDED

    def inv(e):
        return 1 / e if isinstance(e, Fraction) else Fraction(0)
    return (inv(a[1]), inv(a[0]))


def i_abs(a):
    if signum(a[0]) >= 0:
        return a
    if signum(a[1]) <= 0:
        return i_neg(a)
    return (Fraction(0), a[1] if less(neg(a[0]), a[1]) else neg(a[0]))


def i_max(a, b):
    return (b[0] if less(a[0], b[0]) else a[0], b[1] if less(a[1], b[1]) else a[1])


def i_min(a, b):
    return (a[0] if less(a[0], b[0]) else b[0], a[1] if less(a[1], b[1]) else b[1])


def i_summed(a):
    return (Fraction(0) if signum(a[0]) >= 0 else NEG, Fraction(0) if signum(a[1]) <= 0 else POS)


def sign(iv):
    if signum(iv[0]) >= 0:
        return 1
    if signum(iv[1]) <= 0:
        return -1
    return 0


class Checker:
    """Mirrors the reference's checker: every refusal raises CheckError."""

    def __init__(self):
        self.symbols = {}
        self.scopes = [[]]
        self.sets = []
        self.params = []   # (dims, interval)
        self.lets = []     # IR of the body
        self.context = ""
        self.names = set()

    # scopes
    def declare(self, name, sym):
        if name in self.symbols:
            raise CheckError("`%s` is already declared; choose another name" % name)
        self.symbols[name] = sym
        self.scopes[-1].append(name)

    def open(self):
        self.scopes.append([])

    def close(self):
        for n in self.scopes.pop():
            del self.symbols[n]

    def resolve_set(self, name):
        sym = self.symbols.get(name)
        if sym is None:
            raise CheckError("unknown set `%s`" % name)
        if sym[0] != "set":
            raise CheckError("`%s` is not a set" % name)
        return sym[1]

    def run(self, stmts):
        for s in stmts:
            self.statement(s)
        if not any_require(stmts):
            raise CheckError("the circuit has no `require` statement: nothing to prove")

    def input_parameter(self, name, idx, var, set_, what):
        """A parameter in a `private` declaration (`from`, bounds, scale): a
        scalar, or a vector over the input's set indexed by its own variable."""
        sym = self.symbols.get(name)
        if sym is None or sym[0] != "param":
            raise CheckError("%s: `%s` is not a declared parameter" % (what, name))
        dims = self.params[sym[1]][0]
        if not dims:
            if idx is not None:
                raise CheckError("`%s` is a scalar parameter and takes no index" % name)
        elif dims != [set_] or idx is None or var is None or idx != var:
            raise CheckError("%s: `%s` must be a scalar or indexed by the input's own element" % (what, name))

    def limit(self, lim, var, set_):
        if lim[0] != "num":
            self.input_parameter(lim[1], lim[2], var, set_, "a bound or scale")

    def statement(self, s):
        k = s[0]
        if k == "set":
            for n in s[1]:
                self.declare(n, ("set", len(self.sets)))
                self.sets.append(n)
        elif k == "param":
            _, name, dims, lo, hi, default = s
            ds = [self.resolve_set(d[1]) for d in dims]
            if len(ds) > 2:
                raise CheckError("parameters have at most two indices")
            if len(ds) == 2 and ds[0] == ds[1]:
                raise CheckError("a matrix parameter's two indices must range over different sets")
            if default is not None and ((lo is not None and default < lo) or (hi is not None and default > hi)):
                raise CheckError("the default of `%s` is outside its declared range" % name)
            self.declare(name, ("param", len(self.params)))
            self.params.append((ds, (NEG if lo is None else lo, POS if hi is None else hi)))
        elif k == "private":
            _, name, var, set_name, factors, lower, upper, scale = s
            set_ = self.resolve_set(set_name)
            fields = []
            for f, idx in factors:
                if idx is None and f in FIELDS:
                    if f in fields:
                        raise CheckError("account field `%s` appears twice in `from`" % f)
                    fields.append(f)
                    continue
                self.input_parameter(f, idx, var, set_, "`from`")
            if set(fields) not in ({"balance"}, {"size"}, {"size", "entry_price"}):
                raise CheckError("`from` must read `balance`, `size`, or `size * entry_price`")
            for lim in (lower, upper, scale):
                self.limit(lim, var, set_)
            self.declare(name, ("input", set_))
        elif k == "let":
            _, name, binders, body = s
            self.context = "`let %s`" % name
            self.open()
            sets = []
            for var, set_name in binders:
                st = self.resolve_set(set_name)
                self.declare(var, ("var", st))
                sets.append(st)
            ir = self.build(body)
            self.close()
            self.declare(name, ("let", len(self.lets), sets))
            self.lets.append((name, ir))
        elif k == "require":
            _, label, lhs, rhs, ordinal = s
            if label is not None:
                if label in self.names:
                    raise CheckError("requirement name `%s` is already used" % label)
                self.names.add(label)
            self.context = "requirement `%s`" % label if label else "requirement %d" % ordinal
            l, r = self.build(lhs), self.build(rhs)
            memo = set()
            self.polarity(l, 1, memo)
            self.polarity(r, -1, memo)
        elif k == "for":
            _, var, set_name, body = s
            st = self.resolve_set(set_name)
            self.open()
            self.declare(var, ("var", st))
            for b in body:
                self.statement(b)
            self.close()

    def indices(self, idx, dims, name):
        if len(idx) != len(dims):
            raise CheckError("`%s` takes %d indices, found %d" % (name, len(dims), len(idx)))
        for (kind, v), d in zip(idx, dims):
            if kind == "str":
                continue
            sym = self.symbols.get(v)
            if sym is None or sym[0] != "var":
                raise CheckError("`%s` is not an index variable in scope" % v)
            if sym[1] != d:
                raise CheckError("`%s` ranges over %s, but this index of `%s` is over %s" % (v, self.sets[sym[1]], name, self.sets[d]))

    # IR: (node, linearity, interval, depth)
    def build(self, e):
        ir = self.node(e)
        if ir[3] > 128:
            raise CheckError("%s: an expression nested %d deep counting the `let`s it uses, beyond the limit of 128 (CircuitLimits.maximumNestingDepth)" % (self.context, ir[3]))
        return ir

    def combine(self, op, x, y):
        a, b = point_value(x), point_value(y)
        if a is not None and b is not None and not (op == "div" and b == 0):
            r = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "div": lambda: a / b}[op]()
            return point(checked(r, self.context))
        if op == "add":
            return i_add(x, y)
        if op == "sub":
            return i_add(x, i_neg(y))
        if op == "mul":
            return i_mul(x, y)
        return i_mul(x, i_reciprocal(y))

    def node(self, e):
        k = e[0]
        if k == "num":
            return (e, PUBLIC, point(e[1]), 1)
        if k == "ref":
            _, name, idx = e
            sym = self.symbols.get(name)
            if sym is None:
                raise CheckError("unknown name `%s`" % name)
            if sym[0] in ("set", "var"):
                raise CheckError("`%s` is a %s, not a value" % (name, "set" if sym[0] == "set" else "an index variable"))
            if sym[0] == "param":
                dims, iv = self.params[sym[1]]
                self.indices(idx, dims, name)
                return (e, PUBLIC, iv, 1)
            if sym[0] == "input":
                self.indices(idx, [sym[1]], name)
                return (e, AFFINE, UNBOUNDED, 1)
            self.indices(idx, sym[2], name)
            body = self.lets[sym[1]][1]
            return (("letref", sym[1]), body[1], body[2], body[3] + 1)
        if k == "neg":
            x = self.build(e[1])
            return (("neg", x), x[1], i_neg(x[2]), x[3] + 1)
        if k in ("add", "sub", "mul", "div"):
            x, y = self.build(e[1]), self.build(e[2])
            d = max(x[3], y[3]) + 1
            if k == "mul" and x[1] != PUBLIC and y[1] != PUBLIC:
                raise CheckError("private × private: both sides of this `*` depend on private inputs")
            if k == "div":
                if y[1] != PUBLIC:
                    raise CheckError("division by a private quantity: the divisor of `/` must be public")
                if y[0][0] == "num" and y[0][1] == 0:
                    raise CheckError("division by zero")
                return ((k, x, y), x[1], self.combine(k, x[2], y[2]), d)
            return ((k, x, y), max(x[1], y[1]), self.combine(k, x[2], y[2]), d)
        if k == "abs":
            x = self.build(e[1])
            if x[1] == NONLINEAR:
                raise CheckError("the argument of `abs` must be affine in the private inputs (no abs, max or min inside it)")
            return (("abs", x), PUBLIC if x[1] == PUBLIC else NONLINEAR, i_abs(x[2]), x[3] + 1)
        if k == "ext":
            xs = [self.build(a) for a in e[2]]
            iv = xs[0][2]
            for x in xs[1:]:
                iv = i_max(iv, x[2]) if e[1] else i_min(iv, x[2])
            lin = PUBLIC if all(x[1] == PUBLIC for x in xs) else NONLINEAR
            return (("ext", e[1], xs), lin, iv, max(x[3] for x in xs) + 1)
        if k == "round":
            up, x, q = e[1], self.build(e[2]), self.build(e[3])
            word = "ceil" if up else "floor"
            if q[1] != PUBLIC:
                raise CheckError("the quantum of `%s` must be public (parameters and numbers)" % word)
            step = point_value(q[2])
            if step is not None and step <= 0:
                raise CheckError("the quantum of `%s` is %s: it must be positive" % (word, step))
            v = point_value(x[2])
            if x[1] != PUBLIC:
                iv = UNBOUNDED
            elif v is not None and step is not None:
                r = v / step
                r = -((-r.numerator) // r.denominator) if up else r.numerator // r.denominator
                iv = point(checked(r * step, self.context))
            elif up:
                iv = (x[2][0], Fraction(0) if signum(x[2][1]) <= 0 else POS)
            else:
                iv = (Fraction(0) if signum(x[2][0]) >= 0 else NEG, x[2][1])
            return (("round", up, x), PUBLIC if x[1] == PUBLIC else NONLINEAR, iv, max(x[3], q[3]) + 1)
        if k == "reduce":
            _, kind, var, set_name, body, _line = e
            st = self.resolve_set(set_name)
            self.open()
            self.declare(var, ("var", st))
            b = self.build(body)
            self.close()
            if kind == "sum":
                lin, iv = b[1], i_summed(b[2])
            else:
                lin, iv = (PUBLIC if b[1] == PUBLIC else NONLINEAR), b[2]
            return (("reduce", kind, b), lin, iv, b[3] + 1)
        raise CheckError("internal: %r" % (k,))

    # the convexity rule
    def polarity(self, ir, pol, memo):
        if ir[1] != NONLINEAR:
            return
        n = ir[0]
        k = n[0]
        if k in ("add", "sub"):
            self.polarity(n[1], pol, memo)
            self.polarity(n[2], pol if k == "add" else -pol, memo)
        elif k == "neg":
            self.polarity(n[1], -pol, memo)
        elif k == "mul":
            a, b = n[1], n[2]
            x, c = (b, a) if a[1] == PUBLIC else (a, b)
            sg = sign(c[2])
            if sg == 0:
                raise CheckError("%s: cannot tell the sign of the public factor that multiplies abs/max/min; declare the ranges of the parameters involved" % self.context)
            self.polarity(x, pol * sg, memo)
        elif k == "div":
            sg = sign(n[2][2])
            if sg == 0:
                raise CheckError("%s: cannot tell the sign of the divisor of an expression containing abs/max/min; declare the ranges of the parameters involved" % self.context)
            self.polarity(n[1], pol * sg, memo)
        elif k == "abs":
            if pol > 0:
                raise CheckError("%s: `abs` where it would enlarge equity (the convexity rule)" % self.context)
        elif k == "ext":
            self.extremum(n[1], pol)
            for a in n[2]:
                self.polarity(a, pol, memo)
        elif k == "round":
            if n[1] and pol > 0:
                raise CheckError("%s: `ceil` where it would enlarge equity (the convexity rule)" % self.context)
            if not n[1] and pol < 0:
                raise CheckError("%s: `floor` where it would shrink the requirement (the convexity rule)" % self.context)
            self.polarity(n[2], pol, memo)
        elif k == "reduce":
            if n[1] != "sum":
                self.extremum(n[1] == "max", pol)
            self.polarity(n[2], pol, memo)
        elif k == "letref":
            key = (n[1], pol)
            if key in memo:
                return
            memo.add(key)
            self.polarity(self.lets[n[1]][1], pol, memo)

    def extremum(self, is_max, pol):
        if is_max and pol > 0:
            raise CheckError("%s: `max` where it would enlarge equity (the convexity rule)" % self.context)
        if not is_max and pol < 0:
            raise CheckError("%s: `min` where it would shrink the requirement (the convexity rule)" % self.context)


def any_require(stmts):
    for s in stmts:
        if s[0] == "require" or (s[0] == "for" and any_require(s[3])):
            return True
    return False


def check(stmts):
    Checker().run(stmts)
