"""Contact persons of organisations: add, read, erase.

The organisation's events carry only the person's opaque id; the details go to the
``ContactDirectory`` (a plain, mutable table). Erasing deletes the details and records a
``ContactPersonErased`` event, so histories, reports and the hash chain stay whole and verify,
while nothing personal is left behind.

Orders of writes, chosen so that a failure never leaves personal data that nothing refers to
for long, nor an erasure half done:
- adding writes the details first, then records the event; if recording fails the details are
  deleted again (a crash in between leaves a row no organisation refers to, never shown);
- erasing deletes the details first, then records the event; if recording fails, the details
  are already gone and a retry records the event.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from application.access.ports import ContactDirectory, ContactPersonRecord
from application.context import Caller
from application.errors import NotFound, StoreUnavailable, VersionMismatch
from application.event_log import LabEventLog
from application.partnerships.organizations import OrganizationService
from application.partnerships.ports import CatalogChange, OrganizationChanged
from application.partnerships.projections import catalog_changes
from application.results import CommandResult
from domain.access.contact_person import ContactDetails
from domain.partnerships.organization import Organization


@dataclass(frozen=True)
class ContactPersonView:
    id: UUID
    organization_id: UUID
    name: str
    role: str | None
    email: str | None
    phone: str | None
    added_at: datetime


@dataclass(frozen=True)
class ContactPersonResult(CommandResult):
    """The organisation's new version, and the id of the person added or erased."""

    person_id: UUID


def _view(record: ContactPersonRecord) -> ContactPersonView:
    return ContactPersonView(
        id=record.id,
        organization_id=record.organization_id,
        name=record.name,
        role=record.role,
        email=record.email,
        phone=record.phone,
        added_at=record.added_at,
    )


def _require_version(organization: Organization, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != organization.version:
        raise VersionMismatch(
            f"expected version {expected_version} but it is at version {organization.version}",
            current_version=organization.version,
        )


@catalog_changes.register(Organization.ContactPersonAdded)
@catalog_changes.register(Organization.ContactPersonErased)
def _contact_person_changes(event: Organization.Event, _position: int) -> list[CatalogChange]:
    """The catalogue shows no contact person, but keeps the organisation's version current."""
    return [OrganizationChanged(event.originator_id, {}, event.originator_version)]


class ContactPersonService:
    """The people who represent an organisation, kept apart from the log so they can be erased."""

    def __init__(
        self,
        log: LabEventLog,
        organizations: OrganizationService,
        contacts: ContactDirectory | None,
    ) -> None:
        self._log = log
        self._organizations = organizations
        self.contacts = contacts
        """Where contact persons' details live."""

    def add_contact_person(
        self,
        caller: Caller,
        organization_id: UUID,
        *,
        name: str,
        role: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        expected_version: int | None = None,
    ) -> ContactPersonResult:
        organization = self._organizations.organization(caller, organization_id)
        _require_version(organization, expected_version)
        details = ContactDetails.validated(name=name, role=role, email=email, phone=phone)
        person_id = uuid4()
        organization.add_contact_person(person_id=person_id, actor=caller.actor)
        directory = self._contacts()
        directory.add(
            ContactPersonRecord(
                id=person_id,
                lab=caller.lab,
                organization_id=organization_id,
                name=details.name,
                role=details.role,
                email=details.email,
                phone=details.phone,
                added_at=datetime.now(UTC),
            )
        )
        try:
            result = self._log.record(organization, expected_version)
        except BaseException:
            with suppress(Exception):  # the error to report is the one that stopped the save
                directory.erase(caller.lab, person_id)
            raise
        return ContactPersonResult(
            id=result.id, version=result.version, position=result.position, person_id=person_id
        )

    def list_contact_persons(
        self, caller: Caller, organization_id: UUID
    ) -> list[ContactPersonView]:
        """The organisation's contact persons, in the order they were added."""
        organization = self._organizations.organization(caller, organization_id)
        known = {r.id: r for r in self._contacts().of_organization(caller.lab, organization_id)}
        return [_view(known[p]) for p in organization.contact_persons if p in known]

    def get_contact_person(
        self, caller: Caller, organization_id: UUID, person_id: UUID
    ) -> ContactPersonView:
        found = [p for p in self.list_contact_persons(caller, organization_id) if p.id == person_id]
        if not found:
            raise NotFound(
                f"organisation {organization_id} has no contact person {person_id}",
                field="person_id",
            )
        return found[0]

    def erase_contact_person(
        self,
        caller: Caller,
        organization_id: UUID,
        person_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> ContactPersonResult:
        """Delete the person's details everywhere and record the erasure (an audited event)."""
        organization = self._organizations.organization(caller, organization_id)
        _require_version(organization, expected_version)
        if person_id not in organization.contact_persons:
            raise NotFound(
                f"organisation {organization_id} has no contact person {person_id}",
                field="person_id",
            )
        organization.erase_contact_person(person_id=person_id, actor=caller.actor)
        self._contacts().erase(caller.lab, person_id)
        result = self._log.record(organization, expected_version)
        return ContactPersonResult(
            id=result.id, version=result.version, position=result.position, person_id=person_id
        )

    def _contacts(self) -> ContactDirectory:
        if self.contacts is None:
            raise StoreUnavailable("the contact persons' directory is not configured")
        return self.contacts
