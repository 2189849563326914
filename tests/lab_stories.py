"""Builders for tests that tell their stories through the application services (``PartnerLab``):
organisations registered, partnerships opened and taken from an idea to a signed contract.

Each builder makes the same calls a client's request would, and returns the new aggregate's id.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.context import Caller
from application.lab import PartnerLab
from application.results import CommandResult
from domain.values import SUB_KINDS, Category, OrganizationKind, OriginKind, SubKind


def register(
    app: PartnerLab,
    caller: Caller,
    kind: OrganizationKind,
    name: str,
    territory: str = "67",
    **fields: Any,
) -> UUID:
    """An organisation (``fields``: legal identifier, field of activity, description...)."""
    return app.organizations.register_organization(
        caller, kind=kind, name=name, territory=territory, **fields
    ).id


def food_bank(app: PartnerLab, caller: Caller) -> UUID:
    """The Bas-Rhin food bank, with its RNA number."""
    return register(
        app,
        caller,
        OrganizationKind.ASSOCIATION,
        "Banque alimentaire du Bas-Rhin",
        legal_identifier="W672001234",
        field_of_activity="food aid",
    )


def ibm(app: PartnerLab, caller: Caller, **fields: Any) -> UUID:
    """IBM France, with its SIREN."""
    return register(
        app, caller, OrganizationKind.COMPANY, "IBM France", legal_identifier="552118465", **fields
    )


def open_between(
    app: PartnerLab,
    caller: Caller,
    association_id: UUID,
    company_id: UUID,
    on: date,
    origin: OriginKind = OriginKind.SPEED_DATING,
    reference: str | None = None,
) -> UUID:
    """A partnership of this association and company, opened by a meeting ``on`` that day."""
    return app.partnerships.open_partnership(
        caller,
        association_id=association_id,
        company_id=company_id,
        origin_kind=origin,
        origin_reference_id=reference,
        occurred_on=on,
    ).id


def propose(
    app: PartnerLab, caller: Caller, pid: UUID, title: str, kind: Category, on: date
) -> UUID:
    """An idea of category ``kind`` proposed ``on`` that day; the new idea's id."""
    app.partnerships.propose_idea(caller, pid, title=title, proposed_category=kind, occurred_on=on)
    return app.partnerships.get_partnership(caller, pid).ideas[-1].id


def correct(
    app: PartnerLab,
    caller: Caller,
    pid: UUID,
    target_version: int,
    changes: dict[str, Any],
    reason: str,
    **options: Any,
) -> CommandResult:
    """A correction of the milestone at ``target_version`` (``options``: expected version)."""
    return app.partnerships.correct_milestone(
        caller, pid, target_version=target_version, changes=changes, reason=reason, **options
    )


def to_contract(
    app: PartnerLab,
    caller: Caller,
    pid: UUID,
    title: str,
    sub_kind: SubKind,
    timeline: str,
    **terms: Any,
) -> CommandResult:
    """An idea is proposed, co-constructed and its contract of ``sub_kind`` (and of the category
    that holds it) signed.

    ``timeline``: five ISO days, space separated: the idea, the co-construction's start, the
    signature, the contract's start and its end. ``terms``: the amounts committed
    (``financial_eur``, ``in_kind_eur``, ``skills_days``).
    """
    [category] = [c for c, kinds in SUB_KINDS.items() if sub_kind in kinds]
    idea_on, co_constructed_on, signed_on, starts_on, ends_on = map(
        date.fromisoformat, timeline.split()
    )
    idea_id = propose(app, caller, pid, title, category, idea_on)
    app.partnerships.start_co_construction(
        caller, pid, idea_id=idea_id, occurred_on=co_constructed_on
    )
    return app.partnerships.sign_contract(
        caller,
        pid,
        category=category,
        sub_kind=sub_kind,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        **terms,
    )


def sati_and_the_integration_workshop(app: PartnerLab, staff: Caller) -> UUID:
    """Cafés Sati and an integration workshop met at a speed-dating and signed a circular
    economy contract: bags from defective coffee packs, 2 400 EUR in kind (version 4)."""
    sati = register(app, staff, OrganizationKind.COMPANY, "Cafés Sati")
    workshop = register(app, staff, OrganizationKind.ASSOCIATION, "Atelier d'insertion Tremplin")
    pid = open_between(
        app, staff, workshop, sati, date(2013, 3, 14), reference="speed-dating-2013-03"
    )
    timeline = "2013-04-02 2013-05-06 2013-09-01 2013-09-01 2014-08-31"
    bags = "Bags from defective coffee packs"
    to_contract(
        app, staff, pid, bags, SubKind.CIRCULAR_ECONOMY, timeline, in_kind_eur=Decimal(2400)
    )
    return pid
