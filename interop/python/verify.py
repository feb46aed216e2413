#!/usr/bin/env python3
"""A second zkmargin-verify, written from SPEC.md §16 (Python 3.11, standard
library only).

    python3 interop/python/verify.py --bundle B --publisher-key P [--custodian-key C]
        [--allow-self-attested] [--at T] [--json] PROOF...
    python3 interop/python/verify.py --compile-json --bundle B [--hide-among ID ...]

Exit status, as zkmargin-verify's (SPEC.md §16.12): 0 every proof valid, 1 some
proof invalid, 2 unusable input (keys, bundle, a circuit refused or one this
implementation does not compile: it says so), 64 usage error. Each proof gets
one line, `VALID`, `VALID (UNATTESTED)` or `INVALID` with the error's code.

--compile-json prints the canonical compiled statement (SPEC.md §16.11), the
bytes `zkmargin compile --bundle B --json` prints, without checking any key."""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import sys
from fractions import Fraction

sys.dont_write_bytecode = True        # leave no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from circuit import (CircuitError, Compiler, Circuit, NotImplementedHere, Number, Plan,  # noqa: E402
                     decimal, decode_values, identifier_problem, rational_text)
from curves import CURVES, DecodeError                                    # noqa: E402
from rangeproof import Proof, RangeProofError, Statement, verify_batch    # noqa: E402
from signatures import KeyError_, PublicKey                               # noqa: E402
from transcript import lp, u64be                                          # noqa: E402
import zero_openings                                                      # noqa: E402
import merkle                                                             # noqa: E402

MAX_FILE = 16 << 20
MAX_ID = 512
CLAIM_TEXT = "excess >= 0"
CHALLENGE = re.compile(r"[0-9A-Za-z._~-]{16,256}")
DURATION = re.compile(r"(?:(\d{1,9})d)?(?:(\d{1,9})h)?(?:(\d{1,9})m)?(?:(\d{1,9})s)?")


def parse_covenant(text):
    """SPEC.md §16.16: (requirement or None, a, b) of a covenant's text; ValueError if malformed."""
    name, body = None, text
    if ":" in text:
        name, body = text.rsplit(":", 1)
        name = name.strip(" ")
        if not name:
            raise ValueError("expected a requirement's name before ':'")
    w = [t for t in body.split(" ") if t]      # spaces only, as the reference

    def number(t):
        try:
            return decimal(t, "covenant")
        except CircuitError as e:
            raise ValueError("%s is not an exact number: %s" % (t, e))
    if len(w) < 3 or w[1] != ">=":
        raise ValueError("expected `excess >= NUMBER` or `equity >= [NUMBER *] requirement [+ NUMBER]`")
    if w[0] == "excess":
        if len(w) != 3:
            raise ValueError("expected `excess >= NUMBER`")
        return name, Fraction(1), number(w[2])
    if w[0] != "equity":
        raise ValueError("a covenant starts with `excess` or `equity`")
    rest, a = w[2:], Fraction(0)
    if len(rest) >= 3 and rest[1] == "*" and rest[2] == "requirement":
        a, rest = number(rest[0]), rest[3:]
    elif rest[:1] == ["requirement"]:
        a, rest = Fraction(1), rest[1:]
    b = Fraction(0)
    if a == 0:
        if len(rest) != 1:
            raise ValueError("expected `equity >= NUMBER`")
        b = number(rest[0])
    elif rest:
        if len(rest) != 2 or rest[0] not in ("+", "-"):
            raise ValueError("expected `+ NUMBER` or `- NUMBER` after `requirement`")
        n = number(rest[1])
        if n < 0:
            raise ValueError("a negative number after + or -")
        b = n if rest[0] == "+" else -n
    if a < 0:
        raise ValueError("the multiplier of the requirement must not be negative")
    return name, a, b


def covenant_holds(a, b):
    """SPEC.md §16.16: the canonical claim text."""
    if a == 1:
        return "excess >= %s" % rational_text(b)
    if a == 0:
        return "equity >= %s" % rational_text(b)
    s = "equity >= %s * requirement" % rational_text(a)
    if b > 0:
        s += " + %s" % rational_text(b)
    if b < 0:
        s += " - %s" % rational_text(-b)
    return s


def parse_duration(text):
    """SPEC.md §16.12: `30m`, `24h`, `7d`, `1h30m`: seconds, or None."""
    m = DURATION.fullmatch(text)
    if not m or not any(m.groups()):
        return None
    total = sum(int(g) * u for g, u in zip(m.groups(), (86400, 3600, 60, 1)) if g is not None)
    return total if total > 0 else None
FORMATS = {"bundle": 1, "statement": 2, "proof": 2, "openings": 2, "epoch-index": 1, "inclusion": 1, "statement-root": 1}
NOUNS = {"bundle": "risk bundle", "statement": "custodian statement", "proof": "margin proof", "openings": "openings file",
         "epoch-index": "epoch index", "inclusion": "inclusion proof", "statement-root": "statement root"}


class Refused(Exception):
    """A check failed; `code` is the reference's SolvencyError code."""

    def __init__(self, code, message):
        super().__init__("%s: %s" % (code, message))
        self.code, self.message = code, message


# -- strict files (SPEC.md §16.1) -----------------------------------------------------

def read_file(path):
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE:
            raise Refused("io", "%s: larger than 16 MiB; refused unread" % path)
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise Refused("io", "%s: %s" % (path, e.strerror))


def parse_json(data, what):
    if not data:
        raise Refused("malformed", "%s: the file is empty" % what)

    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise Refused("malformed", "%s: duplicate key %r" % (what, k))
            out[k] = v
        return out

    def constant(name):
        raise Refused("malformed", "%s: %s is not JSON" % (what, name))

    try:
        text = data.decode("utf-8")
        value = json.JSONDecoder(object_pairs_hook=pairs, parse_int=Number, parse_float=Number,
                                 parse_constant=constant).decode(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise Refused("malformed", "%s: not valid JSON (%s)" % (what, e))

    count = [0]

    def walk(v, d):
        """The limits of SPEC.md §16.1: depth 64, 10⁶ values, numbers of at
        most 100 characters; and no unpaired surrogate (not UTF-8)."""
        count[0] += 1
        if d > 64 or count[0] > 1_000_000:
            raise Refused("malformed", "%s: nested deeper than 64, or more than 10^6 values" % what)
        if isinstance(v, Number) and len(v.text) > 100:
            raise Refused("malformed", "%s: a number longer than 100 characters" % what)
        for x in ([*v.keys(), *v.values()] if isinstance(v, dict) else v if isinstance(v, list) else [v]):
            if isinstance(x, str):
                if any(0xD800 <= ord(c) <= 0xDFFF for c in x):
                    raise Refused("malformed", "%s: a string is not valid UTF-8 (an unpaired surrogate)" % what)
            elif x is not v:
                walk(x, d + 1)

    walk(value, 1)
    if not isinstance(value, dict):
        raise Refused("malformed", "%s: expected a JSON object at the top level" % what)
    return value


def plain(v):
    """A parsed value with numbers as Python ints where integral (for values files)."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def b64decode(text):
    """Canonical base64 only (SPEC.md §16.1)."""
    if not isinstance(text, str) or len(text) % 4 or not re.fullmatch(r"[A-Za-z0-9+/=]*", text):
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    return data if base64.b64encode(data).decode() == text else None


class Fields:
    """Reads an object's members, each once; `finish` refuses the others."""

    def __init__(self, obj, path):
        if not isinstance(obj, dict):
            raise Refused("field", "%s: expected an object" % path)
        self.obj, self.path, self.used = obj, path, set()

    def optional(self, key):
        self.used.add(key)
        return self.obj.get(key)

    def required(self, key):
        if key not in self.obj:
            self.used.add(key)
            raise Refused("field", "%s.%s: missing" % (self.path, key))
        return self.optional(key)

    def signer_key_id(self, key, signer):
        """The member naming the key that signed the payload: `signer`'s id."""
        v = self.string(key, 64)
        if v != signer.key_id:
            raise Refused("field", "%s.%s: names another key than the signer's" % (self.path, key))
        return v

    def string(self, key, max_len=1 << 20):
        v = self.required(key)
        if not isinstance(v, str):
            raise Refused("field", "%s.%s: expected a string" % (self.path, key))
        if not v:
            raise Refused("field", "%s.%s: cannot be empty" % (self.path, key))
        if len(v.encode()) > max_len:
            raise Refused("field", "%s.%s: longer than %d bytes" % (self.path, key, max_len))
        return v

    def integer(self, key, lo, hi):
        v = self.required(key)
        if not isinstance(v, Number) or not re.fullmatch(r"-?[0-9]+", v.text) or not lo <= int(v.text) <= hi:
            raise Refused("field", "%s.%s: expected an integer in %d…%d" % (self.path, key, lo, hi))
        return int(v.text)

    def array(self, key):
        v = self.required(key)
        if not isinstance(v, list):
            raise Refused("field", "%s.%s: expected an array" % (self.path, key))
        return v

    def hex(self, key, count):
        s = self.string(key, 2 * count)
        if len(s) != 2 * count or not re.fullmatch(r"[0-9a-f]*", s):
            raise Refused("field", "%s.%s: expected %d lower-case hex digits" % (self.path, key, 2 * count))
        return bytes.fromhex(s)

    def base64(self, key, max_count):
        s = self.string(key, max_count * 2)
        data = b64decode(s)
        if data is None:
            raise Refused("field", "%s.%s: not canonical base64" % (self.path, key))
        if len(data) > max_count:
            raise Refused("field", "%s.%s: longer than %d bytes" % (self.path, key, max_count))
        return data

    def time(self, key):
        s = self.string(key, 64)
        try:
            t = parse_time(s)
        except ValueError as e:
            raise Refused("field", "%s.%s: not an RFC 3339 time zkmargin accepts: %s" % (self.path, key, e))
        if format_time(t) != s:
            raise Refused("field", "%s.%s: not in the canonical form" % (self.path, key))
        return t

    def epoch(self, key):
        s = self.string(key, 64)
        try:
            if canonical_epoch(s) != s:
                raise ValueError("not in canonical form")
        except ValueError as e:
            raise Refused("field", "%s.%s: %r is not an epoch: %s" % (self.path, key, s, e))
        return s

    def finish(self):
        for k in self.obj:
            if k not in self.used:
                raise Refused("field", "%s.%s: unknown field" % (self.path, k))


def check_format(value, kind):
    expected = "zkmargin/%s@%d" % (kind, FORMATS[kind])
    if value is None:
        raise Refused("unknownFormat", "no \"format\" field; expected %s" % expected)
    if not isinstance(value, str):
        raise Refused("unknownFormat", "a \"format\" that is not a string; expected %s" % expected)
    if value == expected:
        return
    if value.startswith("zkmargin/") and "@" in value:
        other = value[len("zkmargin/"):value.rindex("@")]
        if other == kind:
            raise Refused("unsupportedVersion", "%s is %s; this version reads %s" % (NOUNS[kind], value, expected))
        if other in FORMATS:
            raise Refused("wrongFileKind", "expected a %s, found a %s (%s)" % (NOUNS[kind], NOUNS[other], value))
    raise Refused("unknownFormat", "%r; expected %s" % (value, expected))


# -- times and epochs ------------------------------------------------------------------

def days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return y + (m <= 2), m, d


def parse_date(s):
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", s):
        raise ValueError("expected a date YYYY-MM-DD")
    y, m, d = int(s[:4]), int(s[5:7]), int(s[8:10])
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if not 1 <= m <= 12 or not 1 <= d <= days[m - 1]:
        raise ValueError("not a calendar date")
    return days_from_civil(y, m, d)


def parse_time(s):
    """Seconds since 1970 (a Fraction) of an RFC 3339 date-time (SPEC.md §16.1)."""
    m = re.fullmatch(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})", s)
    if not m:
        raise ValueError("not YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)")
    days = parse_date(m.group(1))
    h, mi, sec = int(m.group(2)), int(m.group(3)), int(m.group(4))
    if h > 23 or mi > 59 or sec > 59:
        raise ValueError("hour, minute or second out of range")
    frac = Fraction(0)
    if m.group(5):
        digits = m.group(5)[1:]
        if len(digits) > 9:
            raise ValueError("more than 9 digits of fractional seconds")
        frac = Fraction(int(digits), 10 ** len(digits))
    offset = 0
    z = m.group(6)
    if z not in ("Z", "z"):
        oh, om = int(z[1:3]), int(z[4:6])
        if oh > 23 or om > 59:
            raise ValueError("offset out of range")
        offset = (-1 if z[0] == "-" else 1) * (oh * 3600 + om * 60)
    return days * 86400 + h * 3600 + mi * 60 + sec - offset + frac


def format_time(t):
    s = int(t // 1)
    days, rest = divmod(s, 86400)
    y, m, d = civil_from_days(days)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d, rest // 3600, rest // 60 % 60, rest % 60)


def canonical_epoch(s):
    if not s:
        raise ValueError("an epoch cannot be empty")
    if s.isascii() and s.isdigit():
        if len(s) > 1 and s[0] == "0":
            raise ValueError("an integer epoch has no leading zero")
        if len(s) > 18:
            raise ValueError("an integer epoch has at most 18 digits")
        return s
    if len(s.encode()) == 10:
        parse_date(s)
        return s
    t = parse_time(s)
    text = format_time(t)
    if "." in s:
        digits = re.match(r"[0-9]*", s[s.index(".") + 1:]).group(0).rstrip("0")
        if digits:
            text = text[:-1] + "." + digits + "Z"
    return text


# -- keys and envelopes (SPEC.md §16.8) ----------------------------------------------------

def load_key(path):
    data = read_file(path)
    try:
        return PublicKey.from_pem(data.decode("utf-8", "replace"))
    except KeyError_ as e:
        raise Refused("invalidKey", "%s: %s" % (path, e))


def envelope(obj, kind, path, trusted, role):
    """(payload bytes, signer key, commitments text or None, seal root or None),
    checked in SPEC.md §16.12's order; a statement's seal as §16.18 says."""
    if not isinstance(obj, dict):
        raise Refused("field", "%s: expected an object" % path)
    check_format(obj.get("format"), kind)
    r = Fields(obj, path)
    r.optional("format")
    payload_text = r.string("payload", MAX_FILE)
    signer = r.string("signer", 64)
    key_der = r.base64("signer_key", 1024)
    signature = seal = None
    if kind == "statement":
        has_signature, seal_value = r.optional("signature") is not None, r.optional("seal")
        if has_signature and seal_value is not None:
            raise Refused("field", "%s.seal: a statement is authenticated by a signature or by a seal, not both" % path)
        if has_signature:
            signature = r.base64("signature", 80)
        elif seal_value is not None:
            seal = stored_seal(seal_value, path + ".seal")
    else:
        signature = r.base64("signature", 80)
    commitments = None
    if kind == "statement":
        v = r.required("commitments")
        if not isinstance(v, str):
            raise Refused("field", "%s.commitments: expected a string" % path)
        commitments = v
    r.finish()
    if trusted is not None and key_der != trusted.der:
        raise Refused("wrongSigner", "the %s is not signed by the trusted %s key %s (it is signed by %s)"
                      % (NOUNS[kind], role, trusted.key_id, hashlib.sha256(key_der).digest()[:16].hex()))
    try:
        key = PublicKey(key_der)
    except KeyError_ as e:
        raise Refused("field", "%s.signer_key: %s" % (path, e))
    if key.key_id != signer:
        raise Refused("field", "%s.signer: is %s, but signer_key has key id %s" % (path, signer[:16], key.key_id[:16]))
    payload = b64decode(payload_text)
    if payload is None:
        raise Refused("field", "%s.payload: not canonical base64" % path)
    root = None
    if signature is not None:
        if not key.verify(signature, payload):
            raise Refused("signatureInvalid", "the %s's signature does not verify" % NOUNS[kind])
    elif seal is not None:
        root = verify_seal(seal, payload, key, path + ".seal")
    else:
        raise Refused("statementUnsealed", "the custodian statement is unsealed: nothing authenticates it until the custodian seals the epoch (zkmargin seal)")
    return payload, key, commitments, root


# -- sealed statements (SPEC.md §16.18) -------------------------------------------------------

MAX_STATEMENTS = 1 << 32
MAX_PATH = 32


def stored_seal(value, path):
    """The seal's members, read strictly: (root payload, signature, position, [siblings])."""
    f = Fields(value, path)
    root = f.base64("root", 1024)
    signature = f.base64("signature", 80)
    position = f.integer("position", 0, MAX_STATEMENTS - 1)
    if f.obj["position"].text != str(position):
        raise Refused("field", "%s.position: expected an integer written plainly (no sign, no leading zero)" % path)
    text = f.required("path")
    if not isinstance(text, str):
        raise Refused("field", "%s.path: expected a string (base64 of 32-byte hashes, concatenated)" % path)
    if len(text) > 4 * ((MAX_PATH * 32 + 2) // 3):
        raise Refused("field", "%s.path: longer than %d hashes" % (path, MAX_PATH))
    data = b"" if text == "" else b64decode(text)
    if data is None:
        raise Refused("field", "%s.path: not canonical base64" % path)
    if len(data) % 32:
        raise Refused("field", "%s.path: not a whole number of 32-byte hashes" % path)
    f.finish()
    return root, signature, position, [data[i:i + 32] for i in range(0, len(data), 32)]


def verify_seal(seal, statement_payload, key, path):
    """SPEC.md §16.18's checks in order; returns the root payload's (bundle digest, epoch)."""
    root_bytes, signature, position, siblings = seal
    if not key.verify(signature, root_bytes):
        raise Refused("signatureInvalid", "the signature on the custodian statement's seal root does not verify")
    obj = parse_json(root_bytes, "statement root")
    check_format(obj.get("format"), "statement-root")
    r = Fields(obj, path + ".root")
    r.optional("format")
    r.signer_key_id("custodian", key)
    bundle = r.hex("bundle", 32)
    epoch = r.epoch("epoch")
    r.time("issued_at")
    count = r.integer("statements", 1, MAX_STATEMENTS)
    root = r.hex("root", 32)
    r.finish()
    if position >= count:
        raise Refused("field", "%s.position: %d, but the root seals %d statements" % (path, position, count))
    if len(siblings) != merkle.path_length(position, count):
        raise Refused("field", "%s.path: %d hashes; the leaf at %d of %d has %d" % (path, len(siblings), position, count, merkle.path_length(position, count)))
    s = payload_object(statement_payload, "statement")
    f = Fields(s, "statement.payload")
    account = f.string("account", MAX_ID)
    leaf = merkle.leaf_hash(hashlib.sha256(account.encode()).digest() + hashlib.sha256(statement_payload).digest())
    if merkle.root_from_path(siblings, leaf, position, count) != root:
        raise Refused("sealInvalid", "the statement is not at position %d under the root its custodian signed" % position)
    return bundle, epoch


def payload_object(payload, kind):
    obj = parse_json(payload, "%s payload" % NOUNS[kind])
    check_format(obj.get("format"), kind)
    return obj


# -- the bundle ------------------------------------------------------------------------------

class Bundle:
    def __init__(self, path, publisher):
        data = read_file(path)
        obj = parse_json(data, "risk bundle")
        payload, key, _, _ = envelope(obj, "bundle", "bundle", publisher, "publisher")
        self.digest = hashlib.sha256(payload).digest()
        r = Fields(payload_object(payload, "bundle"), "bundle.payload")
        r.optional("format")
        self.publisher = r.signer_key_id("publisher", key)
        self.issued_at = r.time("issued_at")
        self.valid_until = r.time("valid_until")
        self.epoch = r.epoch("epoch")
        curve = r.string("curve", 32)
        if curve not in CURVES:
            raise Refused("field", "bundle.payload.curve: unknown curve %r" % curve)
        self.curve = CURVES[curve]
        c = Fields(r.required("circuit"), "bundle.payload.circuit")
        self.circuit_name = c.string("name", 128)
        self.circuit_source = c.string("source", 4 << 20)
        c.finish()
        values = r.required("values")
        if not isinstance(values, dict):
            raise Refused("field", "bundle.payload.values: expected an object")
        r.finish()
        try:
            self.values = decode_values(plain(values))
        except CircuitError as e:
            raise Refused("circuit", str(e))
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,128}", self.circuit_name):
            raise Refused("field", "bundle.payload.circuit.name: letters, digits, '-', '_' and '.' only")
        named = self.values["circuit"].rsplit("/", 1)[-1]
        if named.endswith(".zkm"):
            named = named[:-4]
        if named != self.circuit_name:
            raise Refused("field", "values.circuit: names circuit %r, but the bundle's circuit is %r" % (self.values["circuit"], self.circuit_name))
        self.circuit_digest = hashlib.sha256(self.circuit_source.encode()).digest()
        self.venue = self.values["venue"]

    def compile(self, for_listing=False):
        """The compiled statement (helper commitments and their names included)."""
        try:
            return Compiler(Circuit(self.circuit_source, self.circuit_name), self.values)
        except CircuitError as e:
            raise Refused("circuit", str(e))
        except NotImplementedHere as e:
            raise Refused("notImplemented", "verify.py cannot compile this bundle's circuit: %s" % e)


class ValuesOnly(Bundle):
    """Risk values and their circuit without a bundle (--compile-json --values):
    the circuit the values name, Circuits/NAME.zkm in the working directory or
    above the values file, or a path ending in .zkm; or --circuit."""

    def __init__(self, path, circuit_path=None):
        values = parse_json(read_file(path), "values")
        try:
            self.values = decode_values(values)
        except CircuitError as e:
            raise Refused("circuit", str(e))
        ref = circuit_path or self.values["circuit"]
        if "/" in ref or ref.endswith(".zkm"):
            candidates = [ref, os.path.join(os.path.dirname(path), ref)]
        else:
            candidates, d = [os.path.join("Circuits", ref + ".zkm")], os.path.dirname(os.path.abspath(path))
            for _ in range(16):
                candidates.append(os.path.join(d, "Circuits", ref + ".zkm"))
                d = os.path.dirname(d)
        found = next((c for c in candidates if os.path.isfile(c)), None)
        if found is None:
            raise Refused("circuitNotFound", "no circuit %r (looked in %s)" % (ref, ", ".join(candidates[:3])))
        self.circuit_source = read_file(found).decode("utf-8")
        self.circuit_name = os.path.basename(found)[:-4] if found.endswith(".zkm") else os.path.basename(found)


class Scope:
    """A compiled statement and its two plans (SPEC.md §16.5)."""

    def __init__(self, compiled):
        self.compiled = compiled
        self.plans = {}
        for mode in ("custodian", "self"):
            try:
                self.plans[mode] = Plan(compiled, mode)
            except CircuitError as e:
                self.plans[mode] = Refused("statementMismatch", str(e))

    def plan(self, mode):
        p = self.plans[mode]
        if isinstance(p, Refused):
            raise p
        return p


# -- commitment lists --------------------------------------------------------------------------

def blob_count(text, path, expected, mismatch):
    if len(text) % 4:
        raise Refused("field", "%s: not canonical base64 (%d characters, not a multiple of 4)" % (path, len(text)))
    padding = len(text) - len(text.rstrip("=")) if text.endswith("=") else 0
    padding = min(padding, 2)
    count = len(text) // 4 * 3 - padding
    if count % 33:
        raise Refused("field", "%s: holds %d bytes, not a whole number of 33-byte commitments" % (path, count))
    if expected is not None and count // 33 != expected:
        raise mismatch(count // 33)
    return count // 33


def blob_bytes(text, path, count):
    if text == "" and count == 0:
        return b""
    data = b64decode(text)
    if data is None:
        raise Refused("field", "%s: not canonical base64" % path)
    if len(data) != 33 * count:
        raise Refused("field", "%s: holds %d bytes, not %d commitments" % (path, len(data), count))
    return data


def blob_points(data, path, curve):
    out = []
    for k in range(len(data) // 33):
        slot = data[33 * k:33 * k + 33]
        try:
            curve.decode_point(slot)
        except DecodeError as e:
            raise Refused("field", "%s: commitment %d, bytes %d–%d, is not a valid %s point: %s" % (path, k, 33 * k, 33 * k + 32, curve.name, e.code))
        out.append(slot)
    return out


def blob_text(r, key):
    v = r.required(key)
    if not isinstance(v, str):
        raise Refused("field", "%s.%s: expected a string (base64 of 33-byte commitments, concatenated)" % (r.path, key))
    return v


def read_statement(obj, path, trusted, bundle=None, account=None, inputs=None):
    """A custodian statement (SPEC.md §16.12 step 4; a seal as §16.18 says):
    its envelope, then its payload's members in order, each checked as read
    against the bundle, the proof's account and the circuit's number of
    inputs when given (None: read alone), then its commitments. Returns
    (digest, account signed, issued_at, commitment points)."""
    payload, key, text, sealed = envelope(obj, "statement", path, trusted, "custodian")
    s = Fields(payload_object(payload, "statement"), "statement.payload")
    s.optional("format")
    s.signer_key_id("custodian", key)
    signed_bundle = s.hex("bundle", 32)
    if sealed is not None and sealed[0] != signed_bundle:
        raise Refused("statementMismatch", "the statement's seal root was signed for another bundle than the statement's")
    if bundle is not None and signed_bundle != bundle.digest:
        raise Refused("statementForAnotherBundle", "the statement is for another bundle")
    signed_account = s.string("account", MAX_ID)
    if account is not None and signed_account != account:
        raise Refused("statementMismatch", "the statement is for another account than the proof claims")
    signed_epoch = s.epoch("epoch")
    if sealed is not None and sealed[1] != signed_epoch:
        raise Refused("statementMismatch", "the statement's seal root was signed for another epoch than the statement's")
    if bundle is not None and signed_epoch != bundle.epoch:
        raise Refused("statementMismatch", "the statement is for another epoch")
    c = s.string("curve", 32)
    if c not in CURVES:
        raise Refused("field", "statement.payload.curve: unknown curve %r" % c)
    if bundle is not None and CURVES[c] is not bundle.curve:
        raise Refused("statementMismatch", "the statement commits on another curve")
    issued_at = s.time("issued_at")
    count = s.integer("inputs", 0, MAX_FILE // 44)
    if inputs is not None and count != inputs:
        raise Refused("statementMismatch", "the statement commits to %d inputs, the circuit has %d" % (count, inputs))
    signed = s.hex("commitments", 32)
    s.finish()
    p = path + ".commitments"
    blob_count(text, p, count, lambda found: Refused("field", "%s: holds %d commitments, the signed payload says %d" % (p, found, count)))
    data = blob_bytes(text, p, count)
    if hashlib.sha256(data).digest() != signed:
        raise Refused("statementMismatch", "the statement's commitments are not the ones its custodian signed")
    return hashlib.sha256(payload).digest(), signed_account, issued_at, blob_points(data, p, CURVES[c])


# -- one proof (SPEC.md §16.12, steps 1–11) ----------------------------------------------------------

class Verifier:
    def __init__(self, bundle, custodian, allow_self, freshness=(None, None, None), now=None, asked=()):
        self.freshness, self.now, self.asked = freshness, now, list(asked)
        self.bundle, self.custodian, self.allow_self = bundle, custodian, allow_self
        self.index = None                  # an EpochIndex (--index): every proof must be in it
        self.full = Scope(bundle.compile())
        self.positions = self.full.compiled.position_elements()
        self.scopes = {}

    def scope(self, excluded, covenants=()):
        if not covenants:
            return self.excluded_scope(excluded)
        key = (tuple(excluded), tuple((r, h) for r, _, _, h in covenants))
        if key not in self.scopes:
            try:
                self.scopes[key] = Scope(self.excluded_scope(excluded).compiled.with_covenants(covenants))
            except CircuitError as e:
                raise Refused("proofMismatch", "the proof's covenants cannot be compiled: %s" % e)
        return self.scopes[key]

    def excluded_scope(self, excluded):
        if not excluded:
            return self.full
        key = tuple(excluded)
        if key not in self.scopes:
            if len(excluded) >= len(self.positions):
                raise Refused("proofMismatch", "the proof shows all %d position elements not held" % len(self.positions))
            if len(set(excluded)) != len(excluded):
                raise Refused("proofMismatch", "the proof's excluded elements repeat one")
            kept = {e for e in self.positions if e not in set(excluded)}
            try:
                scoped = self.full.compiled.hiding_among(kept)
            except CircuitError as e:
                raise Refused("proofMismatch", "the proof's excluded elements cannot be excluded: %s" % e)
            if scoped.excluded_elements != list(excluded):
                raise Refused("proofMismatch", "the proof's excluded elements are not elements of the bundle's position sets in their order")
            self.scopes[key] = Scope(scoped)
        return self.scopes[key]

    def prepare(self, path):
        """Every check but the equations; returns ([(proof bytes, Statement)], verdict text)."""
        b = self.bundle
        obj = parse_json(read_file(path), "margin proof")
        check_format(obj.get("format"), "proof")
        r = Fields(obj, "proof")
        r.optional("format")
        if r.hex("bundle", 32) != b.digest:
            raise Refused("proofForAnotherBundle", "the proof is for another bundle")
        curve = r.string("curve", 32)
        if curve not in CURVES:
            raise Refused("field", "proof.curve: unknown curve %r" % curve)
        if CURVES[curve] is not b.curve:
            raise Refused("proofMismatch", "the proof is on %s, the bundle uses %s" % (curve, b.curve.name))
        if r.string("circuit", 128) != b.circuit_name:
            raise Refused("proofMismatch", "the proof names another circuit")
        account = r.string("account", MAX_ID)
        if r.epoch("epoch") != b.epoch:
            raise Refused("proofMismatch", "the proof is for another epoch")
        mode = r.string("attestation", 16)
        if mode not in ("custodian", "self"):
            raise Refused("field", "proof.attestation: expected \"custodian\" or \"self\"")
        excluded = []
        if r.optional("excluded") is not None:
            items = r.array("excluded")
            if not items:
                raise Refused("field", "proof.excluded: empty")
            if len(items) >= len(self.positions):
                raise Refused("proofMismatch", "the proof shows %d elements not held; the bundle has %d position elements" % (len(items), len(self.positions)))
            for k, item in enumerate(items):
                if not isinstance(item, str) or not item or len(item.encode()) > MAX_ID:
                    raise Refused("field", "proof.excluded[%d]: expected an element id" % k)
                excluded.append(item)
        # SPEC.md §16.10: the challenge and audience the proof was made for.
        challenge = r.optional("challenge")
        if challenge is not None:
            challenge = r.string("challenge", 256)
            if not CHALLENGE.fullmatch(challenge) or len(challenge) < 16:
                raise Refused("field", "proof.challenge: a challenge is 16–256 letters, digits and - . _ ~")
        audience = r.optional("audience")
        if audience is not None:
            audience = r.string("audience", MAX_ID)
            if identifier_problem(audience, MAX_ID):
                raise Refused("field", "proof.audience: the audience %s" % identifier_problem(audience, MAX_ID))
        covenants = []
        if r.optional("covenants") is not None:
            items = r.array("covenants")
            if not items or len(items) > 64:
                raise Refused("field", "proof.covenants: expected 1 to 64 covenants")
            for k, item in enumerate(items):
                f = Fields(item, "proof.covenants[%d]" % k)
                name, holds = f.string("requirement", MAX_ID), f.string("holds", 1024)
                f.finish()
                try:
                    parsed = parse_covenant(holds)
                except ValueError as e:
                    raise Refused("field", "proof.covenants[%d].holds: %s" % (k, e))
                if parsed[0] is not None or covenant_holds(parsed[1], parsed[2]) != holds:
                    raise Refused("field", "proof.covenants[%d].holds: not in its canonical form" % k)
                c = (name, parsed[1], parsed[2], holds)
                if c in covenants:
                    raise Refused("field", "proof.covenants[%d]: the same covenant twice" % k)
                covenants.append(c)
        scope = self.scope(excluded, covenants)
        compiled = scope.compiled
        statement_digest = b""
        if mode == "custodian":
            if r.optional("inputs") is not None:
                raise Refused("field", "proof.inputs: a custodian-attested proof carries its inputs in the statement only")
            plan = scope.plan(mode)
            so = r.required("statement")
            if not isinstance(so, dict):
                raise Refused("field", "proof.statement: expected an object")
            if self.custodian is None:
                raise Refused("custodianKeyRequired", "the proof is attested by a custodian; give its public key (--custodian-key)")
            statement_digest, account, issued_at, inputs = read_statement(so, "proof.statement", self.custodian, b, account, len(compiled.inputs))
        else:
            if r.optional("statement") is not None:
                raise Refused("field", "proof.statement: a self-attested proof has no custodian statement")
            if not self.allow_self:
                raise Refused("selfAttestedNotAllowed", "the proof is self-attested (no custodian vouches for its inputs); give --allow-self-attested to accept it")
            plan = scope.plan(mode)
            text = blob_text(r, "inputs")
            n = len(plan.committed)
            count = blob_count(text, "proof.inputs", n, lambda found: Refused("proofMismatch", "proof.inputs has %d commitments, the circuit has %d" % (found, n)))
            inputs = blob_points(blob_bytes(text, "proof.inputs", count), "proof.inputs", b.curve)
        text = blob_text(r, "helpers")
        h = len(compiled.helpers)
        count = blob_count(text, "proof.helpers", h, lambda found: Refused("proofMismatch", "proof.helpers has %d commitments, the circuit has %d" % (found, h)))
        helpers = blob_points(blob_bytes(text, "proof.helpers", count), "proof.helpers", b.curve)
        rho = None
        if mode == "custodian" and excluded:
            raw = r.hex("zero_opening", 32)
            try:
                rho = b.curve.decode_scalar(raw)
            except DecodeError:
                raise Refused("field", "proof.zero_opening: not a scalar below the group order")
        elif r.optional("zero_opening") is not None:
            raise Refused("field", "proof.zero_opening: this proof has no zero opening")
        claims = r.array("claims")
        required = [name for name, _, _ in compiled.requirements]   # a covenant may also state excess >= 0
        if len(claims) != len(required):
            raise Refused("proofMismatch", "the proof claims %d requirements, the circuit has %d" % (len(claims), len(required)))
        for k, item in enumerate(claims):
            f = Fields(item, "proof.claims[%d]" % k)
            if f.string("requirement", MAX_ID) != required[k]:
                raise Refused("proofMismatch", "the proof's claim %d is not the circuit's requirement %r" % (k, required[k]))
            if f.string("holds", 64) != CLAIM_TEXT:
                raise Refused("field", "proof.claims[%d].holds: expected \"%s\"" % (k, CLAIM_TEXT))
            f.finish()
        items = r.array("range_proofs")
        if len(items) != len(plan.chunks):
            raise Refused("proofMismatch", "the proof has %d range proofs, the circuit needs %d" % (len(items), len(plan.chunks)))
        proofs = []
        for k, item in enumerate(items):
            f = Fields(item, "proof.range_proofs[%d]" % k)
            n = f.integer("n", 8, 256)
            m = f.integer("m", 1, 64)
            chunk = plan.chunks[k]
            if n != chunk["n"] or m != len(chunk["constraints"]):
                raise Refused("proofMismatch", "range proof %d is for n = %d, m = %d; the circuit needs n = %d, m = %d" % (k, n, m, chunk["n"], len(chunk["constraints"])))
            proofs.append(f.base64("proof", 1 << 16))
            f.finish()
        if not proofs:
            raise Refused("field", "proof.range_proofs: empty")
        r.finish()
        self.check_freshness(challenge, audience, issued_at if mode == "custodian" else None)
        self.check_covenants(required, covenants, compiled)

        # SPEC.md §16.6: the context; §16.7: the zero opening; §16.5: the statements.
        commitments = inputs + helpers
        base = self.context(account, mode, statement_digest, plan.claims, excluded, commitments, challenge, audience)
        if rho is not None:
            if not zero_openings.verify(b.curve, base, commitments, compiled.excluded_inputs, rho):
                raise Refused("proofInvalid", "the zero opening does not show the excluded elements' committed inputs to be zero")
        items = []
        for k, chunk in enumerate(plan.chunks):
            context = base + lp(b"chunk") + lp(u64be(k)) + lp(b"chunks") + lp(u64be(len(plan.chunks)))
            context += lp(b"chunk-commitments") + lp(b"".join(u64be(v) for v in chunk["commitments"]))
            local = {v: i for i, v in enumerate(chunk["commitments"])}
            forms = [([(local[v], a) for v, a in plan.constraints[i]["terms"]], plan.constraints[i]["constant"]) for i in chunk["constraints"]]
            try:
                st = Statement(b.curve, chunk["n"], chunk["widths"], [commitments[plan.position(v)] for v in chunk["commitments"]], forms, context)
                Proof(proofs[k], st)
            except RangeProofError as e:
                raise Refused("proofInvalid", "range proof %d: %s" % (k, e))
            items.append((proofs[k], st))
        if self.index is not None:         # SPEC.md §16.12 step 10a
            self.index.admit(path, account, statement_digest if mode == "custodian" else None)
        what = "account %s meets %s of %s (%s, epoch %s)" % (json.dumps(account, ensure_ascii=False), ", ".join(plan.claims),
                                                            b.circuit_name, b.venue, b.epoch)
        if excluded:
            what += "; shown to hold nothing in %d element%s (%s)" % (len(excluded), "" if len(excluded) == 1 else "s", ", ".join(excluded[:5]))
        if covenants:
            what += "; also proves %s" % ", ".join("%s: %s" % (r, h) for r, _, _, h in covenants)
        if challenge is not None:
            what += "; answers challenge %s" % challenge
        if audience is not None:
            what += "; made for %s" % json.dumps(audience, ensure_ascii=False)
        # SPEC.md §16.15: what a valid proof's entry of the machine verdict says.
        details = {"bundle": b.digest.hex(), "account": account, "attested": mode == "custodian",
                   "custodian": {"key_id": self.custodian.key_id, "name": None} if mode == "custodian" else None,
                   "statement_issued_at": format_time(issued_at) if mode == "custodian" else None,
                   "requirements": required, "not_held": list(excluded),
                   "covenants": ["%s: %s" % (r, h) for r, _, _, h in covenants],
                   "challenge": challenge, "audience": audience}
        if mode == "custodian":
            return items, "VALID    %s: %s; inputs attested by custodian %s" % (path, what, self.custodian.key_id[:16]), details
        return items, "VALID (UNATTESTED)    %s: %s; the inputs are self-attested: no custodian vouches for them" % (path, what), details

    def check_covenants(self, requirements, proven, compiled):
        """SPEC.md §16.16: every covenant asked (--require) implied by a proven claim."""
        for name, a, b, text in self.asked:
            for target in ([name] if name is not None else requirements):
                if target not in requirements:
                    raise Refused("covenantNotProven", "the covenant %r names no requirement of the circuit" % text)
                claims = [(Fraction(1), Fraction(0))] + [(pa, pb) for r, pa, pb, _ in proven if r == target]
                nonneg = compiled.never_negative.get(target, False)
                if not any(pb >= b and (pa == a or (nonneg and pa >= a)) for pa, pb in claims):
                    raise Refused("covenantNotProven", "the proof does not show %s: %s" % (target, covenant_holds(a, b)))

    def check_freshness(self, challenge, audience, issued_at):
        """SPEC.md §16.12: --expect-challenge, --for, --max-age."""
        want_challenge, want_audience, max_age = self.freshness
        if want_challenge is not None and challenge != want_challenge:
            raise Refused("challengeMismatch", "the proof answers challenge %s, not %s" % (challenge, want_challenge))
        if want_audience is not None and audience != want_audience:
            raise Refused("audienceMismatch", "the proof was made for %r, not for %r" % (audience, want_audience))
        if max_age is not None:
            if issued_at is None:
                raise Refused("proofTooOld", "a self-attested proof carries no signed issue time")
            if self.now - issued_at > max_age:
                raise Refused("proofTooOld", "the custodian's statement is older than %s" % max_age)

    def context(self, account, mode, statement_digest, claims, excluded, commitments, challenge=None, audience=None):
        b = self.bundle

        def field(label, value):
            return lp(label.encode()) + lp(value)

        out = lp(b"zkmargin/solvency/v1")
        out += field("bundle", b.digest) + field("circuit", b.circuit_digest) + field("curve", b.curve.name.encode())
        out += field("account", account.encode()) + field("epoch", b.epoch.encode()) + field("attestation", mode.encode())
        out += field("statement", statement_digest) + field("claims", b"".join(lp(c.encode()) for c in claims))
        if excluded:
            out += field("excluded", b"".join(lp(e.encode()) for e in excluded))
        if challenge is not None:
            out += field("challenge", challenge.encode())
        if audience is not None:
            out += field("audience", audience.encode())
        out += field("commitments", u64be(len(commitments)) + hashlib.sha256(b"".join(commitments)).digest())
        return out

    def verify(self, path):
        """(valid, line, verdict entry of SPEC.md §16.15 without `file`)."""
        try:
            items, line, details = self.prepare(path)
            try:
                weights = [1] if len(items) == 1 else [1 + secrets.randbelow(self.bundle.curve.q - 1) for _ in items]
                verify_batch(items, weights)
            except RangeProofError:
                raise Refused("proofInvalid", "the range proofs do not verify: the proof, its commitments or its statement were altered, or the proof was made for other commitments")
            return True, line, dict({"valid": True, "status": "VALID" if details["attested"] else "VALID (UNATTESTED)"}, **details)
        except Refused as e:
            return False, "INVALID  %s: %s: %s" % (path, e.code, e.message), {"valid": False, "status": "INVALID",
                                                                          "error": {"code": e.code, "message": e.message}}


# -- the epoch index (SPEC.md §16.19) ---------------------------------------------------------------

class EpochIndex:
    """The custodian's signed epoch index, checked once (unusable input if it
    fails), and each proof's inclusion in it (`notInIndex`)."""

    def __init__(self, path, custodian, bundle, inclusion_dir=None):
        obj = parse_json(read_file(path), "epoch index")
        if custodian is None:
            raise Refused("custodianKeyRequired", "the epoch index is signed by a custodian; give its public key (--custodian-key)")
        payload, key, _, _ = envelope(obj, "epoch-index", "epoch-index", custodian, "custodian")
        self.digest = hashlib.sha256(payload).digest()
        r = Fields(payload_object(payload, "epoch-index"), "epoch-index.payload")
        r.optional("format")
        self.custodian = r.signer_key_id("custodian", key)
        self.bundle = r.hex("bundle", 32)
        epoch = r.epoch("epoch")
        self.issued_at = r.time("issued_at")
        self.count = r.integer("count", 1, 1 << 40)
        self.root = r.hex("root", 32)
        r.finish()
        if self.bundle != bundle.digest:
            raise Refused("field", "epoch-index.payload.bundle: the index is for another bundle")
        if epoch != bundle.epoch:
            raise Refused("field", "epoch-index.payload.epoch: the index is for epoch %s, the bundle's is %s" % (epoch, bundle.epoch))
        self.inclusion_dir = inclusion_dir

    def inclusion_file(self, proof_path, label_digest):
        name = label_digest.hex() + ".json"
        if self.inclusion_dir is not None:
            return os.path.join(self.inclusion_dir, name)
        folder = os.path.dirname(proof_path) or "."
        if os.path.basename(os.path.normpath(folder)) == "proofs":
            folder = os.path.dirname(os.path.normpath(folder)) or "."
        return os.path.join(folder, "inclusion", name)

    def admit(self, proof_path, account, statement_digest):
        if statement_digest is None:
            raise Refused("notInIndex", "a self-attested proof: an epoch index names custodian-attested proofs only")
        label = hashlib.sha256(account.encode()).digest()
        leaf = label + statement_digest + hashlib.sha256(read_file(proof_path)).digest()
        path = self.inclusion_file(proof_path, label)
        if not os.path.exists(path):
            raise Refused("notInIndex", "no inclusion proof for account %s (%s does not exist)" % (json.dumps(account, ensure_ascii=False), path))
        try:
            obj = parse_json(read_file(path), "inclusion proof")
            check_format(obj.get("format"), "inclusion")
            r = Fields(obj, "inclusion")
            r.optional("format")
            index = r.hex("index", 32)
            count = r.integer("count", 1, 1 << 40)
            position = r.integer("position", 0, (1 << 40) - 1)
            if position >= count:
                raise Refused("field", "inclusion.position: not below the count")
            if r.obj["position"].text != str(position):
                raise Refused("field", "inclusion.position: expected an integer written plainly (no sign, no leading zero)")
            named = r.hex("account", 32) + r.hex("statement", 32) + r.hex("proof", 32)
            items = r.array("path")
            if len(items) > 40:
                raise Refused("field", "inclusion.path: more than 40 hashes")
            siblings = []
            for k, item in enumerate(items):
                if not isinstance(item, str) or not re.fullmatch("[0-9a-f]{64}", item):
                    raise Refused("field", "inclusion.path[%d]: expected 64 lower-case hex digits" % k)
                siblings.append(bytes.fromhex(item))
            r.finish()
        except Refused as e:
            raise Refused("notInIndex", "the inclusion proof %s cannot be used: %s: %s" % (path, e.code, e.message))
        if index != self.digest:
            raise Refused("notInIndex", "the inclusion proof is for another epoch index")
        if count != self.count:
            raise Refused("notInIndex", "the inclusion proof is for a tree of %d accounts; the index signs %d" % (count, self.count))
        for name, a, b in (("account", 0, 32), ("statement", 32, 64), ("proof file", 64, 96)):
            if named[a:b] != leaf[a:b]:
                raise Refused("notInIndex", "the index names another %s for this account" % name)
        if merkle.root_from_path(siblings, merkle.leaf_hash(leaf), position, count) != self.root:
            raise Refused("notInIndex", "the inclusion path does not lead from position %d of %d to the index's signed root" % (position, count))


def proof_files(arguments):
    """A directory argument is an epoch directory: its proofs/<64 hex>.json, sorted."""
    out = []
    for a in arguments:
        if not os.path.isdir(a):
            out.append(a)
            continue
        folder = os.path.join(a, "proofs")
        names = sorted(n for n in (os.listdir(folder) if os.path.isdir(folder) else [])
                       if re.fullmatch("[0-9a-f]{64}\\.json", n))
        if not names:
            raise Refused("io", "%s: holds no proof (<64 hex digits>.json)" % folder)
        out += [os.path.join(folder, n) for n in names]
    return out


# -- the canonical compiled statement (SPEC.md §16.11) --------------------------------------------

def quoted(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or __import__("unicodedata").category(ch) in ("Cf", "Zl", "Zp")):
            v = ord(ch)
            if v <= 0xFFFF:
                out.append("\\u%04x" % v)
            else:
                v -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class Raw:
    """A JSON number's text."""

    def __init__(self, text):
        self.text = text


def scalar_text(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return quoted(v)
    return None


def compact(v):
    t = scalar_text(v)
    if t is not None:
        return t
    if isinstance(v, list):
        return "[" + ",".join(compact(x) for x in v) + "]"
    return "{" + ",".join(quoted(k) + ":" + compact(x) for k, x in v.items()) + "}"


def pretty(v, indent=0):
    t = scalar_text(v)
    if t is not None:
        return t
    pad, closing = "  " * (indent + 1), "  " * indent
    if isinstance(v, list):
        if not v:
            return "[]"
        texts = [scalar_text(x) for x in v]
        if all(x is not None for x in texts):
            return "[" + ", ".join(texts) + "]"
        return "[\n" + ",\n".join(pad + pretty(x, indent + 1) for x in v) + "\n" + closing + "]"
    if not v:
        return "{}"
    return "{\n" + ",\n".join(pad + quoted(k) + ": " + pretty(x, indent + 1) for k, x in v.items()) + "\n" + closing + "}"


def rational(f):
    return str(f.numerator) if f.denominator == 1 else "%d/%d" % (f.numerator, f.denominator)


def compiled_statement(compiled, source):
    def form(terms, constant):
        return {"terms": [[v, str(c)] for v, c in terms], "constant": str(constant)}

    excluded = set(compiled.excluded_inputs)
    plans = []
    for mode in ("custodian", "self"):
        o = {"attestation": mode}
        try:
            plan = Plan(compiled, mode)
            o["committed_inputs"] = list(plan.committed)
            o["bounds"] = [dict({"name": c["name"], "width": c["width"]}, **form(c["terms"], c["constant"])) for c in plan.bounds]
            o["chunks"] = [{"n": ch["n"], "constraints": ch["constraints"], "widths": ch["widths"], "commitments": ch["commitments"]}
                           for ch in plan.chunks]
        except CircuitError:
            o["refused"] = True
        plans.append(o)
    return {
        "format": "zkmargin/compiled@1",
        "circuit": compiled.c.name,
        "circuit_sha256": hashlib.sha256(source.encode()).hexdigest(),
        "excluded": list(compiled.excluded_elements),
        "inputs": [{"id": x["id"], "element": x["element"], "lower": str(x["lo"]), "upper": str(x["hi"]),
                    "scale": rational(x["scale"]), "excluded": j in excluded} for j, x in enumerate(compiled.inputs)],
        "helpers": [dict({"id": h["id"], "kind": h["kind"], "unit": rational(h["unit"]), "lower": str(h["lo"]), "upper": str(h["hi"]),
                          "branches": [form(t, k) for t, k in h["branches"]]},
                         **({"divisor": str(h["divisor"])} if "divisor" in h else {})) for h in compiled.helpers],
        "constraints": [dict({"name": c["name"], "requirement": c["requirement"], "width": c["width"], "scale": rational(c["scale"])},
                             **form(c["terms"], c["constant"])) for c in compiled.constraints],
        "plans": plans,
    }


def compile_document(compiled, source):
    s = compiled_statement(compiled, source)
    digest = hashlib.sha256(compact(s).encode()).hexdigest()
    return pretty({"sha256": digest, "statement": s}) + "\n"


# -- the command line ------------------------------------------------------------------------------------

class Usage(Exception):
    pass


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):                      # argparse's default exit status is 2; ours is 64
        raise Usage(message)


def main(argv):
    ap = ArgumentParser(prog="verify.py", description=__doc__.split("\n\n")[0],
                        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--bundle", metavar="BUNDLE.json")
    ap.add_argument("--values", metavar="VALUES.json", help="with --compile-json, instead of --bundle: risk values")
    ap.add_argument("--circuit", metavar="PATH.zkm", help="with --values: the circuit (default: the one the values name)")
    ap.add_argument("--publisher-key", metavar="PUBLISHER.pub.pem")
    ap.add_argument("--custodian-key", metavar="CUSTODIAN.pub.pem")
    ap.add_argument("--allow-self-attested", action="store_true")
    ap.add_argument("--at", metavar="TIME")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--compile-json", action="store_true", help="print the canonical compiled statement (SPEC.md §16.11)")
    ap.add_argument("--hide-among", action="append", default=[], metavar="ID", help="with --compile-json: the anonymity set")
    ap.add_argument("--challenge", action="store_true", help="print a fresh random challenge and nothing else")
    ap.add_argument("--expect-challenge", metavar="NONCE", help="refuse any proof not made in answer to NONCE")
    ap.add_argument("--for", dest="audience", metavar="NAME", help="refuse any proof not made for NAME")
    ap.add_argument("--require", action="append", default=[], metavar="COVENANT", help="refuse a proof that does not prove COVENANT (SPEC.md §16.16)")
    ap.add_argument("--max-age", metavar="DURATION", help="refuse a statement older than DURATION (30m, 24h, 7d, 1h30m)")
    ap.add_argument("--index", metavar="INDEX.json", help="the custodian's epoch index: refuse any proof not in it (SPEC.md §16.19)")
    ap.add_argument("--inclusion-dir", metavar="DIR", help="with --index: where the inclusion proofs are")
    ap.add_argument("proofs", nargs="*", metavar="PROOF.json|DIR")
    try:
        a = ap.parse_args(argv)
        if a.challenge:
            if argv != ["--challenge"]:
                raise Usage("--challenge prints a nonce and takes no other argument")
            print(secrets.token_hex(32))
            return 0
        if a.expect_challenge is not None and not CHALLENGE.fullmatch(a.expect_challenge):
            raise Usage("--expect-challenge: a challenge is 16–256 letters, digits and - . _ ~")
        if a.audience is not None and identifier_problem(a.audience, MAX_ID):
            raise Usage("--for: the audience %s" % identifier_problem(a.audience, MAX_ID))
        asked = []
        for text in a.require:
            try:
                name, ca, cb = parse_covenant(text)
            except ValueError as e:
                raise Usage("--require: covenant %r: %s" % (text, e))
            asked.append((name, ca, cb, (name + ": " if name is not None else "") + covenant_holds(ca, cb)))
        max_age = None
        if a.max_age is not None:
            max_age = parse_duration(a.max_age)
            if max_age is None:
                raise Usage("--max-age %s: expected a positive duration such as 30m, 24h, 7d or 1h30m" % a.max_age)
        if (a.bundle is None) == (a.values is None) or (a.values and not a.compile_json):
            raise Usage("give --bundle BUNDLE.json (or, with --compile-json, --values VALUES.json)")
        if a.circuit and not a.values:
            raise Usage("--circuit goes with --values")
        if a.compile_json:
            if a.proofs:
                raise Usage("--compile-json takes no proof file")
        else:
            if a.publisher_key is None:
                raise Usage("the following arguments are required: --publisher-key")
            if not a.proofs:
                raise Usage("no proof file given")
            if a.hide_among:
                raise Usage("--hide-among goes with --compile-json")
            if a.inclusion_dir is not None and a.index is None:
                raise Usage("--inclusion-dir goes with --index INDEX.json")
            if a.index is not None and a.custodian_key is None:
                raise Usage("--index: give the custodian's key with --custodian-key")
        at = None
        if a.at is not None:
            try:
                at = parse_time(a.at)
            except ValueError as e:
                raise Usage("--at %r is not an RFC 3339 time: %s" % (a.at, e))
    except Usage as e:
        sys.stderr.write("verify.py: error: %s\n%s" % (e, ap.format_usage()))
        return 64

    def unusable(e):
        if a.json and not a.compile_json:
            print(pretty({"format": "zkmargin/verdict@1", "valid": False, "error": {"code": e.code, "message": e.message},
                          "bundles": [], "proofs": []}))
        else:
            sys.stderr.write("verify.py: error: %s: %s\n" % (e.code, e.message))
        return 2

    if a.compile_json:
        try:
            bundle = Bundle(a.bundle, None) if a.bundle else ValuesOnly(a.values, a.circuit)
            compiled = bundle.compile(for_listing=True)
            if a.hide_among:
                try:
                    compiled = compiled.hiding_among(set(a.hide_among))
                except CircuitError as e:
                    raise Refused("circuit", str(e))
        except Refused as e:
            return unusable(e)
        sys.stdout.write(compile_document(compiled, bundle.circuit_source))
        return 0

    import time
    try:
        publisher = load_key(a.publisher_key)
        custodian = load_key(a.custodian_key) if a.custodian_key else None
        bundle = Bundle(a.bundle, publisher)
        now = at if at is not None else Fraction(int(time.time()))
        if now < bundle.issued_at:
            raise Refused("bundleNotYetValid", "the bundle is valid from %s; checked at %s" % (format_time(bundle.issued_at), format_time(now)))
        if now > bundle.valid_until:
            raise Refused("bundleExpired", "the bundle expired at %s; checked at %s" % (format_time(bundle.valid_until), format_time(now)))
        verifier = Verifier(bundle, custodian, a.allow_self_attested, (a.expect_challenge, a.audience, max_age), now, asked)
        if a.index is not None:
            verifier.index = EpochIndex(a.index, custodian, bundle, a.inclusion_dir)
        a.proofs = proof_files(a.proofs)
    except Refused as e:
        return unusable(e)
    verdicts = [(p,) + verifier.verify(p) for p in a.proofs]
    valid = sum(1 for v in verdicts if v[1])
    if a.json:
        # SPEC.md §16.15 (one bundle: verify.py takes no trust store).
        print(pretty({"format": "zkmargin/verdict@1", "valid": valid == len(verdicts), "at": format_time(now),
                      "requested": {"challenge": a.expect_challenge, "audience": a.audience, "max_age_seconds": max_age,
                                    "covenants": [t for _, _, _, t in asked]},
                      "bundles": [{"file": a.bundle, "digest": bundle.digest.hex(), "circuit": bundle.circuit_name, "venue": bundle.venue,
                                   "epoch": bundle.epoch, "curve": bundle.curve.name, "publisher": {"key_id": bundle.publisher, "name": None},
                                   "issued_at": format_time(bundle.issued_at), "valid_until": format_time(bundle.valid_until)}],
                      **({"index": {"file": a.index, "digest": verifier.index.digest.hex(),
                                    "custodian": {"key_id": verifier.index.custodian, "name": None},
                                    "bundle": verifier.index.bundle.hex(), "epoch": bundle.epoch,
                                    "issued_at": format_time(verifier.index.issued_at), "count": verifier.index.count,
                                    "root": verifier.index.root.hex()}} if verifier.index is not None else {}),
                      "proofs": [dict({"file": p}, **entry) for p, _, _, entry in verdicts]}))
    else:
        for _, _, line, _ in verdicts:
            print(line)
        print("%d of %d proof%s valid against bundle %s (%s, publisher %s, checked at %s)"
              % (valid, len(verdicts), "" if len(verdicts) == 1 else "s", bundle.digest.hex()[:16], bundle.circuit_name,
                 bundle.publisher[:16], format_time(now)))
    return 0 if valid == len(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
