"""The reports' read model in SQL: writing it exactly once, rebuilding it, querying it.

Writing: each batch of events is applied in one transaction that starts by locking the
tracking row and ends by moving it, so an event is applied exactly once whatever crashes or
redeliveries happen (positions already applied are skipped). For the partnerships a batch
touches, their old contributions are subtracted from the aggregate, their milestone rows are
written (a correction closes the row it corrects and adds the corrected version), their summary
rows are derived again and their new contributions added.

Rebuilding: a fresh generation of tables is filled from the first event (rows only, with
``COPY`` on PostgreSQL), then summaries and the aggregate are derived in a few set-based
statements, and one transaction catches up with the last events, points the views at the new
generation and moves the tracking row. Readers keep using the old generation until then.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from application.errors import StoreUnavailable
from application.reporting.ports import (
    COMMIT,
    EVALUATED,
    LAST,
    METRICS,
    MetricRow,
    ReportScope,
    StalledPage,
    StalledRow,
)
from application.reporting.projection import (
    MilestoneAmended,
    MilestoneVersion,
    OrganizationAmended,
    OrganizationVersion,
    PartnershipParties,
    ReportChange,
    microseconds,
)
from infrastructure.database import Database, Row
from infrastructure.reporting.sql import (
    ALL_TERRITORIES,
    COLLAPSED,
    CONTRACT_RANK,
    CUBE_KEYS,
    MILESTONES_COLUMNS,
    ORGS_COLUMNS,
    PARTIES_COLUMNS,
    PROJECTION_NAME,
    SUMMARY_COLUMNS,
    SUMS,
    TRACKING_TABLE,
    Generation,
    Periods,
    add_to_cube,
    contributions,
    cube_upgrade_ddl,
    derive_summary,
    fill_cube,
    indexes_ddl,
    per_territory,
    tables_ddl,
    tracking_ddl,
    view,
    views_ddl,
)

log = logging.getLogger(__name__)

Batch = Sequence[tuple[int, Sequence[ReportChange]]]
"""Events as (log position, the changes it makes), in log order."""

LAB_CACHE_SIZE = 20_000
"""Partnership -> lab entries kept between batches (bounded: memory does not grow with the
log)."""
LOOKUP_CHUNK = 500
DDL_LOCK = 727_001
"""PostgreSQL advisory lock taken while the reports' tables are created or swapped."""
_GENERATION_TABLE = re.compile(r"^pl_rpt(\d+)_")

_M = {name: i for i, name in enumerate(MILESTONES_COLUMNS)}
_O = {name: i for i, name in enumerate(ORGS_COLUMNS)}


class BulkCursor(Protocol):
    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None: ...

    def executemany(self, sql: str, params_seq: Iterable[Mapping[str, Any]]) -> None: ...

    def copy_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None: ...

    def fetchone(self) -> Row | None: ...

    def fetchall(self) -> list[Row]: ...


def _touched_summary(g: Generation) -> str:
    return f"(SELECT s.* FROM {g.summary} s JOIN {g.touched} t ON t.id = s.id)"


def _current_milestones(g: Generation, *, touched_only: bool) -> str:
    if not touched_only:
        return f"(SELECT * FROM {g.milestones} WHERE superseded_us IS NULL)"
    return (
        f"(SELECT m.* FROM {g.milestones} m JOIN {g.touched} t ON t.id = m.partnership_id"
        " WHERE m.superseded_us IS NULL)"
    )


NO_SUMS = (0, 0, 0, 0, 0, 0, 0)
"""The sums of the day-keyed metrics (``COLLAPSED``), which count only."""

AMOUNT_COLUMNS = ("financial", "in_kind", "skills", "beneficiaries", "jobs", "volunteer")
"""The milestones' amounts, summed by the reports (cents, hundredths of a day, counts)."""
SUM_LIMIT = 2**62
"""The most any amount column may total over all of a lab's milestone rows (superseded ones
included). Every figure a report sums is a subset of those rows (amounts are never
negative), so no sum, in the aggregate or in a filtered query, can exceed it, and it leaves
room below 2**63 (BIGINT, SQLite's INTEGER) for the aggregate's intermediate additions."""


class ReportOverflow(ValueError):
    """A lab's amounts would total more than the reports can hold exactly: the event is
    not applied (the follower holds that lab on the reports, whose reads answer 503)."""


class _RowWriter:
    """Buffers one batch's rows and writes them in bulk; corrections close the row they
    correct, whether it is still in the buffer or already stored."""

    def __init__(
        self,
        cursor: BulkCursor,
        g: Generation,
        labs: dict[str, str],
        sum_limit: int = SUM_LIMIT,
    ) -> None:
        self.cursor = cursor
        self.g = g
        self.labs = labs
        self.sum_limit = sum_limit
        self.parties: list[tuple[Any, ...]] = []
        self.orgs: list[list[Any]] = []
        self.milestones: list[list[Any]] = []
        self._org_at: dict[str, int] = {}
        self._milestone_at: dict[tuple[str, int], int] = {}

    def add(self, change: ReportChange) -> None:
        if isinstance(change, MilestoneVersion):
            pid = str(change.partnership_id)
            row = [
                self.labs.get(pid),
                pid,
                change.version,
                change.position,
                change.recorded_us,
                None,
                *change.columns(),
            ]
            self._milestone_at[(pid, change.version)] = len(self.milestones)
            self.milestones.append(row)
        elif isinstance(change, MilestoneAmended):
            self._amend_milestone(change)
        elif isinstance(change, PartnershipParties):
            pid = str(change.id)
            self.labs[pid] = change.lab
            self.parties.append(
                (
                    change.lab,
                    pid,
                    str(change.association_id),
                    str(change.company_id),
                    change.origin_kind,
                    change.origin_reference_id,
                )
            )
        elif isinstance(change, OrganizationVersion):
            oid = str(change.id)
            self._org_at[oid] = len(self.orgs)
            self.orgs.append(
                [
                    change.lab,
                    oid,
                    change.position,
                    change.recorded_us,
                    None,
                    change.name,
                    change.territory,
                ]
            )
        elif isinstance(change, OrganizationAmended):
            self._amend_organization(change)

    def _amend_milestone(self, change: MilestoneAmended) -> None:
        pid = str(change.partnership_id)
        key = (pid, change.version)
        at = self._milestone_at.get(key)
        if at is not None:
            old = self.milestones[at]
            old[_M["superseded_us"]] = change.recorded_us
        else:
            stored = self._close_stored(
                self.g.milestones,
                MILESTONES_COLUMNS,
                "partnership_id = %(id)s AND version = %(version)s",
                {"id": pid, "version": change.version},
                change.recorded_us,
            )
            if stored is None:
                log.warning("correction of an unknown milestone %s v%s", pid, change.version)
                return
            old = stored
        new = list(old)
        new[_M["position"]] = change.position
        new[_M["recorded_us"]] = change.recorded_us
        new[_M["superseded_us"]] = None
        for column, value in change.changes.items():
            new[_M[column]] = value
        self._milestone_at[key] = len(self.milestones)
        self.milestones.append(new)

    def _amend_organization(self, change: OrganizationAmended) -> None:
        oid = str(change.id)
        at = self._org_at.get(oid)
        if at is not None:
            old = self.orgs[at]
            old[_O["superseded_us"]] = change.recorded_us
        else:
            stored = self._close_stored(
                self.g.orgs, ORGS_COLUMNS, "id = %(id)s", {"id": oid}, change.recorded_us
            )
            if stored is None:
                log.warning("update of an unknown organisation %s", oid)
                return
            old = stored
        new = list(old)
        new[_O["position"]] = change.position
        new[_O["recorded_us"]] = change.recorded_us
        new[_O["superseded_us"]] = None
        for column, value in change.changes.items():
            new[_O[column]] = value
        self._org_at[oid] = len(self.orgs)
        self.orgs.append(new)

    def _close_stored(
        self,
        table: str,
        columns: Sequence[str],
        where: str,
        params: dict[str, Any],
        closed_us: int,
    ) -> list[Any] | None:
        self.cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {where} AND superseded_us IS NULL",
            params,
        )
        row = self.cursor.fetchone()
        if row is None:
            return None
        self.cursor.execute(
            f"UPDATE {table} SET superseded_us = %(closed)s WHERE {where}"
            " AND position = %(position)s",
            {**params, "closed": closed_us, "position": row["position"]},
        )
        return [row[c] for c in columns]

    def flush(self) -> None:
        self._resolve_labs()
        self._check_totals()
        if self.parties:
            self.cursor.copy_rows(self.g.parties, PARTIES_COLUMNS, self.parties)
        if self.orgs:
            self.cursor.copy_rows(self.g.orgs, ORGS_COLUMNS, self.orgs)
        if self.milestones:
            self.cursor.copy_rows(self.g.milestones, MILESTONES_COLUMNS, self.milestones)

    def _check_totals(self) -> None:
        """Refuse rows that would take a lab's totals beyond ``sum_limit`` (exactly, in
        Python integers, before anything is written)."""
        added: dict[str, list[int]] = {}
        for row in self.milestones:
            amounts = [int(row[_M[c]] or 0) for c in AMOUNT_COLUMNS]
            if any(amounts):
                totals = added.setdefault(row[_M["lab"]], [0] * len(AMOUNT_COLUMNS))
                for i, amount in enumerate(amounts):
                    totals[i] += amount
        sums = ", ".join(f"SUM({c}) AS {c}" for c in AMOUNT_COLUMNS)
        for lab, totals in added.items():
            self.cursor.execute(
                f"SELECT {sums} FROM {self.g.milestones} WHERE lab = %(lab)s", {"lab": lab}
            )
            stored = self.cursor.fetchone() or {}
            for column, amount in zip(AMOUNT_COLUMNS, totals, strict=True):
                total = int(stored.get(column) or 0) + amount
                if total > self.sum_limit:
                    raise ReportOverflow(
                        f"lab {lab}: {column} would total {total}, beyond the reports' exact"
                        f" limit of {self.sum_limit}"
                    )

    def _resolve_labs(self) -> None:
        lab_at = _M["lab"]
        missing = sorted({r[1] for r in self.milestones if r[lab_at] is None} - set(self.labs))
        for start in range(0, len(missing), LOOKUP_CHUNK):
            chunk = missing[start : start + LOOKUP_CHUNK]
            names = {f"id{i}": v for i, v in enumerate(chunk)}
            placeholders = ", ".join(f"%({k})s" for k in names)
            self.cursor.execute(
                f"SELECT id, lab FROM {self.g.parties} WHERE id IN ({placeholders})", names
            )
            for found in self.cursor.fetchall():
                self.labs[found["id"]] = found["lab"]
        for row in self.milestones:
            if row[lab_at] is None:
                row[lab_at] = self.labs.get(row[1], "")


class SqlReportStore:
    """Implements ``application.report_ports.ReportStore`` on SQLite or PostgreSQL."""

    def __init__(self, database: Database, *, sum_limit: int = SUM_LIMIT) -> None:
        self.db = database
        self.dialect = database.dialect
        self.sum_limit = min(sum_limit, SUM_LIMIT)
        self._labs: dict[str, str] = {}

    # ------------------------------------------------------------------ setup

    def create_tables(self) -> None:
        """Create the tracking table and, on first start, generation 1 and its views."""
        self.db.execute_script(tracking_ddl())
        if self._tracking_row() is not None:
            self._upgrade_cube()
            return
        with self.db.transaction() as cursor:
            self._ddl_lock(cursor)
            cursor.execute(
                f"SELECT generation FROM {TRACKING_TABLE} WHERE name = %(name)s",
                {"name": PROJECTION_NAME},
            )
            if cursor.fetchone() is not None:
                return
            first = Generation(1)
            for statement in [*tables_ddl(first), *indexes_ddl(first), *views_ddl(first)]:
                cursor.execute(statement)
            cursor.execute(
                f"INSERT INTO {TRACKING_TABLE} (name, generation, position)"
                " VALUES (%(name)s, 1, 0)",
                {"name": PROJECTION_NAME},
            )

    def _upgrade_cube(self) -> None:
        """A generation written before the aggregate kept territories gets the new aggregate,
        derived from its summaries at its tracking position (the follower waits on the
        tracking row meanwhile): upgrading needs no rebuild."""
        if "territory" in self._columns(Generation(self.generation()).cube):
            return
        with self.db.transaction() as cursor:
            self._ddl_lock(cursor)
            number, _ = self._lock_tracking(cursor)
            g = Generation(number)
            if "territory" in self._columns(g.cube):
                return
            log.warning("reports: adding territories to the aggregate of generation %s", number)
            for statement in cube_upgrade_ddl(g):
                cursor.execute(statement)
            _fill_cube(cursor, g)
        self._analyze(g.parties, g.cube)

    def _columns(self, table: str) -> set[str]:
        if self.dialect == "postgres":
            rows = self.db.query(
                "SELECT column_name AS name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %(table)s",
                {"table": table},
            )
        else:
            rows = self.db.query("SELECT name FROM pragma_table_info(%(table)s)", {"table": table})
        return {str(r["name"]) for r in rows}

    def _ddl_lock(self, cursor: BulkCursor) -> None:
        if self.dialect == "postgres":
            cursor.execute("SELECT pg_advisory_xact_lock(%(key)s)", {"key": DDL_LOCK})

    def _tracking_row(self) -> Row | None:
        rows = self.db.query(
            f"SELECT generation, position FROM {TRACKING_TABLE} WHERE name = %(name)s",
            {"name": PROJECTION_NAME},
        )
        return rows[0] if rows else None

    def position(self) -> int:
        row = self._tracking_row()
        return int(row["position"]) if row else 0

    def generation(self) -> int:
        row = self._tracking_row()
        if row is None:
            raise StoreUnavailable("the reports' tables do not exist yet")
        return int(row["generation"])

    # ------------------------------------------------------------------ incremental

    def apply(self, batch: Batch) -> None:
        """Apply a batch of events and move the tracking position, in one transaction."""
        if not batch:
            return
        with self.db.transaction() as cursor:
            number, done = self._lock_tracking(cursor)
            pending = [(position, changes) for position, changes in batch if position > done]
            if not pending:
                return
            self._apply_incrementally(cursor, Generation(number), pending)
            self._move_tracking(cursor, number, pending[-1][0])

    def rewind(self, position: int) -> None:
        """Move the tracking position back (a retry's replay of held events)."""
        with self.db.transaction() as cursor:
            number, done = self._lock_tracking(cursor)
            if position < done:
                self._move_tracking(cursor, number, position)

    def _lock_tracking(self, cursor: BulkCursor) -> tuple[int, int]:
        lock = " FOR UPDATE" if self.dialect == "postgres" else ""
        cursor.execute(
            f"SELECT generation, position FROM {TRACKING_TABLE} WHERE name = %(name)s{lock}",
            {"name": PROJECTION_NAME},
        )
        row = cursor.fetchone()
        if row is None:
            raise StoreUnavailable("the reports' tables do not exist yet")
        return int(row["generation"]), int(row["position"])

    def _move_tracking(self, cursor: BulkCursor, number: int, position: int) -> None:
        cursor.execute(
            f"UPDATE {TRACKING_TABLE} SET generation = %(generation)s, position = %(position)s"
            " WHERE name = %(name)s",
            {"generation": number, "position": position, "name": PROJECTION_NAME},
        )

    def _apply_incrementally(self, cursor: BulkCursor, g: Generation, pending: Batch) -> None:
        touched = sorted(
            {pid for _, changes in pending for change in changes if (pid := _partnership(change))}
            | self._partnerships_of_moved_organisations(cursor, g, pending)
        )
        if touched:
            cursor.execute(f"DELETE FROM {g.touched}")
            cursor.copy_rows(g.touched, ("id",), [(pid,) for pid in touched])
            self._add_contributions(cursor, g, sign=-1)
        self._write_rows(cursor, g, pending)
        if touched:
            cursor.execute(f"DELETE FROM {g.summary} WHERE id IN (SELECT id FROM {g.touched})")
            self._derive_summaries(cursor, g, touched_only=True)
            self._add_contributions(cursor, g, sign=1)
            cursor.execute(f"DELETE FROM {g.cube} WHERE n = 0")

    def _partnerships_of_moved_organisations(
        self, cursor: BulkCursor, g: Generation, pending: Batch
    ) -> set[str]:
        """The partnerships of organisations whose territory changes: their contributions
        to the cube move from the old territory to the new one."""
        moved = sorted(
            {
                str(change.id)
                for _, changes in pending
                for change in changes
                if isinstance(change, OrganizationAmended) and "territory" in change.changes
            }
        )
        found: set[str] = set()
        for start in range(0, len(moved), LOOKUP_CHUNK):
            names = {f"o{i}": v for i, v in enumerate(moved[start : start + LOOKUP_CHUNK])}
            placeholders = ", ".join(f"%({k})s" for k in names)
            cursor.execute(
                f"SELECT id FROM {g.parties} WHERE association_id IN ({placeholders})"
                f" UNION SELECT id FROM {g.parties} WHERE company_id IN ({placeholders})",
                names,
            )
            found.update(str(row["id"]) for row in cursor.fetchall())
        return found

    def _write_rows(self, cursor: BulkCursor, g: Generation, pending: Batch) -> None:
        if len(self._labs) > LAB_CACHE_SIZE:
            self._labs.clear()
        writer = _RowWriter(cursor, g, self._labs, self.sum_limit)
        for _, changes in pending:
            for change in changes:
                writer.add(change)
        writer.flush()

    def _derive_summaries(self, cursor: BulkCursor, g: Generation, *, touched_only: bool) -> None:
        visible = _current_milestones(g, touched_only=touched_only)
        cursor.execute(
            f"WITH vm AS {visible} INSERT INTO {g.summary} ({', '.join(SUMMARY_COLUMNS)})"
            f" {derive_summary(self.dialect, 'vm', g.parties)}"
        )

    def _add_contributions(self, cursor: BulkCursor, g: Generation, *, sign: int) -> None:
        cursor.execute(
            add_to_cube(
                g.cube,
                contributions(
                    per_territory(_touched_summary(g), g.orgs),
                    _current_milestones(g, touched_only=True),
                    METRICS,
                    sign=sign,
                    territories=True,
                ),
            )
        )

    # ------------------------------------------------------------------ rebuild

    def begin_generation(self) -> Generation:
        """Create the tables of a new generation (dropping leftovers of failed rebuilds)."""
        current = self.generation()
        self.drop_generations(keep={current})
        fresh = Generation(max(current, *self._generations(), 0) + 1)
        with self.db.transaction() as cursor:
            self._ddl_lock(cursor)
            for statement in tables_ddl(fresh):
                cursor.execute(statement)
        return fresh

    def stream(self, g: Generation, batch: Batch) -> None:
        """Write a batch's rows into a generation being rebuilt (no aggregates yet)."""
        with self.db.transaction() as cursor:
            self._write_rows(cursor, g, batch)

    def finalize(self, g: Generation) -> None:
        """Derive every summary and the aggregate of a filled generation; index it."""
        self._analyze(g.parties, g.milestones)
        with self.db.transaction() as cursor:
            self._derive_summaries(cursor, g, touched_only=False)
        self._analyze(g.summary)
        with self.db.transaction() as cursor:
            _fill_cube(cursor, g)
            for statement in indexes_ddl(g):
                cursor.execute(statement)
        self._analyze(g.orgs, g.cube)

    def _analyze(self, *tables: str) -> None:
        """Fresh statistics, so that PostgreSQL plans the set-based statements well."""
        if self.dialect == "postgres":
            self.db.execute_script([f"ANALYZE {table}" for table in tables])

    def swap(self, g: Generation, position: int, after: Callable[[int], Batch]) -> int:
        """In one transaction: catch up with the events after ``position`` (``after`` gives
        them), point the views at ``g`` and move the tracking row. Returns the position."""
        with self.db.transaction() as cursor:
            self._ddl_lock(cursor)
            self._lock_tracking(cursor)
            while batch := after(position):
                self._apply_incrementally(cursor, g, batch)
                position = batch[-1][0]
            for statement in views_ddl(g):
                cursor.execute(statement)
            self._move_tracking(cursor, g.number, position)
        self.drop_generations(keep={g.number})
        return position

    def _generations(self) -> set[int]:
        if self.dialect == "postgres":
            rows = self.db.query(
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
            )
        else:
            rows = self.db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        found = (_GENERATION_TABLE.match(str(r["name"])) for r in rows)
        return {int(m.group(1)) for m in found if m}

    def drop_generations(self, *, keep: set[int]) -> None:
        for number in sorted(self._generations() - keep):
            g = Generation(number)
            with self.db.transaction() as cursor:
                self._ddl_lock(cursor)
                for name in ("touched", "cube", "summary", "milestones", "orgs", "parties"):
                    cursor.execute(f"DROP TABLE IF EXISTS {g.table(name)}")

    # ------------------------------------------------------------------ queries

    def metrics(self, lab: str, scope: ReportScope, metrics: Sequence[str]) -> list[MetricRow]:
        if _aggregated(scope, metrics):
            sql, params = self._cube_query(lab, scope, metrics)
        else:
            ctes, periods, params = self._scoped(
                lab, scope, milestones=bool({COMMIT, EVALUATED}.intersection(metrics))
            )
            totals = ", ".join(f"CAST(SUM({c}) AS BIGINT) AS {c}" for c in ("n", *SUMS))
            sql = (
                f"WITH {ctes} SELECT metric, k1, k2, t, {totals} FROM"
                f" ({contributions('ps', 'pm', metrics, periods=periods)}) c"
                " GROUP BY metric, k1, k2, t"
            )
        rows = self.db.query(sql, params)
        if rows and "s1" not in rows[0]:  # day-keyed metrics: no sums
            return [
                MetricRow(
                    r["metric"], int(r["k1"]), int(r["k2"]), str(r["t"]), int(r["n"]), NO_SUMS
                )
                for r in rows
                if r["n"]
            ]
        return [
            MetricRow(
                r["metric"],
                int(r["k1"]),
                int(r["k2"]),
                str(r["t"]),
                int(r["n"]),
                (r["s1"], r["s2"], r["s3"], r["s4"], r["s5"], r["s6"], r["s7"]),
            )
            for r in rows
            if r["n"]
        ]

    def _cube_query(
        self, lab: str, scope: ReportScope, metrics: Sequence[str]
    ) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"lab": lab} | {f"m{i}": m for i, m in enumerate(metrics)}
        params["territory"] = scope.territory or ALL_TERRITORIES
        where = [
            "lab = %(lab)s",
            "territory = %(territory)s",
            f"metric IN ({', '.join(f'%(m{i})s' for i in range(len(metrics)))})",
        ]
        if scope.origin_kind is not None:
            where.append("origin_kind = %(origin_kind)s")
            params["origin_kind"] = scope.origin_kind.value
        if scope.category is not None:
            where.append("category = %(category)s")
            params["category"] = scope.category.value
        if COLLAPSED.issuperset(metrics):
            # Kept without origin and category: one row per key already, nothing to add up,
            # and no sums (their keys are days).
            sql = f"SELECT metric, k1, k2, t, n FROM {view('cube')}"
            return f"{sql} WHERE {' AND '.join(where)}", params
        totals = ", ".join(f"CAST(SUM({c}) AS BIGINT) AS {c}" for c in ("n", *SUMS))
        sql = (
            f"SELECT metric, k1, k2, t, {totals} FROM {view('cube')}"
            f" WHERE {' AND '.join(where)} GROUP BY metric, k1, k2, t"
        )
        return sql, params

    def _scoped(
        self, lab: str, scope: ReportScope, *, milestones: bool = True
    ) -> tuple[str, Periods, dict[str, Any]]:
        """CTEs ``ps`` (summary rows in scope) and, with ``milestones``, ``pm`` (their visible
        milestone rows). Without ``pm``, "now" queries read the summary table's indexes."""
        params: dict[str, Any] = {"lab": lab}
        filters = _summary_filters(scope, params)
        if scope.is_now:
            ctes = f"ps AS (SELECT * FROM {view('summary')} s WHERE s.lab = %(lab)s AND {filters})"
            if milestones:
                ctes += (
                    f", pm AS (SELECT m.* FROM {view('milestones')} m JOIN ps ON"
                    " ps.id = m.partnership_id WHERE m.superseded_us IS NULL)"
                )
        else:
            visible = ["m.lab = %(lab)s", _known(scope, params, "m")]
            if scope.as_of is not None:
                visible.append("m.day <= %(as_of_day)s")
                params["as_of_day"] = scope.as_of.toordinal()
            ctes = (
                f"vm AS (SELECT * FROM {view('milestones')} m WHERE {' AND '.join(visible)}),"
                f" derived AS ({derive_summary(self.dialect, 'vm', view('parties'))}),"
                f" ps AS (SELECT * FROM derived s WHERE {filters})"
            )
            if milestones:
                ctes += ", pm AS (SELECT m.* FROM vm m JOIN ps ON ps.id = m.partnership_id)"
        return ctes, _periods(scope, params), params

    def stalled(self, lab: str, scope: ReportScope, last_before: date, limit: int) -> StalledPage:
        ctes, periods, params = self._scoped(lab, scope, milestones=False)
        params |= {"cut": last_before.toordinal(), "limit": limit}
        known_a = _known(scope, params, "a")
        known_c = _known(scope, params, "c")
        stalling = (
            f"s.abandoned_day IS NULL AND s.stage_rank < {CONTRACT_RANK}"
            f" AND s.last_day <= %(cut)s AND {periods.cohort}"
        )
        rows = self.db.query(
            f"WITH {ctes} SELECT s.id, s.stage_rank, s.last_day,"
            " a.name AS association_name, c.name AS company_name FROM ps s"
            f" LEFT JOIN {view('orgs')} a ON a.id = s.association_id AND {known_a}"
            f" LEFT JOIN {view('orgs')} c ON c.id = s.company_id AND {known_c}"
            f" WHERE {stalling} ORDER BY s.last_day, s.id LIMIT %(limit)s",
            params,
        )
        if _aggregated(scope, (LAST,)):
            counted = self.db.query(
                f"SELECT COALESCE(SUM(n), 0) AS n FROM {view('cube')} WHERE lab = %(lab)s"
                " AND metric = %(metric)s AND territory = %(territory)s AND origin_kind = ''"
                " AND category = '' AND k1 <= %(cut)s",
                {
                    "lab": lab,
                    "metric": LAST,
                    "territory": scope.territory or ALL_TERRITORIES,
                    "cut": params["cut"],
                },
            )
        else:
            counted = self.db.query(
                f"WITH {ctes} SELECT COUNT(*) AS n FROM ps s WHERE {stalling}", params
            )
        return StalledPage(
            count=int(counted[0]["n"]),
            rows=[
                StalledRow(
                    partnership_id=UUID(r["id"]),
                    stage_rank=int(r["stage_rank"]),
                    last_milestone_on=date.fromordinal(int(r["last_day"])),
                    association_name=r["association_name"],
                    company_name=r["company_name"],
                )
                for r in rows
            ],
        )

    # ------------------------------------------------------------------ inspection

    def table_rows(self) -> dict[str, list[Row]]:
        """Every row of the current generation, sorted (tests compare rebuilds with this)."""
        keys = {
            "parties": "id",
            "orgs": "id, position",
            "milestones": "partnership_id, version, position",
            "summary": "id",
            "cube": ", ".join(CUBE_KEYS),
        }
        return {
            name: self.db.query(f"SELECT * FROM {view(name)} ORDER BY {order}")
            for name, order in keys.items()
        }


def _fill_cube(cursor: BulkCursor, g: Generation) -> None:
    """Fill a generation's empty aggregate from all its summaries."""
    cursor.execute(
        fill_cube(
            g.cube,
            contributions(
                per_territory(g.summary, g.orgs),
                _current_milestones(g, touched_only=False),
                METRICS,
                territories=True,
            ),
        )
    )


def _partnership(change: ReportChange) -> str | None:
    if isinstance(change, MilestoneVersion | MilestoneAmended):
        return str(change.partnership_id)
    if isinstance(change, PartnershipParties):
        return str(change.id)
    return None


def _aggregated(scope: ReportScope, metrics: Sequence[str]) -> bool:
    """The maintained aggregate answers "now" with no filter but territory, origin kind and
    category (and only territory for the metrics it keeps without origin and category)."""
    dimensions = scope.origin_kind is not None or scope.category is not None
    return (
        scope.is_now
        and scope.territory != ALL_TERRITORIES
        and scope.origin_reference_id is None
        and scope.period_from is None
        and scope.period_to is None
        and not (dimensions and COLLAPSED.intersection(metrics))
    )


def _known(scope: ReportScope, params: dict[str, Any], alias: str) -> str:
    """Rows as known at ``known_at`` (recorded by then, not yet closed), else current rows."""
    if scope.known_at is None:
        return f"{alias}.superseded_us IS NULL"
    params["known_us"] = microseconds(scope.known_at)
    return (
        f"{alias}.recorded_us <= %(known_us)s"
        f" AND ({alias}.superseded_us IS NULL OR {alias}.superseded_us > %(known_us)s)"
    )


def _summary_filters(scope: ReportScope, params: dict[str, Any]) -> str:
    where = ["1 = 1"]
    if scope.origin_kind is not None:
        where.append("s.origin_kind = %(origin_kind)s")
        params["origin_kind"] = scope.origin_kind.value
    if scope.origin_reference_id is not None:
        where.append("s.origin_ref = %(origin_ref)s")
        params["origin_ref"] = scope.origin_reference_id
    if scope.category is not None:
        where.append("s.category = %(category)s")
        params["category"] = scope.category.value
    if scope.territory is not None:
        params["territory"] = scope.territory
        where.append(
            f"EXISTS (SELECT 1 FROM {view('orgs')} o WHERE o.lab = s.lab"
            " AND o.id IN (s.association_id, s.company_id) AND o.territory = %(territory)s"
            f" AND {_known(scope, params, 'o')})"
        )
    return " AND ".join(where)


def _periods(scope: ReportScope, params: dict[str, Any]) -> Periods:
    def between(column: str) -> str:
        parts = []
        if scope.period_from is not None:
            params["from_day"] = scope.period_from.toordinal()
            parts.append(f"{column} >= %(from_day)s")
        if scope.period_to is not None:
            params["to_day"] = scope.period_to.toordinal()
            parts.append(f"{column} <= %(to_day)s")
        return " AND ".join(parts) or "1 = 1"

    return Periods(
        cohort=between("s.opened_day"), signed=between("s.signed_day"), dated=between("m.day")
    )
