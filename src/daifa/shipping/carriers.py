"""The carrier registry: the carriers dispatch orders ship with, by code, name and alias.

The code is WeChat's ``delivery_id``. People type names (顺丰, 中通快递, 申通), so a carrier
is found by its code, its names and common aliases, case-insensitively, with full-width
characters and spaces folded and a trailing 快递/速递/物流/express dropped. Resolution is strict:
anything else is ``UNKNOWN_CARRIER``. Tracking numbers are normalised and checked for the generic
shape only; the per-carrier shape is a warning (community validators disagree and no check digit
is published).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from daifa.messages import N_, Notice
from daifa.shipping.errors import InvalidTrackingNo, UnknownCarrier


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str  # short Chinese name, as shown in lists
    full_name: str
    name_en: str
    aliases: tuple[str, ...]
    shape: re.Pattern[str]  # the usual shapes, as one alternation
    shape_hint: str  # a message id: English here, translated where shown (the `shape` param)

    def label(self) -> str:
        return f"{self.name} {self.code}"


def _carrier(code: str, name: str, full_name: str, name_en: str, aliases: tuple[str, ...],
             shapes: tuple[str, ...], hint: str) -> Carrier:
    return Carrier(code, name, full_name, name_en, aliases,
                   re.compile("|".join(f"(?:{shape})" for shape in shapes)), hint)


CARRIERS: tuple[Carrier, ...] = (
    _carrier("SF", "顺丰", "顺丰速运", "SF Express",
             ("顺丰快递", "顺丰速递", "shunfeng", "sf-express"),
             (r"SF[0-9A-Z]{13}", r"\d{12}"), N_("SF + 13 characters, or 12 digits")),
    _carrier("ZTO", "中通", "中通快递", "ZTO Express",
             ("中通速递", "zhongtong"),
             (r"7[3-68]\d{12}",), N_("14 digits starting 73-76 or 78")),
    _carrier("YTO", "圆通", "圆通速递", "YTO Express",
             ("圆通快递", "yuantong"),
             (r"YT\d{13}",), N_("YT + 13 digits")),
    _carrier("STO", "申通", "申通快递", "STO Express",
             ("申通速递", "shentong"),
             (r"77\d{13}",), N_("15 digits starting 77")),
    _carrier("YUNDA", "韵达", "韵达快递", "Yunda Express",
             ("韵达速递", "yunda"),
             (r"[34]\d{14}", r"5\d{12}"),
             N_("15 digits starting 3 or 4, or 13 digits starting 5")),
    _carrier("JD", "京东", "京东物流", "JD Logistics",
             ("京东快递", "jingdong"),
             (r"JD[A-Z]{2}\d{11}",), N_("JD + 2 letters + 11 digits")),
    _carrier("EMS", "邮政", "中国邮政", "China Post EMS",
             ("邮政EMS", "中国邮政EMS", "EMS快递", "邮政速递", "中国邮政速递物流", "china post",
              "chinapost"),
             (r"\d{13}",), N_("13 digits")),
    _carrier("JTSD", "极兔", "极兔速递", "J&T Express",
             ("极兔快递", "J&T", "JT", "jitu", "jtexpress"),
             (r"JT\d{13}",), N_("JT + 13 digits")),
)

BY_CODE: dict[str, Carrier] = {carrier.code: carrier for carrier in CARRIERS}

_SUFFIXES = ("有限公司", "公司", "快递", "速递", "速运", "物流", "express", "logistics")
_SPACES = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _strip_suffixes(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, changed = key[: -len(suffix)], True
    return key.rstrip("-")


def _index() -> dict[str, Carrier]:
    index: dict[str, Carrier] = {}
    for carrier in CARRIERS:
        for text in (carrier.code, carrier.name, carrier.full_name, carrier.name_en,
                     *carrier.aliases):
            for key in (_key(text), _strip_suffixes(_key(text))):
                if index.setdefault(key, carrier) is not carrier:
                    raise RuntimeError(f"carrier alias {text!r} is ambiguous")
    return index


_INDEX = _index()


@lru_cache(maxsize=4096)
def find_carrier(text: str) -> Carrier | None:
    """The carrier a code, name or alias stands for, or None."""
    key = _key(text)
    return _INDEX.get(key) or _INDEX.get(_strip_suffixes(key))


def accepted_carriers() -> str:
    return ", ".join(f"{carrier.code} ({carrier.name})" for carrier in CARRIERS)


def resolve_carrier(text: str) -> Carrier:
    """The carrier for a code, name or alias; ``UNKNOWN_CARRIER`` (422) for anything else."""
    carrier = find_carrier(text) if text else None
    if carrier is None:
        shown = text.strip()[:40]
        raise UnknownCarrier(carrier=shown, carriers=accepted_carriers(),
                             accepted=[c.code for c in CARRIERS])
    return carrier


MIN_TRACKING_NO, MAX_TRACKING_NO = 6, 40
_TRACKING_NO = re.compile(rf"[A-Z0-9-]{{{MIN_TRACKING_NO},{MAX_TRACKING_NO}}}")


def normalise_tracking_no(raw: str) -> str:
    """Trimmed, upper-case, without spaces; ``INVALID_TRACKING_NO`` (422) unless it is then
    6-40 characters of A-Z, 0-9 and '-'."""
    number = _SPACES.sub("", unicodedata.normalize("NFKC", raw)).upper()
    if not _TRACKING_NO.fullmatch(number):
        shown = raw.strip()[:50]
        raise InvalidTrackingNo(tracking_no=shown, min=MIN_TRACKING_NO, max=MAX_TRACKING_NO)
    return number


def shape_warnings(carrier: Carrier, tracking_no: str) -> list[Notice]:
    """Warnings (never refusals) when a normalised number does not look like the carrier's:
    ``TRACKING_NO_SHAPE``, reading as its English sentence where a string is expected."""
    if carrier.shape.fullmatch(tracking_no):
        return []
    return [Notice.of_text("TRACKING_NO_SHAPE", {
        "tracking_no": tracking_no, "carrier": carrier.code, "carrier_name": carrier.name,
        "shape": carrier.shape_hint})]
