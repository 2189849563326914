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
from application.audit.merkle_log import ProofVerification, is_proof_export, verify_proof_export
from application.context import Caller
from domain.audit.tree_head import SignedTreeHead, TreeHeadFormatError
from infrastructure.audit.signing import (
    KeyFormatError,
    TreeHeadVerifier,
    generate_private_key,
    load_public_key_file,
    write_private_key,
    write_public_key,
)
from partnerlab.cli.app import err, open_database, runtime
from partnerlab.progress import ProgressReport

audit_cli = typer.Typer(
    help="Tamper evidence: digest, verify, export, keygen, build-tree.", no_args_is_help=True
)

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
    public_key: Annotated[
        Path | None,
        typer.Option(help="The deployment's public key (PEM or base64): needed for a lab export."),
    ] = None,
    previous_head: Annotated[
        Path | None,
        typer.Option(
            help="A signed head (JSON) kept from an earlier audit: prove the log grew"
            " from it without rewriting."
        ),
    ] = None,
    position: Annotated[int | None, typer.Option(help="Position of a digest kept earlier.")] = None,
    link: Annotated[str | None, typer.Option(help="Hash of a digest kept earlier.")] = None,
) -> None:
    """Recompute the hash chain and name the first position where the log no longer matches
    (a changed, deleted, inserted or unreadable row), with progress on standard error.

    Exit code 0 when it verifies, 3 when it does not.
    """
    if file is not None:
        with file.open(encoding="utf-8") as handle:
            first = handle.readline()
            handle.seek(0)
            if is_proof_export(first):
                _report_proofs(_verify_proofs(handle, public_key, previous_head))
            else:
                _report(verify_export(handle))
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
    from_size: Annotated[
        int | None,
        typer.Option(help="With --lab: add a consistency proof from a head of this size."),
    ] = None,
) -> None:
    """Write events with their chain links (the whole log) or, with --lab, with the signed
    tree head and inclusion proofs as JSON Lines (header, events, checksum), with
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
        lines = (
            built.app.audit.export_with_proofs(caller, partnership_id, from_size)
            if caller is not None
            else built.app.audit.export_audit(None)
        )
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


def _verify_proofs(
    lines: object, public_key: Path | None, previous_head: Path | None
) -> ProofVerification:
    if public_key is None:
        raise typer.BadParameter("a lab export is checked with --public-key (the deployment's)")
    try:
        verifier = TreeHeadVerifier(load_public_key_file(public_key))
    except (KeyFormatError, OSError) as error:
        raise typer.BadParameter(f"--public-key: {error}") from None
    previous = None
    if previous_head is not None:
        try:
            data = json.loads(previous_head.read_text(encoding="utf-8"))
            previous = SignedTreeHead.from_dict(data.get("head", data))
        except (OSError, ValueError, AttributeError, TreeHeadFormatError) as error:
            raise typer.BadParameter(f"--previous-head: {error}") from None
    return verify_proof_export(
        lines,  # type: ignore[arg-type]
        verifier.verify,
        verifier.verify_manifest,
        previous,
    )


def _report_proofs(result: ProofVerification) -> None:
    failure = result.failure
    payload = {
        "ok": result.ok,
        "checked": result.checked,
        "head": result.head.to_dict() if result.head else None,
        "first_failure": {
            "reason": failure.reason,
            "line": failure.line,
            "position": failure.position,
            "leaf_index": failure.leaf_index,
            "detail": failure.detail,
        }
        if failure
        else None,
    }
    typer.echo(json.dumps(payload, indent=2))
    if not result.ok:
        raise typer.Exit(EXIT_TAMPERED)


@audit_cli.command()
def keygen(
    output: Annotated[
        Path, typer.Option(help="Directory for audit-signing.pem (0600) and audit-public.pem.")
    ] = Path("."),
) -> None:
    """Make the Ed25519 key pair that signs tree heads. Keep the private key outside the
    database and point PARTNERLAB_AUDIT_SIGNING_KEY_FILE at it; give auditors the public key."""
    output.mkdir(parents=True, exist_ok=True)
    private = output / "audit-signing.pem"
    public = output / "audit-public.pem"
    key = generate_private_key()
    try:
        write_private_key(key, private)
    except FileExistsError as error:
        raise typer.BadParameter(str(error)) from None
    write_public_key(key.public_key(), public)
    typer.echo(json.dumps({"private_key": str(private), "public_key": str(public)}))


@audit_cli.command("build-tree")
def build_tree() -> None:
    """Add to the Merkle tree every stored event it does not cover (a log written before the
    tree existed; start-up does the same)."""
    settings = open_database()
    with runtime(settings) as built:
        added = built.app.audit.build_tree()
        size = built.stores.audit.tree.state().size
    typer.echo(json.dumps({"added": added, "tree_size": size}))


@audit_cli.command()
def head() -> None:
    """Print the latest signed tree head (JSON) for an auditor to keep."""
    settings = open_database()
    with runtime(settings) as built:
        signed = built.app.audit.sign_head()
    typer.echo(json.dumps(signed.to_dict()))
