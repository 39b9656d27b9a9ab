"""Templates per locale, formatting filters, and what the console is built with."""

from __future__ import annotations

import gettext
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from itsdangerous import URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from daifa import __version__
from daifa.config import Settings
from daifa.dispatch.states import DISPATCH_TRANSITIONS
from daifa.kit.clock import as_utc
from daifa.kit.states import values
from daifa.web import forms, i18n

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def format_time(value: datetime | None, zone: ZoneInfo) -> str:
    """UTC from the database, shown in the display zone as YYYY-MM-DD HH:mm:ss."""
    if value is None:
        return ""
    return as_utc(value).astimezone(zone).strftime(TIME_FORMAT)


def format_fen(value: int | None) -> str:
    """Money in fen as people read it: ¥1,234.50 (a minus sign before the ¥ when negative)."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    yuan, fen = divmod(abs(value), 100)
    return f"{sign}¥{yuan:,}.{fen:02d}"


def static_url(name: str) -> str:
    return f"/static/{name}?v={__version__}"


def make_env(translations: gettext.GNUTranslations, zone: ZoneInfo) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["dt"] = lambda value: format_time(value, zone)
    env.filters["yuan"] = format_fen
    env.filters["yuan_input"] = forms.yuan_text
    env.filters["tiers_text"] = forms.tiers_text
    env.globals["static"] = static_url
    env.globals["LOCALE_NAMES"] = i18n.LOCALE_NAMES
    env.globals["HTML_LANG"] = i18n.HTML_LANG
    # Status groups pages explain things by (late, sent...); what to offer comes from `actions`.
    env.globals["DISPATCH_SETS"] = {group.name: values(group.statuses)
                                    for group in DISPATCH_TRANSITIONS.named()}
    env.globals["m"] = env.get_template("_macros.html").make_module()
    return env


class Console:
    """Built once by install(): catalogs, one template environment per locale, the secret."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.secret = settings.secret_key or settings.resolved_secret_key()
        self.translations = i18n.load_all()
        self.zone = ZoneInfo(settings.display_timezone)
        self._envs = {locale: make_env(t, self.zone) for locale, t in self.translations.items()}
        self.flash_signer = URLSafeSerializer(self.secret, salt="daifa-console-flash")

    def env(self, locale: str) -> Environment:
        return self._envs[locale]

    def locale_for(self, requested: str | None) -> str:
        return i18n.pick_locale(requested, self.settings.default_locale)
