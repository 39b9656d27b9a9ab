"""Buyer data for people who only need to know the region: 张*, 138****5678."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daifa.kit.masking import mask_name, mask_phone


@pytest.mark.parametrize(("name", "masked"), [
    ("张三", "张*"), ("欧阳娜娜", "欧***"), ("  李四 ", "李*"), ("Li Lei", "L*****"), ("", ""),
    ("   ", ""),
])
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("8613812345678", "138****5678"),
    ("057188886666", "057*****6666"),
    ("88886666", "****6666"),
    ("1234567", "*******"),
    ("12345", "*****"),
    ("", ""),
])
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@given(st.text(alphabet="0123456789 -+()", max_size=20))
def test_a_masked_phone_never_shows_more_than_seven_digits_nor_most_of_them(phone: str) -> None:
    masked = mask_phone(phone)
    shown = sum(ch.isdigit() for ch in masked)
    hidden = masked.count("*")
    assert shown <= 7
    assert hidden >= shown or hidden >= 4


@given(st.text(min_size=1, max_size=20).filter(lambda s: s.strip()))
def test_a_masked_name_shows_only_its_first_character(name: str) -> None:
    masked = mask_name(name)
    assert masked[0] == name.strip()[0]
    assert set(masked[1:]) == {"*"}
