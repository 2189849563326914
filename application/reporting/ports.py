"""What the reports need from infrastructure: figures grouped by metric, stalled partnerships,
and the projections' progress. ``infrastructure/report_store.py`` implements them in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol
from uuid import UUID

from application.followers import ProjectionFault
from domain.values import Category, OriginKind

# The figures a report is computed from. Each metric row is keyed by ``k1``, ``k2`` and ``t``
# and carries a count ``n`` and up to seven sums (see docs/REPORTS.md).
REACHED = "reached"  # k1 = bit mask of the stages reached; n = partnerships
ABANDONED = "abandoned"  # k1 = stage rank when abandoned, t = reason; n = partnerships
OPEN = "open"  # k1 = current stage rank of partnerships not abandoned
STAY = "stay"  # k1 = stage rank, k2 = days spent in it before reaching a later stage
REACH = "reach"  # k1 = stage rank, k2 = days from the first meeting to reaching it
SIGNED = "signed"  # k1 = year the contract was signed
COMMIT = "commit"  # k1 = year, k2 = 0 contract / 1 renewal; sums: financial, in kind, skills
EVALUATED = "eval"  # k1 = year; sums: beneficiaries, jobs, volunteer, skills, in kind,
#                     satisfaction total, satisfaction answers
LAST = "last"  # k1 = day (ordinal) of the last milestone of open, pre-contract partnerships

METRICS = (REACHED, ABANDONED, OPEN, STAY, REACH, SIGNED, COMMIT, EVALUATED, LAST)


@dataclass(frozen=True)
class ReportScope:
    """Which partnerships a report counts, and at which moment.

    ``as_of``: the state as it stood on that business date (milestones dated after it are left
    out). ``known_at``: only what had been recorded by then (later entries and corrections are
    left out). The period (``period_from``..``period_to``, inclusive) applies to each figure's
    own date: the first meeting for cohorts (funnel, time in stage, pipeline), the signing date
    for contracts, the commitment's or evaluation's date for impact.
    """

    as_of: date | None = None
    known_at: datetime | None = None
    origin_kind: OriginKind | None = None
    origin_reference_id: str | None = None
    category: Category | None = None
    territory: str | None = None
    period_from: date | None = None
    period_to: date | None = None

    @property
    def is_now(self) -> bool:
        return self.as_of is None and self.known_at is None


class MetricRow(NamedTuple):
    """One metric's keys, count and sums (a named tuple: reports read thousands of them)."""

    metric: str
    k1: int
    k2: int
    t: str
    n: int
    sums: tuple[int, int, int, int, int, int, int]


@dataclass(frozen=True)
class StalledRow:
    partnership_id: UUID
    stage_rank: int
    last_milestone_on: date
    association_name: str | None
    company_name: str | None


@dataclass(frozen=True)
class StalledPage:
    """How many partnerships are stalled, and the quietest of them."""

    count: int
    rows: list[StalledRow]


class ReportStore(Protocol):
    """The reports' read model."""

    def metrics(self, lab: str, scope: ReportScope, metrics: Sequence[str]) -> list[MetricRow]:
        """The metric rows of the lab's partnerships in scope, summed over everything but
        their keys."""
        ...

    def stalled(self, lab: str, scope: ReportScope, last_before: date, limit: int) -> StalledPage:
        """Open, pre-contract partnerships whose last milestone is on or before
        ``last_before``: how many, and the first ``limit`` of them, oldest first."""
        ...


@dataclass(frozen=True)
class ProjectionState:
    name: str
    position: int
    running: bool
    last_error: str | None
    where: str | None = None
    """``"in process"``, ``"out of process"``, or None when nothing runs it."""
    process: str | None = None
    heartbeat_at: datetime | None = None
    faults: tuple[ProjectionFault, ...] = ()


class ProjectionMonitor(Protocol):
    """How far each projection has got, and its last error."""

    def statuses(self) -> Sequence[ProjectionState]: ...
