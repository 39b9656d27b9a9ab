"""Every code raised in src has one template, every raising site passes the params its template
names, and every template renders in each console language."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from gettext import GNUTranslations
from pathlib import Path

import pytest

import daifa
from daifa.errors import DaifaError, RateLimited
from daifa.messages import CATALOG, PHRASES, Notice, placeholders, render
from daifa.shipping.carriers import BY_CODE, CARRIERS, shape_warnings
from daifa.web.i18n import load_all

SRC = Path(daifa.__file__).parent
WARNINGS = {"TRACKING_NO_SHAPE"}


def _error_classes() -> dict[str, list[type[DaifaError]]]:
    for module in pkgutil.walk_packages([str(SRC)], "daifa."):
        if not module.name.endswith(("__main__", ".asgi")):
            importlib.import_module(module.name)
    found: dict[str, list[type[DaifaError]]] = {}
    pending: list[type[DaifaError]] = [DaifaError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.__name__, []).append(cls)
        pending.extend(cls.__subclasses__())
    return found


CLASSES = _error_classes()


@dataclass(frozen=True)
class Site:
    where: str
    cls: type[DaifaError]
    code: str
    params: frozenset[str]
    open_ended: bool  # **params: cannot be checked here
    sentence: bool


def _constants(tree: ast.Module) -> dict[str, str]:
    return {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def _code(call: ast.Call, cls: type[DaifaError], constants: dict[str, str]) -> str:
    for keyword in call.keywords:
        if keyword.arg == "code":
            if isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
            if isinstance(keyword.value, ast.Name) and keyword.value.id in constants:
                return constants[keyword.value.id]
            if isinstance(keyword.value, ast.Attribute) and keyword.value.attr == "code":
                return CLASSES[ast.unparse(keyword.value.value).split(".")[-1]][0].code
    return cls.code


def _sites() -> Iterator[Site]:
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        relative = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            for cls in CLASSES.get(name, []):
                names = {k.arg for k in node.keywords if k.arg and k.arg != "code"}
                if issubclass(cls, RateLimited):
                    names.add("seconds")  # from retry_after
                yield Site(f"{relative}:{node.lineno}", cls, _code(node, cls, constants),
                           frozenset(names), any(k.arg is None for k in node.keywords),
                           bool(node.args))


SITES = list(_sites())


@pytest.fixture(scope="module")
def translations() -> dict[str, GNUTranslations]:
    return load_all()


def test_every_error_class_has_a_template() -> None:
    missing = sorted({cls.code for group in CLASSES.values() for cls in group
                      if cls.code not in CATALOG})
    assert missing == []


def test_every_code_given_at_a_raising_site_has_a_template() -> None:
    assert len(SITES) > 100
    assert sorted({site.code for site in SITES if site.code not in CATALOG}) == []


def test_no_raising_site_passes_a_sentence_instead_of_params() -> None:
    assert [s.where for s in SITES if s.sentence] == []


def test_every_raising_site_passes_the_params_its_template_names() -> None:
    short = [(site.where, site.code, sorted(placeholders(CATALOG[site.code]) - site.params))
             for site in SITES if not site.open_ended and not site.sentence
             and placeholders(CATALOG[site.code]) - site.params]
    assert short == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_each_raising_site_renders_in_each_language(
        locale: str, translations: dict[str, GNUTranslations]) -> None:
    gettext = translations[locale].gettext
    for site in SITES:
        if site.sentence:
            continue
        params = {name: f"<{name}>" for name in site.params}
        text = gettext(CATALOG[site.code]) % params  # a KeyError here is a missing param
        assert text and "%(" not in text, site.where
        if issubclass(site.cls, RateLimited):
            error: DaifaError = site.cls(code=site.code, retry_after=7, **{
                k: v for k, v in params.items() if k not in ("seconds", "retry_after")})
            params["seconds"] = "7"
        else:
            error = site.cls(code=site.code, **params)
        assert error.detail == CATALOG[site.code] % params


def test_every_template_is_translated_with_the_same_placeholders(
        translations: dict[str, GNUTranslations]) -> None:
    zh = translations["zh_CN"]
    for code, template in CATALOG.items():
        translated = zh.gettext(template)
        assert translated != template, f"{code} is not translated into zh_CN"
        assert placeholders(translated) == placeholders(template), code


def test_codes_are_upper_snake_and_templates_are_marked_for_extraction() -> None:
    for code, template in CATALOG.items():
        assert code == code.upper() and " " not in code
        assert template.strip() == template


def test_the_shape_warning_is_a_code_with_the_carriers_hint(
        translations: dict[str, GNUTranslations]) -> None:
    assert CATALOG.keys() >= WARNINGS
    assert "shape" in PHRASES
    [warning] = shape_warnings(BY_CODE["ZTO"], "SF1234567890123")
    assert isinstance(warning, Notice) and warning.code == "TRACKING_NO_SHAPE"
    assert warning.params == {"tracking_no": "SF1234567890123", "carrier": "ZTO",
                              "carrier_name": "中通", "shape": BY_CODE["ZTO"].shape_hint}
    assert warning == render(warning.code, warning.params)
    zh = translations["zh_CN"].gettext
    chinese = render(warning.code, warning.params, zh)
    assert "中通（ZTO）" in chinese and zh(BY_CODE["ZTO"].shape_hint) in chinese
    for carrier in CARRIERS:
        assert zh(carrier.shape_hint) != carrier.shape_hint, carrier.code


def test_a_forgotten_param_never_fails_the_request() -> None:
    assert render("WEAK_PASSWORD", {"min": 8}) == "Choose a password of 8 to … characters."
    assert render("NO_SUCH_CODE", {}) == "NO_SUCH_CODE"


def test_list_params_read_as_a_list() -> None:
    assert render("SHEET_HEADER_INVALID", {"missing": ["carrier", "tracking_no"],
                                           "expected": "carrier (快递公司)"}) == (
        "The first row must name the file's columns: carrier (快递公司). Missing: carrier, "
        "tracking_no. Start from the template.")
