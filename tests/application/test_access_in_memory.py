"""API keys and contact persons in the application, on the in-memory event store."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import NoReturn
from uuid import UUID

import pytest
from eventsourcing.utils import resolve_topic
from hypothesis import given, settings
from hypothesis import strategies as st

from application.access.api_keys import KeyExpired, KeyRevoked, NotAuthenticated
from application.access.ports import ContactPersonRecord
from application.context import Caller
from application.errors import ConcurrentWrite, NotFound
from application.lab import PartnerLab
from domain.access.api_key import ApiKey, KeyAlreadyRevoked, KeyExpiryNotInFuture, Role
from domain.access.contact_person import InvalidEmail
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind
from tests.application.test_partnerlab_in_memory import (
    ELSEWHERE,
    STAFF,
    declared_topic,
    event_classes,
    in_memory_lab,
)

ADMIN = Caller(lab="alsace", actor="director@labo.example")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
NEVER_ISSUED = UUID("5f0c3a1e-8d2b-4c7a-9e61-2b4d8f0a7c33")
"""A key id in the shape of a real one that was never issued (fixed: test ids stay stable)."""


class MemoryDirectory:
    """A contact directory in a dict: what the SQL one does, for the application's tests."""

    def __init__(self) -> None:
        self.rows: dict[UUID, ContactPersonRecord] = {}

    def add(self, record: ContactPersonRecord) -> None:
        self.rows[record.id] = record

    def of_organization(self, lab: str, organization_id: UUID) -> list[ContactPersonRecord]:
        return [
            r for r in self.rows.values() if r.lab == lab and r.organization_id == organization_id
        ]

    def erase(self, lab: str, person_id: UUID) -> int:
        record = self.rows.get(person_id)
        if record is None or record.lab != lab:
            return 0
        del self.rows[person_id]
        return 1


@pytest.fixture
def lab() -> PartnerLab:
    lab = in_memory_lab()
    lab.keys.key_clock = lambda: NOW
    lab.contact_persons.contacts = MemoryDirectory()
    return lab


def test_an_issued_key_authenticates_as_its_lab_role_and_holder(lab: PartnerLab) -> None:
    issued = lab.keys.issue_api_key(ADMIN, name="claire@labo.example", role=Role.STAFF)

    principal = lab.keys.authenticate(issued.token)

    assert (principal.lab, principal.role, principal.name) == (
        "alsace",
        Role.STAFF,
        issued.key.name,
    )
    assert principal.caller == Caller(lab="alsace", actor="claire@labo.example")
    assert issued.key.issued_by == ADMIN.actor


def test_the_secret_is_stored_only_as_a_peppered_hash(lab: PartnerLab) -> None:
    lab.keys.key_pepper = b"server secret"
    issued = lab.keys.issue_api_key(ADMIN, name="claire", role=Role.STAFF)
    secret = issued.token.split("_", 2)[2]

    stored = b"".join(
        bytes(s.state) for s in lab.log.recorder.select_notifications(start=1, limit=10)
    )

    assert secret.encode() not in stored
    assert lab.keys.authenticate(issued.token).name == "claire"
    lab.keys.key_pepper = b"another secret"
    with pytest.raises(NotAuthenticated):
        lab.keys.authenticate(issued.token)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "plk_",
        "Bearer plk_x",
        f"plk_{NEVER_ISSUED.hex}_short",
        f"plk_{NEVER_ISSUED.hex}_{'A' * 43}",
        f"plk_{NEVER_ISSUED.hex.upper()}_{'A' * 43}",
    ],
)
def test_anything_but_a_valid_token_is_refused(lab: PartnerLab, token: str) -> None:
    lab.keys.issue_api_key(ADMIN, name="claire", role=Role.STAFF)

    with pytest.raises(NotAuthenticated) as refused:
        lab.keys.authenticate(token)

    assert refused.value.rule == "api-key-invalid"


def test_the_id_of_another_kind_of_record_is_no_key(lab: PartnerLab) -> None:
    organization = lab.organizations.register_organization(
        STAFF, kind=OrganizationKind.COMPANY, name="IBM France", territory="67"
    )
    issued = lab.keys.issue_api_key(ADMIN, name="claire", role=Role.STAFF)
    secret = issued.token.split("_", 2)[2]

    with pytest.raises(NotAuthenticated):
        lab.keys.authenticate(f"plk_{organization.id.hex}_{secret}")


def test_a_revoked_key_is_refused_and_revoked_once(lab: PartnerLab) -> None:
    issued = lab.keys.issue_api_key(ADMIN, name="claire", role=Role.STAFF)

    lab.keys.revoke_api_key(ADMIN, issued.key.id, reason="left the lab")

    with pytest.raises(KeyRevoked):
        lab.keys.authenticate(issued.token)
    with pytest.raises(KeyAlreadyRevoked):
        lab.keys.revoke_api_key(ADMIN, issued.key.id)
    view = lab.keys.get_api_key(ADMIN, issued.key.id)
    assert (view.revoked_by, view.revoked_at is not None) == (ADMIN.actor, True)


def test_a_key_expires_at_its_expiry(lab: PartnerLab) -> None:
    issued = lab.keys.issue_api_key(
        ADMIN, name="consultant", role=Role.VIEWER, expires_at=NOW + timedelta(days=30)
    )
    assert lab.keys.authenticate(issued.token).role is Role.VIEWER

    lab.keys.key_clock = lambda: NOW + timedelta(days=30)

    with pytest.raises(KeyExpired):
        lab.keys.authenticate(issued.token)


def test_a_key_cannot_be_issued_already_expired(lab: PartnerLab) -> None:
    with pytest.raises(KeyExpiryNotInFuture):
        lab.keys.issue_api_key(ADMIN, name="x", role=Role.STAFF, expires_at=NOW - timedelta(days=1))


def test_another_labs_key_is_not_found(lab: PartnerLab) -> None:
    issued = lab.keys.issue_api_key(ADMIN, name="claire", role=Role.STAFF)

    with pytest.raises(NotFound):
        lab.keys.get_api_key(ELSEWHERE, issued.key.id)
    with pytest.raises(NotFound):
        lab.keys.revoke_api_key(ELSEWHERE, issued.key.id)
    assert lab.keys.api_key_lab(issued.key.id) == "alsace"


def test_contact_details_stay_out_of_the_events_and_go_on_erasure(lab: PartnerLab) -> None:
    food_bank = lab.organizations.register_organization(
        STAFF, kind=OrganizationKind.ASSOCIATION, name="Banque alimentaire", territory="67"
    )
    added = lab.contact_persons.add_contact_person(
        STAFF, food_bank.id, name="Marie Schmitt", email="marie@banque.example"
    )
    assert [p.name for p in lab.contact_persons.list_contact_persons(STAFF, food_bank.id)] == [
        "Marie Schmitt"
    ]

    lab.contact_persons.erase_contact_person(STAFF, food_bank.id, added.person_id)

    stored = b"".join(
        bytes(s.state) for s in lab.log.recorder.select_notifications(start=1, limit=9)
    )
    assert b"Marie" not in stored
    assert added.person_id.hex.encode() in stored
    assert lab.contact_persons.list_contact_persons(STAFF, food_bank.id) == []
    with pytest.raises(NotFound):
        lab.contact_persons.erase_contact_person(STAFF, food_bank.id, added.person_id)
    with pytest.raises(NotFound):
        lab.contact_persons.list_contact_persons(ELSEWHERE, food_bank.id)


def test_bad_details_keep_nothing_and_record_nothing(lab: PartnerLab) -> None:
    food_bank = lab.organizations.register_organization(
        STAFF, kind=OrganizationKind.ASSOCIATION, name="Banque alimentaire", territory="67"
    )

    with pytest.raises(InvalidEmail):
        lab.contact_persons.add_contact_person(
            STAFF, food_bank.id, name="Marie", email="not an address"
        )

    assert lab.organizations.get_organization(STAFF, food_bank.id).version == 1
    assert lab.contact_persons.contacts is not None
    assert lab.contact_persons.contacts.of_organization("alsace", food_bank.id) == []


def test_a_failed_save_takes_the_details_back_out(
    lab: PartnerLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    food_bank = lab.organizations.register_organization(
        STAFF, kind=OrganizationKind.ASSOCIATION, name="Banque alimentaire", territory="67"
    )

    def lost_race(*args: object, **kwargs: object) -> NoReturn:
        raise ConcurrentWrite("another write to this record was recorded first")

    monkeypatch.setattr(lab.log, "record", lost_race)
    with pytest.raises(ConcurrentWrite):
        lab.contact_persons.add_contact_person(STAFF, food_bank.id, name="Marie")

    assert lab.contact_persons.contacts is not None
    assert lab.contact_persons.contacts.of_organization("alsace", food_bank.id) == []


def test_the_key_aggregate_has_stable_topics() -> None:
    for cls in [ApiKey, *event_classes(ApiKey)]:
        topic = declared_topic(cls)
        assert topic == f"partnerlab:{cls.__qualname__}"
        assert resolve_topic(topic) is cls
    for cls in (Organization.ContactPersonAdded, Organization.ContactPersonErased):
        assert declared_topic(cls) == f"partnerlab:{cls.__qualname__}"


@given(token=st.text(max_size=120) | st.from_regex(r"plk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}"))
@settings(max_examples=200, deadline=None)
def test_no_string_is_a_key_unless_it_was_issued(token: str) -> None:
    lab = in_memory_lab()
    lab.keys.issue_api_key(ADMIN, name="claire", role=Role.STAFF)

    with pytest.raises(NotAuthenticated):
        lab.keys.authenticate(token)


VISIBLE_NAME = st.text(
    # Names a person can read: no control, format (invisible, bidirectional) or unassigned
    # characters, and already in NFC (names are normalised and refuse the others).
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn")),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip() and unicodedata.is_normalized("NFC", text))


@given(
    name=VISIBLE_NAME,
    role=st.sampled_from(Role),
    days=st.none() | st.integers(min_value=1, max_value=3650),
)
@settings(max_examples=50, deadline=None)
def test_every_issued_key_authenticates_as_what_it_was_issued_for(
    name: str, role: Role, days: int | None
) -> None:
    lab = in_memory_lab()
    lab.keys.key_clock = lambda: NOW
    expires_at = NOW + timedelta(days=days) if days is not None else None

    issued = lab.keys.issue_api_key(ADMIN, name=name, role=role, expires_at=expires_at)
    principal = lab.keys.authenticate(issued.token)

    assert (principal.key_id, principal.name, principal.role) == (issued.key.id, name.strip(), role)
