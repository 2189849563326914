"""A partnership's copy (what the aggregate cache hands each command) is independent of the
original: a command on the copy leaves the original as it was, whatever the command changes."""

from __future__ import annotations

import copy
from datetime import date

from domain.partnerships.partnership import Partnership
from tests.unit import stories
from tests.unit.stories import STAFF, TODAY


def state(partnership: Partnership) -> dict[str, object]:
    return {name: copy.deepcopy(value) for name, value in vars(partnership).items()}


def test_a_copy_has_the_same_state_and_shares_only_frozen_items() -> None:
    original = stories.evaluated()
    original.assign(staff="ana.staff", from_on=TODAY, actor=STAFF, today=TODAY)
    original.collect_events()
    copied = copy.deepcopy(original)
    assert copied is not original
    assert vars(copied) == vars(original)
    assert copied.milestones is not original.milestones
    assert copied.corrections is not original.corrections
    assert copied.assignments is not original.assignments


def test_commands_on_the_copy_leave_the_original_unchanged() -> None:
    original = stories.evaluated()
    original.assign(staff="ana.staff", from_on=TODAY, actor=STAFF, today=TODAY)
    original.collect_events()
    before = state(original)
    copied = copy.deepcopy(original)
    copied.record_meeting(occurred_on=date(2024, 1, 9), actor=STAFF, today=TODAY, note="x")
    copied.correct(
        target_version=2,
        changes={"note": "a corrected note"},
        reason="typo",
        actor=STAFF,
        today=TODAY,
    )
    copied.assign(staff="bob.staff", from_on=TODAY, actor=STAFF, today=TODAY)
    assert len(copied.collect_events()) == 3
    assert state(original) == before
    assert original.version == copied.version - 3
    assert original.milestone(2) != copied.milestone(2)
