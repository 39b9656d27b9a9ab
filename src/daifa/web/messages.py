"""Domain errors and warnings as the console says them, in the reader's language.

The sentences live in daifa.messages, one template per code; the API renders the same templates
in English. Here they go through the console's catalogs: the code stays beside the words (in a
<code> element), never inside them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from daifa.errors import DaifaError, ValidationFailed
from daifa.messages import CATALOG, N_, Notice, render

__all__ = ["N_", "Explained", "explain", "invalid_form", "say"]

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Explained:
    code: str
    text: str


def explain(exc: DaifaError, gettext: Gettext) -> Explained:
    """The translated message for a domain error; a code without a template yet shows its
    English detail."""
    if exc.code not in CATALOG:
        return Explained(exc.code, exc.detail)
    return Explained(exc.code, render(exc.code, exc.params, gettext))


def say(warning: str, gettext: Gettext) -> str:
    """A warning in the reader's language; a plain string (no code) is shown as it came."""
    if isinstance(warning, Notice):
        return render(warning.code, warning.params, gettext)
    return warning


def invalid_form(exc: ValidationError) -> DaifaError:
    """A form that failed its schema, as the domain's validation error naming the fields."""
    fields = sorted({str(err["loc"][0]) for err in exc.errors() if err.get("loc")})
    return ValidationFailed(fields=", ".join(fields) or "?")
