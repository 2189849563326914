"""The organisations a lab brings together: associations and companies (legal persons only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.access.contact_person import DuplicateContactPerson, UnknownContactPerson
from domain.errors import OrganizationArchived
from domain.values import (
    OrganizationKind,
    optional_text,
    require_name,
    require_text,
    validate_legal_identifier,
    validate_territory,
)

UPDATABLE_FIELDS = ("name", "legal_identifier", "field_of_activity", "territory", "description")


class Organization(Aggregate):
    """An association or a company in a lab's catalogue.

    No contact person's personal data is ever put in these events: people are kept where
    they can be erased.
    """

    TOPIC = "partnerlab:Organization"
    class_version = 2
    """Version 2: organisations know their contact persons' ids (``contact_persons``)."""

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots taken by version 1 predate contact persons."""
        state.setdefault("contact_persons", [])

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:Organization.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:Organization.Created"

    class Registered(Created):
        TOPIC = "partnerlab:Organization.Registered"
        lab: str
        kind: OrganizationKind
        name: str
        legal_identifier: str | None
        field_of_activity: str | None
        territory: str
        description: str | None
        actor: str

    class Updated(Event):
        TOPIC = "partnerlab:Organization.Updated"
        changes: dict[str, Any]
        actor: str

    class Archived(Event):
        TOPIC = "partnerlab:Organization.Archived"
        reason: str | None
        actor: str

    class ContactPersonAdded(Event):
        """A contact person was added; their details are kept outside the log."""

        TOPIC = "partnerlab:Organization.ContactPersonAdded"
        person_id: UUID
        actor: str

    class ContactPersonErased(Event):
        """A contact person's details were erased; only the opaque id stays in history."""

        TOPIC = "partnerlab:Organization.ContactPersonErased"
        person_id: UUID
        actor: str

    @event(Registered)
    def __init__(
        self,
        lab: str,
        kind: OrganizationKind,
        name: str,
        legal_identifier: str | None,
        field_of_activity: str | None,
        territory: str,
        description: str | None,
        actor: str,
    ) -> None:
        self.lab = lab
        self.kind = kind
        self.name = name
        self.legal_identifier = legal_identifier
        self.field_of_activity = field_of_activity
        self.territory = territory
        self.description = description
        self.registered_by = actor
        self.archived = False
        self.contact_persons: list[UUID] = []

    @classmethod
    def register(
        cls,
        *,
        lab: str,
        kind: OrganizationKind,
        name: str,
        territory: str,
        actor: str,
        legal_identifier: str | None = None,
        field_of_activity: str | None = None,
        description: str | None = None,
    ) -> Organization:
        return cls(
            lab=require_text(lab, "lab"),
            kind=kind,
            name=require_name(name, "name"),
            legal_identifier=validate_legal_identifier(kind, legal_identifier),
            field_of_activity=optional_text(field_of_activity),
            territory=validate_territory(territory),
            description=optional_text(description),
            actor=require_text(actor, "actor"),
        )

    def update(self, *, actor: str, **changes: Any) -> bool:
        """Record the fields that actually change; returns False when nothing did."""
        self._require_active()
        cleaned: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in UPDATABLE_FIELDS:
                raise TypeError(f"unknown organisation field {key!r}")
            cleaned[key] = self._clean(key, value)
        effective = {k: v for k, v in cleaned.items() if getattr(self, k) != v}
        if not effective:
            return False
        self._update(changes=effective, actor=require_text(actor, "actor"))
        return True

    def archive(self, *, actor: str, reason: str | None = None) -> None:
        self._require_active()
        self._archive(reason=optional_text(reason), actor=require_text(actor, "actor"))

    def add_contact_person(self, *, person_id: UUID, actor: str) -> None:
        """Reference a contact person by an id only; their details live elsewhere."""
        self._require_active()
        if person_id in self.contact_persons:
            raise DuplicateContactPerson(f"contact person {person_id} is already known")
        self._add_contact_person(person_id=person_id, actor=require_text(actor, "actor"))

    def erase_contact_person(self, *, person_id: UUID, actor: str) -> None:
        """Erasure is allowed even when the organisation is archived."""
        if person_id not in self.contact_persons:
            raise UnknownContactPerson(
                f"organisation {self.id} has no contact person {person_id}", field="person_id"
            )
        self._erase_contact_person(person_id=person_id, actor=require_text(actor, "actor"))

    def _clean(self, key: str, value: Any) -> Any:
        if key == "name":
            return require_name(value, "name")
        if key == "legal_identifier":
            return validate_legal_identifier(self.kind, value)
        if key == "territory":
            return validate_territory(value)
        return optional_text(value)

    def _require_active(self) -> None:
        if self.archived:
            raise OrganizationArchived(f"organisation {self.id} is archived")

    @event(Updated)
    def _update(self, changes: dict[str, Any], actor: str) -> None:
        for key, value in changes.items():
            setattr(self, key, value)

    @event(Archived)
    def _archive(self, reason: str | None, actor: str) -> None:
        self.archived = True

    @event(ContactPersonAdded)
    def _add_contact_person(self, person_id: UUID, actor: str) -> None:
        self.contact_persons = [*self.contact_persons, person_id]

    @event(ContactPersonErased)
    def _erase_contact_person(self, person_id: UUID, actor: str) -> None:
        self.contact_persons = [p for p in self.contact_persons if p != person_id]

    @property
    def organization_id(self) -> UUID:
        return self.id
