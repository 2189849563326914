"""Readable histories: each stored event as an auditor wants to read it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.audit.views import HistoryEntry

BOOKKEEPING = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def _value(value: Any) -> str:
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def describe(event_type: str, data: dict[str, Any]) -> str:
    """One line of plain language per event type (unknown types fall back to their name)."""
    match event_type:
        case "Opened":
            origin = data["origin"]
            reference = f" ({origin.reference_id})" if origin.reference_id else ""
            return f"Opened by a first meeting, origin {_value(origin.kind)}{reference}"
        case "MeetingHeld":
            return "Meeting held"
        case "IdeaProposed":
            return f"Idea proposed: {data['title']!r} ({_value(data['proposed_category'])})"
        case "CoConstructionStarted":
            return f"Co-construction started on idea {data['idea_id']}"
        case "CoConstructionProgressed":
            return f"Co-construction progress: {data['progress']}"
        case "ContractSigned":
            committed = data["committed"]
            return (
                f"Contract signed: {_value(data['category'])} / {_value(data['sub_kind'])}, "
                f"{_value(data['starts_on'])} to {_value(data['ends_on'])}, committed "
                f"{committed.financial_eur} EUR, {committed.in_kind_eur} EUR in kind, "
                f"{committed.skills_days} skills days"
            )
        case "EvaluationRecorded":
            return (
                f"Evaluation recorded: {data['beneficiaries']} beneficiaries, "
                f"{data['jobs_created']} jobs, satisfaction {data['satisfaction'] or '-'}"
            )
        case "ContractRenewed":
            return f"Contract renewed until {_value(data['ends_on'])}"
        case "Abandoned":
            return f"Abandoned: {data['reason']}"
        case "MilestoneCorrected":
            changes = ", ".join(
                f"{key}: {_value(data['previous'].get(key))} -> {_value(value)}"
                for key, value in data["changes"].items()
            )
            return f"Correction of version {data['target_version']}: {changes} ({data['reason']})"
        case "Registered":
            return f"Organisation registered: {data['name']} ({_value(data['kind'])})"
        case "Updated":
            previous = data.get("previous")
            if isinstance(previous, dict):
                return "Organisation updated: " + ", ".join(
                    f"{key}: {_value(previous.get(key))} -> {_value(data['changes'][key])}"
                    for key in sorted(data["changes"])
                )
            return "Organisation updated: " + ", ".join(sorted(data["changes"]))
        case "AmountCorrected":
            return (
                f"Amount corrected: {_value(data['previous_eur'])} EUR -> "
                f"{_value(data['amount_eur'])} EUR ({data['reason']})"
            )
        case "Granted":
            return (
                f"Subsidy granted by {data['funder']} for {data['year']}: "
                f"{_value(data['amount_eur'])} EUR"
            )
        case "Archived":
            return "Organisation archived"
    return event_type


def with_previous_values(events: list[Any]) -> list[dict[str, Any]]:
    """Each event's data; an organisation's update also gets the values it replaced
    (``previous``), followed from the registration on, so its history reads as a correction."""
    state: dict[str, Any] = {}
    datas: list[dict[str, Any]] = []
    for event in events:
        data = {k: v for k, v in vars(event).items() if k not in BOOKKEEPING}
        name = type(event).__name__
        if name == "Registered":
            state = dict(data)
        elif name == "Updated" and isinstance(data.get("changes"), dict):
            data["previous"] = {key: state.get(key) for key in data["changes"]}
            state.update(data["changes"])
        datas.append(data)
    return datas


def history_entry(
    event: Any, position: int | None, data: dict[str, Any] | None = None
) -> HistoryEntry:
    if data is None:
        data = {k: v for k, v in vars(event).items() if k not in BOOKKEEPING}
    event_type = type(event).__name__
    timestamp: datetime = event.timestamp
    return HistoryEntry(
        version=event.originator_version,
        event_type=event_type,
        description=describe(event_type, data),
        occurred_on=data.get("occurred_on"),
        recorded_at=timestamp,
        actor=data.get("actor"),
        actor_key_id=data.get("actor_key_id"),
        data=data,
        position=position,
    )
