"""Administering SLA policies and business calendars (administrators only).

Every change drops the cached configuration and queues a job that recomputes the deadlines of the open tickets
whose targets may have moved (services/sla_watch.recompute_open_tickets, on the maintenance queue).
"""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as public_holidays
from sqlalchemy import func, update
from sqlmodel import Session, select

from helpdesk.core import audit, jobs
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import BusinessCalendarConfig, Category, Priority, SlaPolicy, Team
from helpdesk.models.base import utcnow
from helpdesk.sla import engine as sla
from helpdesk.sla.validation import BusinessCalendarChanges, BusinessCalendarDraft, SlaPolicyChanges, SlaPolicyDraft

RECOMPUTE_TASK = "sla.recompute_open_tickets"
ALL_PRIORITIES = [p.value for p in Priority]


def _require_admin(actor: Actor) -> None:
    if not policy.is_admin(actor):
        raise PermissionDenied("Only administrators can change SLA policies and business hours.")


def _after_change(session: Session, priorities: set[str]) -> None:
    sla.invalidate_config(session)
    jobs.enqueue(session, RECOMPUTE_TASK, "maintenance", {"priorities": sorted(priorities)})


# ---------------------------------------------------------------- calendars


def list_calendars(session: Session, actor: Actor) -> list[dict[str, Any]]:
    _require_admin(actor)
    rows = session.exec(select(BusinessCalendarConfig).order_by(BusinessCalendarConfig.name)).all()
    return [row.model_dump() for row in rows]


def _check_calendar(session: Session, values: dict[str, Any], calendar_id: int | None) -> None:
    errors: dict[str, str] = {}
    name_taken = session.exec(
        select(BusinessCalendarConfig.id).where(func.lower(BusinessCalendarConfig.name) == values["name"].lower(),
                                                BusinessCalendarConfig.id != (calendar_id or 0))
    ).first()
    if name_taken is not None:
        errors["name"] = N_("A calendar with this name already exists.")
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = N_("Choose a time zone such as Asia/Karachi.")
    working_days = values["working_days"]
    if not working_days or not set(working_days) <= set(range(7)):
        errors["working_days"] = N_("Choose at least one working day (0 = Monday ... 6 = Sunday).")
    opens, closes = values["opens"], values["closes"]
    if not isinstance(opens, time) or not isinstance(closes, time) or opens >= closes:
        errors["closes"] = N_("The desk must close after it opens, on the same day.")
    country = values["holiday_country"]
    if country is not None and country not in public_holidays.list_supported_countries():
        errors["holiday_country"] = N_("Use a supported two-letter country code (e.g. PK), or none.")
    if errors:
        raise ValidationFailed(errors)


def _make_only_default(session: Session, calendar: BusinessCalendarConfig) -> None:
    # The partial unique index allows one default: clear the old one before this one is written.
    session.execute(
        update(BusinessCalendarConfig)
        .where(BusinessCalendarConfig.is_default, BusinessCalendarConfig.id != (calendar.id or 0))
        .values(is_default=False)
    )


def create_calendar(session: Session, actor: Actor, draft: BusinessCalendarDraft) -> BusinessCalendarConfig:
    _require_admin(actor)
    values = draft.model_dump()
    values["working_days"] = sorted(set(values["working_days"]))
    values["extra_holidays"] = sorted(set(values["extra_holidays"]))
    _check_calendar(session, values, None)
    if draft.is_default:
        _make_only_default(session, BusinessCalendarConfig())
    calendar = BusinessCalendarConfig(**values)
    session.add(calendar)
    session.flush()
    audit.record(session, "sla.calendar.create", actor_id=actor.user_id, entity_type="business_calendar",
                 entity_id=str(calendar.id), details={"name": calendar.name})
    # A new calendar changes nothing until a policy uses it, unless it became the fallback.
    if draft.is_default:
        _after_change(session, set(ALL_PRIORITIES))
    else:
        sla.invalidate_config(session)
    return calendar


def update_calendar(
    session: Session, actor: Actor, calendar_id: int, changes: BusinessCalendarChanges
) -> BusinessCalendarConfig:
    _require_admin(actor)
    calendar = session.get(BusinessCalendarConfig, calendar_id)
    if calendar is None:
        raise ValidationFailed({"calendar_id": N_("Choose a calendar from the list.")})
    requested = changes.model_dump(exclude_unset=True)
    if requested.get("is_default") is False and calendar.is_default:
        raise ValidationFailed({"is_default": N_("Make another calendar the default instead.")})
    # holiday_country may be cleared (no public holidays); the other fields can't be emptied.
    requested = {k: v for k, v in requested.items() if v is not None or k == "holiday_country"}
    if "working_days" in requested:
        requested["working_days"] = sorted(set(requested["working_days"]))
    if "extra_holidays" in requested:
        requested["extra_holidays"] = sorted(set(requested["extra_holidays"]))
    merged = calendar.model_dump() | requested
    _check_calendar(session, merged, calendar.id)
    if requested.get("is_default"):
        _make_only_default(session, calendar)
    for name, value in requested.items():
        setattr(calendar, name, value)
    session.add(calendar)
    audit.record(session, "sla.calendar.update", actor_id=actor.user_id, entity_type="business_calendar",
                 entity_id=str(calendar.id), details={k: str(v) for k, v in requested.items()})
    _after_change(session, set(ALL_PRIORITIES))
    return calendar


# ---------------------------------------------------------------- policies


def list_policies(session: Session, actor: Actor) -> list[dict[str, Any]]:
    _require_admin(actor)
    rows = session.exec(
        select(SlaPolicy, BusinessCalendarConfig.name, Category.name, Team.name)
        .join(BusinessCalendarConfig, BusinessCalendarConfig.id == SlaPolicy.calendar_id)
        .join(Category, Category.id == SlaPolicy.category_id, isouter=True)
        .join(Team, Team.id == SlaPolicy.team_id, isouter=True)
        .order_by(SlaPolicy.is_active.desc(), SlaPolicy.priority, SlaPolicy.id)
    ).all()
    return [policy.model_dump() | {"calendar": calendar, "category": category, "team": team}
            for policy, calendar, category, team in rows]


def _default_calendar_id(session: Session) -> int:
    calendar_id = session.exec(select(BusinessCalendarConfig.id).where(BusinessCalendarConfig.is_default)).first()
    if calendar_id is None:
        raise ValidationFailed({"calendar_id": N_("There is no default calendar; choose one.")})
    return calendar_id


def _check_policy(session: Session, values: dict[str, Any], policy_id: int | None) -> None:
    errors: dict[str, str] = {}
    if values["resolution_minutes"] < values["first_response_minutes"]:
        errors["resolution_minutes"] = N_("The resolution target can't be shorter than the first-response target.")
    if session.get(BusinessCalendarConfig, values["calendar_id"]) is None:
        errors["calendar_id"] = N_("Choose a calendar from the list.")
    if values["category_id"] is not None:
        category = session.get(Category, values["category_id"])
        if category is None or not category.is_active:
            errors["category_id"] = N_("Choose a category from the list.")
    if values["team_id"] is not None and session.get(Team, values["team_id"]) is None:
        errors["team_id"] = N_("Choose a team from the list.")
    if values["is_active"] and not errors:
        clash = session.exec(
            select(SlaPolicy.name).where(
                SlaPolicy.is_active,
                SlaPolicy.id != (policy_id or 0),
                SlaPolicy.priority == values["priority"],
                SlaPolicy.category_id.is_(None) if values["category_id"] is None
                else SlaPolicy.category_id == values["category_id"],
                SlaPolicy.team_id.is_(None) if values["team_id"] is None else SlaPolicy.team_id == values["team_id"],
            )
        ).first()
        if clash is not None:
            errors["priority"] = f"The active policy \"{clash}\" already covers this priority, category and team."
    if errors:
        raise ValidationFailed(errors)


def create_policy(session: Session, actor: Actor, draft: SlaPolicyDraft) -> SlaPolicy:
    _require_admin(actor)
    values = draft.model_dump()
    values["priority"] = draft.priority.value
    values["calendar_id"] = draft.calendar_id or _default_calendar_id(session)
    _check_policy(session, values, None)
    policy = SlaPolicy(**values)
    session.add(policy)
    session.flush()
    audit.record(session, "sla.policy.create", actor_id=actor.user_id, entity_type="sla_policy",
                 entity_id=str(policy.id), details={k: str(v) for k, v in values.items()})
    _after_change(session, {policy.priority})
    return policy


def update_policy(session: Session, actor: Actor, policy_id: int, changes: SlaPolicyChanges) -> SlaPolicy:
    _require_admin(actor)
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise ValidationFailed({"policy_id": N_("Choose a policy from the list.")})
    requested = changes.model_dump(exclude_unset=True)
    # category_id and team_id may be cleared (None widens the policy); the other fields can't be emptied.
    requested = {k: v for k, v in requested.items() if v is not None or k in ("category_id", "team_id")}
    if isinstance(requested.get("priority"), Priority):
        requested["priority"] = requested["priority"].value
    merged = policy.model_dump() | requested
    _check_policy(session, merged, policy.id)
    old_priority = policy.priority
    for name, value in requested.items():
        setattr(policy, name, value)
    policy.updated_at = utcnow()
    session.add(policy)
    audit.record(session, "sla.policy.update", actor_id=actor.user_id, entity_type="sla_policy",
                 entity_id=str(policy.id), details={k: str(v) for k, v in requested.items()})
    _after_change(session, {old_priority, policy.priority})
    return policy


# ---------------------------------------------------------------- preview


def preview(session: Session, actor: Actor, priority: str, category_id: int | None = None,
            team_id: int | None = None, now: Any = None) -> dict[str, Any]:
    """What a ticket filed `now` would get: the policy that matches, its calendar, and both deadlines."""
    from datetime import timedelta

    _require_admin(actor)
    if priority not in ALL_PRIORITIES:
        raise ValidationFailed({"priority": N_("Choose a priority.")})
    now = now or utcnow()
    config = sla.load_config(session)
    category = session.get(Category, category_id) if category_id is not None else None
    matched = sla.match_policy(config.policies, priority, category_id, category.parent_id if category else None,
                               team_id)
    if matched is None:
        target, spec = sla.DEFAULT_TARGETS[Priority(priority)], config.default_calendar
    else:
        target = sla.SlaTarget(timedelta(minutes=matched.first_response_minutes),
                               timedelta(minutes=matched.resolution_minutes))
        spec = config.calendars.get(matched.calendar_id, config.default_calendar)
    calendar = sla.business_calendar(spec, now.year - 1, now.year + 2)
    return {"policy": matched.name if matched else "built-in default targets", "calendar": spec.name,
            "timezone": spec.timezone, "first_response_due": calendar.add_business_time(now, target.first_response),
            "resolution_due": calendar.add_business_time(now, target.resolution), "now": now}
