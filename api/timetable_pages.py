"""A session's timetable printed for the day: print-friendly HTML (one sheet per table or per
participant, page breaks between them), CSV for spreadsheets, and the big-screen page.

Everything shown is escaped; CSV cells that a spreadsheet would read as a formula are
prefixed with a quote.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime

from api.csv_cells import csv_text
from application.activity_views import (
    NamedRef,
    ParticipantCard,
    ScreenView,
    Slot,
    TableSheet,
    Timetable,
    TimetableRound,
)
from application.timetables import BEFORE, CHANGEOVER, FINISHED

REFRESH_SECONDS = 15

_PRINT_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#111}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:0 0 .4rem}
.meta{color:#444;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin-bottom:1rem}
th,td{border:1px solid #999;padding:.25rem .45rem;text-align:left;vertical-align:top;
font-size:.9rem}
th{background:#eee}.break{color:#666;font-style:italic}.catch-up td{background:#fff6d5}
nav{margin:0 0 1rem}nav a{margin-right:1rem}
section.sheet{break-after:page;page-break-after:always}
section.sheet:last-of-type{break-after:auto;page-break-after:auto}
@page{size:A4 landscape;margin:1cm}
@media print{body{margin:0}nav{display:none}
th,.catch-up td{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""

_SCREEN_CSS = """
body{background:#10151c;color:#f4f4f4;font-family:system-ui,sans-serif;margin:0;padding:2vw}
h1{font-size:2.6vw;margin:0;color:#9fb3c8}.state{font-size:7vw;font-weight:700;margin:.5vw 0}
.when{font-size:3.2vw;margin-bottom:2vw}.left{color:#ffd166}
table{border-collapse:collapse;width:100%;font-size:2.1vw}
td,th{padding:.35vw .8vw;border-bottom:1px solid #33414f;text-align:left}
th{color:#9fb3c8}td.table{font-weight:700;width:8vw}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _page(title: str, body: str, *, css: str = _PRINT_CSS, refresh: int | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{meta}<title>{_e(title)}</title><style>{css}</style></head>\n"
        f"<body>{body}</body></html>\n"
    )


def _heading(plan: Timetable) -> str:
    return (
        f'<h1>{_e(plan.title)}</h1><p class="meta">{plan.held_on.isoformat()}, '
        f"{_e(plan.venue)} &middot; {len(plan.rounds)} rounds of {plan.round_minutes} min, "
        f"{plan.changeover_minutes} min to change tables</p>"
    )


def _row_class(catch_up: bool) -> str:
    return ' class="catch-up"' if catch_up else ""


def timetable_html(plan: Timetable, links: dict[str, str]) -> str:
    """The whole plan on one page: a row per round, a column per table."""
    nav = "".join(f'<a href="{_e(href)}">{_e(label)}</a>' for label, href in links.items())
    head = "".join(
        f"<th>Table {table}<br>{_e(seated.name)}</th>" for table, seated in plan.tables.items()
    )
    rows = []
    for r in plan.rounds:
        by_table = {m.table: m.company.name for m in r.meetings}
        cells = "".join(
            f"<td>{_e(by_table[t])}</td>" if t in by_table else '<td class="break">break</td>'
            for t in plan.tables
        )
        breaks = ", ".join(_e(b.name) for b in r.breaks) or "&ndash;"
        label = f"{r.number}{' (catch-up)' if r.catch_up else ''}"
        rows.append(
            f"<tr{_row_class(r.catch_up)}><td>{label}</td>"
            f"<td>{_clock(r.starts_at)}&ndash;{_clock(r.ends_at)}</td>{cells}"
            f'<td class="break">{breaks}</td></tr>'
        )
    body = (
        f"<nav>{nav}</nav>{_heading(plan)}<table><thead><tr><th>Round</th><th>Time</th>{head}"
        f"<th>On a break</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return _page(f"Timetable: {plan.title}", body)


def _slot_rows(slots: Iterable[Slot], *, with_table: bool) -> str:
    rows = []
    for s in slots:
        partner = _e(s.partner.name) if s.partner else '<span class="break">break</span>'
        table = f"<td>{s.table or ''}</td>" if with_table else ""
        rows.append(
            f"<tr{_row_class(s.catch_up)}><td>{s.round}</td>"
            f"<td>{_clock(s.starts_at)}&ndash;{_clock(s.ends_at)}</td>{table}<td>{partner}</td></tr>"
        )
    return "".join(rows)


def _table_section(plan: Timetable, sheet: TableSheet) -> str:
    return (
        f'<section class="sheet">{_heading(plan)}<h2>Table {sheet.table}: '
        f"{_e(sheet.seated.name)}</h2><table><thead><tr><th>Round</th><th>Time</th>"
        f"<th>Meets</th></tr></thead><tbody>{_slot_rows(sheet.slots, with_table=False)}"
        "</tbody></table></section>"
    )


def _card_section(plan: Timetable, card: ParticipantCard) -> str:
    where = f"stays at table {card.table}" if card.table else "moves from table to table"
    return (
        f'<section class="sheet">{_heading(plan)}<h2>{_e(card.participant.name)} '
        f"({where})</h2><table><thead><tr><th>Round</th><th>Time</th><th>Table</th>"
        f"<th>Meets</th></tr></thead><tbody>{_slot_rows(card.slots, with_table=True)}"
        "</tbody></table></section>"
    )


def tables_html(plan: Timetable, sheets: Sequence[TableSheet]) -> str:
    """One printed sheet per table, to leave on the table."""
    sections = "".join(_table_section(plan, s) for s in sheets)
    return _page(f"Tables: {plan.title}", sections)


def cards_html(plan: Timetable, cards: Sequence[ParticipantCard]) -> str:
    """One printed card per participant, to hand out at check-in."""
    sections = "".join(_card_section(plan, c) for c in cards)
    return _page(f"Participants: {plan.title}", sections)


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


def screen_html(view: ScreenView) -> str:
    """Large type, dark background, refreshed every few seconds."""
    r = view.round
    left = f'<span class="left">{_minutes_left(view.seconds_left)} left</span>'
    if view.state == FINISHED or r is None:
        state, when = "Thank you!", "All rounds are over. Time for drinks."
    elif view.state == BEFORE:
        state, when = "Welcome", f"Round 1 starts at {_clock(r.starts_at)} &middot; {left}"
    elif view.state == CHANGEOVER:
        state = "Change tables"
        when = (
            f"Round {r.number} of {view.rounds_count} starts at {_clock(r.starts_at)}"
            f" &middot; {left}"
        )
    else:
        state = f"Round {r.number} of {view.rounds_count}"
        when = f"{_clock(r.starts_at)}&ndash;{_clock(r.ends_at)} &middot; {left}"
    grid = ""
    if r is not None and view.state != FINISHED:
        rows = "".join(
            f'<tr><td class="table">{m.table}</td><td>{_e(m.association.name)}</td>'
            f"<td>{_e(m.company.name)}</td></tr>"
            for m in r.meetings
        )
        breaks = ", ".join(_e(b.name) for b in r.breaks)
        pause = f'<p class="when">On a break: {breaks}</p>' if breaks else ""
        grid = (
            "<table><thead><tr><th>Table</th><th>Association</th><th>Company</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{pause}"
        )
    body = (
        f'<h1>{_e(view.title)}</h1><div class="state">{state}</div>'
        f'<div class="when">{when}</div>{grid}'
    )
    return _page(view.title, body, css=_SCREEN_CSS, refresh=REFRESH_SECONDS)
