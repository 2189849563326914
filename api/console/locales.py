"""The languages a person reads the console in, and their message catalogues.

French first (the lab's staff, partners and funders work in French), English beside it. The
catalogues are the ``.po`` files under ``api/console/locale/<lang>/LC_MESSAGES/messages.po``,
which a translator edits without touching code; they are compiled in memory when first used
(no ``.mo`` file to forget to rebuild). ``pybabel extract -F babel.cfg`` refreshes the template
(``messages.pot``) from the templates and Python sources; ``pybabel update`` merges it.

The locale of a request: the person's remembered choice (the ``partnerlab_locale`` cookie),
then the browser's ``Accept-Language``, then French.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import HTTPConnection

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
LOCALE_COOKIE = "partnerlab_locale"
CATALOGUES = Path(__file__).parent / "locale"
DOMAIN = "messages"
_FORMATS = {"fr": "fr_FR", "en": "en_GB"}
"""Whose conventions format dates and numbers: France's, and British English (day first,
like the lab's own documents) for English."""


def catalogue_path(locale: str) -> Path:
    return CATALOGUES / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> NullTranslations:
    """The locale's catalogue, compiled from its ``.po`` file (empty if there is none)."""
    path = catalogue_path(locale)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def babel_locale(locale: str) -> Locale:
    return Locale.parse(_FORMATS.get(locale, _FORMATS[DEFAULT_LOCALE]))


def negotiate(choice: str | None, accept_language: str | None) -> str:
    """A remembered choice wins, then the browser's preferences, then French."""
    if choice in LOCALES:
        return choice
    wanted = []
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((quality, tag.strip().replace("-", "_")))
    preferred = [tag for _, tag in sorted(wanted, key=lambda w: -w[0])]
    found = negotiate_locale(preferred, list(LOCALES), sep="_")
    if found is None:  # "en-US" is not "en" for negotiate_locale: try the language alone
        found = negotiate_locale([t.split("_")[0] for t in preferred], list(LOCALES))
    return found or DEFAULT_LOCALE


def request_locale(request: HTTPConnection) -> str:
    """The locale a page for this request is written in."""
    return negotiate(request.cookies.get(LOCALE_COOKIE), request.headers.get("accept-language"))


def gettext(locale: str, message: str) -> str:
    """One message in a locale (for text built in Python: CSV headers, notices)."""
    return str(translations(locale).gettext(message))


def translator(locale: str) -> Callable[[str], str]:
    """``_`` for Python code that writes text in a locale (``_ = translator(locale)``)."""
    catalogue = translations(locale)
    return lambda message: str(catalogue.gettext(message))
