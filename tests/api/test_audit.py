"""Auditors over HTTP: histories, three kinds of time travel, lineage, the audit log, the chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from application.audit.merkle_log import verify_proof_export
from tests.api.conftest import (
    API,
    ClientAs,
    Partners,
    assert_problem,
    open_partnership,
    register,
    write,
)


def test_history_shows_who_recorded_what_when_and_where(
    client: TestClient, contracted: dict[str, Any]
) -> None:
    pid = contracted["id"]
    correction = write(
        client,
        f"/partnerships/{pid}/corrections",
        {"target_version": 4, "changes": {"skills_days": "14"}, "reason": "two more days"},
    )
    assert correction.status_code == 201, correction.text
    history = client.get(f"{API}/partnerships/{pid}/history").json()
    assert [h["event_type"] for h in history] == [
        "Opened",
        "IdeaProposed",
        "CoConstructionStarted",
        "ContractSigned",
        "MilestoneCorrected",
    ]
    assert [h["occurred_on"] for h in history[:4]] == [
        "2014-03-12",
        "2014-04-02",
        "2014-05-20",
        "2014-09-15",
    ]
    assert {h["actor"] for h in history} == {"claire@labo-partenariats.example"}
    # Log positions: 1 is Claire's key, 2 and 3 the partners, 4 to 8 this partnership.
    assert [h["position"] for h in history] == [4, 5, 6, 7, 8]
    assert history[3]["data"]["committed"]["skills_days"] == "12.5"
    fix = history[4]
    assert fix["data"]["previous"] == {"skills_days": "12.5"}
    assert fix["data"]["changes"] == {"skills_days": "14"}
    assert fix["data"]["reason"] == "two more days"
    assert "12.5 -> 14" in fix["description"]


def test_time_travel_by_version_recording_time_and_business_date(
    client: TestClient, contracted: dict[str, Any]
) -> None:
    pid = contracted["id"]
    before = datetime.now(UTC).isoformat()
    write(
        client,
        f"/partnerships/{pid}/corrections",
        {"target_version": 2, "changes": {"occurred_on": "2014-03-20"}, "reason": "misdated"},
    )
    at_2 = client.get(f"{API}/partnerships/{pid}", params={"version": 2}).json()
    assert (at_2["stage"], at_2["version"]) == ("idea", 2)
    known = client.get(f"{API}/partnerships/{pid}", params={"known_at": before}).json()
    assert known["version"] == 4
    assert known["ideas"][0]["proposed_on"] == "2014-04-02"
    as_of = client.get(f"{API}/partnerships/{pid}", params={"as_of": "2014-03-25"}).json()
    assert as_of["stage"] == "idea"
    both = client.get(
        f"{API}/partnerships/{pid}", params={"as_of": "2014-03-25", "known_at": before}
    ).json()
    assert both["stage"] == "meeting"
    assert_problem(client.get(f"{API}/partnerships/{pid}", params={"as_of": "2010-01-01"}), 404)
    assert_problem(
        client.get(f"{API}/partnerships/{pid}", params={"version": 2, "as_of": "2014-03-25"}),
        422,
        "one-time-travel",
    )
    assert_problem(client.get(f"{API}/partnerships/{pid}", params={"known_at": "yesterday"}), 422)


def test_lineage_as_json_and_as_a_page(
    client: TestClient, partners: Partners, with_idea: dict[str, Any]
) -> None:
    sati = register(client, "company", "Cafés Sati")
    other = open_partnership(client, partners.food_bank, sati)
    lineage = client.get(f"{API}/partnerships/{with_idea['id']}/lineage").json()
    assert lineage["origin"]["kind"] == "speed_dating"
    assert lineage["origin"]["reference_id"] == "speed-dating-2014-03"
    assert [p["id"] for p in lineage["origin"]["other_pairs"]] == [other["id"]]
    assert [t["event_type"] for t in lineage["timeline"]] == ["Opened", "IdeaProposed"]
    page = client.get(
        f"{API}/partnerships/{with_idea['id']}/lineage", headers={"Accept": "text/html"}
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "Cafés Sati" in page.text
    assert "Traceability software for the food bank" in page.text


def test_the_audit_log_pages_and_filters(client_as: ClientAs, contracted: dict[str, Any]) -> None:
    client = client_as("auditor")  # issued at position 8, after Claire's key and her 6 events
    log = client.get(f"{API}/audit/events").json()
    assert [e["position"] for e in log["items"]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [e["aggregate_type"] for e in log["items"]][:2] == ["ApiKey", "Organization"]
    assert log["next_after"] is None
    page = client.get(f"{API}/audit/events", params={"after": 2, "limit": 2}).json()
    assert [e["position"] for e in page["items"]] == [3, 4]
    assert page["next_after"] == 4
    signed = client.get(f"{API}/audit/events", params={"event_type": "ContractSigned"}).json()
    assert [e["occurred_on"] for e in signed["items"]] == ["2014-09-15"]
    assert client.get(f"{API}/audit/events", params={"actor": "nobody"}).json()["items"] == []
    later = client.get(
        f"{API}/audit/events", params={"recorded_from": "2999-01-01T00:00:00Z"}
    ).json()
    assert later["items"] == []


def test_the_chain_verifies_and_a_kept_digest_is_checked(
    client_as: ClientAs, contracted: dict[str, Any]
) -> None:
    client = client_as("auditor")  # the auditor's key is the 8th event
    digest = client.get(f"{API}/audit/digest").json()
    assert digest["position"] == 8
    verified = client.get(f"{API}/audit/verify").json()
    assert verified == {"ok": True, "checked": 8, "head": digest, "first_mismatch": None}
    against = client.get(f"{API}/audit/verify", params=digest).json()
    assert against["ok"] is True
    forged = client.get(f"{API}/audit/verify", params={"position": 6, "link": "0" * 64}).json()
    assert forged["ok"] is False
    assert forged["first_mismatch"]["kind"] == "digest-mismatch"
    assert_problem(client.get(f"{API}/audit/verify", params={"position": 6}), 422)


def test_an_export_downloads_and_verifies_offline(
    client_as: ClientAs, contracted: dict[str, Any]
) -> None:
    client = client_as("auditor")
    response = client.get(f"{API}/audit/export", params={"partnership_id": contracted["id"]})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = response.text.splitlines()
    assert len(lines) == 1 + 4
    # No signing key configured here: the proofs travel, but nothing vouches for the head.
    unsigned = verify_proof_export(lines, lambda _h: None, lambda _d, _s, _k: None)
    assert unsigned.failure is not None
    assert unsigned.failure.reason == "unsigned-head"
    whole = client.get(f"{API}/audit/export").text.splitlines()
    assert len(whole) > len(lines)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(client.get(f"{API}/audit/export", params={"partnership_id": unknown}), 404)


def test_unknown_partnerships_have_no_history(client: TestClient) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(client.get(f"{API}/partnerships/{unknown}/history"), 404)
    assert_problem(client.get(f"{API}/partnerships/{unknown}/lineage"), 404)
