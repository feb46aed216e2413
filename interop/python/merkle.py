"""The Merkle tree of RFC 9162 §2.1 with SHA-256 (SPEC.md §16.19), written
from the RFC: leaf hash SHA-256(0x00 ‖ data), node hash SHA-256(0x01 ‖ left ‖
right), split at the largest power of two below n."""
import hashlib


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n):
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root(leaf_hashes):
    """MTH over leaf hashes (SHA-256 of nothing for none)."""
    if not leaf_hashes:
        return hashlib.sha256(b"").digest()
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = _split(len(leaf_hashes))
    return node_hash(root(leaf_hashes[:k]), root(leaf_hashes[k:]))


def path(m, leaf_hashes):
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1: the siblings from the leaf up."""
    n = len(leaf_hashes)
    if n <= 1:
        return []
    k = _split(n)
    if m < k:
        return path(m, leaf_hashes[:k]) + [root(leaf_hashes[k:])]
    return path(m - k, leaf_hashes[k:]) + [root(leaf_hashes[:k])]


def root_from_path(siblings, leaf, index, count):
    """RFC 9162 §2.1.3.2: the root `siblings` lead to from leaf `index` (hash
    `leaf`) of `count`, or None when they cannot belong to such a tree."""
    if not (0 <= index < count) or len(leaf) != 32 or any(len(p) != 32 for p in siblings):
        return None
    fn, sn, r = index, count - 1, leaf
    for p in siblings:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def path_length(index, count):
    """The number of siblings on leaf `index`'s RFC 9162 path in a tree of `count` leaves."""
    fn, sn, n = index, count - 1, 0
    while sn:
        if fn & 1 or fn == sn:
            if not fn & 1:
                while not fn & 1 and fn:
                    fn, sn = fn >> 1, sn >> 1
        fn, sn, n = fn >> 1, sn >> 1, n + 1
    return n
