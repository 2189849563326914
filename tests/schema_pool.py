"""PostgreSQL schemas handed from one finished test to the next, emptied, instead of new ones.

Creating the service's tables (about forty, with their indexes and views) is most of what a
PostgreSQL test costs: a quarter to half a second, a thousand times a run. A test that used
the tables as the service made them leaves them behind the same as any other test would a
file; emptying them (every row deleted, the rows the service makes at creation put back, the
event sequence restarted) takes a few milliseconds, and the next test then meets exactly what
a fresh schema would give it.

"The same as the service made them" is checked, not assumed: the pool first builds one schema
through the composition root and keeps its catalogue's fingerprint (columns, types, defaults,
indexes, constraints, views, functions, triggers, sequences) and its rows. A schema whose
fingerprint differs when it is given back (a test damaged a table, rebuilt a read model into
new tables, or wrote with older code) is never reused: it stays until the test database is
dropped. So is a schema whose tables cannot be locked at once (a test left a connection in a
transaction). Only function-scoped fixtures take schemas from the pool: a module- or
session-scoped one calls ``postgres_settings`` for a schema of its own.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg import sql

STRUCTURE = """
SELECT 'column', c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relnamespace = %(ns)s::text::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'relation', c.relname || ' ' || c.relkind::text FROM pg_class c
 WHERE c.relnamespace = %(ns)s::text::regnamespace
UNION ALL
SELECT 'index', regexp_replace(indexdef, '"?' || %(ns)s::text || '"?\\.', '', 'g')
  FROM pg_indexes WHERE schemaname = %(ns)s::text
UNION ALL
SELECT 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = %(ns)s::text::regnamespace
UNION ALL
SELECT 'view', viewname || ' ' || definition FROM pg_views WHERE schemaname = %(ns)s::text
UNION ALL
SELECT 'function', proname || ' ' || md5(prosrc) FROM pg_proc
 WHERE pronamespace = %(ns)s::text::regnamespace
UNION ALL
SELECT 'trigger', tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = %(ns)s::text::regnamespace AND NOT t.tgisinternal
"""


class SchemaPool:
    """This worker's schemas of one test database, new or given back clean."""

    def __init__(self, database: dict[str, str]) -> None:
        self.database = database
        self.free: list[str] = []
        self.canonical: tuple[tuple[str, ...], ...] | None = None
        self.canonical_rows: dict[str, list[tuple[Any, ...]]] = {}
        self.tables: list[str] = []
        self.sequences: list[str] = []
        self.reused = 0
        self.refused = 0

    def connect(self, schema: str | None = None) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(
            host=self.database["host"],
            port=self.database["port"],
            user=self.database["user"],
            password=self.database["password"],
            dbname=self.database["dbname"],
            autocommit=True,
            options=f"-c search_path={schema}" if schema else "",
        )

    def new_schema(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        return schema

    def take(self) -> str:
        """A schema that is empty, or holds the service's tables with no row of any test."""
        if self.canonical is None:
            self.learn_canonical()
        if self.free:
            self.reused += 1
            return self.free.pop()
        return self.new_schema()

    def learn_canonical(self) -> None:
        """Build one schema through the composition root and remember what it holds."""
        from partnerlab.bootstrap import build_runtime
        from tests.conftest import postgres_settings_for

        schema = self.new_schema()
        runtime = build_runtime(postgres_settings_for(self.database, schema), run_projections=False)
        runtime.close()
        with self.connect(schema) as conn:
            self.canonical = self.fingerprint(conn, schema)
            self.tables = [
                name
                for (name,) in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
                    (schema,),
                )
            ]
            self.sequences = [
                name
                for (name,) in conn.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = %s", (schema,)
                )
            ]
            for table in self.tables:
                rows = conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
                self.canonical_rows[table] = rows.fetchall()
        self.free.append(schema)

    @staticmethod
    def fingerprint(
        conn: psycopg.Connection[tuple[Any, ...]], schema: str
    ) -> tuple[tuple[str, ...], ...]:
        rows = conn.execute(STRUCTURE, {"ns": schema}).fetchall()
        return tuple(sorted(tuple(str(value) for value in row) for row in rows))

    def give_back(self, schema: str) -> None:
        """Empty ``schema`` for the next test if it is as the service made it, else keep it."""
        try:
            with self.connect(schema) as conn:
                shape = self.fingerprint(conn, schema)
                if not shape:
                    self.free.append(schema)
                    return
                if shape != self.canonical:
                    self.refused += 1
                    return
                with conn.transaction():
                    conn.execute("SET LOCAL lock_timeout = '2s'")
                    conn.execute("SET LOCAL session_replication_role = replica")
                    for table in self.tables:
                        conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
                        for row in self.canonical_rows[table]:
                            conn.execute(
                                sql.SQL("INSERT INTO {} VALUES ({})").format(
                                    sql.Identifier(table),
                                    sql.SQL(", ").join(sql.Placeholder() * len(row)),
                                ),
                                row,
                            )
                    for sequence in self.sequences:
                        conn.execute("SELECT setval(%s::regclass, 1, false)", (sequence,))
        except psycopg.Error:
            self.refused += 1
            return
        self.free.append(schema)
