"""The reports' tables and the SQL that derives their figures, for SQLite and PostgreSQL.

A generation of tables (``pl_rpt<g>_*``) holds one complete copy of the read model; views
(``pl_report_*``) point at the current one, so a rebuild fills a fresh generation while the API
keeps reading the old, and one transaction swaps them.

Two statements hold all the arithmetic and serve every path:

- ``derive_summary`` turns visible milestone rows into one summary row per partnership
  (stage dates, stage mask, durations, category, abandonment...). Incremental updates, the
  rebuild and bitemporal (``as_of``/``known_at``) reports all run it, over different rows.
- ``contributions`` turns summary rows (and milestone rows, for amounts) into metric rows.
  The maintained aggregate (``cube``) is the sum of every partnership's contributions; a
  report over a filtered or past scope computes the same contributions on the fly.

Days are proleptic ordinals (``date.toordinal()``) and recording times microseconds since
1970, so date arithmetic and comparisons are plain integer SQL on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

from application.reporting.ports import (
    ABANDONED,
    COMMIT,
    EVALUATED,
    LAST,
    OPEN,
    REACH,
    REACHED,
    SIGNED,
    STAY,
)
from domain.partnerships.milestones import ABANDONMENT, CONTRACT, EVALUATION, IDEA, OPENING, RENEWAL
from domain.values import Category, OriginKind, Stage

Dialect = Literal["sqlite", "postgres"]

STAGE_RANKS = [s.rank for s in Stage]
CONTRACT_RANK = Stage.CONTRACT.rank
NEVER = 100_000_000
"""A day later than any (ordinals stop at 3,652,059): stands for "not reached"."""
IDEA_KEY = 1_000_000
"""Orders ideas by (day, version) in one integer."""
NO_CATEGORY = 9

VIEW_PREFIX = "pl_report_"
TRACKING_TABLE = "pl_report_tracking"
PROJECTION_NAME = "reports"

PARTIES_COLUMNS = (
    "lab",
    "id",
    "association_id",
    "company_id",
    "origin_kind",
    "origin_ref",
)
ORGS_COLUMNS = ("lab", "id", "position", "recorded_us", "superseded_us", "name", "territory")
MILESTONES_COLUMNS = (
    "lab",
    "partnership_id",
    "version",
    "position",
    "recorded_us",
    "superseded_us",
    "kind",
    "stage_rank",
    "day",
    "year",
    "category",
    "sub_kind",
    "financial",
    "in_kind",
    "skills",
    "beneficiaries",
    "jobs",
    "volunteer",
    "satisfaction",
    "reason",
)
SUMS = ("s1", "s2", "s3", "s4", "s5", "s6", "s7")
CUBE_KEYS = ("lab", "metric", "territory", "origin_kind", "category", "k1", "k2", "t")
ALL_TERRITORIES = ""
"""The cube's territory for every partnership; a département's rows count the partnerships
with a partner there."""
CUBE_COLUMNS = (*CUBE_KEYS, "n", *SUMS)
SUMMARY_COLUMNS = (
    *PARTIES_COLUMNS,
    "opened_day",
    *(f"r{k}" for k in STAGE_RANKS),
    "mask",
    "stage_rank",
    "last_day",
    "abandoned_day",
    "reason",
    "signed_day",
    "signed_year",
    "category",
    *(f"stay{k}" for k in STAGE_RANKS[:-1]),
    *(f"reach{k}" for k in STAGE_RANKS[1:]),
)
TABLES = ("parties", "orgs", "milestones", "summary", "cube", "touched")
VIEWS = ("parties", "orgs", "milestones", "summary", "cube")


@dataclass(frozen=True)
class Generation:
    """The table names of one generation of the read model."""

    number: int

    def table(self, name: str) -> str:
        return f"pl_rpt{self.number}_{name}"

    @property
    def parties(self) -> str:
        return self.table("parties")

    @property
    def orgs(self) -> str:
        return self.table("orgs")

    @property
    def milestones(self) -> str:
        return self.table("milestones")

    @property
    def summary(self) -> str:
        return self.table("summary")

    @property
    def cube(self) -> str:
        return self.table("cube")

    @property
    def touched(self) -> str:
        return self.table("touched")


def view(name: str) -> str:
    return f"{VIEW_PREFIX}{name}"


# ---------------------------------------------------------------------------- DDL


def tracking_ddl() -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} ("
        " name TEXT PRIMARY KEY, generation INTEGER NOT NULL, position BIGINT NOT NULL)"
    ]


def tables_ddl(g: Generation) -> list[str]:
    """The tables of a generation, with only the keys needed while they are filled."""
    return [
        f"CREATE TABLE {g.parties} (lab TEXT NOT NULL, id TEXT PRIMARY KEY,"
        " association_id TEXT NOT NULL, company_id TEXT NOT NULL, origin_kind TEXT NOT NULL,"
        " origin_ref TEXT)",
        f"CREATE TABLE {g.orgs} (lab TEXT NOT NULL, id TEXT NOT NULL, position BIGINT NOT NULL,"
        " recorded_us BIGINT NOT NULL, superseded_us BIGINT, name TEXT NOT NULL,"
        " territory TEXT NOT NULL, PRIMARY KEY (id, position))",
        f"CREATE TABLE {g.milestones} (lab TEXT NOT NULL, partnership_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, position BIGINT NOT NULL, recorded_us BIGINT NOT NULL,"
        " superseded_us BIGINT, kind TEXT NOT NULL, stage_rank INTEGER, day INTEGER NOT NULL,"
        " year INTEGER NOT NULL, category TEXT, sub_kind TEXT, financial BIGINT NOT NULL,"
        " in_kind BIGINT NOT NULL, skills BIGINT NOT NULL, beneficiaries BIGINT NOT NULL,"
        " jobs BIGINT NOT NULL, volunteer BIGINT NOT NULL, satisfaction INTEGER, reason TEXT,"
        " PRIMARY KEY (partnership_id, version, position))",
        f"CREATE TABLE {g.summary} (lab TEXT NOT NULL, id TEXT PRIMARY KEY,"
        " association_id TEXT NOT NULL, company_id TEXT NOT NULL, origin_kind TEXT NOT NULL,"
        " origin_ref TEXT, opened_day INTEGER NOT NULL, "
        + ", ".join(f"r{k} INTEGER" for k in STAGE_RANKS)
        + ", mask INTEGER NOT NULL, stage_rank INTEGER NOT NULL, last_day INTEGER NOT NULL,"
        " abandoned_day INTEGER, reason TEXT, signed_day INTEGER, signed_year INTEGER,"
        " category TEXT NOT NULL, "
        + ", ".join(f"stay{k} INTEGER" for k in STAGE_RANKS[:-1])
        + ", "
        + ", ".join(f"reach{k} INTEGER" for k in STAGE_RANKS[1:])
        + ")",
        _cube_ddl(g),
        f"CREATE TABLE {g.touched} (id TEXT PRIMARY KEY)",
    ]


def _cube_ddl(g: Generation) -> str:
    ints = ", ".join(f"{c} BIGINT NOT NULL" for c in ("n", *SUMS))
    return (
        f"CREATE TABLE {g.cube} (lab TEXT NOT NULL, territory TEXT NOT NULL,"
        " origin_kind TEXT NOT NULL, category TEXT NOT NULL, metric TEXT NOT NULL,"
        f" k1 BIGINT NOT NULL, k2 BIGINT NOT NULL, t TEXT NOT NULL, {ints},"
        f" PRIMARY KEY ({', '.join(CUBE_KEYS)}))"
    )


def _territory_indexes(g: Generation) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {g.table('parties_association')}"
        f" ON {g.parties} (association_id)",
        f"CREATE INDEX IF NOT EXISTS {g.table('parties_company')} ON {g.parties} (company_id)",
        f"CREATE INDEX IF NOT EXISTS {g.table('cube_emptied')} ON {g.cube} (n) WHERE n = 0",
    ]


def cube_upgrade_ddl(g: Generation) -> list[str]:
    """Replace the aggregate of a generation written before it kept territories (an empty
    one, filled by the caller), with the indexes that came with it."""
    return [
        f"DROP VIEW IF EXISTS {view('cube')}",
        f"DROP TABLE {g.cube}",
        _cube_ddl(g),
        *_territory_indexes(g),
        f"CREATE VIEW {view('cube')} AS SELECT * FROM {g.cube}",
    ]


def indexes_ddl(g: Generation) -> list[str]:
    """Indexes for the queries, built once a rebuilt generation is filled."""
    return [
        f"CREATE INDEX {g.table('parties_lab')} ON {g.parties} (lab)",
        f"CREATE INDEX {g.table('milestones_lab')} ON {g.milestones} (lab, day)",
        f"CREATE INDEX {g.table('summary_lab_opened')} ON {g.summary} (lab, opened_day)",
        f"CREATE INDEX {g.table('summary_lab_stalling')} ON {g.summary} (lab, last_day, id)"
        f" WHERE abandoned_day IS NULL AND stage_rank < {CONTRACT_RANK}",
        f"CREATE INDEX {g.table('summary_lab_origin_ref')} ON {g.summary} (lab, origin_ref)",
        *_territory_indexes(g),
    ]


def views_ddl(g: Generation) -> list[str]:
    statements: list[str] = []
    for name in VIEWS:
        statements.append(f"DROP VIEW IF EXISTS {view(name)}")
        statements.append(f"CREATE VIEW {view(name)} AS SELECT * FROM {g.table(name)}")
    return statements


# ---------------------------------------------------------------------------- derivation


def _least(dialect: Dialect, expressions: Sequence[str]) -> str:
    if len(expressions) == 1:
        return expressions[0]
    function = "LEAST" if dialect == "postgres" else "MIN"
    return f"{function}({', '.join(expressions)})"


def _stay(dialect: Dialect, rank: int) -> str:
    """Days in a stage: from reaching it to reaching any later stage (0 if misdated)."""
    later = [f"COALESCE(a.r{k}, {NEVER})" for k in STAGE_RANKS[rank + 1 :]]
    leave = _least(dialect, later)
    return (
        f"CASE WHEN a.r{rank} IS NULL OR {leave} = {NEVER} THEN NULL"
        f" WHEN {leave} < a.r{rank} THEN 0 ELSE {leave} - a.r{rank} END"
    )


def derive_summary(dialect: Dialect, visible: str, parties: str) -> str:
    """SELECT one summary row (``SUMMARY_COLUMNS``) per partnership from the milestone rows
    of the relation ``visible``; partnerships whose opening is not visible are left out.

    One pass, no self-join: the latest idea's category rides in the low digit of an integer
    that orders ideas by (day, version), so the maximum carries it.
    """
    reached = ", ".join(
        f"MIN(CASE WHEN m.stage_rank = {k} THEN m.day END) AS r{k}" for k in STAGE_RANKS
    )
    mask = " + ".join(f"CASE WHEN a.r{k} IS NULL THEN 0 ELSE {1 << k} END" for k in STAGE_RANKS)
    stays = ", ".join(f"{_stay(dialect, k)} AS stay{k}" for k in STAGE_RANKS[:-1])
    reaches = ", ".join(f"a.r{k} - a.opened_day AS reach{k}" for k in STAGE_RANKS[1:])
    category_digit = (
        "CASE m.category "
        + " ".join(f"WHEN '{c.value}' THEN {i}" for i, c in enumerate(Category))
        + f" ELSE {NO_CATEGORY} END"
    )
    idea_key = f"(CAST(m.day AS BIGINT) * {IDEA_KEY} + m.version) * 10 + {category_digit}"
    idea_digit = "a.idea_key - (a.idea_key / 10) * 10"
    idea_category = (
        f"CASE {idea_digit} "
        + " ".join(f"WHEN {i} THEN '{c.value}'" for i, c in enumerate(Category))
        + " END"
    )
    return (
        "SELECT p.lab, p.id, p.association_id, p.company_id, p.origin_kind, p.origin_ref,"
        " a.opened_day, "
        + ", ".join(f"a.r{k}" for k in STAGE_RANKS)
        + f", {mask} AS mask, a.stage_rank, a.last_day, a.abandoned_day, a.reason,"
        " a.signed_day, a.signed_year,"
        f" COALESCE(a.contract_category, {idea_category}, '') AS category,"
        f" {stays}, {reaches}"
        " FROM (SELECT m.partnership_id AS pid,"
        f" MIN(CASE WHEN m.kind = '{OPENING}' THEN m.day END) AS opened_day, {reached},"
        " MAX(m.stage_rank) AS stage_rank, MAX(m.day) AS last_day,"
        f" MIN(CASE WHEN m.kind = '{ABANDONMENT}' THEN m.day END) AS abandoned_day,"
        f" MIN(CASE WHEN m.kind = '{ABANDONMENT}' THEN m.reason END) AS reason,"
        f" MIN(CASE WHEN m.kind = '{CONTRACT}' THEN m.day END) AS signed_day,"
        f" MIN(CASE WHEN m.kind = '{CONTRACT}' THEN m.year END) AS signed_year,"
        f" MIN(CASE WHEN m.kind = '{CONTRACT}' THEN m.category END) AS contract_category,"
        f" MAX(CASE WHEN m.kind = '{IDEA}' THEN {idea_key} END) AS idea_key"
        f" FROM {visible} m GROUP BY m.partnership_id) a"
        f" JOIN {parties} p ON p.id = a.pid"
        " WHERE a.opened_day IS NOT NULL"
    )


# ---------------------------------------------------------------------------- contributions


@dataclass(frozen=True)
class Periods:
    """Extra conditions per kind of date (SQL over ``s`` summary and ``m`` milestone rows)."""

    cohort: str = "1 = 1"
    signed: str = "1 = 1"
    dated: str = "1 = 1"


_ORIGIN_INDEX = (
    "CASE s.origin_kind "
    + " ".join(f"WHEN '{o.value}' THEN {i}" for i, o in enumerate(OriginKind))
    + " ELSE 0 END"
)


COLLAPSED = frozenset({STAY, REACH, LAST})
"""Metrics kept without origin and category: their keys are days, which the dimensions would
multiply; reports filtered by origin or category compute them from the summaries."""


def _branch(
    metric: str,
    source: str,
    keys: tuple[str, str, str],
    where: str,
    sign: int,
    sums: Sequence[str] = (),
    territory: str = "''",
) -> str:
    k1, k2, t = keys
    dimensions = ("''", "''") if metric in COLLAPSED else ("s.origin_kind", "s.category")
    grouped = ", ".join(k for k in (territory, *dimensions, *keys) if not _constant(k))
    summed = [f"SUM({expr}) * {sign}" for expr in sums]
    summed += ["0"] * (len(SUMS) - len(summed))
    columns = ", ".join(f"{expr} AS {name}" for expr, name in zip(summed, SUMS, strict=True))
    return (
        f"SELECT s.lab AS lab, {territory} AS territory, {dimensions[0]} AS origin_kind,"
        f" {dimensions[1]} AS category, '{metric}' AS metric, {k1} AS k1, {k2} AS k2, {t} AS t,"
        f" COUNT(*) * {sign} AS n, {columns} FROM {source} WHERE {where}"
        f" GROUP BY s.lab{', ' if grouped else ''}{grouped}"
    )


def _constant(expression: str) -> bool:
    """A literal key: never in GROUP BY, where a number would mean a column position."""
    return expression == "''" or expression.isdigit()


def per_territory(summary: str, orgs: str) -> str:
    """The summary rows of ``summary``, each once with the territory ``ALL_TERRITORIES`` and
    once per distinct territory of its partners (their current ``orgs`` rows): the relation
    the cube's contributions are computed from."""
    current = "superseded_us IS NULL"
    return (
        f"(SELECT s.*, '{ALL_TERRITORIES}' AS territory FROM {summary} s"
        f" UNION ALL SELECT s.*, oa.territory AS territory FROM {summary} s"
        f" JOIN {orgs} oa ON oa.id = s.association_id AND oa.{current}"
        f" UNION ALL SELECT s.*, oc.territory AS territory FROM {summary} s"
        f" JOIN {orgs} oc ON oc.id = s.company_id AND oc.{current}"
        f" LEFT JOIN {orgs} oa ON oa.id = s.association_id AND oa.{current}"
        " WHERE oa.territory IS NULL OR oa.territory <> oc.territory)"
    )


def contributions(
    summary: str,
    milestones: str,
    metrics: Sequence[str],
    *,
    periods: Periods = Periods(),
    sign: int = 1,
    territories: bool = False,
) -> str:
    """SELECT the metric rows (``CUBE_COLUMNS``) of the partnerships in ``summary``; amounts
    come from their rows in ``milestones`` (which must hold only visible rows). With
    ``territories``, ``summary`` has a ``territory`` column (``per_territory``) kept as a
    dimension; otherwise every row's territory is ``ALL_TERRITORIES``."""
    s = f"{summary} s"
    sm = f"{milestones} m JOIN {summary} s ON s.id = m.partnership_id"
    territory = "s.territory" if territories else f"'{ALL_TERRITORIES}'"
    branch = partial(_branch, territory=territory)
    cohort = periods.cohort
    branches: list[str] = []
    if REACHED in metrics:
        branches.append(branch(REACHED, s, ("s.mask", "0", "''"), cohort, sign))
    if ABANDONED in metrics:
        where = f"s.abandoned_day IS NOT NULL AND {cohort}"
        branches.append(
            branch(ABANDONED, s, ("s.stage_rank", _ORIGIN_INDEX, "s.reason"), where, sign)
        )
    if OPEN in metrics:
        where = f"s.abandoned_day IS NULL AND {cohort}"
        branches.append(branch(OPEN, s, ("s.stage_rank", "0", "''"), where, sign))
    if STAY in metrics:
        for k in STAGE_RANKS[:-1]:
            where = f"s.stay{k} IS NOT NULL AND {cohort}"
            branches.append(branch(STAY, s, (str(k), f"s.stay{k}", "''"), where, sign))
    if REACH in metrics:
        for k in STAGE_RANKS[1:]:
            where = f"s.reach{k} IS NOT NULL AND {cohort}"
            branches.append(branch(REACH, s, (str(k), f"s.reach{k}", "''"), where, sign))
    if SIGNED in metrics:
        where = f"s.signed_day IS NOT NULL AND {periods.signed}"
        branches.append(branch(SIGNED, s, ("s.signed_year", "0", "s.category"), where, sign))
    if LAST in metrics:
        where = f"s.abandoned_day IS NULL AND s.stage_rank < {CONTRACT_RANK} AND {cohort}"
        branches.append(branch(LAST, s, ("s.last_day", "0", "''"), where, sign))
    if COMMIT in metrics:
        where = f"m.kind IN ('{CONTRACT}', '{RENEWAL}') AND {periods.dated}"
        kind = f"CASE WHEN m.kind = '{CONTRACT}' THEN 0 ELSE 1 END"
        branches.append(
            branch(
                COMMIT,
                sm,
                ("m.year", kind, "s.category"),
                where,
                sign,
                ("m.financial", "m.in_kind", "m.skills"),
            )
        )
    if EVALUATED in metrics:
        where = f"m.kind = '{EVALUATION}' AND {periods.dated}"
        branches.append(
            branch(
                EVALUATED,
                sm,
                ("m.year", "0", "s.category"),
                where,
                sign,
                (
                    "m.beneficiaries",
                    "m.jobs",
                    "m.volunteer",
                    "m.skills",
                    "m.in_kind",
                    "COALESCE(m.satisfaction, 0)",
                    "CASE WHEN m.satisfaction IS NULL THEN 0 ELSE 1 END",
                ),
            )
        )
    return " UNION ALL ".join(branches)


def fill_cube(cube: str, contributions_sql: str) -> str:
    """Fill an empty aggregate (each contribution's keys are already distinct)."""
    columns = ", ".join(CUBE_COLUMNS)
    return f"INSERT INTO {cube} ({columns}) SELECT {columns} FROM ({contributions_sql}) c"


def add_to_cube(cube: str, contributions_sql: str) -> str:
    """Add metric rows into the maintained aggregate (negative rows subtract)."""
    keys = ", ".join(CUBE_KEYS)
    totals = ", ".join(f"SUM({c})" for c in ("n", *SUMS))
    updates = ", ".join(f"{c} = {cube}.{c} + excluded.{c}" for c in ("n", *SUMS))
    return (
        f"INSERT INTO {cube} ({', '.join(CUBE_COLUMNS)})"
        f" SELECT {keys}, {totals} FROM ({contributions_sql}) c WHERE 1 = 1 GROUP BY {keys}"
        f" ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )
