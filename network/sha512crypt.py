"""SHA-512 crypt (`$6$`), the hash Junos `encrypted-password` takes, from the published algorithm.

Junos takes a login secret without a prompt only as a hash, so push hashes the break-glass secret
here (Python's `crypt` module is gone from 3.13). The salt is derived from the secret and the
device, so a re-push of an unchanged secret renders the same line and shows no diff.
"""

import hashlib
import hmac

_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ROUNDS = 5000  # the default: no `rounds=` field in the hash
# The order the 64 digest bytes are written in, three at a time (the last one alone).
_ORDER = (
    (0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), (25, 46, 4), (47, 5, 26), (6, 27, 48),
    (28, 49, 7), (50, 8, 29), (9, 30, 51), (31, 52, 10), (53, 11, 32), (12, 33, 54), (34, 55, 13),
    (56, 14, 35), (15, 36, 57), (37, 58, 16), (59, 17, 38), (18, 39, 60), (40, 61, 19), (62, 20, 41),
)  # fmt: skip


def _b64(value: int, chars: int) -> str:
    out = []
    for _ in range(chars):
        out.append(_ALPHABET[value & 0x3F])
        value >>= 6
    return "".join(out)


def _repeat(digest: bytes, length: int) -> bytes:
    return (digest * (length // len(digest) + 1))[:length]


def sha512_crypt(secret: str, salt: str) -> str:
    """`$6$<salt>$<hash>` of `secret`; `salt` is at most 16 characters of the crypt alphabet."""
    if not 0 < len(salt) <= 16 or any(c not in _ALPHABET for c in salt):
        raise ValueError("a SHA-512 crypt salt is 1-16 characters of [./0-9A-Za-z]")
    pw, sb = secret.encode("utf-8"), salt.encode("ascii")
    b = hashlib.sha512(pw + sb + pw).digest()
    a = hashlib.sha512(pw + sb + _repeat(b, len(pw)))
    n = len(pw)
    while n:
        a.update(b if n & 1 else pw)
        n >>= 1
    c = a.digest()
    p = _repeat(hashlib.sha512(pw * len(pw)).digest(), len(pw))
    s = _repeat(hashlib.sha512(sb * (16 + c[0])).digest(), len(sb))
    for r in range(_ROUNDS):
        step = hashlib.sha512(p if r & 1 else c)
        if r % 3:
            step.update(s)
        if r % 7:
            step.update(p)
        step.update(c if r & 1 else p)
        c = step.digest()
    text = "".join(_b64((c[i] << 16) | (c[j] << 8) | c[k], 4) for i, j, k in _ORDER) + _b64(c[63], 2)
    return f"$6${salt}${text}"


def device_salt(secret: str, device: str) -> str:
    """16 salt characters fixed by the secret and the device: the same hash on every push."""
    digest = hmac.new(secret.encode("utf-8"), device.encode("utf-8"), hashlib.sha256).digest()
    return "".join(_ALPHABET[byte & 0x3F] for byte in digest[:16])
