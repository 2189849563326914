"""The production password hasher: argon2id at RFC 9106's low-memory costs (the tests elsewhere
use the same class at its smallest costs, through ``PARTNERLAB_FAST_PASSWORD_HASHING``)."""

from __future__ import annotations

from pathlib import Path

from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime

PASSWORD = "un mot de passe assez long"


def test_the_service_stores_argon2id_hashes_at_production_costs(tmp_path: Path) -> None:
    runtime = build_runtime(Settings(sqlite_path=tmp_path / "p.sqlite3"), run_projections=False)
    try:
        accounts = runtime.app.accounts
        accounts.sleep = lambda seconds: None
        created = accounts.create_account(
            Caller(lab="alsace", actor="cli:root"), email="claire@labo.example", role=Role.STAFF
        )
        accounts.set_password(created.link_token, PASSWORD)
        stored = b"".join(
            n.state for n in runtime.app.log.recorder.select_notifications(start=1, limit=100)
        )
        signed_in = accounts.sign_in("claire@labo.example", PASSWORD)
    finally:
        runtime.close()

    assert b"$argon2id$v=19$m=65536,t=3,p=4$" in stored
    assert PASSWORD.encode() not in stored
    assert signed_in.token
