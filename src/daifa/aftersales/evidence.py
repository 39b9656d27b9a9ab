"""Evidence files: photos (JPEG, PNG, WebP) and PDFs either party adds to a case, checked by
what the bytes are rather than what the name says, and kept under the evidence directory by
their SHA-256 (the same file twice is stored once). Only the two parties and platform admins
can read them."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select

from daifa.aftersales import access
from daifa.aftersales.errors import EvidenceLimit, EvidenceNotFound, EvidenceTooLarge, EvidenceType
from daifa.aftersales.models import AfterSaleEvidence
from daifa.audit import service as audit
from daifa.config import Settings
from daifa.context import Ctx

MIB = 1024 * 1024
_IMAGES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF = "application/pdf"


def media_type(content: bytes, max_pixels: int, max_bytes: int) -> str:
    """The evidence type of the bytes; EVIDENCE_TYPE_NOT_ALLOWED for anything else, and
    EVIDENCE_TOO_LARGE for a photo that would decode to more than `max_pixels` (a small file
    can hold a huge, mostly blank image)."""
    if content.startswith(b"%PDF-"):
        return PDF
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
            width, height = image.size
            if kind in _IMAGES and width * height <= max_pixels:
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise EvidenceType() from exc
    if kind not in _IMAGES:
        raise EvidenceType()
    if width * height > max_pixels:
        raise too_large(max_pixels, max_bytes)
    return _IMAGES[kind]


def too_large(max_pixels: int, max_bytes: int) -> EvidenceTooLarge:
    return EvidenceTooLarge(limit_mb=max_bytes // MIB, max_megapixels=max_pixels // 1_000_000)


def read_upload(stream: BinaryIO, settings: Settings) -> bytes:
    """An upload's bytes, refusing a file over the limit without reading all of it."""
    content = stream.read(settings.evidence_max_bytes + 1)
    if len(content) > settings.evidence_max_bytes:
        raise too_large(settings.evidence_max_megapixels * 1_000_000,
                        settings.evidence_max_bytes)
    return content


def add(ctx: Ctx, no: str, filename: str, content: bytes
        ) -> tuple[access.CaseTarget, AfterSaleEvidence]:
    target = access.for_party(ctx, no)
    settings = ctx.settings
    max_pixels = settings.evidence_max_megapixels * 1_000_000
    if len(content) > settings.evidence_max_bytes:
        raise too_large(max_pixels, settings.evidence_max_bytes)
    kind = media_type(content, max_pixels, settings.evidence_max_bytes)
    count = ctx.session.scalar(select(func.count()).select_from(AfterSaleEvidence)
                               .where(AfterSaleEvidence.case_pk == target.case.id)) or 0
    if count >= settings.evidence_per_case:
        raise EvidenceLimit(limit=settings.evidence_per_case)
    digest = hashlib.sha256(content).hexdigest()
    _store(settings.evidence_path(), digest, content)
    row = AfterSaleEvidence(case_pk=target.case.id, party=target.party,
                            filename=_shown_name(filename), media_type=kind, size=len(content),
                            sha256=digest, uploaded_by=audit.actor_label(ctx),
                            uploaded_at=ctx.now())
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(ctx, "after_sale", target.no, "after_sale.evidence_added",
                 data={"evidence_id": row.id, "party": row.party, "filename": row.filename,
                       "media_type": kind, "size": row.size})
    return target, row


# How a stored file is served: shown in place, never sniffed into something else, kept privately.
HEADERS = {"Content-Disposition": "inline", "X-Content-Type-Options": "nosniff",
           "Cache-Control": "private, max-age=3600"}


def read(ctx: Ctx, no: str, evidence_pk: int) -> tuple[AfterSaleEvidence, bytes]:
    target = access.find(ctx, no)
    row = ctx.session.get(AfterSaleEvidence, evidence_pk) if 0 < evidence_pk < 2**62 else None
    if row is None or row.case_pk != target.case.id:
        raise EvidenceNotFound()
    path = _path(ctx.settings.evidence_path(), row.sha256)
    if not path.exists():
        raise EvidenceNotFound()
    return row, path.read_bytes()


def _shown_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "evidence"
    return "".join(ch for ch in name if ch.isprintable())[:120] or "evidence"


def _path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest


def _store(root: Path, digest: str, content: bytes) -> None:
    """Written to a temporary file and renamed: a reader never sees half a file."""
    path = _path(root, digest)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, path)
