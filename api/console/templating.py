"""Every HTML page the service answers is rendered here, from Jinja2 templates.

- Templates live under the package that owns the page (``api/reporting/templates``,
  ``api/activities/templates``, ``api/audit/templates``) and the shared layout and macros under
  ``api/console/templates``; a template is named ``<context>/<file>``
  (``reporting/dashboard.html``).
- Autoescaping is on for every template: a value is text unless a template says otherwise.
- One environment per locale, with that locale's message catalogue installed for Jinja2's i18n
  extension (``{% trans %}`` and ``_()``) and filters that format dates, amounts, numbers and
  percentages the locale's way (Babel).
- Pages carry no inline script and no inline style (a Content-Security-Policy without
  ``unsafe-inline`` holds): stylesheets and scripts are files under ``/static``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal, format_percent
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, PrefixLoader, StrictUndefined

from api.console.labels import Labels
from api.console.locales import DEFAULT_LOCALE, LOCALES, babel_locale, translations

STATIC_PREFIX = "/static"
FORMATTED_KEPT = 4096
"""Numbers, amounts, shares and dates each filter keeps written, per locale."""
CONTEXTS = ("console", "reporting", "activities", "audit", "access", "partnerships")
"""The packages under ``api/`` that may hold a ``templates/`` folder."""


def static_url(path: str) -> str:
    """Where the service serves one of its own files (``api/console/static/<path>``)."""
    return f"{STATIC_PREFIX}/{path}"


def _loader() -> PrefixLoader:
    loaders = {}
    for context in CONTEXTS:
        try:
            loaders[context] = PackageLoader(f"api.{context}", "templates")
        except ValueError:  # the package holds no templates (yet)
            continue
    return PrefixLoader(loaders, delimiter="/")


@lru_cache(maxsize=len(LOCALES))
def environment(locale: str = DEFAULT_LOCALE) -> Environment:
    """The templates for one locale (built once per locale)."""
    env = Environment(
        loader=_loader(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    where = babel_locale(locale)

    # Babel takes 50-150 µs a number (a reports page shows about 900 of them): each
    # filter keeps what it wrote for a value's text (which alone decides it), per locale.
    @lru_cache(maxsize=FORMATTED_KEPT)
    def short_date(value: date) -> str:
        return str(format_date(value, "short", locale=where))

    @lru_cache(maxsize=FORMATTED_KEPT)
    def decimal(text: str) -> str:
        return str(format_decimal(Decimal(text), locale=where))

    @lru_cache(maxsize=FORMATTED_KEPT)
    def currency(text: str) -> str:
        return str(format_currency(Decimal(text), "EUR", locale=where))

    @lru_cache(maxsize=FORMATTED_KEPT)
    def share(text: str) -> str:
        return str(format_percent(Decimal(text), locale=where))

    def day(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.date()
        return short_date(value)

    def moment(value: datetime | None) -> str:
        return "" if value is None else str(format_datetime(value, "short", locale=where))

    def clock(value: datetime) -> str:
        return str(format_time(value, "HH:mm", locale=where))

    def number(value: int | float | Decimal | str | None) -> str:
        return "" if value is None else decimal(str(value))

    def euros(value: int | float | Decimal | str | None) -> str:
        return "" if value is None else currency(str(value))

    def percent(value: float | Decimal | str | None) -> str:
        return "" if value is None else share(str(value))

    catalogue = translations(locale)

    def label(code: str | None, kind: str) -> str:
        """The word for a code (a stage, a category...) in this locale."""
        return str(catalogue.gettext(Labels.of(getattr(Labels, kind), code))) if code else ""

    env.filters.update(
        label=label,
        day=day,
        moment=moment,
        clock=clock,
        number=number,
        euros=euros,
        percent=percent,
    )
    env.globals.update(static=static_url, locale=locale, locales=LOCALES, labels=Labels)
    return env


def render(name: str, locale: str = DEFAULT_LOCALE, **context: Any) -> str:
    """One template rendered to text, in a locale."""
    return environment(locale).get_template(name).render(**context)


def page(
    name: str,
    locale: str = DEFAULT_LOCALE,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """One template as an HTML answer, with its language announced."""
    answer = HTMLResponse(render(name, locale, **context), status_code=status_code)
    answer.headers["Content-Language"] = locale
    if headers:
        answer.headers.update(headers)
    return answer
