"""``partnerlab serve``: the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from partnerlab.cli.app import SOURCE_ROOT, database_errors, open_database, out


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
) -> None:
    """Serve the HTTP API with uvicorn (creates the SQLite file if there is none)."""
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
