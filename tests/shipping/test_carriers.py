from __future__ import annotations

import pytest

from daifa.errors import ValidationFailed
from daifa.shipping.carriers import (
    BY_CODE,
    CARRIERS,
    Carrier,
    find_carrier,
    normalise_tracking_no,
    resolve_carrier,
    shape_warnings,
)
from daifa.shipping.errors import InvalidTrackingNo, UnknownCarrier

NAMES = {
    "SF": ["SF", "sf", "顺丰", "顺丰速运", "顺丰快递", "SF Express", "shunfeng"],
    "ZTO": ["ZTO", "zto", "中通", "中通快递", "ZTO Express", "zhongtong", "中通快递有限公司"],
    "YTO": ["YTO", "圆通", "圆通速递", "圆通快递", "yuantong"],
    "STO": ["STO", "申通", "申通快递", "shentong"],
    "YUNDA": ["YUNDA", "yunda", "韵达", "韵达快递", "韵达速递"],
    "JD": ["JD", "jd", "京东", "京东物流", "京东快递", "JD Logistics", "jingdong"],
    "EMS": ["EMS", "ems", "邮政", "中国邮政", "邮政EMS", "China Post", "中国邮政速递物流"],
    "JTSD": ["JTSD", "极兔", "极兔速递", "极兔快递", "J&T", "J&T Express", "JT", "jtexpress"],
}


def test_the_registry_has_the_eight_carriers_of_the_field_notes() -> None:
    assert [carrier.code for carrier in CARRIERS] == list(NAMES)
    assert set(BY_CODE) == set(NAMES)


@pytest.mark.parametrize(("code", "text"),
                         [(code, text) for code, texts in NAMES.items() for text in texts])
def test_every_code_name_and_alias_resolves(code: str, text: str) -> None:
    assert resolve_carrier(text).code == code


@pytest.mark.parametrize("carrier", CARRIERS, ids=lambda c: c.code)
def test_every_registered_name_resolves_to_its_carrier(carrier: Carrier) -> None:
    for text in (carrier.code, carrier.name, carrier.full_name, carrier.name_en, *carrier.aliases):
        assert resolve_carrier(text) is carrier


@pytest.mark.parametrize("text", ["  顺丰 ", "Ｓ Ｆ", "ＳＦ", "顺 丰 速 运", "j & t", "ＪＤ"])
def test_spaces_case_and_full_width_characters_are_folded(text: str) -> None:
    assert find_carrier(text) is not None


@pytest.mark.parametrize("text", ["", "  ", "DHL", "顺", "速运", "快递", "顺丰中通", "SFX", "UPS"])
def test_anything_else_is_unknown_carrier(text: str) -> None:
    with pytest.raises(UnknownCarrier) as caught:
        resolve_carrier(text)
    error = caught.value
    assert (error.code, error.status) == ("UNKNOWN_CARRIER", 422)
    assert isinstance(error, ValidationFailed)
    assert error.params["accepted"] == list(NAMES)
    assert "SF (顺丰)" in error.detail and "JTSD (极兔)" in error.detail


@pytest.mark.parametrize(("raw", "expected"), [
    (" sf1234567890123 ", "SF1234567890123"),
    ("7300 1234 5678 90", "73001234567890"),
    ("jdab12345678901", "JDAB12345678901"),
    ("ＹＴ１２３４５６７８９０１２３", "YT1234567890123"),  # full-width
    ("abc-123", "ABC-123"),
    ("\t123456\u3000", "123456"),
    ("A" * 40, "A" * 40),
])
def test_tracking_numbers_are_trimmed_upper_cased_and_spaces_dropped(raw: str,
                                                                      expected: str) -> None:
    assert normalise_tracking_no(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "A" * 41, "SF123/456", "顺丰12345678", "SF_123456",
                                 "12.345678", "   "])
def test_bad_tracking_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidTrackingNo) as caught:
        normalise_tracking_no(raw)
    assert (caught.value.code, caught.value.status) == ("INVALID_TRACKING_NO", 422)


GOOD_SHAPES = {
    "SF": ["SF1234567890123", "SFAB34567890123", "123456789012"],
    "ZTO": ["73123456789012", "76123456789012", "78123456789012"],
    "YTO": ["YT1234567890123"],
    "STO": ["771234567890123"],
    "YUNDA": ["312345678901234", "412345678901234", "5123456789012"],
    "JD": ["JDAB12345678901"],
    "EMS": ["1234567890123"],
    "JTSD": ["JT1234567890123"],
}
BAD_SHAPES = {
    "SF": ["SF123456789012", "12345678901", "1234567890123"],
    "ZTO": ["77123456789012", "7312345678901", "ZT123456789012"],
    "YTO": ["YT123456789012", "YTA234567890123"],
    "STO": ["781234567890123", "77123456789012"],
    "YUNDA": ["512345678901234", "6123456789012", "41234567890123"],
    "JD": ["JD1234567890123", "JDABC2345678901"],
    "EMS": ["EA123456789CN", "123456789012"],
    "JTSD": ["JT123456789012", "JD1234567890123"],
}


@pytest.mark.parametrize(("code", "number"),
                         [(code, n) for code, numbers in GOOD_SHAPES.items() for n in numbers])
def test_usual_shapes_give_no_warning(code: str, number: str) -> None:
    assert shape_warnings(BY_CODE[code], number) == []


@pytest.mark.parametrize(("code", "number"),
                         [(code, n) for code, numbers in BAD_SHAPES.items() for n in numbers])
def test_unusual_shapes_give_a_warning_not_an_error(code: str, number: str) -> None:
    warnings = shape_warnings(BY_CODE[code], normalise_tracking_no(number))
    assert len(warnings) == 1
    assert number in warnings[0] and code in warnings[0]
    assert BY_CODE[code].shape_hint in warnings[0]
