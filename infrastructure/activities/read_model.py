"""The activities' read model in SQL: lists of activities, income lines, cohort queries.

Like the catalogue, every batch of changes is written in the same transaction as the position
of the last event it covers (``pl_follower_positions``, name ``activities``), and positions
already recorded are skipped: each event is applied exactly once.

Amounts are stored in cents (BIGINT) so that sums are exact on both databases. Names of
organisations and the partnerships of a cohort are read from the catalogue's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from application.activities.ports import (
    ActivityChange,
    ActivityRow,
    ActivityStatusChanged,
    FundingAmountCorrected,
    FundingLineRow,
)
from application.activities.views import (
    ActivityFilter,
    ActivitySummary,
    CohortPartnership,
    FundingFilter,
    FundingLine,
    NamedRef,
)
from application.results import Page, PageRequest
from domain.activities.values import FundingSource
from domain.partnerships.milestones import CO_CONSTRUCTION, CONTRACT
from domain.values import OrganizationKind
from infrastructure.database import Cursor, SqlStore, add_given
from infrastructure.projection_faults import (
    FOLLOWER_POSITIONS,
    advance_follower_position,
    apply_once,
    follower_position,
)

NAME = "activities"
UNKNOWN = "(unknown organisation)"


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


def euros(amount_cents: Any) -> Decimal:
    return Decimal(int(amount_cents)).scaleb(-2)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _optional_date(value: Any) -> date | None:
    return None if value is None else _as_date(value)


class SqlActivitiesView(SqlStore):
    """Implements ``application.activity_ports.ActivitiesView`` on SQLite or PostgreSQL."""

    TABLES = (
        FOLLOWER_POSITIONS.ddl(),
        "CREATE TABLE IF NOT EXISTS pl_activities ("
        " id TEXT PRIMARY KEY, lab TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,"
        " held_on {date} NOT NULL, venue TEXT, status TEXT NOT NULL, company_id TEXT,"
        " version INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS pl_activities_lab_kind ON pl_activities (lab, kind, held_on)",
        "CREATE TABLE IF NOT EXISTS pl_funding_lines ("
        " aggregate_id TEXT NOT NULL, line INTEGER NOT NULL, lab TEXT NOT NULL,"
        " source TEXT NOT NULL, year INTEGER NOT NULL, amount_cents BIGINT NOT NULL,"
        " received_on {date} NOT NULL, funder TEXT, payer_id TEXT,"
        " PRIMARY KEY (aggregate_id, line))",
        "CREATE INDEX IF NOT EXISTS pl_funding_lines_lab_year ON pl_funding_lines (lab, year)",
    )

    def position(self) -> int:
        return self.follower_position(NAME)

    def follower_position(self, name: str) -> int:
        return follower_position(self.db, name)

    def record_position(self, name: str, position: int) -> None:
        with self.db.transaction() as cursor:
            advance_follower_position(cursor, name, position)

    # ------------------------------------------------------------------ changes

    def apply(self, batch: Sequence[tuple[Tracking, Sequence[ActivityChange]]]) -> None:
        if not batch:
            return
        with self.db.transaction() as cursor:
            steps = [(tracking.notification_id, changes) for tracking, changes in batch]
            apply_once(cursor, self.db.dialect, NAME, steps, self._apply_all)

    def _apply_all(self, cursor: Cursor, changes: Sequence[ActivityChange]) -> None:
        for change in changes:
            self._apply(cursor, change)

    def _apply(self, cursor: Cursor, change: ActivityChange) -> None:
        if isinstance(change, ActivityRow):
            cursor.execute(
                "INSERT INTO pl_activities (id, lab, kind, title, held_on, venue, status,"
                " company_id, version) VALUES (%(id)s, %(lab)s, %(kind)s, %(title)s,"
                " %(held_on)s, %(venue)s, %(status)s, %(company_id)s, %(version)s)",
                {
                    "id": change.id,
                    "lab": change.lab,
                    "kind": change.kind,
                    "title": change.title,
                    "held_on": change.held_on,
                    "venue": change.venue,
                    "status": change.status,
                    "company_id": change.company_id,
                    "version": change.version,
                },
            )
        elif isinstance(change, ActivityStatusChanged):
            cursor.execute(
                "UPDATE pl_activities SET version = %(version)s WHERE id = %(id)s",
                {"id": change.id, "version": change.version},
            )
            if change.status is not None:
                self._move(cursor, change)
        elif isinstance(change, FundingLineRow):
            self._insert_line(cursor, change)
        elif isinstance(change, FundingAmountCorrected):
            cursor.execute(
                "UPDATE pl_funding_lines SET amount_cents = %(cents)s WHERE aggregate_id = %(aid)s",
                {"cents": cents(change.amount_eur), "aid": change.aggregate_id},
            )

    def _move(self, cursor: Cursor, change: ActivityStatusChanged) -> None:
        params: dict[str, Any] = {"id": change.id, "status": change.status}
        condition = ""
        if change.only_from is not None:
            names = [f"%(from{i})s" for i in range(len(change.only_from))]
            condition = f" AND status IN ({', '.join(names)})"
            params |= {f"from{i}": status for i, status in enumerate(change.only_from)}
        cursor.execute(
            f"UPDATE pl_activities SET status = %(status)s WHERE id = %(id)s{condition}", params
        )

    def _insert_line(self, cursor: Cursor, line: FundingLineRow) -> None:
        params = {
            "aid": line.aggregate_id,
            "line": line.line,
            "lab": line.lab,
            "source": line.source.value,
            "year": line.year,
            "cents": cents(line.amount_eur),
            "received_on": line.received_on,
            "funder": line.funder,
            "payer_id": line.payer_id,
        }
        columns = (
            "INSERT INTO pl_funding_lines (aggregate_id, line, lab, source, year, amount_cents,"
            " received_on, funder, payer_id)"
        )
        if line.lab is not None:
            cursor.execute(
                f"{columns} VALUES (%(aid)s, %(line)s, %(lab)s, %(source)s, %(year)s,"
                " %(cents)s, %(received_on)s, %(funder)s, %(payer_id)s)",
                params,
            )
            return
        # A contribution or a fee: the lab (and, for consulting, the payer) is the activity's.
        cursor.execute(
            f"{columns} SELECT %(aid)s, %(line)s, a.lab, %(source)s, %(year)s, %(cents)s,"
            " %(received_on)s, %(funder)s, COALESCE(%(payer_id)s, a.company_id)"
            " FROM pl_activities a WHERE a.id = %(aid)s",
            params,
        )

    # ------------------------------------------------------------------ queries

    def list_activities(
        self, lab: str, filters: ActivityFilter, page: PageRequest
    ) -> Page[ActivitySummary]:
        kinds = [f"%(kind{i})s" for i in range(len(filters.kinds))]
        where = ["lab = %(lab)s", f"kind IN ({', '.join(kinds) or 'NULL'})"]
        params: dict[str, Any] = {"lab": lab, "limit": page.limit, "offset": page.offset}
        params |= {f"kind{i}": kind for i, kind in enumerate(filters.kinds)}
        add_given(
            where,
            params,
            {
                "held_on >= %(held_from)s": filters.held_from,
                "held_on <= %(held_to)s": filters.held_to,
            },
        )
        clause = " AND ".join(where)
        total = self.db.query(f"SELECT COUNT(*) AS n FROM pl_activities WHERE {clause}", params)
        rows = self.db.query(
            f"SELECT * FROM pl_activities WHERE {clause}"
            " ORDER BY held_on DESC, id LIMIT %(limit)s OFFSET %(offset)s",
            params,
        )
        items = [
            ActivitySummary(
                id=UUID(r["id"]),
                kind=r["kind"],
                title=r["title"],
                held_on=_as_date(r["held_on"]),
                venue=r["venue"],
                status=r["status"],
                company_id=UUID(r["company_id"]) if r["company_id"] else None,
                version=int(r["version"]),
            )
            for r in rows
        ]
        return Page(items=items, total=int(total[0]["n"]), limit=page.limit, offset=page.offset)

    def funding_lines(self, lab: str, filters: FundingFilter) -> list[FundingLine]:
        where = ["f.lab = %(lab)s"]
        params: dict[str, Any] = {"lab": lab}
        add_given(
            where,
            params,
            {
                "f.year >= %(year_from)s": filters.year_from,
                "f.year <= %(year_to)s": filters.year_to,
                "f.source = %(source)s": filters.source,
            },
        )
        rows = self.db.query(
            "SELECT f.*, o.name AS payer_name FROM pl_funding_lines f"
            " LEFT JOIN pl_organizations o ON o.id = f.payer_id"
            f" WHERE {' AND '.join(where)}"
            " ORDER BY f.year, f.received_on, f.aggregate_id, f.line",
            params,
        )
        return [
            FundingLine(
                source=FundingSource(r["source"]),
                year=int(r["year"]),
                amount_eur=euros(r["amount_cents"]),
                received_on=_as_date(r["received_on"]),
                activity_id=UUID(r["aggregate_id"]),
                payer=r["funder"] or r["payer_name"] or UNKNOWN,
            )
            for r in rows
        ]

    def organization_refs(self, lab: str, ids: Sequence[UUID]) -> dict[UUID, NamedRef]:
        if not ids:
            return {}
        names = [f"%(id{i})s" for i in range(len(ids))]
        params: dict[str, Any] = {"lab": lab} | {f"id{i}": str(v) for i, v in enumerate(ids)}
        rows = self.db.query(
            "SELECT id, kind, name FROM pl_organizations"
            f" WHERE lab = %(lab)s AND id IN ({', '.join(names)})",
            params,
        )
        return {
            UUID(r["id"]): NamedRef(UUID(r["id"]), OrganizationKind(r["kind"]), r["name"])
            for r in rows
        }

    def cohort_partnerships(self, lab: str, reference_id: str) -> list[CohortPartnership]:
        rows = self.db.query(
            "SELECT p.id, p.opened_on, p.status, a.name AS association_name,"
            " c.name AS company_name,"
            " (SELECT MIN(m.occurred_on) FROM pl_milestones m"
            "   WHERE m.partnership_id = p.id AND m.kind = %(co)s) AS co_construction_on,"
            " (SELECT MIN(m.occurred_on) FROM pl_milestones m"
            "   WHERE m.partnership_id = p.id AND m.kind = %(contract)s) AS contract_on"
            " FROM pl_partnerships p"
            " LEFT JOIN pl_organizations a ON a.id = p.association_id"
            " LEFT JOIN pl_organizations c ON c.id = p.company_id"
            " WHERE p.lab = %(lab)s AND p.origin_reference_id = %(ref)s"
            " ORDER BY a.name, c.name, p.id",
            {"lab": lab, "ref": reference_id, "co": CO_CONSTRUCTION, "contract": CONTRACT},
        )
        return [
            CohortPartnership(
                id=UUID(r["id"]),
                association_name=r["association_name"] or UNKNOWN,
                company_name=r["company_name"] or UNKNOWN,
                opened_on=_as_date(r["opened_on"]),
                status=r["status"],
                co_construction_on=_optional_date(r["co_construction_on"]),
                contract_on=_optional_date(r["contract_on"]),
            )
            for r in rows
        ]
