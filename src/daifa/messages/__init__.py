"""Every sentence a person reads about a domain error or warning, one English template per code.

Errors and warnings carry a stable upper-snake `code` and `params` (plain values from the raising
site: numbers, identifiers, limits). Each surface renders the code's template here with those
params: the API and the CLI in English, the console through its gettext catalogs in the reader's
language. The templates use %(name)s placeholders and never write in a number another package
owns (password length, upload size, row limits...): the raising site passes it.

This package sits below every domain package and imports nothing else from daifa, so errors,
warnings, api, web and cli can all use it without importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from daifa.messages.accounts import ACCOUNTS
from daifa.messages.aftersales import AFTERSALES
from daifa.messages.changes import CHANGES
from daifa.messages.fulfilment import FULFILMENT
from daifa.messages.marks import N_

__all__ = ["CATALOG", "N_", "PHRASES", "Notice", "placeholders", "render"]

Gettext = Callable[[str], str]
CATALOG: dict[str, str] = {**ACCOUNTS, **FULFILMENT, **AFTERSALES, **CHANGES}
# Params under these names are message ids themselves (a carrier's shape hint, marked N_ where it
# is defined): each surface translates them along with the message they go into.
PHRASES = frozenset({"shape"})
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
MISSING = "…"


class _Values(dict[str, str]):
    """A forgotten param shows as an ellipsis rather than failing the request it explains."""

    def __missing__(self, key: str) -> str:
        return MISSING


def _english(message: str) -> str:
    return message


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return ", ".join(_shown(item) for item in items)
    return str(value)


def placeholders(template: str) -> set[str]:
    """The names a template needs from its params."""
    return set(_PLACEHOLDER.findall(template))


def render(code: str, params: Mapping[str, Any], gettext: Gettext = _english) -> str:
    """The code's message with its params, in the language of `gettext` (English by default);
    a code without a template reads as the code itself."""
    template = CATALOG.get(code)
    if template is None:
        return code
    values = {name: value if type(value) is str else _shown(value)
              for name, value in params.items()}
    if gettext is not _english:
        for name in PHRASES.intersection(values):
            values[name] = gettext(values[name])
    text = gettext(template)
    try:
        return text % values
    except KeyError:
        return text % _Values(values)


class Notice(str):
    """A warning (never a refusal): a code and params that read as the English sentence wherever
    a plain string is expected (the API's `warnings` lists, spreadsheet rows), so surfaces that
    translate can still render it from its code."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> Notice:
        try:  # plain strings, the common case: cheap enough for each of 100,000 rows
            if not all(type(value) is str for value in params.values()):
                raise TypeError
            text = CATALOG[code] % params
        except (KeyError, TypeError):
            text = render(code, params)
        notice = super().__new__(cls, text)
        notice.code = code
        notice.params = params
        return notice

    @classmethod
    def of_text(cls, code: str, params: dict[str, str]) -> Notice:
        """For params that are plain strings already (a warning per row of a big file): the
        English sentence straight from the template, with no checks on the way."""
        notice = str.__new__(cls, CATALOG[code] % params)
        notice.code = code
        notice.params = params
        return notice

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, self.params))

    def as_dict(self) -> dict[str, Any]:
        """The structured form: the code and its params as plain JSON values."""
        return {"code": self.code, "params": dict(self.params)}


def _rebuild(code: str, params: dict[str, Any]) -> Notice:
    return Notice(code, **params)
