"""The demo data set is data shipped in the package, and loading it records exactly what the
code before it became data recorded (``tests/fixtures/log_before_reshape.sqlite3`` is that
code's ``partnerlab demo``, into the lab ``default``, on 2026-11-30)."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from importlib.resources import files
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application.event_log import LabEventLog
from application.lab import PartnerLab
from partnerlab.demo import ORGANIZATIONS, PARTNERSHIPS, DemoDataError, load_demo, specs

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def test_the_data_files_are_package_resources() -> None:
    data = files("partnerlab.demo") / "data"
    organizations = json.loads((data / "organizations.json").read_text(encoding="utf-8"))
    partnerships = json.loads((data / "partnerships.json").read_text(encoding="utf-8"))
    assert [o["key"] for o in organizations] == [o.key for o in ORGANIZATIONS]
    assert [p["key"] for p in partnerships] == [p.key for p in PARTNERSHIPS]
    assert sum(len(p.get("steps", [])) for p in partnerships) > 100


def test_the_package_data_setting_ships_every_data_file() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["partnerlab.demo"]
    package = ROOT / "partnerlab" / "demo"
    shipped = {path for pattern in patterns for path in package.glob(pattern)}

    assert shipped == set((package / "data").iterdir())
    assert {path.name for path in shipped} == {"organizations.json", "partnerships.json"}


def test_a_misspelt_field_is_refused_with_the_file_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "partnerships.json").write_text(
        json.dumps(
            [
                {
                    "key": "k",
                    "association": "a",
                    "company": "c",
                    "origin": "spontaneous",
                    "reference_id": None,
                    "opened_on": "2020-01-01",
                    "note": None,
                    "steps": [{"type": "meeting", "on": "2020-02-01", "notes": "typo"}],
                }
            ]
        )
    )
    monkeypatch.setattr(specs, "DATA", tmp_path)
    with pytest.raises(DemoDataError, match=r"data/partnerships\.json(.|\n)*notes"):
        specs.read("partnerships", specs.TypeAdapter(tuple[specs.PartnershipSpec, ...]))


class _Stream:
    """A log's events as plain values: ids by order of first appearance, no timestamps."""

    def __init__(self) -> None:
        self.ids: dict[UUID, int] = {}

    def of(self, log: LabEventLog) -> list[dict[str, Any]]:
        return [
            {
                "topic": stored.topic,
                "originator": self.plain(stored.originator_id),
                "version": stored.originator_version,
                "state": {
                    name: self.plain(value)
                    for name, value in sorted(vars(log.mapper.to_domain_event(stored)).items())
                    if name not in {"originator_id", "timestamp"}
                },
            }
            for stored in log.recorder.select_notifications(start=1, limit=100_000)
            # Identifiers are claimed beside their organisation since issue 14: the data set's
            # own events are what must not have changed.
            if not stored.topic.startswith("partnerlab:Claim")
        ]

    def plain(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return f"id#{self.ids.setdefault(value, len(self.ids))}"
        if isinstance(value, datetime):
            return "<datetime>"
        if isinstance(value, date | Decimal | Enum):
            return repr(value)
        if isinstance(value, dict):
            return {str(self.plain(k)): self.plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.plain(v) for v in value]
        if value is None or isinstance(value, str | int | float | bool):
            return value
        return {type(value).__qualname__: self.plain(vars(value))}


def test_loading_records_the_same_events_as_the_code_before(tmp_path: Path) -> None:
    copy = tmp_path / "before.sqlite3"
    shutil.copy(FIXTURES / "log_before_reshape.sqlite3", copy)
    before = LabEventLog(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(copy)}
    )
    app = PartnerLab({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: date(2026, 11, 30))
    summary = load_demo(app, lab="default")

    expected, loaded = _Stream().of(before), _Stream().of(app.log)

    assert len(loaded) == 180
    assert summary.events >= 180
    assert [e["topic"] for e in loaded] == [e["topic"] for e in expected]
    for position, (event, old) in enumerate(zip(loaded, expected, strict=True), 1):
        assert event == old, f"event {position} differs"
