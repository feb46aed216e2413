"""The circuit language and its compilation to range statements, written from
SPEC.md §16.2–§16.5 and Circuits/README.md §1–§8: lexer, parser, risk-value
binding, elaboration, lowering to integer affine forms (position sides and
signed balances' parts, summed declarations), widths, anonymity sets,
self-attested bounds and chunking.

What it does not implement, it refuses with `NotImplementedHere` (never a
silent difference). The limits of SPEC.md §16.2.1–§16.2.2 are enforced, the
`maximumExpandedTerms` work budget with every charge the specification lists
(`Compiler.charge`)."""
import math
import re

import checker
import unicodedata
from fractions import Fraction

WRAP_BITS = 250
MAX_WIDTH = 250
PROOF_SIZES = (8, 16, 32, 64, 128, 256)
MAX_FORMS = 64
# Inputs committed as two parts when their bounds lie on both sides of 0 (SPEC.md §16.3).
SPLIT_PARTS = {("size",): ("long", "short"), ("balance",): ("asset", "liability")}
MAX_SOURCE_BYTES = 1 << 20    # CircuitLimits.maximumSourceBytes
MAX_DEPTH = 128               # CircuitLimits.maximumNestingDepth
MAX_CONSTANT_BITS = 1024      # CircuitLimits.maximumConstantBits
MAX_REQUIREMENTS = 1 << 16    # CircuitLimits.maximumRequirements
MAX_COMMITTED = 1 << 16       # CircuitLimits.maximumCommittedInputs
PER_PROOF_COST = 256
KEYWORDS = {"set", "param", "private", "let", "require", "for", "in", "sum", "max", "min", "abs", "from", "scale", "default"}


MAXIMUM_EXPANDED_TERMS = 1 << 22
BASE_HOLDS = "excess >= 0"     # what every requirement's constraint states (SPEC.md §16.16)
HELPER_CALL_UNITS, NEW_HELPER_UNITS = 32, 160    # SPEC.md §16.2.2
WORK_MESSAGE = ("compiling the circuit with these values needs more work (ground terms created or copied, "
                "nodes lowered, helper branch pairs compared), more than the limit of %d "
                "(CircuitLimits.maximumExpandedTerms)" % MAXIMUM_EXPANDED_TERMS)


class CircuitError(Exception):
    """The circuit or the values are refused (the reference's `circuit`)."""


class NotImplementedHere(Exception):
    """Something SPEC.md specifies that this implementation does not do."""


# -- identifiers (SPEC.md §16.1) ----------------------------------------------

def display_unsafe(ch):
    v = ord(ch)
    if v < 0x20 or 0x7F <= v <= 0x9F:
        return True
    return unicodedata.category(ch) in ("Cf", "Zl", "Zp")


def identifier_problem(s, max_bytes):
    if not s:
        return "is empty"
    if len(s.encode()) > max_bytes:
        return "is longer than %d bytes" % max_bytes
    if any(display_unsafe(c) for c in s):
        return "contains a control, format or line-separator character"
    if unicodedata.normalize("NFC", s) != s:
        return "is not in Unicode normalization form C (NFC)"
    return None


MAX_DECIMAL_DIGITS = 100     # CircuitLimits.maximumDecimalDigits
MAX_EXPONENT = 100           # CircuitLimits.maximumExponent

# decimal := '-'? digits ('.' digits)? (('e' | 'E') ('+' | '-')? digits)?   (SPEC.md §16.1)
DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?)([0-9]+))?")
# ratio := '-'? digits '/' digits
RATIO = re.compile(r"(-?)([0-9]+)/([0-9]+)")


class Number:
    """A JSON number, kept as its literal text (verify.py's parse_int and
    parse_float), so that nothing is read through a binary float."""

    def __init__(self, text):
        self.text = text


def decimal(value, path):
    """An exact number of a values or account file (SPEC.md §16.1) as a
    Fraction: a string holding a decimal with an optional exponent or a ratio
    p/q of two integers, or a JSON number (a `Number`) holding a decimal. At
    most 100 digits in a mantissa, in an exponent (leading zeros included) and
    in each of p and q; |exponent| <= 100; q != 0. All checked on the text."""
    if isinstance(value, Number):
        text, forms = value.text, (DECIMAL,)
    elif isinstance(value, str):
        text, forms = value, (DECIMAL, RATIO)
    else:
        raise CircuitError("%s: expected a decimal (a string or a JSON number)" % path)
    for form in forms:
        m = form.fullmatch(text)
        if m:
            return (exact_decimal if form is DECIMAL else exact_ratio)(m, text, path)
    raise CircuitError("%s: %r is not a decimal" % (path, text))


def exact_decimal(m, text, path):
    sign, whole, fraction, exponent_sign, exponent = m.groups()
    fraction = fraction or ""
    if len(whole) + len(fraction) > MAX_DECIMAL_DIGITS:
        raise CircuitError("%s: %r has more than %d digits (CircuitLimits.maximumDecimalDigits)" % (path, text, MAX_DECIMAL_DIGITS))
    e = 0
    if exponent is not None:
        if len(exponent) > MAX_DECIMAL_DIGITS:
            raise CircuitError("%s: the exponent of %r has more than %d digits (CircuitLimits.maximumDecimalDigits)" % (path, text, MAX_DECIMAL_DIGITS))
        significant = exponent.lstrip("0")
        if len(significant) > 3 or int(significant or "0") > MAX_EXPONENT:
            raise CircuitError("%s: the exponent of %r is beyond the limit of %d (CircuitLimits.maximumExponent)" % (path, text, MAX_EXPONENT))
        e = -int(exponent) if exponent_sign == "-" else int(exponent)
    v = Fraction(int(whole + fraction)) * Fraction(10) ** (e - len(fraction))
    return -v if sign else v


def exact_ratio(m, text, path):
    sign, p, q = m.groups()
    if len(p) > MAX_DECIMAL_DIGITS or len(q) > MAX_DECIMAL_DIGITS:
        raise CircuitError("%s: %r has an integer of more than %d digits (CircuitLimits.maximumDecimalDigits)" % (path, text, MAX_DECIMAL_DIGITS))
    if int(q) == 0:
        raise CircuitError("%s: %r divides by zero" % (path, text))
    v = Fraction(int(p), int(q))
    return -v if sign else v


# -- lexer and parser (Circuits/README.md §1–§2) --------------------------------

def lex(source):
    tokens, i, n, line = [], 0, len(source), 1
    while i < n:
        c = source[i]
        if c in " \t\r":
            i += 1
        elif c == "\n":
            line += 1
            i += 1
        elif source.startswith("//", i):
            while i < n and source[i] != "\n":
                i += 1
        elif c.isascii() and (c.isalpha() or c == "_"):
            j = i
            while j < n and source[j].isascii() and (source[j].isalnum() or source[j] == "_"):
                j += 1
            word = source[i:j]
            tokens.append(("kw" if word in KEYWORDS else "id", word, line))
            i = j
        elif c.isascii() and c.isdigit():
            j = i
            while j < n and source[j].isascii() and source[j].isdigit():
                j += 1
            frac = ""
            if j < n and source[j] == "." and j + 1 < n and source[j + 1].isdigit():
                k = j + 1
                while k < n and source[k].isascii() and source[k].isdigit():
                    k += 1
                frac, j = source[j + 1:k], k
            mantissa = source[i:j].split(".")[0] + frac
            exponent = 0
            if j < n and source[j] in "eE":
                k = j + 1
                sign = 1
                if k < n and source[k] in "+-":
                    sign = -1 if source[k] == "-" else 1
                    k += 1
                m = k
                while m < n and source[m].isascii() and source[m].isdigit():
                    m += 1
                if m == k:
                    raise CircuitError("line %d: malformed number" % line)
                # As the reference: an exponent of more than 18 digits (leading
                # zeros counted) is beyond the limit without being read.
                if m - k > 18:
                    raise CircuitError("line %d: exponent beyond the limit of 100" % line)
                exponent = sign * int(source[k:m])
                if abs(exponent) > 100:
                    raise CircuitError("line %d: exponent beyond the limit of 100" % line)
                j = m
            if len(mantissa) > 100:
                raise CircuitError("line %d: more than 100 digits" % line)
            tokens.append(("num", Fraction(int(mantissa)) * Fraction(10) ** (exponent - len(frac)), line))
            i = j
        elif c == '"':
            j = source.find('"', i + 1)
            if j < 0 or "\n" in source[i + 1:j]:
                raise CircuitError("line %d: unterminated string" % line)
            tokens.append(("str", source[i + 1:j], line))
            i = j + 1
        elif source.startswith(">=", i) or source.startswith("<=", i):
            tokens.append(("op", source[i:i + 2], line))
            i += 2
        elif c in "[](),:{};+-*/=":
            tokens.append(("op", c, line))
            i += 1
        else:
            raise CircuitError("line %d: unexpected character %r" % (line, c))
    tokens.append(("end", None, line))
    return tokens


class Parser:
    def __init__(self, source):
        if len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
            raise CircuitError("the circuit's source exceeds the limit of %d bytes (CircuitLimits.maximumSourceBytes)" % MAX_SOURCE_BYTES)
        self.t = lex(source)
        self.i = 0
        self.requires = 0
        # SPEC.md §16.2.1: expression depths (parentheses count), keyed by id(node).
        self.depth = {}
        self.nesting = 0
        self.loops = 0

    def mk(self, node, d):
        if d > MAX_DEPTH:
            raise CircuitError("an expression nested %d deep, beyond the limit of %d (CircuitLimits.maximumNestingDepth)" % (d, MAX_DEPTH))
        self.depth[id(node)] = d
        return node

    def d(self, node):
        return self.depth[id(node)]

    def enter(self):
        self.nesting += 1
        if self.nesting >= MAX_DEPTH:
            raise CircuitError("an expression nested at least %d deep, beyond the limit of %d (CircuitLimits.maximumNestingDepth)" % (self.nesting + 1, MAX_DEPTH))

    def leave(self):
        self.nesting -= 1

    def peek(self, k=0):
        return self.t[min(self.i + k, len(self.t) - 1)]

    def take(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def at(self, kind, value=None, k=0):
        tok = self.peek(k)
        return tok[0] == kind and (value is None or tok[1] == value)

    def expect(self, kind, value=None):
        if not self.at(kind, value):
            tok = self.peek()
            raise CircuitError("line %d: expected %s, found %r" % (tok[2], value or kind, tok[1]))
        return self.take()[1]

    def skip_semicolons(self):
        while self.at("op", ";"):
            self.take()

    def program(self):
        out = []
        self.skip_semicolons()
        while not self.at("end"):
            out.append(self.statement(top=True))
            self.skip_semicolons()
        return out

    def signed(self):
        neg = False
        if self.at("op", "-"):
            self.take()
            neg = True
        v = self.expect("num")
        return -v if neg else v

    def dim(self, allow_bare):
        name = self.expect("id")
        if self.at("kw", "in"):
            self.take()
            return (name, self.expect("id"))
        if not allow_bare:
            raise CircuitError("line %d: expected `in`" % self.peek()[2])
        return (None, name)

    def limit(self):
        neg = False
        if self.at("op", "-"):
            self.take()
            neg = True
        if self.at("num"):
            v = self.take()[1]
            return ("num", -v if neg else v)
        name = self.expect("id")
        index = None
        if self.at("op", "["):
            self.take()
            index = self.expect("id")
            self.expect("op", "]")
        return ("param", name, index, neg)

    def statement(self, top):
        tok = self.peek()
        if tok[0] == "kw" and tok[1] in ("set", "param", "private") and not top:
            raise CircuitError("line %d: `%s` only at top level" % (tok[2], tok[1]))
        if self.at("kw", "set"):
            self.take()
            names = [self.expect("id")]
            while self.at("op", ","):
                self.take()
                names.append(self.expect("id"))
            return ("set", names)
        if self.at("kw", "param"):
            self.take()
            name = self.expect("id")
            dims = []
            if self.at("op", "["):
                self.take()
                dims.append(self.dim(True))
                while self.at("op", ","):
                    self.take()
                    dims.append(self.dim(True))
                self.expect("op", "]")
            lo = hi = None
            if self.at("op", ">="):
                self.take()
                lo = self.signed()
            elif self.at("op", "<="):
                self.take()
                hi = self.signed()
            elif self.at("kw", "in"):
                self.take()
                self.expect("op", "[")
                lo = self.signed()
                self.expect("op", ",")
                hi = self.signed()
                self.expect("op", "]")
            default = None
            if self.at("kw", "default"):
                self.take()
                default = self.signed()
            return ("param", name, dims, lo, hi, default)
        if self.at("kw", "private"):
            self.take()
            name = self.expect("id")
            self.expect("op", "[")
            var, set_name = self.dim(True)
            self.expect("op", "]")
            self.expect("kw", "from")
            factors = [self.factor()]
            while self.at("op", "*"):
                self.take()
                factors.append(self.factor())
            self.expect("kw", "in")
            self.expect("op", "[")
            lower = self.limit()
            self.expect("op", ",")
            upper = self.limit()
            self.expect("op", "]")
            self.expect("kw", "scale")
            scale = self.limit()
            return ("private", name, var, set_name, factors, lower, upper, scale)
        if self.at("kw", "let"):
            self.take()
            name = self.expect("id")
            binders = []
            if self.at("op", "["):
                self.take()
                binders.append(self.dim(False))
                while self.at("op", ","):
                    self.take()
                    binders.append(self.dim(False))
                self.expect("op", "]")
            self.expect("op", "=")
            return ("let", name, binders, self.expr())
        if self.at("kw", "require"):
            self.take()
            label = None
            if self.at("id") and self.at("op", ":", 1):
                label = self.take()[1]
                self.take()
            lhs = self.expr()
            self.expect("op", ">=")
            rhs = self.expr()
            self.requires += 1
            return ("require", label, lhs, rhs, self.requires)
        if self.at("kw", "for"):
            self.take()
            self.loops += 1
            if self.loops > MAX_DEPTH:
                raise CircuitError("`for` statements nested %d deep, beyond the limit of %d (CircuitLimits.maximumNestingDepth)" % (self.loops, MAX_DEPTH))
            var = self.expect("id")
            self.expect("kw", "in")
            set_name = self.expect("id")
            body = []
            if self.at("op", ":"):
                self.take()
                body.append(self.statement(top=False))
            else:
                self.expect("op", "{")
                self.skip_semicolons()
                while not self.at("op", "}"):
                    body.append(self.statement(top=False))
                    self.skip_semicolons()
                self.take()
            self.loops -= 1
            return ("for", var, set_name, body)
        raise CircuitError("line %d: expected a statement, found %r" % (tok[2], tok[1]))

    def factor(self):
        name = self.take()
        if name[0] != "id":
            raise CircuitError("line %d: expected an account field or parameter" % name[2])
        index = None
        if self.at("op", "["):
            self.take()
            index = self.expect("id")
            self.expect("op", "]")
        return (name[1], index)

    def expr(self):
        e = self.term()
        while self.at("op", "+") or self.at("op", "-"):
            op = self.take()[1]
            b = self.term()
            e = self.mk(("add" if op == "+" else "sub", e, b), max(self.d(e), self.d(b)) + 1)
        return e

    def term(self):
        e = self.unary()
        while self.at("op", "*") or self.at("op", "/"):
            op = self.take()[1]
            b = self.unary()
            e = self.mk(("mul" if op == "*" else "div", e, b), max(self.d(e), self.d(b)) + 1)
        return e

    def unary(self):
        if self.at("op", "-"):
            self.take()
            self.enter()
            a = self.unary()
            self.leave()
            return self.mk(("neg", a), self.d(a) + 1)
        return self.primary()

    def primary(self):
        tok = self.peek()
        if tok[0] == "num":
            self.take()
            return self.mk(("num", tok[1]), 1)
        if self.at("op", "("):
            self.take()
            self.enter()
            e = self.expr()
            self.leave()
            self.expect("op", ")")
            return self.mk(e, self.d(e) + 1)
        if self.at("kw", "abs"):
            self.take()
            self.expect("op", "(")
            self.enter()
            e = self.expr()
            self.leave()
            self.expect("op", ")")
            return self.mk(("abs", e), self.d(e) + 1)
        if tok[0] == "kw" and tok[1] in ("sum", "max", "min"):
            self.take()
            self.expect("op", "(")
            self.enter()
            if self.at("id") and self.at("kw", "in", 1):
                var = self.take()[1]
                self.take()
                set_name = self.expect("id")
                self.expect("op", ":")
                body = self.expr()
                self.expect("op", ")")
                self.leave()
                return self.mk(("reduce", tok[1], var, set_name, body, tok[2]), self.d(body) + 1)
            if tok[1] == "sum":
                raise CircuitError("line %d: sum takes `x in S: expr`" % tok[2])
            args = [self.expr()]
            while self.at("op", ","):
                self.take()
                args.append(self.expr())
            self.expect("op", ")")
            self.leave()
            if len(args) < 2:
                raise CircuitError("line %d: %s needs two or more arguments" % (tok[2], tok[1]))
            return self.mk(("ext", tok[1] == "max", args, tok[2]), max(self.d(a) for a in args) + 1)
        if tok[0] == "id" and tok[1] in ("ceil", "floor") and self.at("op", "(", 1):
            # ceil(e, q) / floor(e, q): not reserved words (a name is never called).
            self.take()
            self.take()
            self.enter()
            a = self.expr()
            self.expect("op", ",")
            q = self.expr()
            self.expect("op", ")")
            self.leave()
            return self.mk(("round", tok[1] == "ceil", a, q, tok[2]), max(self.d(a), self.d(q)) + 1)
        if tok[0] == "id":
            self.take()
            idx = []
            if self.at("op", "["):
                self.take()
                while True:
                    if self.at("str"):
                        idx.append(("str", self.take()[1]))
                    else:
                        idx.append(("var", self.expect("id")))
                    if not self.at("op", ","):
                        break
                    self.take()
                self.expect("op", "]")
            return self.mk(("ref", tok[1], idx), 1)
        raise CircuitError("line %d: expected an expression, found %r" % (tok[2], tok[1]))


# -- affine forms ----------------------------------------------------------------

class Lin:
    """Σ coefficient·variable + constant, exact rationals (SPEC.md §16.4).
    `largest`: the most bits (numerator or denominator) of any coefficient or
    constant ever written (SPEC.md §16.2.2, CircuitLimits.maximumConstantBits)."""

    def __init__(self):
        self.terms, self.constant = {}, Fraction(0)
        self.largest = 0

    def note(self, r):
        b = max(abs(r.numerator).bit_length(), r.denominator.bit_length())
        if b > self.largest:
            self.largest = b

    def add_constant(self, c):
        self.constant += c
        self.note(self.constant)

    def add(self, v, c):
        self.note(c)
        if v in self.terms:
            s = self.terms[v] + c
            if s:
                self.terms[v] = s
            else:
                del self.terms[v]
            self.note(s)
        elif c:
            self.terms[v] = c

    def add_lin(self, other, times):
        for v, c in other.terms.items():
            self.add(v, c * times)
        self.add_constant(other.constant * times)

    def key(self):
        return (tuple(sorted(self.terms.items())), self.constant)


def integerize(lins):
    """SPEC.md §16.4, "Integer forms": (forms [(terms, constant)], scale)."""
    d = 1
    for l in lins:
        for c in list(l.terms.values()) + [l.constant]:
            d = d * c.denominator // math.gcd(d, c.denominator)
    if d.bit_length() > 2 * 1024 + 251:
        raise CircuitError("a common denominator beyond 2·1024 + 251 bits: the form could wrap around the group order")
    ints = [([(v, int(c * d)) for v, c in sorted(l.terms.items())], int(l.constant * d)) for l in lins]
    g = 0
    for terms, k in ints:
        for _, c in terms:
            g = math.gcd(g, c)
        g = math.gcd(g, k)
    g = g or 1
    return [([(v, c // g) for v, c in terms], k // g) for terms, k in ints], Fraction(d, g)


def form_range(terms, constant, lo, hi):
    a = b = constant
    for v, c in terms:
        if c < 0:
            a += c * hi[v]
            b += c * lo[v]
        else:
            a += c * lo[v]
            b += c * hi[v]
    return a, b


def width_for(v):
    w = max(1, v.bit_length() if v > 0 else 0)
    return w if w <= MAX_WIDTH else None


# -- the compiled statement -------------------------------------------------------

class Compiled:
    """inputs: [{id, lo, hi, scale, element}], constraints: [{name, requirement,
    terms, constant, width, scale}], helpers (always empty here),
    excluded_elements, excluded_inputs."""


class Circuit:
    def __init__(self, source, name):
        self.name = name
        self.source = source
        self.stmts = Parser(source).program()
        try:
            checker.check(self.stmts)
        except checker.CheckError as e:
            raise CircuitError(str(e))
        self.sets, self.params, self.inputs, self.lets = [], {}, [], {}
        for s in self.stmts:
            if s[0] == "set":
                for n in s[1]:
                    self.sets.append(n)
            elif s[0] == "param":
                _, name_, dims, lo, hi, default = s
                self.params[name_] = {"dims": [d[1] for d in dims], "lo": lo, "hi": hi, "default": default}
            elif s[0] == "private":
                _, name_, var, set_name, factors, lower, upper, scale = s
                fields = [f for f, i in factors if f in ("balance", "size", "entry_price") and i is None]
                from_params = [f for f, i in factors if not (f in ("balance", "size", "entry_price") and i is None)]
                self.inputs.append({"name": name_, "set": set_name, "fields": fields, "from_params": from_params,
                                    "lower": lower, "upper": upper, "scale": scale})
        if not any(s[0] in ("require", "for") for s in self.stmts):
            raise CircuitError("a circuit needs at least one `require`")


class Compiler:
    def __init__(self, circuit, values, exclusion=None, covenants=(), summed=None):
        """`covenants`: named (requirement, a, b, holds) tuples, SPEC.md §16.16;
        `summed`: the summed groups to keep (a statement with covenants keeps
        those of the statement without)."""
        self.c, self.v = circuit, values
        self.exclusion, self.covenants, self.forced = exclusion, list(covenants), summed
        self.work_used = 0
        self.bind()
        self.count_inputs()
        self.make_inputs()
        self.count_requirements()
        self.zero = exclusion["elementary"] if exclusion else set()
        self.requirements = self.elaborate_requirements()
        self.lower_all(exclusion)

    # the work budget (SPEC.md §16.2.2)
    def charge(self, units, where=""):
        """Records `units` of work; refuses (recording nothing) beyond the limit."""
        if units > MAXIMUM_EXPANDED_TERMS - self.work_used:
            raise CircuitError(where + WORK_MESSAGE)
        self.work_used += units

    @staticmethod
    def text_units(text):
        """SPEC.md §16.2.2: one unit per 64 bytes of a name's UTF-8."""
        return len(text.encode("utf-8")) // 64

    # binding (Circuits/README.md §6)
    def bind(self):
        c, v = self.c, self.v
        for key in v["sets"]:
            if key not in c.sets:
                raise CircuitError("values.%s: unknown field: the circuit has no set `%s`" % (key, key))
        self.elements = {}
        for s in c.sets:
            if s not in v["sets"]:
                raise CircuitError("values.%s: missing" % s)
            self.elements[s] = [e["id"] for e in v["sets"][s]]
        self.index = {s: {e: i for i, e in enumerate(ids)} for s, ids in self.elements.items()}
        for key in v["parameters"]:
            p = c.params.get(key)
            if p is None or p["dims"]:
                raise CircuitError("values.parameters.%s: unknown parameter" % key)
        for s in c.sets:
            allowed = {n for n, p in c.params.items() if p["dims"] and p["dims"][0] == s}
            for e in v["sets"][s]:
                for f in e["fields"]:
                    if f not in allowed:
                        raise CircuitError("values.%s[%r].%s: unknown field" % (s, e["id"], f))
        self.pvalues = {}
        for n, p in c.params.items():
            # SPEC.md §16.2.2: the work budget's binding phase, charged per
            # parameter in declaration order before its entries are bound.
            entries = 1
            for s in p["dims"]:
                entries *= len(self.elements[s])
            self.charge(entries, "%s: `%s` has %s, and " % (
                "values.parameters." + n if not p["dims"] else "values." + p["dims"][0], n,
                "1 entry" if not p["dims"] else " × ".join(str(len(self.elements[s])) for s in p["dims"]) + " entries"))

            def check(x, path):
                if (p["lo"] is not None and x < p["lo"]) or (p["hi"] is not None and x > p["hi"]):
                    raise CircuitError("%s: %s is outside the declared range of `%s`" % (path, x, n))
                return x

            if not p["dims"]:
                if n in v["parameters"]:
                    self.pvalues[n] = check(v["parameters"][n], "values.parameters." + n)
                elif p["default"] is not None:
                    self.pvalues[n] = p["default"]
                else:
                    raise CircuitError("values.parameters.%s: missing" % n)
            elif len(p["dims"]) == 1:
                out = []
                for e in v["sets"][p["dims"][0]]:
                    f = e["fields"].get(n)
                    if f is None:
                        if p["default"] is None:
                            raise CircuitError("values.%s[%r].%s: missing" % (p["dims"][0], e["id"], n))
                        out.append(p["default"])
                    elif f[0] != "decimal":
                        raise CircuitError("values.%s[%r].%s: expected a decimal" % (p["dims"][0], e["id"], n))
                    else:
                        out.append(check(f[1], n))
                self.pvalues[n] = out
            else:
                rows_set, cols_set = p["dims"]
                cols = self.elements[cols_set]
                out = []
                for e in v["sets"][rows_set]:
                    f = e["fields"].get(n)
                    if f is None:
                        if p["default"] is None:
                            raise CircuitError("values.%s[%r].%s: missing" % (rows_set, e["id"], n))
                        out.append([p["default"]] * len(cols))
                    elif f[0] == "byID":
                        for k in f[1]:
                            if k not in self.index[cols_set]:
                                raise CircuitError("values.%s[%r].%s[%r]: unknown id" % (rows_set, e["id"], n, k))
                        row = []
                        for col in cols:
                            if col in f[1]:
                                row.append(check(f[1][col], n))
                            elif p["default"] is not None:
                                row.append(p["default"])
                            else:
                                raise CircuitError("values.%s[%r].%s[%r]: missing" % (rows_set, e["id"], n, col))
                        out.append(row)
                    elif f[0] == "list":
                        if len(f[1]) != len(cols):
                            raise CircuitError("values.%s[%r].%s: expected %d values" % (rows_set, e["id"], n, len(cols)))
                        out.append([check(x, n) for x in f[1]])
                    else:
                        raise CircuitError("values.%s[%r].%s: expected a row" % (rows_set, e["id"], n))
                self.pvalues[n] = out

    def limit_value(self, lim, set_name, ei):
        if lim[0] == "num":
            return lim[1]
        _, name, index, neg = lim
        p = self.c.params.get(name)
        if p is None:
            raise CircuitError("unknown parameter `%s` in a bound" % name)
        if not p["dims"]:
            x = self.pvalues[name]
        elif len(p["dims"]) == 1 and p["dims"][0] == set_name and index is not None:
            x = self.pvalues[name][ei]
        else:
            raise CircuitError("a bound's parameter must be a scalar or indexed by the input's own element")
        return -x if neg else x

    # CircuitLimits.maximumCommittedInputs and maximumRequirements (SPEC.md §16.2.2)
    def count_inputs(self):
        total = sum(len(self.elements[d["set"]]) for d in self.c.inputs if d["set"] in self.elements)
        if total > MAX_COMMITTED:
            raise CircuitError("with these values the circuit commits to %d inputs, more than the limit of %d (CircuitLimits.maximumCommittedInputs)" % (total, MAX_COMMITTED))

    def count_requirements(self):
        def count(s):
            if s[0] == "require":
                return 1
            if s[0] == "for":
                return len(self.elements[s[2]]) * sum(count(b) for b in s[3])
            return 0
        total = sum(count(s) for s in self.c.stmts)
        if total > MAX_REQUIREMENTS:
            raise CircuitError("with these values the circuit expands to %d requirements, more than the limit of %d (CircuitLimits.maximumRequirements)" % (total, MAX_REQUIREMENTS))

    # inputs and variables (SPEC.md §16.3)
    def make_inputs(self):
        limit = 1 << WRAP_BITS
        self.elementary, self.base = [], []
        for di, d in enumerate(self.c.inputs):
            self.base.append(len(self.elementary))
            if d["set"] not in self.elements:
                raise CircuitError("`private %s`: unknown set %s" % (d["name"], d["set"]))
            for ei, eid in enumerate(self.elements[d["set"]]):
                lower = self.limit_value(d["lower"], d["set"], ei)
                upper = self.limit_value(d["upper"], d["set"], ei)
                scale = self.limit_value(d["scale"], d["set"], ei)
                if scale <= 0:
                    raise CircuitError("`private %s`, element %r: its scale is not positive" % (d["name"], eid))
                if lower > upper:
                    raise CircuitError("`private %s`, element %r: empty bounds" % (d["name"], eid))
                lo, hi = math.ceil(lower / scale), math.floor(upper / scale)
                if lo > hi:
                    raise CircuitError("`private %s`, element %r: no multiple of the scale lies within the bounds" % (d["name"], eid))
                if abs(lo) >= limit or abs(hi) >= limit:
                    raise CircuitError("input `%s[%s]`: its declared bounds exceed 2^250 in integer units" % (d["name"], eid))
                factor = Fraction(1)
                for name_ in d["from_params"]:
                    x = self.pvalues[name_]
                    factor = folded(factor * (x[ei] if self.c.params[name_]["dims"] else x))
                self.elementary.append({"id": "%s[%s]" % (d["name"], eid), "lo": lo, "hi": hi, "scale": scale,
                                        "decl": di, "element": eid})
        # Variables: signed positions and balances split into their two parts.
        self.variables, self.recipes, self.vmap, self.partner, groups, split_decls = [], [], [], {}, {}, set()
        for j, x in enumerate(self.elementary):
            d = self.c.inputs[x["decl"]]
            parts = SPLIT_PARTS.get(tuple(d["fields"]))
            if parts and x["lo"] < 0 < x["hi"]:
                long = len(self.variables)
                self.variables.append({"id": x["id"] + "." + parts[0], "lo": 0, "hi": x["hi"], "scale": x["scale"]})
                self.variables.append({"id": x["id"] + "." + parts[1], "lo": 0, "hi": -x["lo"], "scale": x["scale"]})
                self.recipes += [("long", j), ("short", j)]
                self.vmap.append(("split", long, long + 1))
                self.partner[long] = long + 1
                split_decls.add(x["decl"])
            else:
                if d["fields"] != ["size"]:
                    groups.setdefault(x["decl"], []).append(len(self.variables))
                self.vmap.append(("single", len(self.variables)))
                self.variables.append(dict(x))
                self.recipes.append(("whole", j))
        self.groups = [groups[k] for k in sorted(groups) if len(groups[k]) > 1 and k not in split_decls]

    # elaboration (SPEC.md §16.2)
    def elaborate_requirements(self):
        out = []

        self.active, self.let_memo, self.shared_count = [], {}, 0

        def run(stmts, env, lets, loop_ids):
            lets = dict(lets)
            for s in stmts:
                if s[0] == "let":
                    loops = tuple(env[v][1] for v in env)
                    lets[s[1]] = (s[2], s[3], dict(lets), (id(s), loops))
                elif s[0] == "require":
                    _, label, lhs, rhs, ordinal = s
                    name = label if label is not None else "requirement %d" % ordinal
                    if loop_ids:
                        name += "[%s]" % ", ".join(loop_ids)
                    self.charge(len(loop_ids) + self.text_units(name))
                    out.append((name, self.elab(lhs, env, lets), self.elab(rhs, env, lets)))
                elif s[0] == "for":
                    _, var, set_name, body = s
                    for ei, eid in enumerate(self.elements[set_name]):
                        self.active.append((var, set_name, ei))
                        run(body, dict(env, **{var: (set_name, ei)}), lets, loop_ids + [eid])
                        self.active.pop()

        run(self.c.stmts, {}, {}, [])
        return out

    def origin(self, what, line):
        """SPEC.md §16.4, "Helper names": `what at line L [x=id, …]`."""
        self.charge(len(self.active))
        parts = []
        for var, set_name, ei in self.active:
            t = "%s=%s" % (var, self.elements[set_name][ei])
            if t not in parts:
                parts.append(t)
        self.charge(self.text_units(", ".join(parts)))
        return "%s at line %d" % (what, line) + (" [%s]" % ", ".join(parts) if parts else "")

    def resolve(self, idx, env, set_name):
        if idx[0] == "var":
            if idx[1] not in env:
                raise CircuitError("unknown index variable `%s`" % idx[1])
            s, ei = env[idx[1]]
            if s != set_name:
                raise CircuitError("index `%s` ranges over %s, not %s" % (idx[1], s, set_name))
            return ei
        if idx[1] not in self.index[set_name]:
            raise CircuitError("unknown id %r: values.%s has no such element" % (idx[1], set_name))
        return self.index[set_name][idx[1]]

    def elab(self, e, env, lets):
        self.charge(1)
        k = e[0]
        if k == "num":
            return ("c", e[1])
        if k == "ref":
            _, name, idx = e
            if name in lets:
                binders, body, def_lets, def_key = lets[name]
                if len(idx) != len(binders):
                    raise CircuitError("`%s` takes %d indices" % (name, len(binders)))
                new_env = dict(env)
                args = []
                for (var, set_name), x in zip(binders, idx):
                    args.append(self.resolve(x, env, set_name))
                    new_env[var] = (set_name, args[-1])
                # SPEC.md §16.4, "Helper names": one expansion per distinct binding,
                # its origins named from the first use's bindings.
                # SPEC.md §16.2.2: every use is charged its loops and indices;
                # a non-constant expansion is one shared node.
                self.charge(len(def_key[1]) + len(args))
                key = (def_key, tuple(args))
                if key not in self.let_memo:
                    for (var, set_name), a in zip(binders, args):
                        self.active.append((var, set_name, a))
                    g = self.elab(body, new_env, def_lets)
                    if g[0] != "c":
                        g = ("shared", self.shared_count, g)
                        self.shared_count += 1
                    self.let_memo[key] = g
                    del self.active[len(self.active) - len(binders):]
                return self.let_memo[key]
            if name in self.c.params:
                p = self.c.params[name]
                if len(idx) != len(p["dims"]):
                    raise CircuitError("`%s` takes %d indices" % (name, len(p["dims"])))
                val = self.pvalues[name]
                for x, set_name in zip(idx, p["dims"]):
                    val = val[self.resolve(x, env, set_name)]
                return ("c", val)
            for di, d in enumerate(self.c.inputs):
                if d["name"] == name:
                    if len(idx) != 1:
                        raise CircuitError("`%s` takes one index" % name)
                    return ("in", self.base[di] + self.resolve(idx[0], env, d["set"]))
            raise CircuitError("unknown name `%s`" % name)
        if k in ("add", "sub"):
            a, b = self.elab(e[1], env, lets), self.elab(e[2], env, lets)
            if k == "sub":
                b = scale(Fraction(-1), b)
            return self.add(a, b)
        if k == "neg":
            return scale(Fraction(-1), self.elab(e[1], env, lets))
        if k == "mul":
            a, b = self.elab(e[1], env, lets), self.elab(e[2], env, lets)
            if a[0] == "c":
                return scale(a[1], b)
            if b[0] == "c":
                return scale(b[1], a)
            raise CircuitError("private × private: both sides of a `*` depend on private inputs")
        if k == "div":
            a, b = self.elab(e[1], env, lets), self.elab(e[2], env, lets)
            if b[0] != "c":
                raise CircuitError("the divisor of `/` must be public")
            if b[1] == 0:
                raise CircuitError("division by zero with these risk values")
            return scale(1 / b[1], a)
        if k == "abs":
            g = self.elab(e[1], env, lets)
            return ("c", abs(g[1])) if g[0] == "c" else ("abs", g)
        if k == "ext":
            gs = [self.elab(a, env, lets) for a in e[2]]
            if all(g[0] == "c" for g in gs):
                return ("c", (max if e[1] else min)(g[1] for g in gs))
            return ("ext", e[1], gs, ["argument %d" % (i + 1) for i in range(len(gs))],
                    self.origin("max(…)" if e[1] else "min(…)", e[3]))
        if k == "round":
            up, a, q = e[1], self.elab(e[2], env, lets), self.elab(e[3], env, lets)
            if q[0] != "c":
                raise CircuitError("the quantum of `ceil`/`floor` must be public")
            if q[1] <= 0:
                raise CircuitError("the quantum of `%s` is %s with these risk values: it must be positive" % ("ceil" if up else "floor", rational_text(q[1])))
            if a[0] == "c":
                return ("c", folded(rounded(up, a[1], q[1])))
            return ("round", up, a, q[1], self.origin("ceil(…)" if up else "floor(…)", e[4]))
        if k == "reduce":
            _, kind, var, set_name, body, line = e
            if set_name not in self.elements:
                raise CircuitError("unknown set %s" % set_name)
            n = len(self.elements[set_name])
            if n > MAXIMUM_EXPANDED_TERMS - self.work_used:
                raise CircuitError(WORK_MESSAGE)
            if kind != "sum" and not n:
                raise CircuitError("`%s` over the empty set %s" % (kind, set_name))
            gs, parts, constant = [], [], Fraction(0)
            for ei in range(n):
                self.active.append((var, set_name, ei))
                g = self.elab(body, dict(env, **{var: (set_name, ei)}), lets)
                self.active.pop()
                if kind != "sum":
                    gs.append(g)
                elif g[0] == "c":
                    constant = folded(constant + g[1])
                elif g[0] == "sum":
                    # SPEC.md §16.2.2: the parts of a sum copied into the reduction.
                    self.charge(len(g[1]))
                    parts += g[1]
                else:
                    parts.append(g)
            if kind == "sum":
                if constant != 0:
                    parts.append(("c", constant))
                if not parts:
                    return ("c", Fraction(0))
                return parts[0] if len(parts) == 1 else ("sum", parts)
            if all(g[0] == "c" for g in gs):
                return ("c", (max if kind == "max" else min)(g[1] for g in gs))
            if len(gs) == 1:
                return gs[0]
            origin = self.origin("%s(%s in %s: …)" % (kind, var, set_name), line)
            labels = ["%s=%s" % (var, x) for x in self.elements[set_name]]
            self.charge(len(gs))
            self.charge(sum(self.text_units(x) for x in labels))
            return ("ext", kind == "max", gs, labels, origin)
        raise CircuitError("internal: %r" % (k,))

    def add(self, a, b):
        """a + b: constants folded, sums flattened (their parts charged)."""
        if a[0] == "c" and b[0] == "c":
            return ("c", folded(a[1] + b[1]))
        if a[0] == "c" and a[1] == 0:
            return b
        if b[0] == "c" and b[1] == 0:
            return a
        parts = (list(a[1]) if a[0] == "sum" else [a]) + (list(b[1]) if b[0] == "sum" else [b])
        self.charge(len(parts))
        return ("sum", parts)

    # lowering (SPEC.md §16.4)
    def lower(self, g, c, pol, acc):
        self.charge(1)
        self.lower_node(g, c, pol, acc)
        if acc.largest > MAX_CONSTANT_BITS:
            raise CircuitError("a lowered coefficient has %d bits, more than the limit of %d (CircuitLimits.maximumConstantBits)" % (acc.largest, MAX_CONSTANT_BITS))

    def lower_node(self, g, c, pol, acc):
        if c == 0:
            return
        effective = pol * (1 if c > 0 else -1)
        k = g[0]
        if k == "c":
            acc.add_constant(c * g[1])
        elif k == "in":
            j = g[1]
            if j in self.zero:
                return
            m = self.vmap[j]
            if m[0] == "single":
                acc.add(m[1], c * self.variables[m[1]]["scale"])
            else:
                acc.add(m[1], c * self.variables[m[1]]["scale"])
                acc.add(m[2], -(c * self.variables[m[2]]["scale"]))
        elif k == "shared":
            # SPEC.md §16.2.2: lowered once per sign and polarity; a later use
            # is charged the terms it adds.
            key = (g[1], c < 0, pol)
            lin = self.shared_lowered.get(key)
            if lin is None:
                lin = Lin()
                self.lower(g[2], Fraction(-1 if c < 0 else 1), pol, lin)
                self.shared_lowered[key] = lin
            else:
                self.charge(len(lin.terms))
            acc.add_lin(lin, -c if c < 0 else c)
        elif k == "sum":
            for p in g[1]:
                self.lower(p, c, pol, acc)
        elif k == "scaled":
            self.lower(g[2], folded(c * g[1]), pol, acc)
        elif k == "abs":
            if effective >= 0:
                raise CircuitError("abs where it would enlarge equity (the convexity rule)")
            a = Lin()
            self.lower(g[1], Fraction(1), 1, a)
            sp = self.signed_position(a)
            if sp:
                long, short, alpha = sp
                acc.add(long, c * abs(alpha))
                acc.add(short, c * abs(alpha))
                return
            neg = Lin()
            neg.add_lin(a, Fraction(-1))
            count = len(self.helpers)

            def naming():
                d, dn = self.describe(a), self.describe(neg)
                return [dn if dn is not None else "-(argument)", "0"], ("abs(%s) short part" % d if d is not None else "abs short part #%d" % (count + 1))
            t = self.helper(True, [neg, Lin()], naming)
            acc.add_lin(a, c)
            acc.add_lin(t, c * 2)
        elif k == "ext":
            is_max = g[1]
            if is_max and effective > 0:
                raise CircuitError("max where it would enlarge equity (the convexity rule)")
            if not is_max and effective < 0:
                raise CircuitError("min where it would shrink the requirement (the convexity rule)")
            branches = []
            for a in g[2]:
                b = Lin()
                self.lower(a, Fraction(1), effective, b)
                branches.append(b)
            part = self.position_part(is_max, branches)
            if part is not None:
                acc.add_lin(part, c)
                return

            def naming():
                labels, described = [], []
                for b, l in zip(branches, g[3]):
                    d = self.describe(b)
                    labels.append((d if d is not None else l) if l.startswith("argument ") else l)
                    if d is not None:
                        described.append(d)
                if len(described) == len(branches) and len("".join(described)) <= 80:
                    return labels, "%s(%s)" % ("max" if is_max else "min", ", ".join(described))
                return labels, g[4]
            acc.add_lin(self.helper(is_max, branches, naming), c)

        elif k == "round":
            up, q, origin = g[1], g[3], g[4]
            if up and effective > 0:
                raise CircuitError("ceil where it would enlarge equity (the convexity rule)")
            if not up and effective < 0:
                raise CircuitError("floor where it would shrink the requirement (the convexity rule)")
            e = Lin()
            self.lower(g[2], Fraction(1), effective, e)

            def naming():
                d = self.describe(e)
                whole = "%s(%s, %s)" % ("ceil" if up else "floor", d, rational_text(q)) if d is not None else None
                return (d if d is not None else "argument 1"), (whole if whole is not None and len(whole) <= 80 else origin)
            acc.add_lin(self.rounding_helper(up, e, q, naming), c)

    def rounding_helper(self, up, e, q, naming):
        """SPEC.md §16.4, "Rounding helpers": the Lin standing for ceil (floor)
        of e to a multiple of q, creating the helper if it is new."""
        if not e.terms:
            out = Lin()
            out.add_constant(folded(rounded(up, e.constant, q)))
            return out
        term_count = len(e.terms) + 1
        self.charge(HELPER_CALL_UNITS + 2 * term_count)
        quantum = Lin()
        quantum.add_constant(q)
        (form, (_, divisor)), scale_ = integerize([e, quantum])
        if divisor == 1:
            return e
        key = ("ceil" if up else "floor", q, tuple(form[0]), form[1])
        t = self.helper_cache.get(key)
        if t is None:
            label, name = naming()
            self.charge(NEW_HELPER_UNITS + 4 * term_count)
            t = self.new_rounding_helper(up, form, divisor, q, scale_, name, label)
            self.helper_cache[key] = t
        out = Lin()
        out.add(t, q)
        return out

    def unique_name(self, name):
        """SPEC.md §16.4, "Helper names": a repeated id gets ` #n`."""
        if name in self.helper_names:
            n = self.helper_suffix.get(name, 2)
            while "%s #%d" % (name, n) in self.helper_names:
                n += 1
            self.helper_suffix[name] = n + 1
            name = "%s #%d" % (name, n)
        self.helper_names.add(name)
        return name

    def new_rounding_helper(self, up, form, divisor, q, scale_, name, label):
        hlo, hhi, alo, ahi = self.bounds
        terms, constant = form
        h0, h1 = form_range(terms, constant, hlo, hhi)
        a0, a1 = form_range(terms, constant, alo, ahi)

        def quotient(x):
            return -((-x) // divisor) if up else x // divisor
        t_h0, t_h1 = quotient(h0), quotient(h1)
        w = width_for(divisor - 1)
        if w is None:
            raise CircuitError("a rounding helper's quantum is beyond 2^250 units of its form")
        wt = width_for(t_h1 - t_h0)
        if wt is None:
            raise CircuitError("a rounding helper can count beyond 2^250 quanta")
        t0, t1 = t_h0, t_h0 + (1 << wt) - 1
        lo, hi = (divisor * t0 - a1, divisor * t1 - a0) if up else (a0 - divisor * t1, a1 - divisor * t0)
        if max(abs(lo), abs(hi)) >= 1 << WRAP_BITS:
            raise CircuitError("a rounding helper's constraint could wrap around the group order")
        p = (1 << w) - 1
        if up:
            t_lo, t_hi = max(t0, -((-a0) // divisor)), min(t1, (a1 + p) // divisor)
        else:
            t_lo, t_hi = max(t0, -((p - a0) // divisor)), min(t1, a1 // divisor)
        t = len(self.variables) + len(self.helpers)
        name = self.unique_name(name)
        self.helpers.append({"id": name, "kind": "ceil" if up else "floor", "branches": [form], "unit": q, "lo": t_lo, "hi": t_hi,
                             "divisor": divisor})
        hlo.append(t_h0)
        hhi.append(t_h1)
        alo.append(t_lo)
        ahi.append(t_hi)
        self.helper_constraints.append({"name": "%s in [%d, %d]" % (name, t0, t1), "requirement": False,
                                        "terms": [(t, 1)], "constant": -t0, "width": wt, "scale": 1 / q})
        t_form = ([(t, divisor)], 0)
        terms, constant = difference(t_form, form) if up else difference(form, t_form)
        self.helper_constraints.append({"name": "%s %s %s" % (name, ">=" if up else "<=", label), "requirement": False,
                                        "terms": terms, "constant": constant, "width": w, "scale": scale_})
        return t

    def signed_position(self, a):
        if a.constant != 0 or len(a.terms) != 2:
            return None
        for long, alpha in a.terms.items():
            if long in self.partner:
                short = self.partner[long]
                if a.terms.get(short) == -alpha:
                    return long, short, alpha
                return None
        return None

    def one_sided_input(self, a):
        """α·x of one committed input whose bounds lie on one side of 0 (SPEC.md §16.4)."""
        if a.constant != 0 or len(a.terms) != 1:
            return None
        (v, alpha), = a.terms.items()
        if v >= len(self.variables) or not (self.variables[v]["lo"] >= 0 or self.variables[v]["hi"] <= 0):
            return None
        return v, alpha

    def position_part(self, is_max, branches):
        if len(branches) != 2:
            return None
        zero = next((i for i, b in enumerate(branches) if not b.terms and b.constant == 0), None)
        if zero is None:
            return None
        one = self.one_sided_input(branches[1 - zero])
        if one:
            v, alpha = one
            non_negative = alpha > 0 if self.variables[v]["lo"] >= 0 else alpha < 0
            out = Lin()
            if non_negative == is_max:
                out.add(v, alpha)
            return out
        sp = self.signed_position(branches[1 - zero])
        if not sp:
            return None
        long, short, alpha = sp
        out = Lin()
        if is_max:
            out.add(long if alpha > 0 else short, abs(alpha))
        else:
            out.add(short if alpha > 0 else long, -abs(alpha))
        return out

    def describe(self, lin):
        """SPEC.md §16.4, "Helper names": an affine expression of ≤ 3 terms in real units."""
        if len(lin.terms) > 3:
            return None
        parts = []
        for i in sorted(lin.terms):
            if i < len(self.variables):
                name, unit = self.variables[i]["id"], self.variables[i]["scale"]
            else:
                h = self.helpers[i - len(self.variables)]
                name, unit = h["id"], h["unit"]
            r = lin.terms[i] / unit
            body = name if abs(r) == 1 else "%s·%s" % (rational_text(abs(r)), name)
            parts.append(("-" + body if r < 0 else body) if not parts else ("- " + body if r < 0 else "+ " + body))
        if lin.constant != 0 or not parts:
            k = lin.constant
            parts.append(rational_text(k) if not parts else ("- " + rational_text(-k) if k < 0 else "+ " + rational_text(k)))
        return " ".join(parts)

    def helper(self, is_max, branches, naming):
        """SPEC.md §16.4, "Helpers": the Lin standing for the helper (its
        variable times its unit), creating it if it is new."""
        if all(not b.terms for b in branches):
            out = Lin()
            out.constant = (max if is_max else min)(b.constant for b in branches)
            return out
        term_count = sum(len(b.terms) + 1 for b in branches)
        self.charge(HELPER_CALL_UNITS + 2 * term_count)
        forms0, scale_ = integerize(branches)
        forms, kept = [], []
        for i, f in enumerate(forms0):
            if f not in forms:
                forms.append(f)
                kept.append(i)
        if len(forms) == 1:
            return branches[kept[0]]
        unit = 1 / scale_
        key = (is_max, unit, frozenset((tuple(t), k) for t, k in forms))
        t = self.helper_cache.get(key)
        if t is None:
            labels, name = naming()
            self.charge(NEW_HELPER_UNITS + 4 * term_count)
            t = self.new_helper(is_max, forms, unit, scale_, name, [labels[i] for i in kept])
            self.helper_cache[key] = t
        out = Lin()
        out.add(t, unit)
        return out

    def new_helper(self, is_max, forms, unit, scale_, name, labels):
        hlo, hhi, alo, ahi = self.bounds
        limit = 1 << WRAP_BITS
        hr = [form_range(t, k, hlo, hhi) for t, k in forms]
        ar = [form_range(t, k, alo, ahi) for t, k in forms]
        pick = max if is_max else min
        k_ = len(forms)
        self.charge(2 * (k_ - 1) * sum(len(t) for t, _ in forms) + k_ * (k_ - 1))
        widths = []
        for k in range(len(forms)):
            m = 0
            for j in range(len(forms)):
                if j != k:
                    x, y = (forms[j], forms[k]) if is_max else (forms[k], forms[j])
                    m = max(m, form_range(*difference(x, y), hlo, hhi)[1])
            w = width_for(m)
            if w is None:
                raise CircuitError("a helper's constraint can reach beyond 2^250")
            widths.append(w)
        if is_max:
            first0, first1 = ar[0][0], ar[0][1] + (1 << widths[0]) - 1
        else:
            first0, first1 = ar[0][0] - (1 << widths[0]) + 1, ar[0][1]
        for k in range(len(forms)):
            lo, hi = (first0 - ar[k][1], first1 - ar[k][0]) if is_max else (ar[k][0] - first1, ar[k][1] - first0)
            if max(abs(lo), abs(hi)) >= limit:
                raise CircuitError("a helper's constraint could wrap around the group order")
        t_lo, t_hi = first0, first1
        for k in range(len(forms)):
            p = 1 << widths[k]
            if is_max:
                t_lo, t_hi = max(t_lo, ar[k][0]), min(t_hi, ar[k][1] + p - 1)
            else:
                t_lo, t_hi = max(t_lo, ar[k][0] - p + 1), min(t_hi, ar[k][1])
        t = len(self.variables) + len(self.helpers)
        name = self.unique_name(name)
        self.helpers.append({"id": name, "kind": "max" if is_max else "min", "branches": forms, "unit": unit, "lo": t_lo, "hi": t_hi})
        hlo.append(pick(r[0] for r in hr))
        hhi.append(pick(r[1] for r in hr))
        alo.append(t_lo)
        ahi.append(t_hi)
        t_form = ([(t, 1)], 0)
        for k, f in enumerate(forms):
            terms, constant = difference(t_form, f) if is_max else difference(f, t_form)
            self.helper_constraints.append({"name": "%s %s %s" % (name, ">=" if is_max else "<=", labels[k]),
                                            "requirement": False, "terms": terms, "constant": constant, "width": widths[k], "scale": scale_})
        return t

    def lower_all(self, exclusion):
        lo = [x["lo"] for x in self.variables]
        hi = [x["hi"] for x in self.variables]
        self.bounds = (lo, hi, list(lo), list(hi))     # honest, then implied (SPEC.md §16.4, "Ranges")
        self.helpers, self.helper_constraints, self.helper_cache = [], [], {}
        self.shared_lowered = {}
        self.helper_names, self.helper_suffix = set(), {}
        constraints = []
        for name, lhs, rhs in self.requirements:
            lin = Lin()
            self.lower(lhs, Fraction(1), 1, lin)
            self.lower(rhs, Fraction(-1), 1, lin)
            constraints.append(self.requirement_constraint(name, lin))
        # SPEC.md §16.16: covenants after the requirements, then whether each
        # named requirement is never negative.
        self.claims = [(name, BASE_HOLDS) for name, _, _ in self.requirements]
        self.never_negative = {}
        for requirement, a, b, holds in self.covenants:
            matching = [(lhs, rhs) for name, lhs, rhs in self.requirements if name == requirement]
            if not matching:
                raise CircuitError("covenant `%s: %s`: the circuit has no requirement named `%s`" % (requirement, holds, requirement))
            for lhs, rhs in matching:
                lin = Lin()
                self.lower(lhs, Fraction(1), 1, lin)
                self.lower(rhs, -a, 1, lin)
                lin.add_constant(-b)
                constraints.append(self.requirement_constraint("%s: %s" % (requirement, holds), lin))
                self.claims.append((requirement, holds))
                if requirement not in self.never_negative:
                    neg = Lin()
                    self.lower(rhs, Fraction(-1), 1, neg)
                    try:
                        (form,), _ = integerize([neg])
                        self.never_negative[requirement] = form_range(form[0], form[1], self.bounds[0], self.bounds[1])[1] <= 0
                    except CircuitError:
                        self.never_negative[requirement] = False
        # Summed declarations (SPEC.md §16.3).
        limit = 1 << WRAP_BITS
        summed = {}
        forced = exclusion["summed"] if exclusion is not None else self.forced
        if forced is not None:
            for g in forced:
                summed[g[0]] = g
                if not self.common(g, constraints):
                    raise CircuitError("a covenant weighs the elements of a summed declaration differently")
        else:
            for g in self.groups:
                common = self.common(g, constraints)
                s_lo = sum(self.variables[v]["lo"] for v in g)
                s_hi = sum(self.variables[v]["hi"] for v in g)
                one_scale = all(self.variables[v]["scale"] == self.variables[g[0]]["scale"] for v in g)
                if common and one_scale and abs(s_lo) < limit and abs(s_hi) < limit:
                    summed[g[0]] = g
        self.summed_groups = [summed[k] for k in sorted(summed)]
        dropped = {v for g in summed.values() for v in g[1:]}
        new_index, inputs, recipes = {}, [], []
        for v, x in enumerate(self.variables):
            if v in dropped:
                continue
            new_index[v] = len(inputs)
            if v in summed:
                g = summed[v]
                name = x["id"].split("[")[0]
                inputs.append({"id": "sum(%s)" % name, "lo": sum(self.variables[u]["lo"] for u in g),
                               "hi": sum(self.variables[u]["hi"] for u in g), "scale": x["scale"], "element": None})
                recipes.append(("sum", [self.recipes[u][1] for u in g]))
            else:
                r = self.recipes[v]
                inputs.append({"id": x["id"], "lo": x["lo"], "hi": x["hi"], "scale": x["scale"],
                               "element": self.elementary[r[1]]["element"]})
                recipes.append(r)
        shift = len(self.variables) - len(inputs)

        def remap(terms):
            out = []
            for v, cf in terms:
                if v >= len(self.variables):
                    out.append((v - shift, cf))
                elif v in new_index:
                    out.append((new_index[v], cf))
            return sorted(out)

        for h in self.helpers:
            h["branches"] = [(remap(t), k) for t, k in h["branches"]]
        constraints = self.helper_constraints + constraints
        for f in constraints:
            f["terms"] = remap(f["terms"])
        self.inputs, self.recipes_final, self.constraints = inputs, recipes, constraints
        self.excluded_inputs = [j for j, r in enumerate(recipes) if r[0] != "sum" and r[1] in self.zero]
        self.excluded_elements = exclusion["elements"] if exclusion else []

    # anonymity sets (SPEC.md §16.7)
    def position_sets(self):
        return {d["set"] for d in self.c.inputs if "size" in d["fields"]}

    def position_elements(self):
        sets, out = self.position_sets(), []
        for x in self.elementary:
            if self.c.inputs[x["decl"]]["set"] in sets and x["element"] not in out:
                out.append(x["element"])
        return out

    def common(self, g, constraints):
        """Whether every form weighs the variables of group `g` alike (SPEC.md §16.3)."""
        members = set(g)
        for f in [{"terms": t} for h in self.helpers for t, _ in h["branches"]] + self.helper_constraints + constraints:
            seen, coef = 0, None
            for v, cf in f["terms"]:
                if v in members:
                    seen += 1
                    if coef is not None and coef != cf:
                        return False
                    coef = cf
            if seen not in (0, len(members)):
                return False
        return True

    def requirement_constraint(self, name, lin):
        """A requirement's (or covenant's) constraint: width and wrap checks (SPEC.md §16.4)."""
        self.charge(2 * (len(lin.terms) + 1))
        (form,), scale_ = integerize([lin])
        terms, constant = form
        _, top = form_range(terms, constant, self.bounds[0], self.bounds[1])
        w = width_for(top)
        if w is None:
            raise CircuitError("requirement `%s`: its excess can reach about 2^%d, beyond 2^250" % (name, top.bit_length()))
        a, b = form_range(terms, constant, self.bounds[2], self.bounds[3])
        if max(abs(a), abs(b)) >= 1 << WRAP_BITS:
            raise CircuitError("requirement `%s`: it could wrap around the group order" % name)
        return {"name": name, "requirement": True, "terms": terms, "constant": constant, "width": w, "scale": scale_}

    def with_covenants(self, covenants):
        """This statement with named covenants compiled in, same commitments (SPEC.md §16.16)."""
        if not covenants:
            return self
        return Compiler(self.c, self.v, self.exclusion, self.covenants + list(covenants), self.summed_groups)

    def hiding_among(self, kept):
        sets = self.position_sets()
        known = {x["element"] for x in self.elementary if self.c.inputs[x["decl"]]["set"] in sets}
        for k in sorted(kept):
            if k not in known:
                raise CircuitError("hide-among[%r]: only positions can be hidden among" % k)
        summed_vars = {v for g in self.summed_groups for v in g}
        summed_elem = {j for j, m in enumerate(self.vmap) if m[0] == "single" and m[1] in summed_vars}
        zero, elements = set(), []
        for j, x in enumerate(self.elementary):
            if self.c.inputs[x["decl"]]["set"] not in sets or x["element"] in kept or j in summed_elem:
                continue
            if not x["lo"] <= 0 <= x["hi"]:
                raise CircuitError("hide-among: %s cannot be shown to be zero" % x["id"])
            zero.add(j)
            if x["element"] not in elements:
                elements.append(x["element"])
        if not zero:
            return self
        return Compiler(self.c, self.v, {"elementary": zero, "elements": elements, "summed": self.summed_groups}, self.covenants)


def difference(x, y):
    """x − y of two integer forms (terms, constant), terms merged and sorted."""
    m = dict(x[0])
    for v, c in y[0]:
        m[v] = m.get(v, 0) - c
    return sorted((v, c) for v, c in m.items() if c), x[1] - y[1]


def rational_text(r):
    """A rational as the reference prints it in names: the exact decimal when
    the denominator is 2^a·5^b (no trailing zeros), else `p/q`."""
    d, twos, fives = r.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        return "%d/%d" % (r.numerator, r.denominator)
    k = max(twos, fives)
    digits = str(abs(r.numerator) * 10 ** k // r.denominator)
    if k > 0:
        if len(digits) <= k:
            digits = "0" * (k - len(digits) + 1) + digits
        whole, frac = digits[:-k], digits[-k:].rstrip("0")
        digits = whole + ("." + frac if frac else "")
    return ("-" if r < 0 else "") + digits


def rounded(up, v, q):
    """⌈v/q⌉·q (up) or ⌊v/q⌋·q, q > 0."""
    r = v / q
    return (-((-r.numerator) // r.denominator) if up else r.numerator // r.denominator) * q


def folded(r):
    """A constant the reference folds, refused beyond CircuitLimits.maximumConstantBits."""
    b = max(abs(r.numerator).bit_length(), r.denominator.bit_length())
    if b > MAX_CONSTANT_BITS:
        raise CircuitError("a folded constant has %d bits, more than the limit of %d (CircuitLimits.maximumConstantBits)" % (b, MAX_CONSTANT_BITS))
    return r


def scale(c, g):
    if c == 0:
        return ("c", Fraction(0))
    if c == 1:
        return g
    if g[0] == "c":
        return ("c", folded(c * g[1]))
    if g[0] == "scaled":
        return scale(folded(c * g[1]), g[2])
    return ("scaled", c, g)


# -- risk values (Circuits/README.md §6) --------------------------------------------

def decode_values(root):
    """The values object as {venue, quote, circuit, parameters, sets}."""
    if not isinstance(root, dict):
        raise CircuitError("values: expected an object")
    if "format" in root and root["format"] != "zkmargin/values@1":
        raise CircuitError("values.format: expected \"zkmargin/values@1\"")
    out = {"parameters": {}, "sets": {}}
    for k, limit in (("venue", 128), ("quote", 128)):
        s = root.get(k)
        if not isinstance(s, str) or not s:
            raise CircuitError("values.%s: missing or not a string" % k)
        problem = identifier_problem(s, limit)
        if problem:
            raise CircuitError("values.%s %s" % (k, problem))
        out[k] = s
    circuit = root.get("circuit")
    if not isinstance(circuit, str) or not circuit or len(circuit.encode()) > 4096 or any(display_unsafe(c) for c in circuit):
        raise CircuitError("values.circuit: missing or not a usable string")
    out["circuit"] = circuit
    if "note" in root and (not isinstance(root["note"], str) or len(root["note"].encode()) > 4096
                           or any(display_unsafe(c) for c in root["note"])):
        raise CircuitError("values.note: not a usable string")
    if "parameters" in root:
        if not isinstance(root["parameters"], dict):
            raise CircuitError("values.parameters: expected an object")
        for k, x in root["parameters"].items():
            if identifier_problem(k, 128):
                raise CircuitError("values.parameters: a bad name")
            out["parameters"][k] = decimal(x, "values.parameters." + k)
    for key, arr in root.items():
        if key in ("format", "venue", "quote", "circuit", "note", "parameters"):
            continue
        if identifier_problem(key, 128) or not isinstance(arr, list):
            raise CircuitError("values.%s: expected an array of set elements" % key)
        elements, seen = [], set()
        for n, item in enumerate(arr):
            if isinstance(item, str):
                eid, fields = item, {}
            elif isinstance(item, dict):
                eid = item.get("id")
                if not isinstance(eid, str):
                    raise CircuitError("values.%s[%d]: missing \"id\"" % (key, n))
                fields = {}
                for f, x in item.items():
                    if f == "id":
                        continue
                    if identifier_problem(f, 128):
                        raise CircuitError("values.%s[%r]: a bad field name" % (key, eid))
                    if isinstance(x, dict):
                        row = {}
                        for rk, rx in x.items():
                            if identifier_problem(rk, 128):
                                raise CircuitError("values.%s[%r].%s: a bad id" % (key, eid, f))
                            row[rk] = decimal(rx, f)
                        fields[f] = ("byID", row)
                    elif isinstance(x, list):
                        fields[f] = ("list", [decimal(rx, f) for rx in x])
                    else:
                        fields[f] = ("decimal", decimal(x, "values.%s[%r].%s" % (key, eid, f)))
            else:
                raise CircuitError("values.%s[%d]: expected an object or an id" % (key, n))
            if not eid or identifier_problem(eid, 128):
                raise CircuitError("values.%s[%d].id: not a usable id" % (key, n))
            if eid.encode() in seen:
                raise CircuitError("values.%s[%d].id: duplicate id" % (key, n))
            seen.add(eid.encode())
            elements.append({"id": eid, "fields": fields})
        out["sets"][key] = elements
    return out


# -- plans: self-attested bounds and chunking (SPEC.md §16.4–§16.5) ---------------------

def padded(m):
    p = 1
    while p < m:
        p <<= 1
    return p


def split(count, n):
    parts = [MAX_FORMS] * (count // MAX_FORMS)
    r = count % MAX_FORMS
    if r == 0:
        return parts
    best = [(0, [])]
    for s in range(1, r + 1):
        choice = (n * padded(s) + PER_PROOF_COST, [s])
        f = 1
        while f < s:
            cost = n * f + PER_PROOF_COST + best[s - f][0]
            if cost < choice[0]:
                choice = (cost, [f] + best[s - f][1])
            f <<= 1
        best.append(choice)
    return parts + sorted(best[r][1], reverse=True)


def proof_size(w):
    return next(n for n in PROOF_SIZES if w <= n)


class Plan:
    """The range proofs of a compiled statement for one attestation mode."""

    def __init__(self, compiled, mode):
        self.mode = mode
        self.input_count = len(compiled.inputs)
        excluded = set(compiled.excluded_inputs)
        self.committed = [j for j in range(len(compiled.inputs)) if mode == "custodian" or j not in excluded]
        self.bounds = []
        if mode == "self":
            for j in self.committed:
                x = compiled.inputs[j]
                w = max(1, (x["hi"] - x["lo"]).bit_length())
                if w > MAX_WIDTH:
                    raise CircuitError("input %s has a declared range wider than 2^250; a self-attested proof cannot bound it" % x["id"])
                self.bounds.append({"name": "%s >= %d (declared lower bound)" % (x["id"], x["lo"]), "terms": [(j, 1)],
                                    "constant": -x["lo"], "width": w})
                self.bounds.append({"name": "%s <= %d (declared upper bound)" % (x["id"], x["hi"]), "terms": [(j, -1)],
                                    "constant": x["hi"], "width": w})
        self.constraints = compiled.constraints + self.bounds
        self.claims = [c["name"] for c in compiled.constraints if c["requirement"]]
        self.chunks = []
        cs = self.constraints
        for n in sorted({proof_size(c["width"]) for c in cs}):
            members = [i for i, c in enumerate(cs) if proof_size(c["width"]) == n]
            start = 0
            for count in split(len(members), n):
                part = members[start:start + count]
                used = sorted({v for i in part for v, _ in cs[i]["terms"]})
                self.chunks.append({"n": n, "constraints": part, "widths": [cs[i]["width"] for i in part], "commitments": used})
                start += count

    def position(self, v):
        """Where variable v (an input or helper index) is among the proof's commitments."""
        if v >= self.input_count:
            return len(self.committed) + v - self.input_count
        return self.committed.index(v)


def compile_bundle(source, name, values):
    return Compiler(Circuit(source, name), decode_values(values) if "sets" not in values else values)
