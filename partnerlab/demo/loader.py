"""Load the demo data set (``specs``: read from ``data/*.json``) through the use cases only.

Loading is deterministic and idempotent in effect: a lab that already has organisations in its
catalogue gets nothing new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from application.context import Caller
from application.errors import StoreUnavailable
from application.lab import PartnerLab
from application.partnerships.views import OrganizationFilter
from application.results import CommandResult, PageRequest
from domain.values import Stage
from partnerlab.demo.specs import (
    LATEST_DATE,
    ORGANIZATIONS,
    PARTNERSHIPS,
    Abandonment,
    CoConstruction,
    Contract,
    DemoDataError,
    Evaluation,
    Idea,
    Meeting,
    OrganizationSpec,
    PartnershipSpec,
    Progress,
    Renewal,
    Step,
)


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo`` did. ``loaded`` is False when the lab already had organisations."""

    lab: str
    loaded: bool
    organizations: int = 0
    partnerships: int = 0
    by_stage: dict[Stage, int] = field(default_factory=dict)
    abandoned: int = 0
    ideas: int = 0
    contracts: int = 0
    evaluations: int = 0
    renewals: int = 0
    corrections: int = 0
    events: int = 0
    last_position: int | None = None
    organization_ids: dict[str, UUID] = field(default_factory=dict)
    partnership_ids: dict[str, UUID] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if not self.loaded:
            return f"lab {self.lab!r} already has organisations: nothing loaded"
        return (
            f"loaded {self.organizations} organisations and {self.partnerships} partnerships "
            f"({self.events} events) into lab {self.lab!r}"
        )


def lab_has_organizations(app: PartnerLab, caller: Caller) -> bool:
    """True when the lab's catalogue lists any organisation; no catalogue counts as empty.

    The catalogue is a projection: wait for it to include everything recorded so far.
    """
    app.read_models.wait_for_projections(timeout=30.0)
    try:
        page = app.organizations.list_organizations(
            caller, OrganizationFilter(include_archived=True), PageRequest(limit=1)
        )
    except StoreUnavailable:  # no catalogue configured
        return False
    return page.total > 0


DEMO_LAB = "alsace"
"""The lab the demo loads into by default: the README's first key and dashboard use it too."""


def load_demo(
    app: PartnerLab,
    *,
    lab: str = DEMO_LAB,
    actor: str = "demo",
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Load the demo data set into ``lab`` unless it already has organisations;
    ``progress(done, total)`` hears each organisation and partnership loaded."""
    caller = Caller(lab=lab, actor=actor)
    if lab_has_organizations(app, caller):
        return DemoSummary(lab=lab, loaded=False)
    today = app.clock()
    if today < LATEST_DATE:
        raise DemoDataError(
            f"the demo data set goes up to {LATEST_DATE.isoformat()}, "
            f"but the application's today is {today.isoformat()}"
        )
    loader = _Loader(app, caller)
    total = len(ORGANIZATIONS) + len(PARTNERSHIPS)
    for done, organization in enumerate(ORGANIZATIONS, 1):
        loader.register(organization)
        if progress is not None:
            progress(done, total)
    for done, partnership in enumerate(PARTNERSHIPS, len(ORGANIZATIONS) + 1):
        loader.open(partnership)
        if progress is not None:
            progress(done, total)
    return loader.summary()


class _Loader:
    def __init__(self, app: PartnerLab, caller: Caller) -> None:
        self.app = app
        self.caller = caller
        self.organization_ids: dict[str, UUID] = {}
        self.partnership_ids: dict[str, UUID] = {}
        self.counts: Counter[str] = Counter()
        self.last_position: int | None = None

    def _track(self, position: int | None, kind: str) -> None:
        self.counts[kind] += 1
        self.counts["events"] += 1
        if position is not None:
            self.last_position = max(position, self.last_position or 0)

    def register(self, spec: OrganizationSpec) -> None:
        result = self.app.organizations.register_organization(
            self.caller,
            kind=spec.kind,
            name=spec.name,
            territory=spec.territory,
            legal_identifier=spec.legal_identifier,
            field_of_activity=spec.field_of_activity,
            description=spec.description,
        )
        self.organization_ids[spec.key] = result.id
        self._track(result.position, "organizations")

    def open(self, spec: PartnershipSpec) -> None:
        result = self.app.partnerships.open_partnership(
            self.caller,
            association_id=self.organization_ids[spec.association],
            company_id=self.organization_ids[spec.company],
            origin_kind=spec.origin,
            origin_reference_id=spec.reference_id,
            occurred_on=spec.opened_on,
            note=spec.note,
        )
        partnership_id = result.id
        self.partnership_ids[spec.key] = partnership_id
        self._track(result.position, "partnerships")
        versions = [result.version]  # the version each step recorded, the opening first
        ideas: dict[str, UUID] = {}
        for step in spec.steps:
            result = self._apply(partnership_id, step, versions, ideas)
            versions.append(result.version)
            if isinstance(step, Idea):
                view = self.app.partnerships.get_partnership(self.caller, partnership_id)
                ideas[step.key] = next(i.id for i in view.ideas if i.title == step.title)

    def _apply(
        self, pid: UUID, step: Step, versions: list[int], ideas: dict[str, UUID]
    ) -> CommandResult:
        app, caller = self.app, self.caller
        if isinstance(step, Meeting):
            result = app.partnerships.record_meeting(
                caller, pid, occurred_on=step.on, note=step.note
            )
            kind = "meetings"
        elif isinstance(step, Idea):
            result = app.partnerships.propose_idea(
                caller,
                pid,
                title=step.title,
                proposed_category=step.category,
                occurred_on=step.on,
                description=step.description,
            )
            kind = "ideas"
        elif isinstance(step, CoConstruction):
            result = app.partnerships.start_co_construction(
                caller, pid, idea_id=ideas[step.idea], occurred_on=step.on, note=step.note
            )
            kind = "co_constructions"
        elif isinstance(step, Progress):
            result = app.partnerships.record_progress(
                caller, pid, progress=step.text, occurred_on=step.on
            )
            kind = "progress"
        elif isinstance(step, Contract):
            result = app.partnerships.sign_contract(
                caller,
                pid,
                category=step.category,
                sub_kind=step.sub_kind,
                signed_on=step.signed_on,
                starts_on=step.starts_on,
                ends_on=step.ends_on,
                financial_eur=step.financial_eur,
                in_kind_eur=step.in_kind_eur,
                skills_days=step.skills_days,
                note=step.note,
            )
            kind = "contracts"
        elif isinstance(step, Evaluation):
            result = app.partnerships.record_evaluation(
                caller,
                pid,
                occurred_on=step.on,
                beneficiaries=step.beneficiaries,
                jobs_created=step.jobs_created,
                volunteer_days=step.volunteer_days,
                in_kind_eur=step.in_kind_eur,
                satisfaction=step.satisfaction,
                findings=step.findings,
            )
            kind = "evaluations"
        elif isinstance(step, Renewal):
            result = app.partnerships.renew_contract(
                caller,
                pid,
                occurred_on=step.on,
                ends_on=step.ends_on,
                financial_eur=step.financial_eur,
                in_kind_eur=step.in_kind_eur,
                skills_days=step.skills_days,
                note=step.note,
            )
            kind = "renewals"
        elif isinstance(step, Abandonment):
            result = app.partnerships.abandon_partnership(
                caller, pid, reason=step.reason, occurred_on=step.on
            )
            kind = "abandoned"
        else:
            result = app.partnerships.correct_milestone(
                caller,
                pid,
                target_version=versions[step.step],
                changes=step.changes,
                reason=step.reason,
            )
            kind = "corrections"
        self._track(result.position, kind)
        return result

    def summary(self) -> DemoSummary:
        stages: Counter[Stage] = Counter(
            self.app.partnerships.get_partnership(self.caller, pid).stage
            for pid in self.partnership_ids.values()
        )
        return DemoSummary(
            lab=self.caller.lab,
            loaded=True,
            organizations=self.counts["organizations"],
            partnerships=self.counts["partnerships"],
            by_stage={stage: stages.get(stage, 0) for stage in Stage},
            abandoned=self.counts["abandoned"],
            ideas=self.counts["ideas"],
            contracts=self.counts["contracts"],
            evaluations=self.counts["evaluations"],
            renewals=self.counts["renewals"],
            corrections=self.counts["corrections"],
            events=self.counts["events"],
            last_position=self.last_position,
            organization_ids=dict(self.organization_ids),
            partnership_ids=dict(self.partnership_ids),
        )
