"""Processes of the real service for fault injection: the API under uvicorn, the projector.

Each runs as its own process with the same environment variables an operator would set, so
that a test can kill it (``kill -9``) or take its database away. ``credentials`` is the one
place that knows how a client is allowed to write.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx

from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.http_protocol import NO_DELAY_PROTOCOL
from tests.faults.cluster import free_port

ROOT = Path(__file__).resolve().parents[2]


def credentials(settings: Settings, actor: str = "fault-injector@labo.example") -> dict[str, str]:
    """Headers that let a client record writes on the service configured by ``settings``.

    A staff key of the default lab named ``actor`` is issued through the composition root,
    on ``settings``' store (a key works as soon as it is issued). This is the one place the
    fault tests and the benchmarks learn how to authenticate: adapt it, not them.
    """
    from application.context import Caller
    from domain.access.api_key import Role

    runtime = build_runtime(settings, run_projections=False)
    try:
        issued = runtime.app.keys.issue_api_key(
            Caller(lab=settings.default_lab, actor="operator@partnerlab.example"),
            name=actor,
            role=Role.STAFF,
        )
    finally:
        runtime.close()
    return {"Authorization": f"Bearer {issued.token}"}


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment variables that make a child process read the same ``settings``."""
    env = {
        "PARTNERLAB_DEFAULT_LAB": settings.default_lab,
        "PARTNERLAB_PROJECTIONS_IN_PROCESS": str(settings.projections_in_process).lower(),
        "PARTNERLAB_MAX_BODY_BYTES": str(settings.max_body_bytes),
        "PARTNERLAB_SQLITE_LOCK_TIMEOUT": str(settings.sqlite_lock_timeout),
        "PARTNERLAB_REBUILD_BATCH_SIZE": str(settings.rebuild_batch_size),
        "PARTNERLAB_FOLLOWER_BATCH_SIZE": str(settings.follower_batch_size),
        "PARTNERLAB_RATE_LIMIT_PER_KEY": settings.rate_limit_per_key or "",
        "PARTNERLAB_RATE_LIMIT_PER_LAB": settings.rate_limit_per_lab or "",
    }
    if settings.api_key_pepper.get_secret_value():
        env["PARTNERLAB_API_KEY_PEPPER"] = settings.api_key_pepper.get_secret_value()
    if settings.backend == "postgres":
        password = f":{quote(settings.postgres_password)}" if settings.postgres_password else ""
        env["PARTNERLAB_DATABASE_URL"] = (
            f"postgresql://{quote(settings.postgres_user)}{password}@{settings.postgres_host}:"
            f"{settings.postgres_port}/{quote(settings.postgres_db)}"
        )
        env["PARTNERLAB_POSTGRES_POOL_SIZE"] = str(settings.postgres_pool_size)
        env["PARTNERLAB_POSTGRES_CONNECT_TIMEOUT"] = str(settings.postgres_connect_timeout)
        if settings.postgres_schema:
            env["PARTNERLAB_POSTGRES_SCHEMA"] = settings.postgres_schema
    else:
        env["PARTNERLAB_SQLITE_PATH"] = str(Path(settings.sqlite_path).resolve())
    return env


def child_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any database configuration, plus ``settings``'."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(("PARTNERLAB_", "POSTGRES_", "SQLITE_", "PERSISTENCE_"))
    }
    return {**inherited, "PYTHONPATH": str(ROOT), **settings_env(settings), **(extra or {})}


def wait_for(url: str, timeout: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode} while starting")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout} s")
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Ask the process to stop (SIGTERM), then kill it if it does not."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def workers_options(workers: int) -> list[str]:
    """uvicorn's options for ``workers`` processes, as ``partnerlab serve --workers`` runs."""
    return ["--workers", str(workers), "--http", NO_DELAY_PROTOCOL] if workers > 1 else []


@contextmanager
def api_server(
    settings: Settings,
    *,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 90,
    factory: str = "api.app:create_app",
    workers: int = 1,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``uvicorn --factory api.app:create_app`` in its own process (``workers`` > 1: a
    supervisor and that many worker processes, as ``partnerlab serve --workers``); yields its
    URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "--factory", factory,
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-access-log", *workers_options(workers),
        ],
        cwd=ROOT,
        env=child_env(settings, extra_env),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/healthz", timeout, process)
        yield url, process
    finally:
        stop(process)


def projector(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    """``partnerlab project [args]`` in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "partnerlab.cli", "project", *args],
        cwd=ROOT,
        env=child_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
