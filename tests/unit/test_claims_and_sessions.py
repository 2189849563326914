"""Issue 14, domain rules: claims (one holder per identifier or open pair), look-alike names,
a close with missing outcomes, catch-up for meetings marked missed and its withdrawal."""

from __future__ import annotations

import unicodedata
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activities.errors import CatchUpAlreadyHeld, NoCatchUpPlan, OutcomesMissing
from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.values import Interest, Pair
from domain.partnerships.claims import Claim, claim_id, identifier_key, name_key, pair_key
from tests.unit.activity_stories import SESSION_ON, STAFF, TODAY, associations, companies, outcome
from tests.unit.activity_stories import scheduled_session as scheduled

NONE = Interest.NONE
ACCENTED = {"e": "éèêë", "a": "àâä", "u": "ùûü", "i": "îï", "o": "ôö", "c": "ç"}


def test_a_claim_id_depends_on_the_lab_and_the_thing_claimed_only() -> None:
    holder = uuid4()
    claim = Claim.take(
        lab="alsace", key=identifier_key("552 118 465"), holder_id=holder, actor=STAFF
    )
    assert claim.id == claim_id("alsace", identifier_key("552118465"))
    assert claim.id != claim_id("lorraine", identifier_key("552118465"))
    other = uuid4()
    claim.hand_to(other, actor=STAFF)
    claim.hand_to(other, actor=STAFF)  # already held: nothing recorded
    assert [type(e).__name__ for e in claim.collect_events()] == ["Taken", "Handed"]
    assert pair_key(holder, other) != pair_key(other, holder)


@given(
    words=st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
        min_size=1,
        max_size=4,
    ),
    data=st.data(),
)
def test_names_that_differ_only_in_accents_case_and_punctuation_look_alike(
    words: list[str], data: st.DataObject
) -> None:
    plain = " ".join(words)
    disguised = []
    for word in words:
        letters = []
        for letter in word:
            choices = [letter, letter.upper(), *ACCENTED.get(letter, "")]
            letters.append(data.draw(st.sampled_from(choices)))
        disguised.append("".join(letters))
    separator = data.draw(st.sampled_from([" ", " - ", ". ", ", ", "  ", "_"]))
    variant = separator.join(disguised) + data.draw(st.sampled_from(["", ".", " !", "'"]))
    assert name_key(variant) == name_key(plain)
    assert name_key(unicodedata.normalize("NFD", variant)) == name_key(plain)


def test_different_names_do_not_look_alike() -> None:
    assert name_key("Emmaüs Mundolsheim") == name_key("EMMAUS-mundolsheim")
    assert name_key("Emmaüs Mundolsheim") != name_key("Emmaüs Strasbourg")


def session_with(outcomes: dict[int, bool]) -> SpeedDatingSession:
    """A 2 x 2 session where the meetings of ``outcomes`` (index in plan order) are recorded
    as held (True) or missed (False); the others have no outcome."""
    session = scheduled(associations(2), companies(2))
    pairs = session.scheduled_pairs
    for index, held in outcomes.items():
        outcome(session, pairs[index], held)
    session.collect_events()
    return session


@given(st.dictionaries(st.integers(0, 3), st.booleans()))
def test_a_close_is_refused_while_outcomes_are_missing_unless_confirmed(
    outcomes: dict[int, bool],
) -> None:
    session = session_with(outcomes)
    missing = [p for i, p in enumerate(session.scheduled_pairs) if i not in outcomes]
    if missing:
        with pytest.raises(OutcomesMissing):
            session.close(occurred_on=SESSION_ON, actor=STAFF, today=TODAY)
        assert session.collect_events() == []
    session.close(occurred_on=SESSION_ON, actor=STAFF, today=TODAY, confirm_missing_outcomes=True)
    [closed] = session.collect_events()
    assert closed.missing_outcomes == missing
    assert session.missing_outcomes == missing


@given(st.dictionaries(st.integers(0, 3), st.booleans()))
def test_catch_up_replans_exactly_the_meetings_marked_missed(outcomes: dict[int, bool]) -> None:
    session = session_with(outcomes)
    missed = {session.scheduled_pairs[i].key for i, held in outcomes.items() if not held}
    if not missed:
        with pytest.raises(Exception, match="no missed meeting"):
            session.schedule_catch_up(actor=STAFF, today=TODAY)
        return
    session.schedule_catch_up(actor=STAFF, today=TODAY)
    replanned = {
        Pair(m.association_id, m.company_id).key
        for r in session.rounds
        if r.catch_up
        for m in r.meetings
    }
    assert replanned == missed
    with pytest.raises(Exception, match="no missed meeting"):
        session.schedule_catch_up(actor=STAFF, today=TODAY)  # already re-planned


def test_a_catch_up_plan_is_withdrawn_until_one_of_its_meetings_is_held() -> None:
    session = session_with({0: True, 1: False})
    with pytest.raises(NoCatchUpPlan):
        session.withdraw_catch_up(actor=STAFF, today=TODAY)
    main_rounds = list(session.rounds)
    session.schedule_catch_up(actor=STAFF, today=TODAY)
    session.withdraw_catch_up(actor=STAFF, today=TODAY, reason="the room closes")
    assert session.rounds == main_rounds
    session.schedule_catch_up(actor=STAFF, today=TODAY)
    pair = session.scheduled_pairs[1]
    outcome(session, pair, True)
    session.collect_events()
    with pytest.raises(CatchUpAlreadyHeld):
        session.withdraw_catch_up(actor=STAFF, today=TODAY)
    assert session.collect_events() == []
