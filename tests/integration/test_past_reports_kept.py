"""Past reports are kept once answered: asked again, a report as known at a settled moment is
given back without reading the reports' store; a report of now, or as of a date only (which
a backdated entry can still change), is read every time."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from application.reporting.ports import ReportScope
from partnerlab.bootstrap import Runtime
from tests.integration.test_settled_past import STAFF, _open_one


def test_a_past_report_is_read_once_then_kept(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open_one(runtime.app, 1)
    runtime.app.read_models.wait_for_projections()
    time.sleep(0.01)
    moment = datetime.now(UTC) - timedelta(milliseconds=1)
    _open_one(runtime.app, 2)
    runtime.app.read_models.wait_for_projections()
    reports = runtime.app.reports
    store = reports.reports
    assert store is not None
    reads: list[str] = []
    for name in ("metrics", "stalled"):
        real = getattr(store, name)

        def counted(*args: Any, _real: Any = real, _name: str = name) -> Any:
            reads.append(_name)
            return _real(*args)

        monkeypatch.setattr(store, name, counted)

    past = ReportScope(known_at=moment)
    funnel = reports.funnel_report(STAFF, past)
    first = [funnel, reports.time_in_stage_report(STAFF, past)]
    assert reads == ["metrics", "metrics", "stalled"]
    assert funnel.partnerships == 1
    again = [reports.funnel_report(STAFF, past), reports.time_in_stage_report(STAFF, past)]
    assert reads == ["metrics", "metrics", "stalled"]  # nothing read again
    assert repr(again) == repr(first)
    # Other parameters: the stalled list is another one (the figures are the same).
    reports.time_in_stage_report(STAFF, past, stalled_after_days=30)
    assert reads[3:] == ["stalled"]

    del reads[:]
    for scope in (ReportScope(), ReportScope(as_of=date(2030, 1, 1))):
        now = reports.funnel_report(STAFF, scope)
        reports.funnel_report(STAFF, scope)
        assert now.partnerships == 2
    assert reads == ["metrics"] * 4  # read every time
