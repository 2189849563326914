"""``partnerlab serve``: the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from partnerlab.cli.app import SOURCE_ROOT, database_errors, open_database, out
from partnerlab.http_protocol import NO_DELAY_PROTOCOL


def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on (default: settings' host).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: settings' port).")
    ] = None,
    reload: Annotated[
        bool, typer.Option(help="Restart on code changes (development only).")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes (uvicorn workers), each with its own application, pool and "
            "caches; about one per core.",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API with uvicorn (creates the SQLite file if there is none).

    With ``--workers N`` (N > 1), uvicorn starts N processes that each build the application
    from the same environment. They share nothing but the database: the aggregate cache is
    brought up to date from the store before every use, and a revoked key is refused by every
    process from the next request on. Run the projections in their own process then
    (``PARTNERLAB_PROJECTIONS_IN_PROCESS=false`` and ``partnerlab project``): N processes
    following the log is correct (a batch another follower recorded is skipped) but wasted work.
    """
    import uvicorn

    settings = open_database(may_create=True)
    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = settings.model_copy(update=overrides)
    out().print(
        f"Serving Partnerlab on http://{settings.host}:{settings.port} "
        f"({settings.describe_database()})",
        highlight=False,
    )
    if reload and workers > 1:
        raise typer.BadParameter(
            "--reload runs one process: leave --workers out", param_hint="--workers"
        )
    if workers > 1:
        # Each worker imports the factory and reads the same environment (database, pepper...).
        with database_errors(settings):
            uvicorn.run(
                "api.app:create_app",
                factory=True,
                host=settings.host,
                port=settings.port,
                workers=workers,
                # Workers serve from a socket uvicorn binds: put TCP_NODELAY back (40 ms a
                # request otherwise, see partnerlab/http_protocol.py).
                http=NO_DELAY_PROTOCOL,
            )
        return
    if reload:
        # The reloader imports the factory in a child process, which reads the same environment.
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            reload=True,
            reload_dirs=[str(SOURCE_ROOT)],
        )
        return
    from api.app import create_app

    with database_errors(settings):
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
