"""Use cases of organisations: register, update, archive, read, list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from application.context import Caller
from application.errors import StoreUnavailable
from application.event_log import LabEventLog, check_version
from application.followers import CATALOG
from application.partnerships.claims import Claims
from application.partnerships.ports import CatalogView
from application.partnerships.presenters import organization_view
from application.partnerships.views import (
    OrganizationFilter,
    OrganizationSummary,
    OrganizationView,
)
from application.read_models import ReadModels
from application.results import CommandResult, Page, PageRequest
from domain.partnerships.organization import Organization


class OrganizationService:
    """The lab's catalogue of associations and companies."""

    def __init__(
        self,
        log: LabEventLog,
        catalog: CatalogView | None,
        read_models: ReadModels | None = None,
    ) -> None:
        self._log = log
        self._catalog = catalog
        self._read_models = read_models
        self.claims = Claims(log, catalog, self._settle)

    def register_organization(self, caller: Caller, **fields: Any) -> CommandResult:
        """Register an organisation of the caller's lab with ``fields``, those of
        ``Organization.register`` (its kind, name, territory, and legal identifier, field of
        activity and description when known), telling the look-alikes already registered."""
        organization = Organization.register(lab=caller.lab, actor=caller.actor, **fields)
        self._settle()  # the catalogue knows every earlier registration
        claim = self.claims.identifier_claim(organization, caller.actor)
        warnings = self.claims.look_alikes(organization)
        result = self.claims.record(
            lambda: self._log.record(organization, None, also=[claim] if claim is not None else []),
            claim,
            caller.lab,
            self.claims.identifier_refusal(str(organization.legal_identifier), "legal_identifier"),
        )
        return replace(result, warnings=tuple(warnings))

    def update_organization(
        self,
        caller: Caller,
        organization_id: UUID,
        *,
        expected_version: int | None = None,
        **changes: Any,
    ) -> CommandResult:
        organization = self.organization(caller, organization_id)
        check_version(organization, expected_version)
        before = organization.legal_identifier
        organization.update(actor=caller.actor, **changes)
        claim = None
        if organization.legal_identifier != before:
            claim = self.claims.identifier_claim(organization, caller.actor)
        return self.claims.record(
            lambda: self._log.record(
                organization, expected_version, also=[claim] if claim is not None else []
            ),
            claim,
            caller.lab,
            self.claims.identifier_refusal(str(organization.legal_identifier), "legal_identifier"),
        )

    def archive_organization(
        self,
        caller: Caller,
        organization_id: UUID,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        organization = self.organization(caller, organization_id)
        check_version(organization, expected_version)
        organization.archive(actor=caller.actor, reason=reason)
        return self._log.record(organization, expected_version)

    def get_organization(self, caller: Caller, organization_id: UUID) -> OrganizationView:
        return organization_view(self.organization(caller, organization_id))

    def list_organizations(
        self, caller: Caller, filters: OrganizationFilter, page: PageRequest
    ) -> Page[OrganizationSummary]:
        return self.catalog().list_organizations(caller.lab, filters, page)

    def organization(
        self, caller: Caller, organization_id: UUID, *, field: str | None = None
    ) -> Organization:
        """The caller's lab's organisation (``NotFound`` otherwise), for the other use cases."""
        organization: Organization = self._log.owned(
            caller, Organization, organization_id, "organisation", field
        )
        return organization

    def _settle(self) -> None:
        if self._read_models is not None and self._read_models.following():
            self._read_models.settled(read_models=CATALOG)

    @property
    def has_catalog(self) -> bool:
        return self._catalog is not None

    def catalog(self) -> CatalogView:
        if self._catalog is None:
            raise StoreUnavailable("the catalogue read model is not configured")
        return self._catalog
