"""The audit trail: histories, lineage, the global audit log, the chain's digest and
verification, and exports auditors verify offline."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse

from api.audit.schemas import (
    AuditEventPublic,
    AuditEventsPublic,
    DigestPublic,
    HistoryEntryPublic,
    LineagePublic,
    VerificationPublic,
    plain,
)
from api.commands import add_record_read
from api.console.locales import request_locale
from api.console.templating import render
from api.deps import AuditReaderDep, LabDep, ReaderDep
from api.fields import QueryText
from api.problems import ApiError, documented
from application.audit.chain import Digest
from application.audit.ports import AuditFilter
from application.audit.views import HistoryEntry, LineageView
from domain.audit.tree_head import SignedTreeHead

router = APIRouter(tags=["audit"])

PartnershipId = Annotated[UUID, Path(description="The partnership's id.")]
MAX_PAGE = 1000


def aware(moment: datetime | None) -> datetime | None:
    """Times without a zone are read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def history_public(entry: HistoryEntry) -> HistoryEntryPublic:
    return HistoryEntryPublic.model_validate(replace(entry, data=plain(entry.data)))


def _histories(entries: list[HistoryEntry]) -> list[HistoryEntryPublic]:
    return [history_public(e) for e in entries]


# Every recorded event of one record, in order.
for _path, _read, _id, _name, _description in (
    (
        "/funding/subsidies/{subsidy_id}/history",
        lambda lab: lab.audit.subsidy_history,
        ("subsidy_id", Annotated[UUID, Path(description="The subsidy's id.")]),
        "subsidy_history",
        "Every recorded event of the subsidy: its grant, then each correction with the previous\n"
        "and the new amount, the reason, who recorded it and when.",
    ),
    (
        "/organizations/{organization_id}/history",
        lambda lab: lab.audit.organization_history,
        ("organization_id", Annotated[UUID, Path(description="The organisation's id.")]),
        "organization_history",
        "Every recorded event of the organisation; each update names the values it replaced.",
    ),
    (
        "/partnerships/{partnership_id}/history",
        lambda lab: lab.audit.partnership_history,
        ("partnership_id", PartnershipId),
        "partnership_history",
        "Every event of the partnership in order: who recorded what, when, and where in the log.",
    ),
):
    add_record_read(
        router,
        _path,
        _read,
        record_id=_id,
        response=list[HistoryEntryPublic],
        name=_name,
        description=_description,
        problems=documented(404, 422),
        show=_histories,
    )


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
    lineage = lab.audit.partnership_lineage(caller, partnership_id)
    wants_html = format == "html" or (
        format is None and "text/html" in request.headers.get("accept", "")
    )
    public = LineagePublic(
        partnership=lineage.partnership,
        origin=lineage.origin,
        timeline=[history_public(e) for e in lineage.timeline],
    )
    if wants_html:
        p = lineage.partnership
        association = lab.organizations.get_organization(caller, p.association_id).name
        company = lab.organizations.get_organization(caller, p.company_id).name
        return HTMLResponse(
            render_lineage(lineage, association, company, request_locale(request)),
            headers={"Content-Language": request_locale(request)},
        )
    return public


def render_lineage(lineage: LineageView, association: str, company: str, locale: str) -> str:
    """The lineage as a page (``audit/templates/lineage.html``), with the partners' names."""
    return render(
        "audit/lineage.html", locale, lineage=lineage, association=association, company=company
    )


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
    entries = lab.audit.audit_events(
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
        items=items, next_after=entries[-1].position if len(items) == limit else None
    )


@router.get("/audit/digest", response_model=DigestPublic | None)
def audit_digest(lab: LabDep, _caller: AuditReaderDep) -> DigestPublic | None:
    """The head of the hash chain: keep it to prove later that the history did not change."""
    head = lab.audit.audit_digest()
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
    result = lab.audit.verify_audit_chain(expected)
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
    from_size: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**62,
            description="Tree size of a head kept earlier: adds a consistency proof from it.",
        ),
    ] = None,
) -> StreamingResponse:
    """The lab's events (or one partnership's) as JSON Lines (format 2): the signed tree head,
    the signed manifest and an inclusion proof per event, that
    ``partnerlab audit verify --file F --public-key K`` checks offline."""
    lines = lab.audit.export_with_proofs(caller, partnership_id, from_size)
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


# ---------------------------------------------------------------------- Merkle log


def _head_public(signed: SignedTreeHead) -> dict[str, Any]:
    return signed.to_dict()


@router.get("/audit/public-key", responses=documented(503))
def audit_public_key(lab: LabDep, _caller: AuditReaderDep) -> dict[str, str]:
    """The Ed25519 public key that signs tree heads (PEM), and its key id. 503 when no
    signing key is configured."""
    pem, key_id = lab.audit.public_key()
    return {"public_key_pem": pem, "key_id": key_id, "algorithm": "Ed25519"}


@router.get("/audit/head", responses=documented(503))
def audit_head(lab: LabDep, _caller: AuditReaderDep) -> dict[str, Any]:
    """The latest signed tree head, covering every event acknowledged before the call."""
    return _head_public(lab.audit.sign_head())


@router.get("/audit/heads", responses=documented(422, 503))
def audit_heads(
    lab: LabDep,
    _caller: AuditReaderDep,
    after_size: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> dict[str, Any]:
    """Every signed tree head kept, by tree size, after ``after_size``."""
    heads = lab.audit.signed_heads(after_size, limit)
    return {
        "items": [_head_public(h) for h in heads],
        "next_after_size": heads[-1].head.tree_size if len(heads) == limit else None,
    }


@router.get("/audit/consistency", responses=documented(422, 503))
def audit_consistency(
    lab: LabDep,
    _caller: AuditReaderDep,
    from_size: Annotated[int, Query(ge=0, le=2**62)],
    to_size: Annotated[int, Query(ge=0, le=2**62)],
) -> dict[str, Any]:
    """RFC 9162 consistency proof: the tree of ``from_size`` records is a prefix of the tree of
    ``to_size`` records."""
    answer = lab.audit.consistency(from_size, to_size)
    return {
        "from_size": answer.from_size,
        "to_size": answer.to_size,
        "from_root": answer.from_root.hex(),
        "to_root": answer.to_root.hex(),
        "proof": [h.hex() for h in answer.proof],
    }


@router.get("/audit/events/{position}/proof", responses=documented(404, 422, 503))
def audit_inclusion(
    lab: LabDep,
    caller: AuditReaderDep,
    position: Annotated[int, Path(ge=1, le=2**62, description="The event's log position.")],
    tree_size: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of one of the lab's events in a signed tree head (the latest,
    or the one of ``tree_size``)."""
    answer = lab.audit.inclusion(caller, position, tree_size)
    return {
        "position": answer.position,
        "leaf_index": answer.leaf_index,
        "leaf_hash": answer.leaf_hash.hex(),
        "proof": [h.hex() for h in answer.proof],
        "head": _head_public(answer.head),
    }
