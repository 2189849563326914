"""A session's timetable printed for the day: print-friendly HTML (one sheet per table or per
participant, page breaks between them), CSV for spreadsheets, and the big-screen page.

The pages are templates under ``api/activities/templates`` (escaped, no inline style); CSV
cells that a spreadsheet would read as a formula are prefixed with a quote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from api.console.locales import DEFAULT_LOCALE
from api.console.templating import render
from api.csv_cells import csv_text
from application.activities.views import (
    NamedRef,
    ParticipantCard,
    ScreenView,
    TableSheet,
    Timetable,
    TimetableRound,
)

REFRESH_SECONDS = 15


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def timetable_html(plan: Timetable, links: dict[str, str], locale: str = DEFAULT_LOCALE) -> str:
    """The whole plan on one page: a row per round, a column per table."""
    return render("activities/timetable.html", locale, plan=plan, links=list(links.items()))


def tables_html(plan: Timetable, sheets: Sequence[TableSheet], locale: str = DEFAULT_LOCALE) -> str:
    """One printed sheet per table, to leave on the table."""
    return render("activities/sheets.html", locale, plan=plan, sheets=sheets)


def cards_html(
    plan: Timetable, cards: Sequence[ParticipantCard], locale: str = DEFAULT_LOCALE
) -> str:
    """One printed card per participant, to hand out at check-in."""
    return render("activities/sheets.html", locale, plan=plan, cards=cards)


# -- CSV -----------------------------------------------------------------------------------------


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    return csv_text(header, rows)


def _name(ref: NamedRef | None) -> str:
    return ref.name if ref else ""


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def timetable_csv(plan: Timetable) -> str:
    """A row per meeting, then a row per participant on a break, round by round."""

    def rows(r: TimetableRound) -> list[list[object]]:
        times = [r.number, _clock(r.starts_at), _clock(r.ends_at)]
        lines: list[list[object]] = [
            [*times, m.table, "meeting", m.association.name, m.company.name, _yes(r.catch_up)]
            for m in r.meetings
        ]
        for b in r.breaks:
            side = [b.name, ""] if b.kind.value == "association" else ["", b.name]
            lines.append([*times, "", "break", *side, _yes(r.catch_up)])
        return lines

    header = ["round", "starts", "ends", "table", "what", "association", "company", "catch_up"]
    return _csv(header, (line for r in plan.rounds for line in rows(r)))


def tables_csv(sheets: Sequence[TableSheet]) -> str:
    header = ["table", "association", "round", "starts", "ends", "company", "catch_up"]
    return _csv(
        header,
        (
            [
                sheet.table,
                sheet.seated.name,
                s.round,
                _clock(s.starts_at),
                _clock(s.ends_at),
                _name(s.partner),
                _yes(s.catch_up),
            ]
            for sheet in sheets
            for s in sheet.slots
        ),
    )


def cards_csv(cards: Sequence[ParticipantCard]) -> str:
    header = ["participant", "kind", "round", "starts", "ends", "table", "meets", "catch_up"]
    return _csv(
        header,
        (
            [
                c.participant.name,
                c.participant.kind.value,
                s.round,
                _clock(s.starts_at),
                _clock(s.ends_at),
                s.table or "",
                _name(s.partner),
                _yes(s.catch_up),
            ]
            for c in cards
            for s in c.slots
        ),
    )


# -- the big screen ------------------------------------------------------------------------------


def _minutes_left(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def screen_html(view: ScreenView, locale: str = DEFAULT_LOCALE) -> str:
    """Large type, dark background, refreshed every few seconds."""
    return render(
        "activities/screen.html",
        locale,
        view=view,
        minutes_left=_minutes_left(view.seconds_left),
        refresh=REFRESH_SECONDS,
    )
