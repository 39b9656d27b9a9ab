"""Masking of buyer personal data for people who only need to know the region."""

from __future__ import annotations

MOBILE_DIGITS = 11  # mainland mobile numbers: 138****5678
COUNTRY_CODE = "86"


def mask_name(name: str) -> str:
    text = name.strip()
    if not text:
        return ""
    return text[0] + "*" * max(1, len(text) - 1)


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits of long numbers, the last four of short ones.

    At least four digits are always hidden; a leading +86 is dropped so a mobile number reads
    the way people know it (138****5678).
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == MOBILE_DIGITS + len(COUNTRY_CODE) and digits.startswith(COUNTRY_CODE):
        digits = digits[len(COUNTRY_CODE):]
    if len(digits) >= MOBILE_DIGITS:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 8:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)
