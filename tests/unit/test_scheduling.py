"""Speed-dating schedules: the full rotation and the edge colouring of chosen pairs."""

from __future__ import annotations

import functools
import itertools
import math
import random
import time as clock
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.activities.scheduling import (
    DuplicatePair,
    DuplicateParticipant,
    InvalidTimetable,
    Meeting,
    Schedule,
    full_rotation,
    schedule_pairs,
)
from domain.errors import DomainError, InvalidValue

BOUNDED = settings(max_examples=100, deadline=None)

SEATED = [f"asso-{i}" for i in range(60)]
MOVERS = [f"company-{j}" for j in range(60)]


# -- invariants shared by both schedulers ------------------------------------------------------


def assert_well_formed(schedule: Schedule, seated: Sequence[str], movers: Sequence[str]) -> None:
    """Rounds numbered 1.., nobody twice in a round, everybody either meeting or on a break,
    tables in range and a seated participant always at their own table."""
    table_of = {person: index + 1 for index, person in enumerate(seated)}
    everybody = set(seated) | set(movers)
    assert [r.number for r in schedule.rounds] == list(range(1, schedule.rounds_count + 1))
    for round_ in schedule.rounds:
        booked = [p for meeting in round_.meetings for p in (meeting.seated, meeting.mover)]
        present = booked + round_.breaks
        assert len(present) == len(set(present)), f"somebody twice in round {round_.number}"
        assert set(present) == everybody
        tables = [meeting.table for meeting in round_.meetings]
        assert len(tables) == len(set(tables))
        for meeting in round_.meetings:
            assert meeting.seated in table_of
            assert meeting.mover in movers
            assert meeting.table == table_of[meeting.seated]
            assert 1 <= meeting.table <= len(seated)


def met_pairs(schedule: Schedule) -> list[tuple[str, str]]:
    return [(m.seated, m.mover) for r in schedule.rounds for m in r.meetings]


def longest_sit_out(schedule: Schedule, participant: str) -> int:
    longest = current = 0
    for round_ in schedule.rounds:
        current = current + 1 if participant in round_.breaks else 0
        longest = max(longest, current)
    return longest


def optimal_longest_sit_out(n: int, m: int) -> int:
    """Least possible longest run of sat-out rounds in any max(n, m)-round full schedule.

    With K = max(n, m), b = min(n, m) and e = K - b: everybody on the smaller side meets K people
    in K rounds, so never sits out, and each round has exactly b meetings, so e people of the
    larger side sit out. Someone on the larger side meets in round 1; their e sat-out rounds then
    fall into at most b runs (each run follows one of their b meetings), so some run has at least
    ceil(e / b) rounds. ``test_no_schedule_beats_the_rotation_on_sitting_out`` checks this bound by
    exhaustive search for K <= 8; the rotation meets it for every n, m (see the tests below).
    """
    k, b = max(n, m), min(n, m)
    e = k - b
    return 0 if e == 0 else math.ceil(e / b)


def nobody_sits_out_twice_in_a_row_is_possible(n: int, m: int) -> bool:
    return 2 * min(n, m) >= max(n, m)


# -- full rotation -----------------------------------------------------------------------------


@BOUNDED
@given(n=st.integers(1, 30), m=st.integers(1, 30))
def test_full_rotation_meets_every_pair_once_in_max_rounds(n: int, m: int) -> None:
    seated, movers = SEATED[:n], MOVERS[:m]
    schedule = full_rotation(seated, movers)

    assert schedule.rounds_count == max(n, m)
    assert_well_formed(schedule, seated, movers)
    pairs = met_pairs(schedule)
    assert len(pairs) == n * m
    assert set(pairs) == set(itertools.product(seated, movers))
    smaller_side = seated if n <= m else movers
    assert not any(p in r.breaks for r in schedule.rounds for p in smaller_side)
    if nobody_sits_out_twice_in_a_row_is_possible(n, m):
        for participant in [*seated, *movers]:
            assert longest_sit_out(schedule, participant) <= 1


def test_full_rotation_sits_nobody_out_longer_than_any_schedule_must() -> None:
    """For every n, m in 1..30: the longest sit-out equals the lower bound, so in particular
    nobody sits out two rounds in a row exactly when 2 * min(n, m) >= max(n, m)."""
    for n, m in itertools.product(range(1, 31), repeat=2):
        schedule = full_rotation(SEATED[:n], MOVERS[:m])
        longest = max(longest_sit_out(schedule, p) for p in [*SEATED[:n], *MOVERS[:m]])
        assert longest == optimal_longest_sit_out(n, m), (n, m)
        assert (longest <= 1) == nobody_sits_out_twice_in_a_row_is_possible(n, m), (n, m)


def longest_run(rounds: frozenset[int], k: int) -> int:
    runs = [
        len(list(run)) for idle, run in itertools.groupby(range(k), rounds.__contains__) if idle
    ]
    return max(runs, default=0)


def sit_out_patterns_exist(k: int, e: int, longest: int) -> bool:
    """Can k people each sit out e of k rounds, exactly e of them per round, none of them for more
    than ``longest`` rounds in a row? (Necessary for any k-round full schedule; exhaustive.)"""
    patterns = [
        pattern
        for pattern in map(frozenset, itertools.combinations(range(k), e))
        if longest_run(pattern, k) <= longest
    ]
    # Sit-out counts per round reachable after placing the first 0, 1, ..., k people.
    counts = {(0,) * k}
    for _ in range(k):
        grown = {
            tuple(c + (r in pattern) for r, c in enumerate(state))
            for state in counts
            for pattern in patterns
        }
        counts = {state for state in grown if max(state) <= e}
    return (e,) * k in counts


def test_no_schedule_beats_the_rotation_on_sitting_out() -> None:
    """Exhaustively, for K = max(n, m) <= 8: one round less than the bound is impossible for any
    K-round schedule, so the rotation's sit-outs (and its "never twice in a row" cases) are the
    best there is. The bound itself is reachable, as the search confirms for K <= 6."""
    for n, m in itertools.product(range(1, 9), repeat=2):
        k = max(n, m)
        e = k - min(n, m)
        bound = optimal_longest_sit_out(n, m)
        if bound > 0:
            assert not sit_out_patterns_exist(k, e, bound - 1), (n, m)
        if k <= 6:
            assert sit_out_patterns_exist(k, e, bound), (n, m)


def test_full_rotation_spreads_breaks_for_three_associations_and_five_companies() -> None:
    schedule = full_rotation(["a1", "a2", "a3"], ["c1", "c2", "c3", "c4", "c5"])

    assert [len(r.meetings) for r in schedule.rounds] == [3, 3, 3, 3, 3]
    assert [len(r.breaks) for r in schedule.rounds] == [2, 2, 2, 2, 2]
    for company in ["c1", "c2", "c3", "c4", "c5"]:
        assert longest_sit_out(schedule, company) == 1
    assert [m.table for m in schedule.meetings_of("a2").values()] == [2, 2, 2, 2, 2]


def test_ten_by_ten_session_has_ten_rounds_without_breaks() -> None:
    schedule = full_rotation(SEATED[:10], MOVERS[:10])

    assert schedule.rounds_count == 10
    assert all(len(r.meetings) == 10 and r.breaks == [] for r in schedule.rounds)
    # The known rotation: table t hosts seated t and mover (t + r) mod K.
    assert schedule.rounds[3].meetings[2] == Meeting(table=3, seated="asso-2", mover="company-5")


@pytest.mark.parametrize(("seated", "movers"), [([], []), (["a"], []), ([], ["c1", "c2"])])
def test_full_rotation_with_an_empty_side_is_empty(seated: list[str], movers: list[str]) -> None:
    schedule = full_rotation(seated, movers)
    assert schedule.rounds == []
    assert schedule.rounds_count == 0


def test_full_rotation_one_by_one_and_one_by_many() -> None:
    assert full_rotation(["a"], ["c"]).rounds[0].meetings == [Meeting(1, "a", "c")]
    one_company = full_rotation(["a1", "a2", "a3"], ["c"])
    assert one_company.rounds_count == 3
    # The mover walks down the tables: table t hosts mover slot (t + r) mod K.
    assert [r.meetings[0].table for r in one_company.rounds] == [1, 3, 2]
    assert [r.breaks for r in one_company.rounds] == [["a2", "a3"], ["a1", "a2"], ["a1", "a3"]]


@pytest.mark.parametrize(
    ("seated", "movers"),
    [(["a", "a"], ["c"]), (["a"], ["c", "c"]), (["x", "a"], ["c", "x"])],
)
def test_full_rotation_rejects_a_participant_listed_twice(
    seated: list[str], movers: list[str]
) -> None:
    with pytest.raises(DuplicateParticipant) as raised:
        full_rotation(seated, movers)
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, InvalidValue)


# -- chosen pairs ------------------------------------------------------------------------------


@st.composite
def chosen_pairs(draw: st.DrawFn) -> list[tuple[str, str]]:
    n = draw(st.integers(1, 30))
    m = draw(st.integers(1, 30))
    shape = draw(st.sampled_from(["all", "single", "seated-star", "mover-star", "sparse", "dense"]))
    if shape == "all":
        indices = list(itertools.product(range(n), range(m)))
    elif shape == "single":
        indices = [(draw(st.integers(0, n - 1)), draw(st.integers(0, m - 1)))]
    elif shape == "seated-star":
        centre = draw(st.integers(0, n - 1))
        leaves = draw(st.lists(st.integers(0, m - 1), min_size=1, unique=True))
        indices = [(centre, j) for j in leaves]
    elif shape == "mover-star":
        centre = draw(st.integers(0, m - 1))
        leaves = draw(st.lists(st.integers(0, n - 1), min_size=1, unique=True))
        indices = [(i, centre) for i in leaves]
    elif shape == "sparse":
        cell = st.tuples(st.integers(0, n - 1), st.integers(0, m - 1))
        indices = draw(st.lists(cell, min_size=1, max_size=80, unique=True))
    else:
        rng = random.Random(draw(st.integers(0, 2**32 - 1)))
        density = draw(st.floats(0.05, 0.95))
        cells = itertools.product(range(n), range(m))
        indices = [cell for cell in cells if rng.random() < density] or [(0, 0)]
    draw(st.randoms(use_true_random=False)).shuffle(indices)
    return [(SEATED[i], MOVERS[j]) for i, j in indices]


def first_seen(people: list[str]) -> list[str]:
    return list(dict.fromkeys(people))


def max_degree(pairs: list[tuple[str, str]]) -> int:
    degrees = Counter(s for s, _ in pairs) + Counter(m for _, m in pairs)
    return max(degrees.values(), default=0)


@BOUNDED
@given(pairs=chosen_pairs())
def test_chosen_pairs_meet_once_in_max_degree_rounds(pairs: list[tuple[str, str]]) -> None:
    schedule = schedule_pairs(pairs)

    assert schedule.rounds_count == max_degree(pairs)
    assert sorted(met_pairs(schedule)) == sorted(pairs)
    seated = first_seen([s for s, _ in pairs])
    movers = first_seen([m for _, m in pairs])
    assert_well_formed(schedule, seated, movers)


def test_no_pairs_no_rounds() -> None:
    assert schedule_pairs([]).rounds == []


def test_a_catch_up_round_after_no_shows() -> None:
    pairs = [("a1", "c2"), ("a2", "c2"), ("a3", "c1"), ("a1", "c1")]
    schedule = schedule_pairs(iter(pairs))

    assert schedule.rounds_count == 2
    assert sorted(met_pairs(schedule)) == sorted(pairs)
    assert {m.table for m in schedule.meetings_of("a1").values()} == {1}
    assert {m.table for m in schedule.meetings_of("a3").values()} == {3}


def test_a_pair_listed_twice_is_rejected() -> None:
    with pytest.raises(DuplicatePair) as raised:
        schedule_pairs([("a", "c"), ("b", "c"), ("a", "c")])
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, DomainError)
    assert raised.value.rule == "schedule-pair-listed-once"


@pytest.mark.parametrize(
    "pairs", [[("a", "c"), ("c", "b")], [("a", "c"), ("b", "a")], [("x", "x")]]
)
def test_someone_both_seated_and_moving_is_rejected(pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(DuplicateParticipant):
        schedule_pairs(pairs)


def maximum_matching_greedy(pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """A maximum matching by augmenting paths (Kuhn), seated and neighbours in first-seen order."""
    neighbours: dict[str, list[str]] = {}
    for s, m in pairs:
        neighbours.setdefault(s, []).append(m)
    partner_of_mover: dict[str, str] = {}

    def augment(s: str, visited: set[str]) -> bool:
        for m in neighbours[s]:
            if m not in visited:
                visited.add(m)
                if m not in partner_of_mover or augment(partner_of_mover[m], visited):
                    partner_of_mover[m] = s
                    return True
        return False

    for s in neighbours:
        augment(s, set())
    return {(s, m) for m, s in partner_of_mover.items()}


def maximum_matching_size(pairs: list[tuple[str, str]]) -> int:
    for size in range(len(pairs), 0, -1):
        for chosen in itertools.combinations(pairs, size):
            seated = [s for s, _ in chosen]
            movers = [m for _, m in chosen]
            if len(set(seated)) == size and len(set(movers)) == size:
                return size
    return 0


def rounds_by_largest_matching_first(pairs: list[tuple[str, str]]) -> int:
    remaining = list(pairs)
    rounds = 0
    while remaining:
        matching = maximum_matching_greedy(remaining)
        assert len(matching) == maximum_matching_size(remaining)  # a largest matching indeed
        remaining = [pair for pair in remaining if pair not in matching]
        rounds += 1
    return rounds


def test_largest_matching_first_can_need_one_round_more_than_edge_colouring() -> None:
    """The path S1-M1-S2-M2-S3 (everybody meets at most twice): a largest first round {S1-M1,
    S3-M2} leaves S2 two meetings for two more rounds, three in all; colouring needs two."""
    pairs = [("S1", "M1"), ("S3", "M2"), ("S2", "M1"), ("S2", "M2")]

    assert max_degree(pairs) == 2
    assert rounds_by_largest_matching_first(pairs) == 3
    assert schedule_pairs(pairs).rounds_count == 2


# -- the schedule's helpers --------------------------------------------------------------------


def test_meetings_of_lists_a_participant_by_round() -> None:
    schedule = full_rotation(["a1", "a2"], ["c1", "c2", "c3"])

    meetings = schedule.meetings_of("c2")
    assert sorted(m.seated for m in meetings.values()) == ["a1", "a2"]
    assert list(meetings) == sorted(meetings)
    assert all(m.mover == "c2" for m in meetings.values())
    assert len(schedule.meetings_of("a1")) == 3
    assert schedule.meetings_of("nobody") == {}


def test_timetable_of_a_ten_by_ten_session() -> None:
    start = datetime(2015, 3, 12, 18, 0)
    timed = full_rotation(SEATED[:10], MOVERS[:10]).timetable(start)

    assert [t.round.number for t in timed] == list(range(1, 11))
    assert timed[0].start == start
    assert timed[0].end == start + timedelta(minutes=7)
    assert timed[1].start == start + timedelta(minutes=8)
    assert timed[-1].end == start + timedelta(minutes=79)


def test_timetable_with_a_break_every_four_rounds() -> None:
    start = datetime(2015, 3, 12, 18, 0, tzinfo=UTC)
    timed = full_rotation(SEATED[:10], MOVERS[:10]).timetable(
        start, round_minutes=7, changeover_minutes=2, break_every=4, break_minutes=15
    )

    gaps = [(b.start - a.end) // timedelta(minutes=1) for a, b in itertools.pairwise(timed)]
    assert gaps == [2, 2, 2, 17, 2, 2, 2, 17, 2]
    assert timed[-1].end == start + timedelta(minutes=10 * 7 + 9 * 2 + 2 * 15)
    assert timed[-1].end.tzinfo is UTC


def test_timetable_from_a_wall_clock_time_wraps_past_midnight() -> None:
    timed = full_rotation(["a1", "a2"], ["c1", "c2"]).timetable(time(23, 50))

    assert [(t.start, t.end) for t in timed] == [
        (time(23, 50), time(23, 57)),
        (time(23, 58), time(0, 5)),
    ]


def test_timetable_of_an_empty_schedule_is_empty() -> None:
    assert Schedule(rounds=[]).timetable(time(18, 0)) == []


@pytest.mark.parametrize(
    "arguments",
    [
        {"round_minutes": 0},
        {"changeover_minutes": -1},
        {"break_every": 0, "break_minutes": 5},
        {"break_every": 2, "break_minutes": -5},
        {"break_minutes": 10},
    ],
)
def test_timetable_rejects_impossible_durations(arguments: dict[str, int]) -> None:
    with pytest.raises(InvalidTimetable):
        full_rotation(["a"], ["c"]).timetable(time(18, 0), **arguments)


# -- speed -------------------------------------------------------------------------------------


def best_of_three(work: Callable[[], object]) -> float:
    timings = []
    for _ in range(3):
        started = clock.perf_counter()
        work()
        timings.append(clock.perf_counter() - started)
    return min(timings)


def test_a_fifty_by_fifty_rotation_takes_well_under_a_second() -> None:
    assert best_of_three(lambda: full_rotation(SEATED[:50], MOVERS[:50])) < 1.0


def test_two_hundred_chosen_pairs_take_well_under_a_second() -> None:
    rng = random.Random(2015)
    sparse = rng.sample(list(itertools.product(SEATED[:50], MOVERS[:50])), 200)
    dense = list(itertools.product(SEATED[:20], MOVERS[:10]))  # Δ = 20, many recolourings
    for pairs in (sparse, dense):
        assert best_of_three(functools.partial(schedule_pairs, pairs)) < 1.0
