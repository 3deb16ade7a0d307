"""REST API v1 reports (managers and admins): report data, CSV/PDF exports, scheduled report e-mails."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from helpdesk.api.deps import CurrentActor, DbSession, ReadSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut, file_response
from helpdesk.core.bounds import BigId, Id, Int32, Name, QueryText
from helpdesk.reports import data, exports, schedules
from helpdesk.reports.filters import parse_filters
from helpdesk.reports.rollups import local_today

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1/reports", tags=["reports"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class FiltersIn(BaseModel):
    start: Name | None = None
    end: Name | None = None
    team_ids: list[Id] = Field(default=[], max_length=200)
    category_ids: list[Id] = Field(default=[], max_length=200)
    priorities: list[Name] = Field(default=[], max_length=10)


class ExportIn(BaseModel):
    format: Literal["csv", "pdf"]
    filters: FiltersIn = FiltersIn()


class ScheduleIn(BaseModel):
    enabled: bool
    hour: Int32
    minute: Int32
    weekday: Int32 | None = None
    timezone: Name = "Asia/Karachi"


class SubscriptionIn(BaseModel):
    subscribed: bool


@router.get("", responses=ERRORS)
def list_reports(actor: CurrentActor) -> list[dict[str, str]]:
    data.ensure_can_view_reports(actor)
    return [{"name": name, "title": title} for name, (title, _builder) in data.REPORTS.items()]


@router.get("/schedules", responses=ERRORS)
def list_schedules(session: DbSession, actor: CurrentActor) -> list[dict[str, Any]]:
    return schedules.list_schedules(session, actor)


@router.put("/schedules/{schedule_id}", responses=ERRORS)
def update_schedule(schedule_id: Id, body: ScheduleIn, session: DbSession, actor: CurrentActor) -> dict[str, Any]:
    schedules.update_schedule(session, actor, schedule_id, enabled=body.enabled, hour=body.hour, minute=body.minute,
                              weekday=body.weekday, timezone=body.timezone)
    return next(s for s in schedules.list_schedules(session, actor) if s["id"] == schedule_id)


@router.put("/schedules/{schedule_id}/subscription", responses=ERRORS)
def subscribe(schedule_id: Id, body: SubscriptionIn, session: DbSession, actor: CurrentActor) -> dict[str, Any]:
    schedules.set_subscription(session, actor, schedule_id, body.subscribed)
    session.flush()
    return next(s for s in schedules.list_schedules(session, actor) if s["id"] == schedule_id)


@router.get("/exports/{export_id}", responses=ERRORS)
def export_status(export_id: BigId, session: DbSession, actor: CurrentActor) -> dict[str, Any]:
    return exports.export_to_dict(exports.get_export(session, actor, export_id))


@router.get("/exports/{export_id}/download", response_class=Response,
            responses=ERRORS | {200: file_response("The export, as a download.", "text/csv", "application/pdf")})
def download_export(export_id: BigId, session: DbSession, actor: CurrentActor) -> Response:
    filename, content_type, payload = exports.export_payload(session, actor, export_id)
    return Response(payload, media_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"})


@router.get("/{name}", responses=ERRORS)
def get_report(
    name: Name, session: ReadSession, actor: CurrentActor,
    start: Name | None = None, end: Name | None = None,
    team_ids: QueryText | None = Query(None, description="comma-separated team ids"),
    category_ids: QueryText | None = Query(None, description="comma-separated category ids (sub-categories included)"),
    priorities: QueryText | None = Query(None, description="comma-separated priorities"),
) -> dict[str, Any]:
    data.ensure_can_view_reports(actor)
    filters = parse_filters({"start": start, "end": end, "team_ids": team_ids, "category_ids": category_ids,
                             "priorities": priorities}, local_today())
    return data.build_report(session, actor, name, filters)


@router.post("/{name}/exports", status_code=202, responses=ERRORS)
def request_export(name: Name, body: ExportIn, session: DbSession, actor: CurrentActor) -> dict[str, Any]:
    filters = parse_filters(body.filters.model_dump(), local_today())
    export = exports.request_export(session, actor, name, body.format, filters)
    return exports.export_to_dict(export)
