"""sealed idempotency replies

Keys kept so far are stored as their digest and their replies sealed under them, the way the
application now writes them (daifa.idempotency.sealing; repeated here so this step does not
change when that module does).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 00:20:00
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = sa.table("idempotency_keys", sa.column("id", sa.BigInteger), sa.column("caller"),
                 sa.column("method"), sa.column("path"), sa.column("key"),
                 sa.column("response_body"))


def _seal(scope: str, key: str, reply: str) -> str:
    derived = HKDF(algorithm=SHA256(), length=32, salt=b"daifa idempotency reply v1",
                   info=scope.encode()).derive(key.encode())
    nonce = os.urandom(12)
    sealed = AESGCM(derived).encrypt(nonce, reply.encode(), scope.encode())
    return "v1:" + base64.b64encode(nonce + sealed).decode("ascii")


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_KEYS)).all()
    for row in rows:
        scope = f"{row.caller} {row.method} {row.path}"
        body = None if row.response_body is None else _seal(scope, row.key, row.response_body)
        connection.execute(_KEYS.update().where(_KEYS.c.id == row.id).values(
            key=hashlib.sha256(f"{scope}\n{row.key}".encode()).hexdigest(),
            response_body=body))


def downgrade() -> None:
    # The keys cannot be recovered from their digests: the kept replies are forgotten (a retry
    # after this runs its request again; creating POSTs find what the first one made).
    op.execute(_KEYS.delete())
