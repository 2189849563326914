"""The aggregate cache across processes: two runtimes on one database, each with its own
cache (as two API processes have), write the same partnership in turn. Each command must
decide on the partnership as stored, never on its own cached copy."""

from __future__ import annotations

from datetime import date

from application.context import Caller
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from tests.integration.test_event_store import open_ibm_and_the_food_bank


def test_two_runtimes_writing_in_turn_never_decide_on_a_stale_partnership(
    settings: Settings, staff: Caller, today: date
) -> None:
    first = build_runtime(settings, clock=lambda: today, run_projections=False)
    second = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        for runtime in (first, second):
            assert runtime.app.log.repository.cache is not None  # the cache is on
        partnership_id = open_ibm_and_the_food_bank(first.app, staff)
        versions = []
        for turn in range(6):
            writer = (first, second)[turn % 2]
            result = writer.app.partnerships.record_meeting(
                staff,
                partnership_id,
                occurred_on=date(2013, 1, 1 + turn),
                note=f"turn {turn}",
                # Each writer says which version it decides on: the one the other wrote.
                expected_version=1 + turn,
            )
            versions.append(result.version)
            if turn:  # the other runtime's cached copy (from its last turn) is now behind
                other = (second, first)[turn % 2]
                cache = other.app.log.repository.cache
                assert cache is not None
                assert cache.get(partnership_id).version < result.version
        assert versions == [2, 3, 4, 5, 6, 7]
        for runtime in (first, second):
            view = runtime.app.partnerships.get_partnership(staff, partnership_id)
            assert view.version == 7
            assert [m.note for m in view.milestones[1:]] == [f"turn {turn}" for turn in range(6)]
    finally:
        first.close()
        second.close()


def test_the_cache_can_be_turned_off(settings: Settings, staff: Caller, today: date) -> None:
    uncached = settings.model_copy(update={"aggregate_cache_size": 0})
    runtime = build_runtime(uncached, clock=lambda: today, run_projections=False)
    try:
        assert not runtime.app.log.repository.cache
        partnership_id = open_ibm_and_the_food_bank(runtime.app, staff)
        assert runtime.app.partnerships.get_partnership(staff, partnership_id).version == 1
    finally:
        runtime.close()
