"""Console translations: .po catalogs read at start-up, no compile step.

A fresh clone needs no build: each `translations/<locale>/LC_MESSAGES/messages.po` is parsed
with Babel and turned into a GNU translations object in memory. Message ids are English; the
`en` catalog may leave them untranslated.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages import mofile, pofile

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


def load_catalog(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        catalog = pofile.read_po(handle)
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def load_all(directory: Path = TRANSLATIONS_DIR) -> dict[str, gettext.GNUTranslations]:
    """Every supported locale's translations; a missing catalog is a packaging error."""
    return {locale: load_catalog(directory / locale / "LC_MESSAGES" / "messages.po")
            for locale in LOCALES}


def pick_locale(requested: str | None, default: str) -> str:
    if requested in LOCALES:
        return requested
    return default if default in LOCALES else LOCALES[0]
