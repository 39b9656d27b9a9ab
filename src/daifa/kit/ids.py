"""Public identifiers: Supplier IDs with a check character, Shop IDs, random tokens.

A Supplier ID is ``SP`` + six body characters + one check character, all drawn from a
31-symbol alphabet (Crockford's base 32 without ``1``, so nothing is confusable with I, L or
O). 31 is prime, so a weighted sum modulo 31 catches every single-character substitution and
every adjacent transposition. Shop IDs are ``SH`` + ten digits: visibly different.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

ALPHABET = "023456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)  # 31, prime
SUPPLIER_PREFIX = "SP"
SHOP_PREFIX = "SH"
SUPPLIER_BODY_LEN = 6
SHOP_DIGITS = 10
# Typists confuse these; O is read as zero, the rest have no safe reading.
_TYPO_MAP = str.maketrans({"O": "0"})


class IdKind(StrEnum):
    SUPPLIER = "supplier"
    SHOP = "shop"
    MALFORMED = "malformed"


def _weighted_sum(chars: str) -> int:
    return sum((i + 1) * _VALUE[ch] for i, ch in enumerate(chars))


def check_char(body: str) -> str:
    """The character that makes the weighted sum of body + check divisible by 31."""
    weight = len(body) + 1
    total = _weighted_sum(body)
    # Solve total + weight * c ≡ 0 (mod 31) for c.
    inverse = pow(weight, -1, _MODULUS)
    return ALPHABET[(-total * inverse) % _MODULUS]


def new_supplier_id() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(SUPPLIER_BODY_LEN))
    return SUPPLIER_PREFIX + body + check_char(body)


def new_shop_id() -> str:
    first = secrets.choice("123456789")
    rest = "".join(secrets.choice("0123456789") for _ in range(SHOP_DIGITS - 1))
    return SHOP_PREFIX + first + rest


def normalise(raw: str) -> str:
    """Upper-case, drop spaces and hyphens that people type or paste."""
    return raw.strip().upper().replace(" ", "").replace("-", "").translate(_TYPO_MAP)


def classify(raw: str) -> IdKind:
    """Which kind of public ID this looks like, before its check character is verified."""
    text = normalise(raw)
    if text.startswith(SHOP_PREFIX) and text[2:].isdigit():
        return IdKind.SHOP
    if text.startswith(SUPPLIER_PREFIX):
        return IdKind.SUPPLIER
    return IdKind.MALFORMED


def is_valid_supplier_id(raw: str) -> bool:
    text = normalise(raw)
    if not text.startswith(SUPPLIER_PREFIX) or len(text) != 2 + SUPPLIER_BODY_LEN + 1:
        return False
    chars = text[2:]
    if any(ch not in _VALUE for ch in chars):
        return False
    return _weighted_sum(chars) % _MODULUS == 0


def is_valid_shop_id(raw: str) -> bool:
    text = normalise(raw)
    return (
        text.startswith(SHOP_PREFIX)
        and len(text) == 2 + SHOP_DIGITS
        and text[2:].isdigit()
    )


def new_token(prefix: str, nbytes: int = 24) -> str:
    """An opaque bearer secret: ``prefix`` + URL-safe text carrying nbytes*8 random bits."""
    return prefix + secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """What is stored instead of a bearer secret; a fast hash suffices for 192 random bits."""
    return hashlib.sha256(token.encode()).hexdigest()
