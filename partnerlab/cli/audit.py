"""``partnerlab audit``: the chain's digest, its verification (online or of an export file),
and exports for auditors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from application.audit.chain import Digest, Verification, verify_export
from application.context import Caller
from partnerlab.cli.app import err, open_database, runtime
from partnerlab.progress import ProgressReport

audit_cli = typer.Typer(help="Tamper evidence: digest, verify, export.", no_args_is_help=True)

EXIT_TAMPERED = 3


def _report(result: Verification) -> None:
    payload = {
        "ok": result.ok,
        "checked": result.checked,
        "head": {"position": result.head.position, "link": result.head.link}
        if result.head
        else None,
        "first_mismatch": {
            "position": result.first_mismatch.position,
            "kind": result.first_mismatch.kind,
            "detail": result.first_mismatch.detail,
        }
        if result.first_mismatch
        else None,
    }
    typer.echo(json.dumps(payload, indent=2))
    if not result.ok:
        raise typer.Exit(EXIT_TAMPERED)


@audit_cli.command()
def digest() -> None:
    """Print the head of the chain (position and hash) for an auditor to keep."""
    settings = open_database()
    with runtime(settings) as built:
        head = built.app.audit.audit_digest()
    typer.echo(json.dumps({"position": head.position, "link": head.link} if head else None))


@audit_cli.command()
def verify(
    file: Annotated[
        Path | None,
        typer.Option(help="Verify this export offline (no database needed)."),
    ] = None,
    position: Annotated[int | None, typer.Option(help="Position of a digest kept earlier.")] = None,
    link: Annotated[str | None, typer.Option(help="Hash of a digest kept earlier.")] = None,
) -> None:
    """Recompute the hash chain and name the first position where the log no longer matches
    (a changed, deleted, inserted or unreadable row), with progress on standard error.

    Exit code 0 when it verifies, 3 when it does not.
    """
    if file is not None:
        with file.open(encoding="utf-8") as lines:
            _report(verify_export(lines))
        return
    if (position is None) != (link is None):
        raise typer.BadParameter("give both --position and --link, or neither")
    expected = Digest(position, link) if position is not None and link is not None else None
    settings = open_database()
    with runtime(settings) as built, ProgressReport("verifying the chain", err()) as report:
        result = built.app.audit.verify_audit_chain(expected, report.update)
    _report(result)


@audit_cli.command()
def export(
    lab: Annotated[
        str | None, typer.Option(help="Only this lab's events (default: the whole log).")
    ] = None,
    partnership: Annotated[
        str | None, typer.Option(help="Only this partnership's events (needs --lab).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file (default: standard output).")
    ] = None,
) -> None:
    """Write events with their chain links as JSON Lines (header, events, checksum), with
    progress on standard error."""
    if partnership is not None and lab is None:
        raise typer.BadParameter("--partnership needs --lab")
    try:
        partnership_id = UUID(partnership) if partnership else None
    except ValueError:
        raise typer.BadParameter(f"{partnership!r} is not a partnership id") from None
    settings = open_database()
    with runtime(settings, run_projections=True) as built:
        caller = Caller(lab=lab, actor="audit-export") if lab else None
        head = built.app.audit.audit_digest()
        total = head.position if head and caller is None else None
        lines = built.app.audit.export_audit(caller, partnership_id)
        target = output.open("w", encoding="utf-8") if output else sys.stdout
        try:
            with ProgressReport("exporting events", err()) as report:
                written = 0
                for written, line in enumerate(lines):
                    target.write(line + "\n")
                    if written % 500 == 0:
                        report.update(written, total)
                report.update(max(written - 1, 0), total)  # header and footer are not events
        finally:
            if output:
                target.close()
