"""Supplier IDs catch every typo a check character can; Shop IDs never pass for Supplier IDs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daifa.kit import ids
from daifa.kit.ids import ALPHABET, IdKind
from daifa.suppliers.errors import InvalidSupplierId, NotASupplierId
from daifa.suppliers.rules import parse_supplier_ref

bodies = st.text(alphabet=ALPHABET, min_size=ids.SUPPLIER_BODY_LEN,
                 max_size=ids.SUPPLIER_BODY_LEN)
supplier_ids = bodies.map(lambda body: ids.SUPPLIER_PREFIX + body + ids.check_char(body))
shop_ids = st.builds(lambda n: f"SH{n}", st.integers(10**9, 10**10 - 1))


def test_alphabet_is_prime_sized_and_unambiguous() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set("1ILOU") & set(ALPHABET)


@given(supplier_ids)
def test_every_generated_supplier_id_validates(supplier_id: str) -> None:
    assert len(supplier_id) == 9
    assert ids.is_valid_supplier_id(supplier_id)
    assert ids.classify(supplier_id) is IdKind.SUPPLIER
    assert parse_supplier_ref(supplier_id) == supplier_id


def test_random_supplier_ids_validate() -> None:
    for _ in range(2000):
        assert ids.is_valid_supplier_id(ids.new_supplier_id())


@given(supplier_ids)
def test_every_single_character_substitution_is_caught(supplier_id: str) -> None:
    for position in range(len(supplier_id)):
        for replacement in ALPHABET + "SPH":
            if replacement == supplier_id[position]:
                continue
            typo = supplier_id[:position] + replacement + supplier_id[position + 1:]
            assert not ids.is_valid_supplier_id(typo), (supplier_id, typo)


@given(supplier_ids)
def test_every_adjacent_transposition_is_caught(supplier_id: str) -> None:
    for position in range(len(supplier_id) - 1):
        a, b = supplier_id[position], supplier_id[position + 1]
        if a == b:
            continue
        swapped = supplier_id[:position] + b + a + supplier_id[position + 2:]
        assert not ids.is_valid_supplier_id(swapped), (supplier_id, swapped)


@given(supplier_ids)
def test_a_dropped_or_doubled_character_is_caught(supplier_id: str) -> None:
    for position in range(2, len(supplier_id)):
        assert not ids.is_valid_supplier_id(supplier_id[:position] + supplier_id[position + 1:])
        doubled = supplier_id[:position] + supplier_id[position] + supplier_id[position:]
        assert not ids.is_valid_supplier_id(doubled)


@given(shop_ids)
def test_shop_ids_never_classify_as_supplier_ids(shop_id: str) -> None:
    assert ids.is_valid_shop_id(shop_id)
    assert ids.classify(shop_id) is IdKind.SHOP
    assert not ids.is_valid_supplier_id(shop_id)
    with pytest.raises(NotASupplierId):
        parse_supplier_ref(shop_id)


@given(supplier_ids)
def test_supplier_ids_never_classify_as_shop_ids(supplier_id: str) -> None:
    assert not ids.is_valid_shop_id(supplier_id)
    assert ids.classify(supplier_id) is not IdKind.SHOP


def test_generated_shop_ids_are_shop_ids() -> None:
    for _ in range(500):
        shop_id = ids.new_shop_id()
        assert len(shop_id) == 12 and shop_id[2] != "0"
        assert ids.classify(shop_id) is IdKind.SHOP
        assert not ids.is_valid_supplier_id(shop_id)


@given(supplier_ids, st.data())
def test_normalise_undoes_lowercase_spaces_and_hyphens(supplier_id: str,
                                                       data: st.DataObject) -> None:
    mangled = ""
    for ch in supplier_id:
        mangled += data.draw(st.sampled_from(["", " ", "-"])) + data.draw(
            st.sampled_from([ch, ch.lower()]))
    mangled = "  " + mangled + " "
    assert ids.normalise(mangled) == supplier_id
    assert ids.is_valid_supplier_id(mangled)
    assert parse_supplier_ref(mangled) == supplier_id


def test_normalise_reads_letter_o_as_zero() -> None:
    supplier_id = "SP" + "0ABC20" + ids.check_char("0ABC20")
    assert ids.is_valid_supplier_id(supplier_id.replace("0", "O"))
    assert ids.normalise("sp-oabc 2o" + supplier_id[-1].lower()) == supplier_id


@pytest.mark.parametrize("raw", ["", "SP", "SP123", "HELLO", "SPABCDEFGHJ", "sp 3k7q",
                                 "SPIIIIIII", "SP\u00b2\u00b2\u00b2\u00b2\u00b2\u00b2\u00b2"])
def test_malformed_supplier_ids_fail_the_check(raw: str) -> None:
    assert not ids.is_valid_supplier_id(raw)
    with pytest.raises(InvalidSupplierId):
        parse_supplier_ref(raw)


@pytest.mark.parametrize("raw", ["SH12345", "SH12345678901", "SHABCDEFGHIJ", "SP1234567890"])
def test_malformed_shop_ids_are_not_shop_ids(raw: str) -> None:
    assert not ids.is_valid_shop_id(raw)


def test_tokens_carry_enough_randomness_and_are_stored_as_digests() -> None:
    tokens = {ids.new_token("dfk_") for _ in range(1000)}
    assert len(tokens) == 1000
    token = tokens.pop()
    assert token.startswith("dfk_") and len(token) - 4 >= 32  # 24 bytes → 32 characters
    digest = ids.token_digest(token)
    assert len(digest) == 64 and token not in digest
    assert digest == ids.token_digest(token)
