"""The audit trail on SQLite and PostgreSQL: histories, time travel, lineage, tamper evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from application.audit.chain import Digest, verify_export
from application.audit.merkle_log import verify_proof_export
from application.audit.ports import AuditFilter
from application.context import Caller
from application.errors import NotFound
from application.partnerships.views import PartnershipFilter
from application.results import PageRequest
from domain.values import OrganizationKind, OriginKind, Stage
from partnerlab.bootstrap import Runtime
from tests.lab_stories import correct, sati_and_the_integration_workshop


def test_history_lists_every_event_with_who_when_and_where(runtime: Runtime, staff: Caller) -> None:
    pid = sati_and_the_integration_workshop(runtime.app, staff)
    correct(runtime.app, staff, pid, 4, {"in_kind_eur": "2600"}, "the invoice said 2600")
    runtime.app.read_models.wait_for_projections()
    history = runtime.app.audit.partnership_history(staff, pid)
    assert [(h.version, h.event_type, h.occurred_on, h.actor) for h in history] == [
        (1, "Opened", date(2013, 3, 14), "claire.staff"),
        (2, "IdeaProposed", date(2013, 4, 2), "claire.staff"),
        (3, "CoConstructionStarted", date(2013, 5, 6), "claire.staff"),
        (4, "ContractSigned", date(2013, 9, 1), "claire.staff"),
        (5, "MilestoneCorrected", date(2026, 11, 26), "claire.staff"),
    ]
    positions = [h.position for h in history]
    assert positions == sorted(positions)
    assert positions[0] == 3  # after the two organisations
    correction = history[-1]
    assert correction.data["previous"] == {"in_kind_eur": Decimal("2400")}
    assert correction.data["changes"] == {"in_kind_eur": Decimal("2600")}
    assert correction.data["reason"] == "the invoice said 2600"
    assert "2400 -> 2600" in correction.description
    assert all(h.recorded_at.tzinfo is not None for h in history)


def test_three_kinds_of_time_travel(runtime: Runtime, staff: Caller) -> None:
    app = runtime.app
    pid = sati_and_the_integration_workshop(app, staff)
    before_correction = datetime.now(UTC)
    moved = {"occurred_on": "2013-03-20"}
    correct(app, staff, pid, 2, moved, "the idea came up at the second meeting")
    assert app.partnerships.get_partnership(staff, pid, version=2).stage is Stage.IDEA
    known = app.audit.partnership_known_at(staff, pid, before_correction)
    assert known.version == 4
    assert known.milestones[1].occurred_on == date(2013, 4, 2)
    as_of = app.audit.partnership_as_of(staff, pid, date(2013, 3, 25))
    assert as_of.stage is Stage.IDEA  # the corrected date counts
    as_known = app.audit.partnership_as_of(
        staff, pid, date(2013, 3, 25), known_at=before_correction
    )
    assert as_known.stage is Stage.MEETING  # as known before the correction
    assert app.audit.partnership_as_of(staff, pid, date(2014, 1, 1)).stage is Stage.CONTRACT
    with pytest.raises(NotFound):
        app.audit.partnership_as_of(staff, pid, date(2012, 1, 1))
    with pytest.raises(NotFound):
        app.audit.partnership_known_at(staff, pid, datetime(2000, 1, 1, tzinfo=UTC))


def test_lineage_names_the_origin_and_the_other_pairs_met_there(
    runtime: Runtime, staff: Caller
) -> None:
    app = runtime.app
    pid = sati_and_the_integration_workshop(app, staff)
    other = sati_and_the_integration_workshop(app, staff)
    lineage = app.audit.partnership_lineage(staff, pid)
    assert lineage.origin.kind is OriginKind.SPEED_DATING
    assert lineage.origin.reference_id == "speed-dating-2013-03"
    assert [p.id for p in lineage.origin.other_pairs] == [other]
    assert [e.event_type for e in lineage.timeline][:2] == ["Opened", "IdeaProposed"]


def test_the_global_audit_log_is_filtered_and_paged(runtime: Runtime, staff: Caller) -> None:
    app = runtime.app
    sati_and_the_integration_workshop(app, staff)
    app.organizations.register_organization(
        Caller("alsace", "marc.staff"),
        kind=OrganizationKind.COMPANY,
        name="Lyonnaise des eaux",
        territory="67",
    )
    app.organizations.register_organization(
        Caller("lorraine", "eve"), kind=OrganizationKind.COMPANY, name="Elsewhere", territory="57"
    )
    everything = app.audit.audit_events(staff, AuditFilter())
    assert [e.position for e in everything] == [1, 2, 3, 4, 5, 6, 7]
    assert (
        app.audit.audit_events(staff, AuditFilter(actor="marc.staff"))[0].event_type == "Registered"
    )
    contracts = app.audit.audit_events(staff, AuditFilter(event_type="ContractSigned"))
    assert [e.occurred_on for e in contracts] == [date(2013, 9, 1)]
    assert [e.position for e in app.audit.audit_events(staff, AuditFilter(), after=3, limit=2)] == [
        4,
        5,
    ]
    assert len(app.audit.audit_events(Caller("lorraine", "eve"), AuditFilter())) == 1


# ---------------------------------------------------------------------- tamper evidence


def _events_table(runtime: Runtime) -> tuple[str, str]:
    table = runtime.app.log.recorder.events_table_name  # type: ignore[attr-defined]
    position = "notification_id" if runtime.database.dialect == "postgres" else "rowid"
    return table, position


def _tamper(runtime: Runtime, sql: str, params: dict[str, object]) -> None:
    with runtime.database.transaction() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def recorded(runtime: Runtime, staff: Caller) -> Runtime:
    sati_and_the_integration_workshop(runtime.app, staff)
    assert runtime.app.audit.verify_audit_chain().ok
    return runtime


def test_an_untampered_log_verifies(recorded: Runtime) -> None:
    result = recorded.app.audit.verify_audit_chain()
    assert result.ok
    assert result.checked == 6
    assert result.head == recorded.app.audit.audit_digest()


def test_a_changed_payload_is_caught_at_its_position(recorded: Runtime) -> None:
    table, position = _events_table(recorded)
    rows = recorded.database.query(f"SELECT state FROM {table} WHERE {position} = 4")
    forged = bytes(rows[0]["state"]).replace(b"2013-04-02", b"2013-04-03")
    assert forged != bytes(rows[0]["state"])
    _tamper(recorded, f"UPDATE {table} SET state = %(s)s WHERE {position} = 4", {"s": forged})
    result = recorded.app.audit.verify_audit_chain()
    assert not result.ok
    assert result.first_mismatch is not None
    assert (result.first_mismatch.position, result.first_mismatch.kind) == (4, "changed")


def test_a_deleted_row_is_caught_at_its_position(recorded: Runtime) -> None:
    table, position = _events_table(recorded)
    _tamper(recorded, f"DELETE FROM {table} WHERE {position} = 5", {})
    result = recorded.app.audit.verify_audit_chain()
    assert result.first_mismatch is not None
    assert (result.first_mismatch.position, result.first_mismatch.kind) == (5, "deleted")


def test_an_inserted_row_is_caught(recorded: Runtime) -> None:
    table, position = _events_table(recorded)
    row = recorded.database.query(
        f"SELECT originator_id, topic, state FROM {table} WHERE {position} = 6"
    )[0]
    _tamper(
        recorded,
        f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
        " VALUES (%(id)s, 99, %(topic)s, %(state)s)",
        {"id": row["originator_id"], "topic": row["topic"], "state": row["state"]},
    )
    result = recorded.app.audit.verify_audit_chain()
    assert result.first_mismatch is not None
    assert (result.first_mismatch.position, result.first_mismatch.kind) == (7, "inserted")


def test_swapped_payloads_are_changes_at_the_first_position(recorded: Runtime) -> None:
    table, position = _events_table(recorded)
    states = {
        r["p"]: bytes(r["state"])
        for r in recorded.database.query(
            f"SELECT {position} AS p, state FROM {table} WHERE {position} IN (1, 2)"
        )
    }
    _tamper(recorded, f"UPDATE {table} SET state = %(s)s WHERE {position} = 1", {"s": states[2]})
    _tamper(recorded, f"UPDATE {table} SET state = %(s)s WHERE {position} = 2", {"s": states[1]})
    result = recorded.app.audit.verify_audit_chain()
    assert result.first_mismatch is not None
    assert (result.first_mismatch.position, result.first_mismatch.kind) == (1, "changed")


def test_reordered_rows_are_named_reordered(recorded: Runtime) -> None:
    """Whole rows swapped between positions 2 and 3: each is another position's record."""
    table, position = _events_table(recorded)
    _tamper(recorded, f"UPDATE {table} SET {position} = 1000 WHERE {position} = 2", {})
    _tamper(recorded, f"UPDATE {table} SET {position} = 2 WHERE {position} = 3", {})
    _tamper(recorded, f"UPDATE {table} SET {position} = 3 WHERE {position} = 1000", {})
    result = recorded.app.audit.verify_audit_chain()
    assert result.first_mismatch is not None
    assert (result.first_mismatch.position, result.first_mismatch.kind) == (2, "reordered")
    assert "position 3" in result.first_mismatch.detail


def test_a_rewritten_chain_is_caught_by_an_earlier_digest(recorded: Runtime) -> None:
    """Whoever rewrites a row and recomputes every link still fails against a kept digest."""
    kept = recorded.app.audit.audit_digest()
    assert kept is not None
    table, position = _events_table(recorded)
    rows = recorded.database.query(f"SELECT state FROM {table} WHERE {position} = 3")
    forged = bytes(rows[0]["state"]).replace(b"2013-03-14", b"2013-03-15")
    assert forged != bytes(rows[0]["state"])
    _tamper(recorded, f"UPDATE {table} SET state = %(s)s WHERE {position} = 3", {"s": forged})
    from application.audit.chain import chain

    records = list(recorded.stores.audit._records())
    chain_table = recorded.stores.audit.chain_table
    for link in chain(records):
        _tamper(
            recorded,
            f"UPDATE {chain_table} SET link = %(l)s WHERE position = %(p)s",
            {"l": link.link, "p": link.position},
        )
    trail = recorded.stores.audit
    assert trail._verify_chain(None).ok  # the chain alone is consistent, but...
    result = trail._verify_chain(kept)
    assert not result.ok
    assert result.first_mismatch is not None
    assert result.first_mismatch.kind == "digest-mismatch"
    assert trail._verify_chain(Digest(kept.position, kept.link)).ok is False
    # ...and the Merkle tree, which the forger did not rebuild, names the changed record.
    whole = recorded.app.audit.verify_audit_chain(expected=kept)
    assert whole.first_mismatch is not None
    assert (whole.first_mismatch.position, whole.first_mismatch.kind) == (3, "changed")


def test_an_export_verifies_offline_and_fails_when_one_byte_changes(
    recorded: Runtime, staff: Caller
) -> None:
    lines = list(recorded.app.audit.export_audit(None))
    assert len(lines) == 8
    assert verify_export(lines).ok
    assert verify_export(lines).head == recorded.app.audit.audit_digest()
    for index in (0, 3, 6, 7):
        line = lines[index]
        for offset in (5, len(line) // 2, len(line) - 3):
            altered = list(lines)
            flipped = chr(ord(line[offset]) ^ 1)
            altered[index] = line[:offset] + flipped + line[offset + 1 :]
            assert not verify_export(altered).ok, (index, offset)
    assert not verify_export(lines[:3] + lines[4:]).ok


def test_a_partnership_export_without_a_signing_key_is_not_vouched_for(
    recorded: Runtime, staff: Caller
) -> None:
    """Without a key the export still carries proofs, but its head is unsigned: refused."""
    recorded.app.read_models.wait_for_projections()
    pid = (
        recorded.app.partnerships.list_partnerships(staff, PartnershipFilter(), PageRequest())
        .items[0]
        .id
    )
    lines = list(recorded.app.audit.export_audit(staff, pid))
    assert len(lines) == 1 + 4
    result = verify_proof_export(lines, lambda _h: None, lambda _d, _s, _k: None)
    assert result.failure is not None
    assert result.failure.reason == "unsigned-head"
    with pytest.raises(NotFound):
        list(recorded.app.audit.export_audit(Caller("lorraine", "eve"), pid))
