"""Speed-dating schedules: who meets whom, at which table, in which round.

One side stays *seated* at fixed tables (usually the associations), the other side *moves*
(usually the companies). Participants are opaque ids; nothing here knows what they stand for.

* :func:`full_rotation` — everybody seated meets every mover exactly once, in
  ``K = max(n, m)`` rounds (the minimum: the larger side has ``K`` people to meet, one per round).
  Both sides are padded to ``K`` with empty places; in round ``r`` (0-based) table slot ``t`` hosts
  seated slot ``t`` and mover slot ``(t + r) mod K``. An empty table gives the mover a break, an
  empty chair gives the seated participant a pause. The empty places are spread evenly (a
  balanced, Bresenham-style placement), which makes the longest run of consecutive rounds anybody
  sits out ``ceil(e / b)`` with ``e = K - min(n, m)`` empty places and ``b = min(n, m)`` real ones —
  the least any ``K``-round schedule can achieve. In particular nobody sits out two rounds in a
  row exactly when ``2 * min(n, m) >= max(n, m)``.
* :func:`schedule_pairs` — only a chosen set of (seated, mover) pairs meets (catch-up rounds after
  no-shows, vetoed pairs). This is an edge colouring of a bipartite graph; by König's theorem it
  needs exactly ``Δ`` rounds, the largest number of meetings any one participant has. The
  colouring uses alternating-path (Kempe chain) recolouring, ``O(E · (V + Δ))``; a greedy
  "largest matching per round" can need a round more.

Numbering is for people: rounds are numbered from 1 and tables from 1. A seated participant keeps
the same table for the whole session (table ``i + 1`` for the ``i``-th seated participant, in the
order given or first seen).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar

from domain.errors import InvalidValue

__all__ = [
    "DuplicatePair",
    "DuplicateParticipant",
    "InvalidTimetable",
    "Meeting",
    "Round",
    "Schedule",
    "SchedulingError",
    "TimedRound",
    "full_rotation",
    "schedule_pairs",
]


class SchedulingError(InvalidValue, ValueError):
    """Bad input to a scheduler; also a ``ValueError`` for callers outside the domain."""

    rule = "schedule-input-valid"


class DuplicateParticipant(SchedulingError):
    rule = "schedule-participant-listed-once"


class DuplicatePair(SchedulingError):
    rule = "schedule-pair-listed-once"


class InvalidTimetable(SchedulingError):
    rule = "timetable-durations-valid"


@dataclass(frozen=True)
class Meeting:
    """``seated`` and ``mover`` meet at ``table`` (numbered from 1)."""

    table: int
    seated: str
    mover: str


@dataclass(frozen=True)
class Round:
    """Round ``number`` (from 1): its meetings by table, and who sits this round out."""

    number: int
    meetings: list[Meeting]
    breaks: list[str]


_When = TypeVar("_When", datetime, time)


@dataclass(frozen=True)
class TimedRound(Generic[_When]):
    """A round with its start and end, as a ``datetime`` or a wall-clock ``time``."""

    round: Round
    start: _When
    end: _When


@dataclass(frozen=True)
class Schedule:
    rounds: list[Round]

    @property
    def rounds_count(self) -> int:
        return len(self.rounds)

    def meetings_of(self, participant: str) -> dict[int, Meeting]:
        """The participant's meetings by round number, in round order (breaks are absent)."""
        return {
            round_.number: meeting
            for round_ in self.rounds
            for meeting in round_.meetings
            if participant in (meeting.seated, meeting.mover)
        }

    def timetable(
        self,
        start: _When,
        round_minutes: int = 7,
        changeover_minutes: int = 1,
        break_every: int | None = None,
        break_minutes: int = 0,
    ) -> list[TimedRound[_When]]:
        """Start and end of every round.

        Rounds last ``round_minutes`` and are separated by ``changeover_minutes``. With
        ``break_every``, a longer pause follows every ``break_every``-th round (never the last
        one): ``break_minutes`` are added on top of that changeover. ``start`` may be a
        ``datetime`` (dates follow across midnight) or a wall-clock ``time`` (which wraps past
        midnight, so a round may then end "before" it starts).
        """
        if round_minutes < 1:
            raise InvalidTimetable("a round lasts at least one minute", field="round_minutes")
        if changeover_minutes < 0:
            raise InvalidTimetable("a changeover cannot be negative", field="changeover_minutes")
        if break_minutes < 0:
            raise InvalidTimetable("a break cannot be negative", field="break_minutes")
        if break_every is not None and break_every < 1:
            raise InvalidTimetable("breaks come after at least one round", field="break_every")
        if break_every is None and break_minutes > 0:
            raise InvalidTimetable(
                "break_minutes needs break_every (after how many rounds)", field="break_every"
            )
        timed: list[TimedRound[_When]] = []
        offset = 0
        for round_ in self.rounds:
            end = offset + round_minutes
            timed.append(TimedRound(round_, _shift(start, offset), _shift(start, end)))
            offset = end + changeover_minutes
            if break_every is not None and round_.number % break_every == 0:
                offset += break_minutes
        return timed


_REFERENCE_DAY = date(2000, 1, 1)


def _shift(start: _When, minutes: int) -> _When:
    if isinstance(start, datetime):
        return start + timedelta(minutes=minutes)
    return (datetime.combine(_REFERENCE_DAY, start) + timedelta(minutes=minutes)).timetz()


# -- full rotation -------------------------------------------------------------------------------


def full_rotation(seated: Sequence[str], movers: Sequence[str]) -> Schedule:
    """Every seated participant meets every mover exactly once, in ``max(n, m)`` rounds.

    Empty when either side is empty. Raises :class:`DuplicateParticipant` when an id is listed
    twice, on one side or on both.
    """
    seated_ids = list(seated)
    mover_ids = list(movers)
    _require_distinct(seated_ids, mover_ids)
    if not seated_ids or not mover_ids:
        return Schedule(rounds=[])
    k = max(len(seated_ids), len(mover_ids))
    seat_slots = _spread(seated_ids, k)
    mover_slots = _spread(mover_ids, k)
    table_of = {person: index + 1 for index, person in enumerate(seated_ids)}
    rounds: list[Round] = []
    for r in range(k):
        meetings: list[Meeting] = []
        pausing_seated: list[str] = []
        pausing_movers: list[tuple[int, str]] = []
        for t in range(k):
            slot = (t + r) % k
            sitter, mover = seat_slots[t], mover_slots[slot]
            if sitter is not None and mover is not None:
                meetings.append(Meeting(table_of[sitter], sitter, mover))
            elif sitter is not None:
                pausing_seated.append(sitter)
            elif mover is not None:
                pausing_movers.append((slot, mover))
        pausing_movers.sort()
        breaks = pausing_seated + [mover for _, mover in pausing_movers]
        rounds.append(Round(number=r + 1, meetings=meetings, breaks=breaks))
    return Schedule(rounds=rounds)


def _spread(people: list[str], k: int) -> list[str | None]:
    """Place ``people`` in order on ``k`` slots, the ``k - len(people)`` empty ones spread evenly.

    Slot ``s`` is empty when ``floor((s + 1) e / k) > floor(s e / k)``: a balanced word, so between
    two empty slots (cyclically) there are ``floor`` or ``ceil`` of ``(k - e) / e`` people, and
    between two people ``floor`` or ``ceil`` of ``e / (k - e)`` empty slots.
    """
    empty = k - len(people)
    slots: list[str | None] = []
    remaining = iter(people)
    for s in range(k):
        if (s + 1) * empty // k > s * empty // k:
            slots.append(None)
        else:
            slots.append(next(remaining))
    return slots


def _require_distinct(seated: list[str], movers: list[str]) -> None:
    seen: set[str] = set()
    for side, people in (("seated", seated), ("movers", movers)):
        for person in people:
            if person in seen:
                raise DuplicateParticipant(
                    f"participant {person!r} is listed more than once", field=side
                )
            seen.add(person)


# -- chosen pairs: bipartite edge colouring ------------------------------------------------------


def schedule_pairs(pairs: Iterable[tuple[str, str]]) -> Schedule:
    """Schedule exactly the given (seated, mover) pairs in the fewest rounds possible.

    The number of rounds is the maximum degree ``Δ`` (König's edge-colouring theorem). Each
    seated participant keeps one table all session: tables are numbered by first appearance.
    Raises :class:`DuplicatePair` for a pair given twice and :class:`DuplicateParticipant` for
    an id that appears both as seated and as mover.
    """
    seated_index: dict[str, int] = {}
    mover_index: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    edges: list[tuple[int, int]] = []
    for sitter, mover in pairs:
        if (sitter, mover) in seen:
            raise DuplicatePair(f"pair ({sitter!r}, {mover!r}) is listed twice", field="pairs")
        if sitter in mover_index or mover in seated_index or sitter == mover:
            both = sitter if sitter in mover_index or sitter == mover else mover
            raise DuplicateParticipant(
                f"participant {both!r} is both seated and moving", field="pairs"
            )
        seen.add((sitter, mover))
        i = seated_index.setdefault(sitter, len(seated_index))
        j = mover_index.setdefault(mover, len(mover_index))
        edges.append((i, j))
    n = len(seated_index)
    colours = _colour_bipartite(n, len(mover_index), edges)
    seated_names = list(seated_index)
    mover_names = list(mover_index)
    delta = max((len(at) for at in colours), default=0)
    rounds: list[Round] = []
    for c in range(delta):
        meetings = [
            Meeting(table=u + 1, seated=seated_names[u], mover=mover_names[colours[u][c] - n])
            for u in range(n)
            if c in colours[u]
        ]
        breaks = [seated_names[u] for u in range(n) if c not in colours[u]] + [
            mover_names[j] for j in range(len(mover_names)) if c not in colours[n + j]
        ]
        rounds.append(Round(number=c + 1, meetings=meetings, breaks=breaks))
    return Schedule(rounds=rounds)


def _colour_bipartite(n: int, m: int, edges: list[tuple[int, int]]) -> list[dict[int, int]]:
    """A proper edge colouring with ``Δ`` colours (0 .. Δ-1) of a simple bipartite graph.

    Vertices are ``0 .. n-1`` (seated) and ``n .. n+m-1`` (movers); ``edges`` holds
    (seated index, mover index) pairs. Returns, for each vertex, colour -> neighbour.

    For each edge (u, v): ``a`` is a colour free at u and ``b`` one free at v (both exist below
    Δ, as neither end has all its edges coloured yet). If ``a`` is taken at v, the path from v
    alternating colours a, b, a, ... never reaches u (it would reach u, a seated vertex, on an
    edge coloured a — but a is free at u), so swapping a and b along it frees a at v without
    breaking the colouring. Then (u, v) takes colour a.
    """
    at: list[dict[int, int]] = [{} for _ in range(n + m)]
    for i, j in edges:
        u, v = i, n + j
        a = _first_free(at[u])
        if a in at[v]:
            _swap_alternating_path(at, v, a, _first_free(at[v]))
        at[u][a] = v
        at[v][a] = u
    return at


def _first_free(colours: dict[int, int]) -> int:
    c = 0
    while c in colours:
        c += 1
    return c


def _swap_alternating_path(at: list[dict[int, int]], start: int, a: int, b: int) -> None:
    """Swap colours ``a`` and ``b`` along the a, b, a, ... path from ``start`` (b free there)."""
    path: list[tuple[int, int, int]] = []
    x, colour, other = start, a, b
    while colour in at[x]:
        y = at[x][colour]
        path.append((x, y, colour))
        x, colour, other = y, other, colour
    for x, y, colour in path:
        del at[x][colour]
        del at[y][colour]
    for x, y, colour in path:
        swapped = b if colour == a else a
        at[x][swapped] = y
        at[y][swapped] = x
