"""The signed Merkle log over HTTP: public key, heads, consistency and inclusion proofs, and
503 when no signing key is configured."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.audit.merkle_log import verify_proof_export
from domain.audit.merkle import check_consistency, check_inclusion
from domain.audit.tree_head import SignedTreeHead
from infrastructure.audit.signing import (
    TreeHeadVerifier,
    generate_private_key,
    load_public_key,
    write_private_key,
)
from infrastructure.settings import Settings
from tests.api.conftest import API, assert_problem, authorized, bearer, issue_key


@pytest.fixture
def keyed(settings: Settings, tmp_path: Path, today: date) -> Iterator[TestClient]:
    write_private_key(generate_private_key(), tmp_path / "signing.pem")
    keyed = settings.model_copy(update={"audit_signing_key_file": tmp_path / "signing.pem"})
    with TestClient(create_app(keyed, clock=lambda: today)) as client:
        yield authorized(client)


def _organisation(client: TestClient, name: str) -> None:
    created = client.post(
        f"{API}/organizations", json={"kind": "company", "name": name, "territory": "67"}
    )
    assert created.status_code == 201, created.text


def test_heads_proofs_and_exports_check_with_the_public_key(keyed: TestClient) -> None:
    auditor = TestClient(keyed.app)
    auditor.headers.update(bearer(issue_key(keyed, "auditor")))
    _organisation(keyed, "Cafés Sati")
    key = auditor.get(f"{API}/audit/public-key").json()
    verifier = TreeHeadVerifier(load_public_key(key["public_key_pem"]))
    assert key["key_id"] == verifier.key_id
    first = SignedTreeHead.from_dict(auditor.get(f"{API}/audit/head").json())
    verifier.verify(first)
    _organisation(keyed, "Atelier Tremplin")
    second = SignedTreeHead.from_dict(auditor.get(f"{API}/audit/head").json())
    assert second.head.tree_size > first.head.tree_size
    heads = auditor.get(f"{API}/audit/heads").json()["items"]
    assert [h["tree_size"] for h in heads] == [first.head.tree_size, second.head.tree_size]
    proof = auditor.get(
        f"{API}/audit/consistency",
        params={"from_size": first.head.tree_size, "to_size": second.head.tree_size},
    ).json()
    check_consistency(
        first.head.tree_size,
        second.head.tree_size,
        first.head.root_hash,
        second.head.root_hash,
        [bytes.fromhex(h) for h in proof["proof"]],
    )
    events = auditor.get(f"{API}/audit/events").json()["items"]
    position = events[-1]["position"]
    inclusion: dict[str, Any] = auditor.get(f"{API}/audit/events/{position}/proof").json()
    check_inclusion(
        bytes.fromhex(inclusion["leaf_hash"]),
        inclusion["leaf_index"],
        inclusion["head"]["tree_size"],
        [bytes.fromhex(h) for h in inclusion["proof"]],
        bytes.fromhex(inclusion["head"]["root_hash"]),
    )
    lines = auditor.get(
        f"{API}/audit/export", params={"from_size": first.head.tree_size}
    ).text.splitlines()
    result = verify_proof_export(lines, verifier.verify, verifier.verify_manifest, first)
    assert result.ok, result.failure
    assert json.loads(lines[0])["consistency"]["from_size"] == first.head.tree_size


def test_proofs_refuse_what_they_cannot_prove(keyed: TestClient) -> None:
    auditor = TestClient(keyed.app)
    auditor.headers.update(bearer(issue_key(keyed, "auditor")))
    other_lab = TestClient(keyed.app)
    other_lab.headers.update(bearer(issue_key(keyed, "auditor", lab="lorraine")))
    _organisation(keyed, "Cafés Sati")
    size = auditor.get(f"{API}/audit/head").json()["tree_size"]
    assert_problem(
        auditor.get(f"{API}/audit/consistency", params={"from_size": 5, "to_size": 2}), 422
    )
    assert_problem(
        auditor.get(f"{API}/audit/consistency", params={"from_size": 1, "to_size": size + 9}),
        422,
    )
    assert_problem(auditor.get(f"{API}/audit/consistency", params={"from_size": 1}), 422)
    position = auditor.get(f"{API}/audit/events").json()["items"][-1]["position"]
    assert_problem(other_lab.get(f"{API}/audit/events/{position}/proof"), 404)
    assert_problem(auditor.get(f"{API}/audit/events/999999/proof"), 404)
    assert_problem(keyed.get(f"{API}/audit/head"), 403)


def test_without_a_signing_key_the_head_routes_say_503(settings: Settings, today: date) -> None:
    unkeyed = settings.model_copy(update={"audit_signing_key_file": None})
    with TestClient(create_app(unkeyed, clock=lambda: today)) as client:
        auditor = TestClient(client.app)
        auditor.headers.update(bearer(issue_key(client, "auditor")))
        for path in ("public-key", "head", "heads"):
            response = auditor.get(f"{API}/audit/{path}")
            assert_problem(response, 503)
            assert "PARTNERLAB_AUDIT_SIGNING_KEY_FILE" in response.json()["detail"]
