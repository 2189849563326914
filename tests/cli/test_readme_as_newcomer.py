"""The README followed word for word by a newcomer, section after section, in an empty
directory: start the server, load the demo, make the first key with ``partnerlab keys
create``, then run the curl walk-through with a key made the same way. Any step that fails
fails the test.

Two liberties, both for speed and isolation, neither changing a command:

- A fresh virtual environment per run takes minutes, so the environment the tests run in
  stands in for it: its ``bin`` directory goes first on ``PATH`` (what ``. .venv/bin/activate``
  does). The first command is then checked for syntax only (``bash -n``), and its last part,
  ``partnerlab serve``, is run as printed.
- Port 8000 may be taken on a shared machine: the server gets a free port through
  ``PARTNERLAB_PORT`` and the README's ``127.0.0.1:8000`` is read as that port.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BIN = Path(sys.executable).parent


def block(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {name} -->\s*```bash\n(.*?)```\s*<!-- /{name} -->", text, re.S)
    assert found is not None, f"the README lost its {name} block"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def newcomer(tmp_path: Path) -> dict[str, str]:
    """A clean environment: no database configured, the installed ``partnerlab`` on PATH."""
    assert (BIN / "partnerlab").exists(), (
        "the partnerlab script is not installed (pip install -e .)"
    )
    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {
        **keep,
        "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        "VIRTUAL_ENV": str(BIN.parent),
        "PARTNERLAB_PORT": str(free_port()),
        "PARTNERLAB_PROGRESS_INTERVAL": "5",
    }


@pytest.fixture
def server(newcomer: dict[str, str], tmp_path: Path) -> Iterator[str]:
    first = block("first-run").strip()
    assert subprocess.run(["bash", "-n", "-c", first], check=False).returncode == 0
    assert first.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e .")
    serve = first.split("&&")[-1].strip()
    assert serve == "partnerlab serve"
    running = subprocess.Popen(
        ["bash", "-c", serve],
        cwd=tmp_path,
        env=newcomer,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{newcomer['PARTNERLAB_PORT']}"
    deadline = time.monotonic() + 60
    try:
        while True:
            assert running.poll() is None, running.communicate()[0]
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base
    finally:
        running.terminate()
        running.wait(timeout=20)


def run(script: str, env: dict[str, str], cwd: Path, port: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    return done


def test_the_readme_works_word_for_word(
    server: str, newcomer: dict[str, str], tmp_path: Path
) -> None:
    assert shutil.which("jq"), "the README reads answers with jq (apt-get install jq)"
    port = newcomer["PARTNERLAB_PORT"]
    test_run = block("test-run").strip()
    assert subprocess.run(["bash", "-n", "-c", test_run], check=False).returncode == 0

    # First admin key, exactly as printed; it answers 200 (curl --fail-with-body) and lists it.
    first_key = block("first-key")
    done = run(first_key + 'echo; echo "TOKEN=$TOKEN"\n', newcomer, tmp_path, port)
    assert "Database: SQLite" in done.stderr
    keys = json.loads(done.stdout.splitlines()[0])
    assert [k["lab"] for k in keys["items"]] == ["alsace"]
    token = done.stdout.strip().splitlines()[-1].removeprefix("TOKEN=")

    # The demo goes into the same lab: the first key sees its organisations.
    done = run(f"TOKEN={token}\n" + block("demo"), {**newcomer}, tmp_path, port)
    assert "loaded 44 organisations" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "44"

    # The walk-through, with the staff key made as printed.
    script = block("walkthrough-key") + block("walkthrough")
    expected = re.findall(r"^# -> (.*)$", block("walkthrough"), re.M)
    done = run(script, newcomer, tmp_path, port)
    assert done.stdout.splitlines() == expected, done.stderr


def test_the_walkthrough_stops_at_once_without_a_key(
    newcomer: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        ["bash", "-c", block("walkthrough")],
        cwd=tmp_path,
        env={**newcomer, "KEY": "", "BASE": "http://127.0.0.1:9/api/v1"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert "no key" in done.stderr
    assert done.stdout == ""


def test_the_walkthrough_stops_at_the_first_failing_request(
    server: str, newcomer: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        ["bash", "-c", block("walkthrough")],
        cwd=tmp_path,
        env={**newcomer, "KEY": "plk_not_a_key", "BASE": f"{server}/api/v1"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert "401" in done.stderr or "not-authenticated" in done.stdout + done.stderr
    assert "-> " not in done.stdout
    assert len(done.stdout.splitlines()) <= 1  # the first request's problem, nothing after
