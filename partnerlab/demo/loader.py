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
from application.partnerships.partnerships import PartnershipService
from application.partnerships.views import OrganizationFilter
from application.results import CommandResult, PageRequest
from domain.values import Stage
from partnerlab.demo.specs import (
    LATEST_DATE,
    ORGANIZATIONS,
    PARTNERSHIPS,
    CoConstruction,
    Correction,
    DemoDataError,
    Idea,
    OrganizationSpec,
    PartnershipSpec,
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


STEP_USE_CASES: dict[str, tuple[Callable[..., CommandResult], str]] = {
    "meeting": (PartnershipService.record_meeting, "meetings"),
    "idea": (PartnershipService.propose_idea, "ideas"),
    "co_construction": (PartnershipService.start_co_construction, "co_constructions"),
    "progress": (PartnershipService.record_progress, "progress"),
    "contract": (PartnershipService.sign_contract, "contracts"),
    "evaluation": (PartnershipService.record_evaluation, "evaluations"),
    "renewal": (PartnershipService.renew_contract, "renewals"),
    "abandonment": (PartnershipService.abandon_partnership, "abandoned"),
    "correction": (PartnershipService.correct_milestone, "corrections"),
}
"""Each step's use case (called with the step's fields) and what it counts as."""


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
        fields = spec.model_dump(exclude={"key"})
        result = self.app.organizations.register_organization(self.caller, **fields)
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
        use_case, kind = STEP_USE_CASES[step.type]
        fields = step.model_dump(exclude={"type", "key"})
        if isinstance(step, CoConstruction):
            fields["idea_id"] = ideas[fields.pop("idea")]
        elif isinstance(step, Correction):
            fields["target_version"] = versions[fields.pop("step")]
        result = use_case(self.app.partnerships, self.caller, pid, **fields)
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
