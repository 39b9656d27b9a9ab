"""Pure order rules: buyer phone numbers, numbering, deadlines, what a supplier may see."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import phonenumbers

from daifa.kit.masking import mask_name, mask_phone


# phonenumbers' own pattern for mainland mobile numbers: a match is a valid number, checked in
# a fraction of a microsecond; anything else goes through the full parser.
def _cn_mobile_pattern() -> re.Pattern[str]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    pattern = metadata.mobile.national_number_pattern if metadata and metadata.mobile else None
    return re.compile(pattern or r"(?!)")  # without metadata, every number takes the long way


_CN_MOBILE = _cn_mobile_pattern()


def normalise_phone(raw: str, region: str = "CN") -> str:
    """E.164 form of a buyer's phone (mainland China unless it says otherwise); ValueError."""
    text = raw.strip()
    if len(text) == 11 and _CN_MOBILE.fullmatch(text):
        return "+86" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(phone: str) -> str:
    """A mainland number as people write it (13812345678); others stay in E.164."""
    return phone[3:] if phone.startswith("+86") else phone


def masked_phone(phone: str) -> str:
    return mask_phone(national(phone))


def masked_name(name: str) -> str:
    return mask_name(name)


def region(province: str, city: str, district: str) -> str:
    """What a supplier sees of the address before accepting: 浙江省 杭州市 西湖区."""
    return " ".join(part for part in (province, city, district) if part)


def ship_by(paid_at: datetime | None, now: datetime, ship_by_hours: int) -> datetime:
    return (paid_at or now) + timedelta(hours=ship_by_hours)


def paid_at_plausible(paid_at: datetime | None, now: datetime, *, max_age_days: int,
                      max_skew_minutes: int) -> bool:
    """A payment time is no further back than the window (an older one would make the order
    overdue at once) and no further ahead of the clock than the skew allowed for."""
    if paid_at is None:
        return True
    return (now - timedelta(days=max_age_days) <= paid_at
            <= now + timedelta(minutes=max_skew_minutes))
