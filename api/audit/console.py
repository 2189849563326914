"""``/console/audit`` (auditors and admins): the chain's current digest, its verification on
demand, export downloads, and a partnership as it stood on a date and as it was known at a
time (``lab.audit``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.console.locales import request_locale
from api.console.messages import explain
from api.console.parsing import FormValueError, day
from api.console.session import AUDITORS, UserDep, allowed, context, lab_of
from api.console.templating import page
from application.errors import ApplicationError
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)
AUDIT = "/console/audit"


def _moment(value: str, field: str) -> datetime:
    """A recording time, as a ``datetime-local`` field sends it (UTC)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FormValueError(field, "date-format") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get(AUDIT, response_class=HTMLResponse)
def audit(
    request: Request,
    user: UserDep,
    partnership: Annotated[str, Query(max_length=40)] = "",
    as_of: Annotated[str, Query(max_length=20)] = "",
    known_at: Annotated[str, Query(max_length=40)] = "",
    verify: Annotated[str, Query(max_length=1)] = "",
) -> HTMLResponse:
    locale = request_locale(request)
    allowed(user, AUDITORS, locale)
    lab = lab_of(request)
    values = {"partnership": partnership.strip(), "as_of": as_of, "known_at": known_at}
    errors: dict[str, str] = {}
    view: Any = None
    history: list[Any] = []
    if values["partnership"]:
        try:
            try:
                partnership_id = UUID(values["partnership"])
            except ValueError:
                raise FormValueError("partnership", "invalid-value") from None
            moment = _moment(known_at, "known_at") if known_at else None
            if as_of:
                view = lab.audit.partnership_as_of(
                    user.caller, partnership_id, day(as_of, "as_of"), known_at=moment
                )
            elif moment is not None:
                view = lab.audit.partnership_known_at(user.caller, partnership_id, moment)
            else:
                view = lab.partnerships.get_partnership(user.caller, partnership_id)
            history = lab.audit.partnership_history(user.caller, partnership_id)
        except FormValueError as error:
            errors[error.field] = explain(error.rule, error.rule, locale)
        except (ApplicationError, DomainError) as error:
            field = error.field if error.field in values else "partnership"
            errors[field] = explain(error.rule, error.message, locale)
    verification = lab.audit.verify_audit_chain() if verify else None
    return page(
        "audit/audit.html",
        locale,
        status_code=422 if errors else 200,
        headers={"Cache-Control": "no-store"},
        **context(
            request,
            user,
            digest=lab.audit.audit_digest(),
            verification=verification,
            values=values,
            errors=errors,
            view=view,
            history=history,
            export_url="/api/v1/audit/export",
        ),
    )
