"""One settings object, read from the environment (or passed explicitly by tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the events live and how the service runs.

    With no configuration at all the service uses a SQLite file in the working directory.
    PostgreSQL is chosen by ``PARTNERLAB_DATABASE_URL`` (a ``postgresql://`` DSN) or by the
    usual ``POSTGRES_HOST``/``POSTGRES_PORT``/``POSTGRES_USER``/``POSTGRES_PASSWORD``/
    ``POSTGRES_DB`` variables.
    """

    model_config = SettingsConfigDict(env_prefix="PARTNERLAB_", extra="ignore")

    database_url: str | None = None
    sqlite_path: Path = Path("partnerlab.sqlite3")
    postgres_host: str | None = Field(
        default=None, validation_alias=AliasChoices("postgres_host", "POSTGRES_HOST")
    )
    postgres_port: int = Field(
        default=5432, validation_alias=AliasChoices("postgres_port", "POSTGRES_PORT")
    )
    postgres_user: str = Field(
        default="postgres", validation_alias=AliasChoices("postgres_user", "POSTGRES_USER")
    )
    postgres_password: str = Field(
        default="", validation_alias=AliasChoices("postgres_password", "POSTGRES_PASSWORD")
    )
    postgres_db: str = Field(
        default="partnerlab", validation_alias=AliasChoices("postgres_db", "POSTGRES_DB")
    )
    postgres_schema: str | None = None
    postgres_pool_size: int = 5
    postgres_connect_timeout: int = Field(default=5, ge=1)
    """Seconds to wait for a connection (new, or free in a pool) before answering 503."""
    sqlite_lock_timeout: int = Field(default=10, ge=1)
    """Seconds a SQLite write waits for another writer's lock before answering 503."""
    rebuild_batch_size: int = Field(default=5_000, ge=1)
    """Events per batch of ``partnerlab project --rebuild`` and ``--once`` (memory held,
    progress steps)."""
    follower_batch_size: int = Field(default=500, ge=1, le=100_000)
    """Events a read model's follower reads and applies per transaction while following
    (memory held, how much a crash makes it redo)."""
    postgres_pre_ping: bool = False
    """Check every pooled connection with a round trip before each use. Off: eventsourcing's
    recorders retry a statement that fails on a dead connection (the pool drops it), so the
    check only costs a round trip per checkout. See docs/PERFORMANCE.md."""
    aggregate_cache_size: int = Field(default=1000, ge=0)
    """Aggregates kept in memory by each process (0: none). A cached aggregate is brought up
    to date from the store before every use (eventsourcing's fast-forward: one query for
    the events after its version), so a command never decides on a stale one, even when other
    processes write to the same database."""
    host: str = "127.0.0.1"
    port: int = 8000
    projections_in_process: bool = True
    read_wait_seconds: float = Field(default=5.0, gt=0, le=60)
    """How long a read waits for its own read models to reach the log's head before answering
    503 ``projections-behind`` with Retry-After."""
    default_lab: str = "alsace"
    max_body_bytes: int = 1_000_000
    rate_limit_per_key: str | None = "300/second"
    """Requests one API key may make (``limits`` notation, e.g. "20/second;600/minute");
    beyond it, 429 with Retry-After. Empty: no limit."""
    rate_limit_per_lab: str | None = "600/second"
    """Requests all the keys of one lab together may make: one lab's burst cannot starve
    another's requests. Empty: no limit."""
    report_sum_limit: int = Field(default=2**62, ge=1, le=2**62)
    """The most a lab's amounts may total in the reports' read model (cents, hundredths of a
    day, counts; over all its milestone rows). Beyond it the reports hold that lab (its
    report reads answer 503 projection-stopped) instead of overflowing. Tests make it
    small."""
    api_key_pepper: SecretStr = SecretStr("")
    """Server secret mixed into API key hashes (set it in production; changing it revokes
    every key). See docs/SECURITY.md."""
    fast_password_hashing: bool = False
    """Tests only: argon2 with tiny costs so that creating accounts takes milliseconds."""
    console_url: str = "http://127.0.0.1:8000"
    """Where people open the console: the start of the one-time password links the CLI
    prints."""
    stalled_days: dict[str, int] = Field(default_factory=dict)
    """Days without a milestone after which a partnership is stalled, per stage
    (``{"meeting": 60, "idea": 90}``; 90 for a stage not named). JSON in the environment."""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "partnerlab@localhost"
    staff_mail_domain: str | None = None
    """A staff member's digest goes to their name when it is an address, else to
    ``name@staff_mail_domain``; without a domain, staff with no address get no mail."""
    audit_signing_key_file: Path | None = None
    """The Ed25519 private key (PEM, made by ``partnerlab audit keygen``) that signs tree heads;
    kept outside the database. Unset: heads are not signed and the head routes answer 503."""
    audit_head_every_events: int = Field(default=1000, ge=1)
    """A new signed tree head at least every this many events..."""
    audit_head_every_seconds: float = Field(default=3600.0, gt=0)
    """...and at least this often while events arrive (seconds)."""

    @model_validator(mode="after")
    def _read_database_url(self) -> Settings:
        if self.database_url:
            parts = urlsplit(self.database_url)
            if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
                raise ValueError(
                    "PARTNERLAB_DATABASE_URL must be a postgresql:// URL "
                    "(leave it unset to use SQLite)"
                )
            self.postgres_host = parts.hostname or "127.0.0.1"
            self.postgres_port = parts.port or 5432
            self.postgres_user = unquote(parts.username or "postgres")
            self.postgres_password = unquote(parts.password or "")
            self.postgres_db = parts.path.lstrip("/") or "partnerlab"
        return self

    @property
    def backend(self) -> Literal["sqlite", "postgres"]:
        return "postgres" if self.postgres_host else "sqlite"

    def describe_database(self) -> str:
        """Where the data lives, without secrets (for logs and the CLI)."""
        if self.backend == "postgres":
            schema = f" schema {self.postgres_schema}" if self.postgres_schema else ""
            return (
                f"PostgreSQL {self.postgres_user}@{self.postgres_host}:{self.postgres_port}/"
                f"{self.postgres_db}{schema}"
            )
        return f"SQLite {self.sqlite_path.resolve()}"

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment mapping eventsourcing's infrastructure factory reads."""
        return self._persistence_env() | self._cache_env()

    def _cache_env(self) -> dict[str, str]:
        if not self.aggregate_cache_size:
            return {}
        return {
            "AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache_size),
            # Never off: fast-forwarding is what makes the cache safe across processes.
            "AGGREGATE_CACHE_FASTFORWARD": "y",
            "AGGREGATE_CACHE_FASTFORWARD_SKIPPING": "n",
        }

    def _persistence_env(self) -> dict[str, str]:
        if self.backend == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": str(self.sqlite_lock_timeout),
                "APPLICATION_RECORDER_TOPIC": (
                    "infrastructure.audit.chained_recorders:ChainedSQLiteApplicationRecorder"
                ),
                "CREATE_TABLE": "true",
                # Pinned: the tree and the chain hash the id as a UUID, and the read models
                # parse it as one; a stray ORIGINATOR_ID_TYPE=text in the environment is ignored.
                "ORIGINATOR_ID_TYPE": "uuid",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.postgres_db,
            "POSTGRES_HOST": str(self.postgres_host),
            "POSTGRES_PORT": str(self.postgres_port),
            "POSTGRES_USER": self.postgres_user,
            "POSTGRES_PASSWORD": self.postgres_password,
            "POSTGRES_SCHEMA": self.postgres_schema or "",
            "POSTGRES_POOL_SIZE": str(self.postgres_pool_size),
            "POSTGRES_CONNECT_TIMEOUT": str(self.postgres_connect_timeout),
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_PRE_PING": "true" if self.postgres_pre_ping else "false",
            "APPLICATION_RECORDER_TOPIC": (
                "infrastructure.audit.chained_recorders:ChainedPostgresApplicationRecorder"
            ),
            "CREATE_TABLE": "true",
            "ORIGINATOR_ID_TYPE": "uuid",
        }

    def postgres_conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        options = f"-c search_path={self.postgres_schema}" if self.postgres_schema else ""
        return make_conninfo(
            host=self.postgres_host,
            port=self.postgres_port,
            user=self.postgres_user,
            password=self.postgres_password,
            dbname=self.postgres_db,
            connect_timeout=self.postgres_connect_timeout,
            options=options,
        )
