"""Keep the console's .po catalogs in step with the templates and code.

`python -m daifa.web.catalogs` extracts every message id from the templates and the console's
Python files, and the `N_` marks elsewhere in the package (the error and warning templates in
daifa.messages, the carriers' shape hints), and merges them into each locale's messages.po
(keeping the translations there).
It then lists the zh_CN messages still untranslated. There is no compile step: the app reads the
.po files at start-up (see i18n.py).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from daifa.web.i18n import LOCALES, TRANSLATIONS_DIR

WEB_DIR = Path(__file__).parent
PACKAGE_DIR = WEB_DIR.parent
METHOD_MAP = [
    ("web/**/templates/**.html", "jinja2"),
    ("web/**.py", "python"),
]
OPTIONS = {
    "web/**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"},
}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# Outside the console only the marks count; its own files are read above.
PACKAGE_MAP = [("web/**", "ignore"), ("**.py", "python")]
PACKAGE_KEYWORDS = {"N_": None}
REQUIRED = "zh_CN"  # every message must be translated into the default locale
STABLE_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # keeps the headers still between runs


def extract() -> Catalog:
    template = Catalog(project="daifa", creation_date=STABLE_DATE, fuzzy=False)
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE_DIR, METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS,
    ):
        template.add(message, locations=[(filename, lineno)])
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE_DIR, PACKAGE_MAP, keywords=PACKAGE_KEYWORDS,
    ):
        template.add(message, locations=[(f"../{filename}", lineno)])
    return template


def po_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="daifa", creation_date=STABLE_DATE,
                       revision_date=STABLE_DATE, last_translator="daifa contributors",
                       language_team=f"{locale} <daifa contributors>",
                       copyright_holder="daifa contributors", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update(locale: str, template: Catalog) -> Catalog:
    catalog = read(locale)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=False, width=100,
                 include_previous=False, no_location=True)
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(str(message.id))
    return missing


def main() -> int:
    template = extract()
    for locale in LOCALES:
        catalog = update(locale, template)
        print(f"{po_path(locale)}: {len(template)} messages")
        if locale == REQUIRED:
            for message_id in untranslated(catalog):
                print(f"  untranslated: {message_id!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
