"""Pure checks on what a person typed where a Supplier ID belongs."""

from __future__ import annotations

import phonenumbers

from daifa.kit import ids
from daifa.suppliers.errors import InvalidPhone, InvalidSupplierId, NotASupplierId

EXAMPLE_ID = ids.SUPPLIER_PREFIX + "3K7QXM" + ids.check_char("3K7QXM")


def parse_supplier_ref(raw: str) -> str:
    """The normalised Supplier ID, or the error that tells the person what went wrong."""
    kind = ids.classify(raw)
    if kind is ids.IdKind.SHOP:
        raise NotASupplierId(given=ids.normalise(raw))
    if not ids.is_valid_supplier_id(raw):
        raise InvalidSupplierId(given=raw.strip()[:40], example=EXAMPLE_ID)
    return ids.normalise(raw)


def normalise_phone(raw: str, region: str = "CN") -> str:
    """E.164 form of a phone number, mainland China by default."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(fields="contact_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(fields="contact_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
