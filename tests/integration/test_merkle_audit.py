"""The signed Merkle log on SQLite and PostgreSQL: lab exports an auditor checks offline with the
public key only, and each kind of forgery refused with its reason."""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from application.audit.chain import StoredRecord
from application.audit.merkle_log import (
    ProofVerification,
    canonical,
    record_leaf,
    verify_proof_export,
)
from application.context import Caller
from domain.audit.merkle import check_consistency, check_inclusion
from domain.audit.tree_head import SignedTreeHead
from infrastructure.audit.signing import (
    TreeHeadVerifier,
    generate_private_key,
    write_private_key,
)
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime
from tests.lab_stories import sati_and_the_integration_workshop

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _key(path: Path) -> TreeHeadVerifier:
    key = generate_private_key()
    write_private_key(key, path)
    return TreeHeadVerifier(key.public_key())


@pytest.fixture
def verifier(tmp_path: Path) -> TreeHeadVerifier:
    return _key(tmp_path / "signing.pem")


@pytest.fixture
def signed(
    settings: Settings, tmp_path: Path, today: date, verifier: TreeHeadVerifier
) -> Iterator[Runtime]:
    keyed = settings.model_copy(update={"audit_signing_key_file": tmp_path / "signing.pem"})
    runtime = build_runtime(keyed, clock=lambda: today)
    if runtime.head_signing is not None:
        # The tests sign their heads themselves: the background signer's first pass (one second
        # after start-up) would sign whatever a slow set-up has recorded by then.
        runtime.head_signing.stop()
    try:
        yield runtime
    finally:
        runtime.close()


ALSACE = Caller(lab="alsace", actor="claire.staff")
LORRAINE = Caller(lab="lorraine", actor="louis.staff")


def _check(
    lines: list[str], verifier: TreeHeadVerifier, previous: SignedTreeHead | None = None
) -> ProofVerification:
    return verify_proof_export(lines, verifier.verify, verifier.verify_manifest, previous)


def _reason(result: ProofVerification) -> str:
    assert not result.ok
    assert result.failure is not None
    return result.failure.reason


@pytest.fixture
def two_labs(signed: Runtime) -> Runtime:
    sati_and_the_integration_workshop(signed.app, ALSACE)
    sati_and_the_integration_workshop(signed.app, LORRAINE)
    signed.app.read_models.wait_for_projections()
    return signed


def test_a_lab_export_verifies_offline(two_labs: Runtime, verifier: TreeHeadVerifier) -> None:
    lines = list(two_labs.app.audit.export_audit(ALSACE))
    result = _check(lines, verifier)
    assert result.ok, result.failure
    assert result.checked == 6 == len(lines) - 1
    assert result.head is not None
    assert result.head.head.tree_size == 12
    header = json.loads(lines[0])
    assert header["scope"]["lab"] == "alsace"
    # Nothing of the other lab travels with it: only alsace's own records.
    assert all(json.loads(line)["position"] <= 6 for line in lines[1:])


def test_the_forged_lab_export_is_refused(two_labs: Runtime, verifier: TreeHeadVerifier) -> None:
    """Edit an event and reseal the line (canonical again): its inclusion proof fails."""
    lines = list(two_labs.app.audit.export_audit(ALSACE))
    entry = json.loads(lines[4])
    state = base64.b64decode(entry["state"])
    forged_state = state.replace(b"2013-04-02", b"2013-04-03")
    assert forged_state != state
    entry["state"] = base64.b64encode(forged_state).decode()
    lines[4] = canonical(entry)
    result = _check(lines, verifier)
    assert _reason(result) == "inclusion-root-mismatch"
    assert result.failure is not None
    assert result.failure.position == entry["position"]
    assert result.failure.line == 5


def test_a_removed_record_is_refused(two_labs: Runtime, verifier: TreeHeadVerifier) -> None:
    lines = list(two_labs.app.audit.export_audit(ALSACE))
    removed = json.loads(lines[3])
    result = _check(lines[:3] + lines[4:], verifier)
    assert _reason(result) == "missing"
    assert result.failure is not None
    assert str(removed["leaf_index"]) in result.failure.detail
    assert _reason(_check(lines[:-1], verifier)) == "missing"  # cut short


def test_a_record_from_another_labs_export_is_refused(
    two_labs: Runtime, verifier: TreeHeadVerifier
) -> None:
    ours = list(two_labs.app.audit.export_audit(ALSACE))
    theirs = list(two_labs.app.audit.export_audit(LORRAINE))
    assert _check(theirs, verifier).ok
    result = _check([*ours, theirs[1]], verifier)
    assert _reason(result) == "not-listed"
    result = _check([ours[0], theirs[1], *ours[1:]], verifier)
    assert _reason(result) == "not-listed"


def test_a_record_moved_between_two_exports_is_refused(
    two_labs: Runtime, verifier: TreeHeadVerifier
) -> None:
    earlier = list(two_labs.app.audit.export_audit(ALSACE))
    sati_and_the_integration_workshop(two_labs.app, ALSACE)
    later = list(two_labs.app.audit.export_audit(ALSACE))
    assert _check(later, verifier).ok
    moved = [*later]
    moved[2] = earlier[2]  # the same event, with its proof against the earlier head
    assert _reason(_check(moved, verifier)).startswith("inclusion-")
    swapped = [later[0], later[2], later[1], *later[3:]]
    assert _reason(_check(swapped, verifier)) in ("missing", "reordered")


def test_a_head_signed_by_another_key_is_refused(two_labs: Runtime, tmp_path: Path) -> None:
    lines = list(two_labs.app.audit.export_audit(ALSACE))
    other = _key(tmp_path / "other.pem")
    assert _reason(_check(lines, other)) == "wrong-key"


def test_a_rewritten_history_fails_against_an_earlier_head(
    two_labs: Runtime, verifier: TreeHeadVerifier
) -> None:
    kept = two_labs.app.audit.sign_head()
    sati_and_the_integration_workshop(two_labs.app, ALSACE)
    two_labs.app.read_models.wait_for_projections()
    honest = list(two_labs.app.audit.export_with_proofs(ALSACE, from_size=kept.head.tree_size))
    assert _check(honest, verifier, kept).ok
    # Without the consistency proof, the earlier head cannot be related: refused.
    plain = list(two_labs.app.audit.export_audit(ALSACE))
    assert _reason(_check(plain, verifier, kept)) == "no-consistency-proof"

    # The operator (who holds the key) rewrites event 4, rebuilds the whole tree and signs.
    trail = two_labs.stores.audit
    table = trail._events_table()
    position = "rowid" if two_labs.database.dialect == "sqlite" else "notification_id"
    row = two_labs.database.query(f"SELECT state FROM {table} WHERE {position} = 4")[0]
    forged = bytes(row["state"]).replace(b"2013-04-02", b"2013-04-03")
    with two_labs.database.transaction() as cursor:
        cursor.execute(f"UPDATE {table} SET state = %(s)s WHERE {position} = 4", {"s": forged})
        cursor.execute(f"DELETE FROM {trail.tree.nodes_table}")
        cursor.execute(f"DELETE FROM {trail.tree.state_table}")
        cursor.execute("DELETE FROM pl_audit_heads")
    trail.tree.build()
    rewritten = list(two_labs.app.audit.export_with_proofs(ALSACE, from_size=kept.head.tree_size))
    assert _check(rewritten, verifier).ok  # consistent in itself, but...
    assert _reason(_check(rewritten, verifier, kept)).startswith("consistency-")


def test_inclusion_and_consistency_answers_check_with_rfc_9162(
    two_labs: Runtime, verifier: TreeHeadVerifier
) -> None:
    audit = two_labs.app.audit
    first = audit.sign_head()
    sati_and_the_integration_workshop(two_labs.app, ALSACE)
    second = audit.sign_head()
    verifier.verify(second)
    assert [h.head.tree_size for h in audit.signed_heads()] == [12, 18]
    answer = audit.consistency(first.head.tree_size, second.head.tree_size)
    check_consistency(12, 18, first.head.root_hash, second.head.root_hash, answer.proof)
    for position in (1, 6, 13):
        proof = audit.inclusion(ALSACE, position)
        check_inclusion(proof.leaf_hash, proof.leaf_index, 18, proof.proof, second.head.root_hash)
    from application.errors import NotFound

    with pytest.raises(NotFound):
        audit.inclusion(ALSACE, 7)  # lorraine's event


def test_heads_are_signed_when_due(signed: Runtime) -> None:
    audit = signed.app.audit
    assert audit.sign_head_if_due() is None  # nothing recorded yet
    sati_and_the_integration_workshop(signed.app, ALSACE)
    first = audit.sign_head_if_due()  # the first head is always due
    assert first is not None
    assert first.head.tree_size == 6
    sati_and_the_integration_workshop(signed.app, ALSACE)
    assert audit.sign_head_if_due() is None  # 6 < 1000 events, and within the hour
    audit._head_every_events = 5
    assert audit.sign_head_if_due() is not None


def test_a_log_written_before_the_tree_gets_it_on_start_up(tmp_path: Path) -> None:
    copy = tmp_path / "before.sqlite3"
    shutil.copy(FIXTURES / "log_before_reshape.sqlite3", copy)
    with sqlite3.connect(copy) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        events = raw.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    assert not any("tree" in t for t in tables)
    runtime = build_runtime(Settings(sqlite_path=copy), run_projections=False)
    try:
        assert runtime.stores.audit.tree.state().size == events > 0
        assert runtime.app.audit.verify_audit_chain().ok
        assert runtime.app.audit.build_tree() == 0  # idempotent
    finally:
        runtime.close()


def test_originator_id_type_text_in_the_environment_still_verifies(
    settings: Settings, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORIGINATOR_ID_TYPE", "text")
    runtime = build_runtime(settings, clock=lambda: today)
    try:
        sati_and_the_integration_workshop(runtime.app, ALSACE)
        result = runtime.app.audit.verify_audit_chain()
        assert result.ok, result.first_mismatch
        assert result.checked == 6
    finally:
        runtime.close()


def test_leaves_hash_what_is_stored() -> None:
    record = StoredRecord(3, "0b7e8f4e-3c1a-4d8e-9f00-1a2b3c4d5e6f", 2, "t:X", b"\x00{}")
    changed = StoredRecord(4, record.originator_id, 2, "t:X", b"\x00{}")
    assert record_leaf(record) != record_leaf(changed)  # the position is part of the leaf
