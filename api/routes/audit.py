"""The audit trail: histories, lineage, the global audit log, the chain's digest and
verification, and exports auditors verify offline."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse

from api.deps import AuditReaderDep, LabDep, ReaderDep
from api.problems import ApiError, documented
from api.schemas.audit import (
    AuditEventPublic,
    AuditEventsPublic,
    DigestPublic,
    HistoryEntryPublic,
    LineagePublic,
    VerificationPublic,
    plain,
)
from api.schemas.common import QueryText
from application.audit import Digest
from application.ports import AuditFilter
from application.views import HistoryEntry, LineageView

router = APIRouter(tags=["audit"])

PartnershipId = Annotated[UUID, Path(description="The partnership's id.")]
MAX_PAGE = 1000


def aware(moment: datetime | None) -> datetime | None:
    """Times without a zone are read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def history_public(entry: HistoryEntry) -> HistoryEntryPublic:
    return HistoryEntryPublic(
        version=entry.version,
        event_type=entry.event_type,
        description=entry.description,
        occurred_on=entry.occurred_on,
        recorded_at=entry.recorded_at,
        actor=entry.actor,
        actor_key_id=entry.actor_key_id,
        data=plain(entry.data),
        position=entry.position,
    )


@router.get(
    "/partnerships/{partnership_id}/history",
    response_model=list[HistoryEntryPublic],
    responses=documented(404, 422),
)
def partnership_history(
    partnership_id: PartnershipId, lab: LabDep, caller: ReaderDep
) -> list[HistoryEntryPublic]:
    """Every event of the partnership in order: who recorded what, when, and where in the log."""
    return [history_public(e) for e in lab.partnership_history(caller, partnership_id)]


@router.get(
    "/partnerships/{partnership_id}/lineage",
    response_model=LineagePublic,
    responses={**documented(404, 422), 200: {"content": {"text/html": {}}}},
)
def partnership_lineage(
    partnership_id: PartnershipId,
    lab: LabDep,
    caller: ReaderDep,
    request: Request,
    format: Annotated[
        Literal["json", "html"] | None, Query(description="html for a readable page")
    ] = None,
) -> LineagePublic | HTMLResponse:
    """How the partnership emerged: its origin, the pairs met there, and every step since."""
    lineage = lab.partnership_lineage(caller, partnership_id)
    wants_html = format == "html" or (
        format is None and "text/html" in request.headers.get("accept", "")
    )
    public = LineagePublic(
        partnership=lineage.partnership,
        origin=lineage.origin,
        timeline=[history_public(e) for e in lineage.timeline],
    )
    if wants_html:
        return HTMLResponse(render_lineage(lineage))
    return public


def _activity_line(title: str | None, held_on: date | None) -> str:
    """The speed-dating session, event or engagement the partnership came from."""
    if title is None:
        return ""
    day = f" ({held_on.isoformat()})" if held_on else ""
    return f"<p>Activity: <strong>{html.escape(title)}</strong>{day}.</p>"


def render_lineage(lineage: LineageView) -> str:
    p = lineage.partnership
    origin = lineage.origin
    e = html.escape
    pairs = "".join(
        f"<li>{e(o.association_name)} &amp; {e(o.company_name)} "
        f"(opened {o.opened_on.isoformat()}, {e(o.stage.value)})</li>"
        for o in origin.other_pairs
    )
    rows = "".join(
        f"<tr><td>{h.version}</td><td>{h.occurred_on.isoformat() if h.occurred_on else ''}</td>"
        f"<td>{e(h.description)}</td><td>{e(h.actor or '')}</td>"
        f"<td>{h.recorded_at.isoformat(timespec='seconds')}</td>"
        f"<td>{h.position if h.position is not None else ''}</td></tr>"
        for h in lineage.timeline
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lineage of partnership {p.id}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ccc;padding:.3rem;
text-align:left;vertical-align:top}}th{{background:#f3f3f3}}</style></head>
<body><h1>How this partnership emerged</h1>
<p>Partnership <code>{p.id}</code>, now at stage <strong>{e(p.stage.value)}</strong>
({e(p.status)}).</p>
<h2>Origin</h2>
<p>{e(origin.kind.value)}{" " + e(origin.reference_id) if origin.reference_id else ""},
first meetings on {origin.first_met_on.isoformat()}.</p>
{_activity_line(origin.activity_title, origin.activity_held_on)}
<h3>Other pairs who met there</h3><ul>{pairs or "<li>none recorded</li>"}</ul>
<h2>Timeline</h2>
<table><thead><tr><th>version</th><th>happened on</th><th>what</th><th>recorded by</th>
<th>recorded at</th><th>log position</th></tr></thead><tbody>{rows}</tbody></table>
</body></html>"""


@router.get("/audit/events", response_model=AuditEventsPublic, responses=documented(422))
def audit_events(
    lab: LabDep,
    caller: AuditReaderDep,
    after: Annotated[int, Query(ge=0, le=2**62, description="Read after this position.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    actor: Annotated[QueryText, Query(max_length=200)] = None,
    event_type: Annotated[QueryText, Query(max_length=100)] = None,
    aggregate_id: UUID | None = None,
    recorded_from: datetime | None = None,
    recorded_to: datetime | None = None,
) -> AuditEventsPublic:
    """The lab's global audit log in log order, filtered by actor, type, aggregate, period."""
    entries = lab.audit_events(
        caller,
        AuditFilter(
            actor=actor,
            event_type=event_type,
            aggregate_id=aggregate_id,
            recorded_from=aware(recorded_from),
            recorded_to=aware(recorded_to),
        ),
        after=after,
        limit=limit,
    )
    items = [AuditEventPublic.model_validate(entry) for entry in entries]
    return AuditEventsPublic(
        items=items, next_after=items[-1].position if len(items) == limit else None
    )


@router.get("/audit/digest", response_model=DigestPublic | None)
def audit_digest(lab: LabDep, _caller: AuditReaderDep) -> DigestPublic | None:
    """The head of the hash chain: keep it to prove later that the history did not change."""
    head = lab.audit_digest()
    return DigestPublic(position=head.position, link=head.link) if head else None


@router.get("/audit/verify", response_model=VerificationPublic, responses=documented(422))
def audit_verify(
    lab: LabDep,
    _caller: AuditReaderDep,
    position: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    link: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")] = None,
) -> JSONResponse:
    """Recompute the chain over the whole log and name the first position that no longer
    matches; with a digest kept earlier, prove the history up to it is unchanged."""
    if (position is None) != (link is None):
        raise ApiError(
            422, "digest-incomplete", "give both position and link, or neither", field="link"
        )
    expected = Digest(position, link) if position is not None and link is not None else None
    result = lab.verify_audit_chain(expected)
    body = VerificationPublic(
        ok=result.ok,
        checked=result.checked,
        head=DigestPublic(position=result.head.position, link=result.head.link)
        if result.head
        else None,
        first_mismatch=result.first_mismatch,
    )
    return JSONResponse(body.model_dump(mode="json"))


@router.get(
    "/audit/export",
    responses={**documented(404, 422), 200: {"content": {"application/x-ndjson": {}}}},
)
def audit_export(
    lab: LabDep,
    caller: AuditReaderDep,
    partnership_id: UUID | None = None,
) -> StreamingResponse:
    """The lab's events (or one partnership's) with their chain links, as JSON Lines that
    ``partnerlab audit verify --file`` checks offline."""
    lines = lab.export_audit(caller, partnership_id)
    first = next(lines)  # raises NotFound before the response starts
    name = f"partnerlab-{caller.lab}-{partnership_id or 'all'}.jsonl"

    def body() -> object:
        yield first + "\n"
        for line in lines:
            yield line + "\n"

    return StreamingResponse(
        body(),  # type: ignore[arg-type]
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
