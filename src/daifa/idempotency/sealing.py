"""A kept reply is readable only with the Idempotency-Key that made it.

A keyed order's reply holds the buyer's name, phone and address; the table keeps it for a day
so a retry gets the same answer. So the table holds neither the key nor the reply in plain
text: the key as a digest (what a lookup needs), the reply sealed with AES-GCM under a key
derived (HKDF) from the client's Idempotency-Key. A copy of the database alone reads nothing;
the client retrying with its key gets its reply back.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
SALT = b"daifa idempotency reply v1"


def digest(scope: str, key: str) -> str:
    """What is stored in place of the key (scope: caller, method and path)."""
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


def seal(scope: str, key: str, reply: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(scope, key).encrypt(nonce, reply.encode(), scope.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unseal(scope: str, key: str, stored: str) -> str:
    raw = base64.b64decode(stored.removeprefix(PREFIX))
    return _cipher(scope, key).decrypt(raw[:12], raw[12:], scope.encode()).decode()


def _cipher(scope: str, key: str) -> AESGCM:
    derived = HKDF(algorithm=SHA256(), length=32, salt=SALT,
                   info=scope.encode()).derive(key.encode())
    return AESGCM(derived)
