"""docker-compose.yml, checked without a Docker engine (CI has none): it parses, its
references resolve, the PostgreSQL health check proves TCP connections, ``db-init`` retries,
the API and the projector start only after it, and the README says how to make the first key
inside compose."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_every_service_is_well_formed_and_every_reference_resolves() -> None:
    document = compose()
    services = document["services"]
    assert set(services) == {"postgres", "db-init", "api", "projector"}
    allowed = {
        "image", "build", "command", "environment", "volumes", "healthcheck", "restart",
        "depends_on", "ports",
    }  # fmt: skip
    for name, service in services.items():
        assert set(service) <= allowed, name
        assert service.get("restart", "no") in ("no", "always", "on-failure", "unless-stopped")
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, (name, dependency)
            assert condition["condition"] in (
                "service_started",
                "service_healthy",
                "service_completed_successfully",
            )
            if condition["condition"] == "service_healthy":
                assert not services[dependency]["healthcheck"].get("disable"), dependency
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in document["volumes"], volume
        check = service.get("healthcheck", {})
        if not check.get("disable"):
            assert check["test"][0] in ("CMD", "CMD-SHELL"), name
            for key in ("interval", "timeout", "start_period"):
                if key in check:
                    assert re.fullmatch(r"\d+(ms|s|m)", check[key]), (name, key)


def test_the_postgres_health_check_goes_over_tcp_to_the_right_database() -> None:
    postgres = compose()["services"]["postgres"]
    kind, command = postgres["healthcheck"]["test"]
    words = shlex.split(command)
    env = postgres["environment"]

    assert kind == "CMD-SHELL"
    assert words[0] == "pg_isready"
    assert words[words.index("-h") + 1] == "127.0.0.1"  # TCP, not the Unix socket
    assert words[words.index("-U") + 1] == env["POSTGRES_USER"]
    assert words[words.index("-d") + 1] == env["POSTGRES_DB"]


def test_db_init_waits_and_retries_and_the_rest_waits_for_it() -> None:
    services = compose()["services"]
    init = services["db-init"]
    script = init["command"][-1].replace("$$", "$")  # compose's escape for a literal $

    assert init["command"][:2] == ["sh", "-c"]
    assert "partnerlab db init && exit 0" in script
    assert subprocess.run(["sh", "-n", "-c", script], check=False).returncode == 0
    assert init["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "projector"):
        assert services[name]["depends_on"]["db-init"] == {
            "condition": "service_completed_successfully"
        }
    assert services["api"]["environment"]["PARTNERLAB_PROJECTIONS_IN_PROCESS"] == "false"


def test_the_readme_says_how_to_make_the_first_key_inside_compose() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker compose run --rm api partnerlab keys create --lab alsace" in readme
