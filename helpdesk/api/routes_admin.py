"""Administration over REST (administrators' sign-in sessions only; no API token may call these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from helpdesk.admin import audit_log
from helpdesk.api.deps import CurrentActor, DbSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut, file_response
from helpdesk.core.bounds import Id, Int32, Name, QueryText
from helpdesk.identity import accounts

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1/admin", tags=["administration"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class AuditEntryOut(BaseModel):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor: str
    action: str
    entity_type: str
    entity_id: str
    ip_address: str
    details: dict[str, Any]


class AuditPageOut(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


class AdminUserOut(BaseModel):
    id: int
    email: str
    full_name: str
    role: str
    department: str
    active: bool
    invited: bool
    teams: list[str]
    last_login_at: datetime | None


class UserPageOut(BaseModel):
    items: list[AdminUserOut]
    total: int
    next_cursor: str | None


@router.get("/audit-log", response_model=AuditPageOut, responses=ERRORS)
def read_audit_log(session: DbSession, actor: CurrentActor, start: Name, end: Name, who: QueryText = "",
                   action: Name = "", entity_type: Name = "", entity_id: Name = "", cursor: Name | None = None,
                   limit: Int32 = audit_log.PAGE_SIZE) -> AuditPageOut:
    filters = audit_log.parse_filter(start, end, who, action, entity_type, entity_id)
    rows, more = audit_log.page(session, actor, filters, cursor, limit)
    return AuditPageOut(items=[AuditEntryOut(**r) for r in rows], next_cursor=more)


@router.get("/audit-log.csv", response_class=StreamingResponse,
            responses=ERRORS | {200: file_response("The entries as CSV (formulas neutralised).", "text/csv")})
def export_audit_log(session: DbSession, actor: CurrentActor, start: Name, end: Name, who: QueryText = "",
                     action: Name = "", entity_type: Name = "", entity_id: Name = "") -> StreamingResponse:
    filters = audit_log.parse_filter(start, end, who, action, entity_type, entity_id)
    chunks = audit_log.export_csv(session, actor, filters)
    first = next(chunks)  # the permission check runs now, so a refusal is a 403 and not a broken download
    return StreamingResponse(iter([first, *chunks]), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="audit-{start}-{end}.csv"'})


@router.get("/users", response_model=UserPageOut, responses=ERRORS)
def list_users(session: DbSession, actor: CurrentActor, q: QueryText = "", role: Name = "", status: Name = "",
               after_name: Name | None = None, after_id: Id | None = None) -> UserPageOut:
    after = (after_name, after_id) if after_name is not None and after_id is not None else None
    result = accounts.search_users(session, actor, query=q, role=role, status=status, after=after)
    return UserPageOut(items=[AdminUserOut(**{k: r[k] for k in AdminUserOut.model_fields}) for r in result.rows],
                       total=result.total,
                       next_cursor=f"{result.next_cursor[0]}|{result.next_cursor[1]}" if result.next_cursor else None)
