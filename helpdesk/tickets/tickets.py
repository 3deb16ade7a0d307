"""Tickets: create, read, list, change. Every permission rule for tickets lives here."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, bindparam, exists, false, func, null, or_, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased, object_session
from sqlmodel import Session, select

from helpdesk.core import app_settings, audit, bounds, cache, events
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import (
    OPEN_STATUSES,
    Category,
    Comment,
    FollowerReason,
    Role,
    Status,
    Tag,
    Team,
    TeamMembership,
    Ticket,
    TicketEvent,
    TicketFollower,
    TicketTag,
    TicketWatcher,
    User,
)
from helpdesk.models.base import utcnow
from helpdesk.sla import engine as sla
from helpdesk.tickets import assignment, workflow
from helpdesk.tickets import priority as priority_rules
from helpdesk.tickets.events import TicketCreated, TicketFieldsChanged, TicketTouched
from helpdesk.tickets.validation import TicketChanges, TicketDraft, tag_name

COUNTS_CACHE_TTL_SECONDS = 300  # spec 4.3.3: ticket counts by status, 5 minutes
MAX_PAGE_SIZE = 100
MAX_BULK_TICKETS = 200
AUTO_CLOSE_BATCH_SIZE = 200


# ---------------------------------------------------------------- visibility


def _followed_by(user_id: int) -> ColumnElement[bool]:
    # `id = ANY(ARRAY(subquery))` rather than `id IN (subquery)`: the array is computed once up front, so
    # PostgreSQL can OR the primary-key index with the requester index instead of filtering every ticket.
    followed_ids = select(TicketFollower.ticket_id).where(TicketFollower.user_id == user_id)
    return Ticket.id == any_(func.array(followed_ids.scalar_subquery()))


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition for tickets `actor` may read (tickets they are CC'd on included)."""
    alive = Ticket.deleted_at.is_(None)
    if actor.can_read_all:
        return alive
    if actor.role == Role.AGENT:
        team_ids = list(actor.team_ids)
        return and_(
            alive,
            or_(
                Ticket.team_id.in_(team_ids) if team_ids else false(),
                Ticket.team_id.is_(None),  # the untriaged queue belongs to every agent
                Ticket.assignee_id == actor.user_id,
                Ticket.requester_id == actor.user_id,
                _followed_by(actor.user_id),
            ),
        )
    return and_(alive, or_(Ticket.requester_id == actor.user_id, _followed_by(actor.user_id)))


def _reads_in_own_right(actor: Actor, ticket: Ticket) -> bool:
    """Read access from the actor's role, team or requester position, i.e. not merely as a follower."""
    if ticket.deleted_at is not None:
        return False
    if actor.can_read_all or ticket.requester_id == actor.user_id:
        return True
    if actor.role == Role.AGENT:
        return ticket.team_id is None or ticket.team_id in actor.team_ids or ticket.assignee_id == actor.user_id
    return False


def is_follower(actor: Actor, ticket: Ticket) -> bool:
    """Whether the actor is CC'd on the ticket (copied in, or a duplicate of theirs was merged into it).

    Looked up through the ticket's own session, so `can_read` keeps its (actor, ticket) signature for every
    caller; a ticket detached from any session has no followers as far as this check knows.
    """
    session = object_session(ticket)
    if session is None or ticket.id is None:
        return False
    return session.get(TicketFollower, (ticket.id, actor.user_id)) is not None


def follower_ids(session: Session, ticket_id: int) -> list[int]:
    """The people CC'd on a ticket: copied in, or requesters of duplicates merged into it."""
    return list(session.exec(_followers_statement(), params={"ticket_id": ticket_id}).all())  # type: ignore[call-overload]


@lru_cache(maxsize=1)
def _followers_statement() -> Any:  # noqa: ANN401
    # Built once: every change to a ticket reads its followers, and building the statement cost more than running it.
    return select(TicketFollower.user_id).where(TicketFollower.ticket_id == bindparam("ticket_id"))


def can_read(actor: Actor, ticket: Ticket) -> bool:
    """The one reading rule: role, team or requester position, else a CC (who reads as a requester would)."""
    if _reads_in_own_right(actor, ticket):
        return True
    return ticket.deleted_at is None and is_follower(actor, ticket)


def sees_internal_notes(actor: Actor, ticket: Ticket) -> bool:
    """Internal notes and history: IT staff and managers on tickets they read in their own right.

    A CC reads the ticket as its requester would (public conversation only), whatever their role.
    """
    return actor.sees_internal_notes and _reads_in_own_right(actor, ticket)


def can_work(actor: Actor, ticket: Ticket) -> bool:
    """Change fields, write internal notes, assign: agents on the ticket's queue and admins (never as a follower)."""
    return actor.is_staff and _reads_in_own_right(actor, ticket) and (
        actor.role == Role.ADMIN or ticket.requester_id != actor.user_id or ticket.team_id in actor.team_ids
    )


def get_for(session: Session, actor: Actor, ticket_id: int, *, lock: bool = False) -> Ticket:
    """The ticket if `actor` may read it; NotFound otherwise (never reveals that it exists)."""
    query = select(Ticket).where(Ticket.id == ticket_id)
    if lock:
        query = query.with_for_update()
    ticket = session.exec(query).first()
    if ticket is None or not can_read(actor, ticket):
        raise NotFound("Ticket not found.")
    return ticket


def id_for_reference(session: Session, actor: Actor, reference: int) -> int:
    """The id of the ticket a /tickets/<reference> address means: its id, else the number people see (#1443).

    NotFound when neither is a ticket the actor may read.
    """
    try:
        return get_for(session, actor, reference).id
    except NotFound:
        return get_by_number_for(session, actor, reference).id


def looks_like_number(text: str) -> bool:
    """ "1443" or "#1443": what people type to find a ticket by the number they see."""
    return text.strip().lstrip("#").isdigit()


def get_by_number_for(session: Session, actor: Actor, number: int) -> Ticket:
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None or not can_read(actor, ticket):
        raise NotFound("Ticket not found.")
    return ticket


# ---------------------------------------------------------------- create


def _check_category(session: Session, category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = session.get(Category, category_id)
    if category is None or not category.is_active:
        raise ValidationFailed({"category_id": "Choose a category from the list."})
    return category


def check_may_file(actor: Actor) -> None:
    """PermissionDenied for people who may not file tickets (managers read every ticket and change none)."""
    if policy.is_read_only_staff(actor):
        raise PermissionDenied("Managers have read-only access to tickets.")


def create_ticket(
    session: Session,
    actor: Actor,
    draft: TicketDraft,
    *,
    source: str = "portal",
    requester_id: int | None = None,
    team_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Files a ticket for the actor (agents may file on behalf of a requester).

    The category routes it to a team (else `team_id`, the queue of the mailbox an e-mail came to), the team's
    assignment mode may give it an agent, and the matching SLA policy gives it deadlines. `now` exists for tests
    and imports; it defaults to the current time.
    """
    check_may_file(actor)
    if requester_id is not None and requester_id != actor.user_id:
        if not actor.is_staff:
            raise PermissionDenied("Only agents can file tickets for someone else.")
        requester = session.get(User, requester_id)
        if requester is None or not requester.is_active:
            raise ValidationFailed({"requester_id": "Choose an active person as the requester."})
    category = _check_category(session, draft.category_id)
    chosen = priority_rules.for_new_ticket(actor, draft.impact, draft.urgency, draft.priority)
    now = now or utcnow()
    ticket = Ticket(
        title=draft.title,
        description=draft.description,
        priority=chosen.value,
        impact=draft.impact.value if draft.impact else None,
        urgency=draft.urgency.value if draft.urgency else None,
        status=Status.NEW.value,
        source=source,
        category_id=category.id if category else None,
        team_id=(category.default_team_id if category else None) or team_id,
        requester_id=requester_id or actor.user_id,
        created_at=now,
        updated_at=now,
    )
    # Deadlines before the INSERT, so it carries them (the assignee, set below, does not move them).
    sla.recompute(session, ticket, now)
    session.add(ticket)
    session.flush()
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind="created", new_value=ticket.status,
                            created_at=now))
    assignment.auto_assign(session, ticket, now)
    audit.record(session, "ticket.create", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id))
    # The acknowledgement e-mail and AI triage react to this (helpdesk/subscriptions.py).
    events.publish(session, TicketCreated(ticket, actor))
    mark_changed(session, ticket, "created")
    return ticket


def mark_changed(session: Session, ticket: Ticket, kind: str = "changed") -> None:
    """Announces that something about the ticket changed: after commit, cached counts are refreshed and every page
    showing the ticket is told (helpdesk/tickets/live_updates.py)."""
    events.publish(session, TicketTouched(ticket, kind))


# ---------------------------------------------------------------- change


_TRACKED_FIELDS = ("title", "status", "priority", "category_id", "team_id", "assignee_id")


def _check_assignee(session: Session, assignee_id: int | None, team_id: int | None) -> None:
    if assignee_id is None:
        return
    user = session.get(User, assignee_id)
    if user is None or not user.is_active or user.role not in (Role.AGENT, Role.ADMIN):
        raise ValidationFailed({"assignee_id": "Choose an active agent."})
    if team_id is not None:
        member = session.get(TeamMembership, (team_id, assignee_id))
        if member is None and user.role != Role.ADMIN:
            raise ValidationFailed({"assignee_id": "That agent is not on the ticket's team."})


def apply_status(ticket: Ticket, status: str, now: datetime) -> None:
    ticket.status = status
    if status == Status.RESOLVED:
        ticket.resolved_at = ticket.resolved_at or now
    elif status == Status.CLOSED:
        ticket.resolved_at = ticket.resolved_at or now
        ticket.closed_at = now
    else:
        ticket.resolved_at = None
        ticket.closed_at = None


# Changes that can move a ticket's SLA deadlines (another policy, calendar or pause).
_SLA_FIELDS = frozenset({"status", "priority", "category_id", "team_id"})


Changes = dict[str, tuple[Any, Any]]  # column -> (old, new)


def update_ticket(
    session: Session, actor: Actor, ticket_id: int, changes: TicketChanges, *, now: datetime | None = None
) -> Ticket:
    """Applies a partial change after checking permission, the life cycle and every referenced row.

    Bad input raises ValidationFailed before anything is written. `now` defaults to the current time.
    """
    ticket = get_for(session, actor, ticket_id, lock=True)
    if not can_work(actor, ticket):
        raise PermissionDenied("You can't change this ticket.")
    requested = _normalise_changes(changes)
    _validate_changes(session, ticket, requested)
    now = now or utcnow()
    changed = _apply_changes(ticket, requested, now)
    if not changed:
        return ticket
    session.add(ticket)
    _record_changes(session, actor, ticket, changed, now)
    return ticket


def _normalise_changes(changes: TicketChanges) -> dict[str, Any]:
    """The fields the caller sent; an explicit null on a field that cannot be empty means "leave it"."""
    requested = {name: getattr(changes, name) for name in changes.model_fields_set}
    for name in ("status", "priority", "title"):
        if name in requested and requested[name] is None:
            requested.pop(name)
    return requested


def _validate_changes(session: Session, ticket: Ticket, requested: dict[str, Any]) -> None:
    if "category_id" in requested:
        _check_category(session, requested["category_id"])
    if "team_id" in requested and requested["team_id"] is not None and session.get(Team, requested["team_id"]) is None:
        raise ValidationFailed({"team_id": "Choose a team from the list."})
    new_team = requested.get("team_id", ticket.team_id)
    if "assignee_id" in requested or "team_id" in requested:
        _check_assignee(session, requested.get("assignee_id", ticket.assignee_id), new_team)
    if "status" in requested:
        workflow.check_transition(ticket.status, Status(requested["status"]).value)


def _apply_changes(ticket: Ticket, requested: dict[str, Any], now: datetime) -> Changes:
    """Sets the fields that really change and returns them; a new ticket that gets an assignee is now open."""
    changed: Changes = {}
    for name in _TRACKED_FIELDS:
        if name not in requested:
            continue
        old, new = getattr(ticket, name), requested[name]
        new = new.value if hasattr(new, "value") else new
        if old == new:
            continue
        changed[name] = (old, new)
        if name == "status":
            apply_status(ticket, new, now)
        else:
            setattr(ticket, name, new)
    if not changed:
        return changed
    ticket.updated_at = now
    if ticket.status == Status.NEW and set(changed) & {"assignee_id", "status"} and "status" not in changed:
        changed["status"] = (Status.NEW.value, Status.OPEN.value)
        ticket.status = Status.OPEN.value
    return changed


def _record_changes(session: Session, actor: Actor, ticket: Ticket, changed: Changes, now: datetime) -> None:
    """History, what follows from the change (assignment, SLA deadlines), the announcement and the audit entry."""
    for name, (old, new) in changed.items():
        session.add(
            TicketEvent(
                ticket_id=ticket.id,
                actor_id=actor.user_id,
                kind="assigned" if name == "assignee_id" else "changed",
                field=name,
                old_value=None if old is None else str(old),
                new_value=None if new is None else str(new),
                created_at=now,
            )
        )
    # AI triage takes a person's choice on a field it had a suggestion for as feedback on that suggestion.
    events.publish(session, TicketFieldsChanged(ticket, actor, changed, now))
    if "assignee_id" in changed:
        assignment.note_assignment(session, ticket.team_id, ticket.assignee_id, now)
    if "team_id" in changed:
        # A ticket moved to another queue without an assignee gets one if that team assigns automatically.
        assignment.auto_assign(session, ticket, now)
    if _SLA_FIELDS & set(changed):
        sla.recompute(session, ticket, now)
    mark_changed(session, ticket)
    audit.record(
        session, "ticket.update", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id),
        details={k: [None if o is None else str(o), None if n is None else str(n)] for k, (o, n) in changed.items()},
    )


def soft_delete(session: Session, actor: Actor, ticket_id: int) -> None:
    if not policy.is_admin(actor):
        raise PermissionDenied("Only administrators can delete tickets.")
    ticket = get_for(session, actor, ticket_id, lock=True)
    ticket.deleted_at = utcnow()
    session.add(ticket)
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind="deleted"))
    mark_changed(session, ticket)
    audit.record(session, "ticket.delete", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id))


@dataclass
class BulkResult:
    updated: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # ticket id -> why it was left unchanged
    unchanged: list[int] = field(default_factory=list)  # allowed, but it already had what was asked


def run_bulk(
    session: Session,
    actor: Actor,
    ticket_ids: list[int],
    work: Callable[[int], bool],
    *,
    action: str,
    details: dict[str, Any],
) -> BulkResult:
    """Runs `work(ticket_id)` (True when it changed the ticket) on each ticket, each in its own savepoint.

    The rules of each action apply per ticket (`work` calls the same functions a single change does), so one
    ticket's failure leaves the others changed and says why. Closed tickets are final: every bulk action skips
    them ("closed"). A ticket the actor may not see fails as "not found", exactly as when asked for alone.
    """
    if not actor.is_staff:
        raise PermissionDenied("Only agents and administrators can change tickets.")
    unique_ids = list(dict.fromkeys(ticket_ids))
    if not unique_ids:
        raise ValidationFailed({"ticket_ids": "Choose at least one ticket."})
    if len(unique_ids) > MAX_BULK_TICKETS:
        raise ValidationFailed({"ticket_ids": NF_("Choose at most {count} tickets at a time.", count=MAX_BULK_TICKETS)})
    result = BulkResult()
    for ticket_id in unique_ids:
        current = session.get(Ticket, ticket_id)
        if current is not None and current.status == Status.CLOSED and can_read(actor, current):
            result.failed[ticket_id] = "closed"
            continue
        savepoint = session.begin_nested()
        try:
            changed = work(ticket_id)
        except NotFound:
            savepoint.rollback()
            result.failed[ticket_id] = "not found"
        except PermissionDenied as denied:
            savepoint.rollback()
            result.failed[ticket_id] = denied.message
        except ValidationFailed as invalid:
            savepoint.rollback()
            result.failed[ticket_id] = " ".join(invalid.field_errors.values()) or invalid.message
        else:
            savepoint.commit()
            (result.updated if changed else result.unchanged).append(ticket_id)
    audit.record(session, action, actor_id=actor.user_id, entity_type="ticket",
                 details=details | {"updated": result.updated, "unchanged": result.unchanged,
                                    "failed": {str(k): v for k, v in result.failed.items()}})
    return result


def bulk_update(
    session: Session, actor: Actor, ticket_ids: list[int], changes: TicketChanges, *, now: datetime | None = None
) -> BulkResult:
    """The same change on many tickets, each under the rules of `update_ticket` (see `run_bulk`)."""
    now = now or utcnow()

    def change(ticket_id: int) -> bool:
        before = session.get(Ticket, ticket_id)
        stamp = before.updated_at if before is not None else None
        # update_ticket moves updated_at only when a field really changed.
        return update_ticket(session, actor, ticket_id, changes, now=now).updated_at != stamp

    return run_bulk(session, actor, ticket_ids, change, action="ticket.bulk_update",
                    details={"changes": changes.model_dump(mode="json", exclude_unset=True)})


def close_resolved_tickets(now: datetime | None = None, *, after_days: int | None = None) -> list[int]:
    """Closes tickets resolved at least `after_days` (setting AUTO_CLOSE_DAYS) ago; returns their ids.

    Works in batches, each its own transaction; rows another transaction holds are skipped and closed next run.
    """
    now = now or utcnow()
    days = int(app_settings.value(None, "auto_close_days")) if after_days is None else after_days
    cutoff = now - timedelta(days=days)
    closed: list[int] = []
    while True:
        with session_scope() as session:
            batch = session.exec(
                select(Ticket)
                .where(Ticket.status == Status.RESOLVED.value, Ticket.deleted_at.is_(None),
                       Ticket.resolved_at <= cutoff)
                .order_by(Ticket.resolved_at)
                .limit(AUTO_CLOSE_BATCH_SIZE)
                .with_for_update(skip_locked=True)
            ).all()
            for ticket in batch:
                apply_status(ticket, Status.CLOSED.value, now)
                ticket.updated_at = now
                session.add(ticket)
                session.add(TicketEvent(ticket_id=ticket.id, actor_id=None, kind="changed", field="status",
                                        old_value=Status.RESOLVED.value, new_value=Status.CLOSED.value,
                                        created_at=now))
                audit.record(session, "ticket.auto_close", actor_id=None, entity_type="ticket",
                             entity_id=str(ticket.id), details={"resolved_at": ticket.resolved_at.isoformat()})
                mark_changed(session, ticket)
                closed.append(ticket.id)
        if len(batch) < AUTO_CLOSE_BATCH_SIZE:
            return closed


# ---------------------------------------------------------------- list


SORTS: dict[str, tuple[str, bool]] = {
    "newest": ("created_at", True),
    "oldest": ("created_at", False),
    "updated": ("updated_at", True),
    "priority": ("priority_rank", True),
}


SLA_STATES = ("", "at_risk", "breached")


def _sla_condition(state: str) -> ColumnElement[bool]:
    still_open = Ticket.status.in_([s.value for s in OPEN_STATUSES])
    breached = or_(Ticket.sla_resolution_breached_at.is_not(None), Ticket.sla_first_response_breached_at.is_not(None))
    if state == "breached":
        return and_(still_open, breached)
    return and_(still_open, ~breached, Ticket.sla_paused_at.is_(None), Ticket.sla_resolution_warn_at <= func.now())


@dataclass
class TicketFilters:
    statuses: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    team_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    category_id: int | None = None
    requester_id: int | None = None
    involving_user_id: int | None = None  # the person's own requests and the tickets they follow
    text: str = ""
    only_open: bool = False
    ticket_ids: list[int] = field(default_factory=list)
    sla_state: str = ""  # "", "at_risk" (80 % of the resolution time used) or "breached"
    tag: str = ""  # tickets carrying this tag (any spelling of it: "VPN" finds "vpn")

    def validate(self) -> None:
        if self.tag.strip():
            try:
                self.tag = tag_name(self.tag)
            except ValueError as exc:
                raise ValidationFailed({"tag": str(exc)}) from None
        if self.sla_state not in SLA_STATES:
            raise ValidationFailed({"sla": "Choose at_risk or breached."})
        bad = [s for s in self.statuses if s not in {x.value for x in Status}]
        if bad:
            raise ValidationFailed({"status": f"Unknown status: {', '.join(bad)}"})
        bad = [p for p in self.priorities if p not in {"low", "medium", "high", "critical"}]
        if bad:
            raise ValidationFailed({"priority": f"Unknown priority: {', '.join(bad)}"})

    def conditions(self, *, include_status: bool = True) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if include_status and self.statuses:
            conds.append(Ticket.status.in_(self.statuses))
        if include_status and self.only_open:
            conds.append(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        if self.priorities:
            conds.append(Ticket.priority.in_(self.priorities))
        if self.team_id is not None:
            conds.append(Ticket.team_id == self.team_id)
        if self.unassigned:
            conds.append(Ticket.assignee_id.is_(None))
        elif self.assignee_id is not None:
            conds.append(Ticket.assignee_id == self.assignee_id)
        if self.category_id is not None:
            child_ids = select(Category.id).where(Category.parent_id == self.category_id)
            conds.append(or_(Ticket.category_id == self.category_id, Ticket.category_id.in_(child_ids)))
        if self.requester_id is not None:
            conds.append(Ticket.requester_id == self.requester_id)
        if self.involving_user_id is not None:
            conds.append(or_(Ticket.requester_id == self.involving_user_id, _followed_by(self.involving_user_id)))
        if self.ticket_ids:
            conds.append(Ticket.id.in_(self.ticket_ids))
        if self.sla_state:
            conds.append(_sla_condition(self.sla_state))
        if self.tag.strip():
            tagged = select(TicketTag.ticket_id).join(Tag, Tag.id == TicketTag.tag_id).where(Tag.name == self.tag)
            conds.append(Ticket.id.in_(tagged))
        text_query = bounds.searchable(self.text).strip()  # a NUL from a crafted event must not reach SQL
        if text_query:
            number = bounds.as_id(text_query.lstrip("#"))
            if number is not None:
                conds.append(or_(Ticket.number == number, Ticket.title.ilike(f"%{text_query}%")))
            else:
                escaped = text_query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                conds.append(Ticket.title.ilike(f"%{escaped}%"))
        return conds


@dataclass
class TicketPage:
    rows: list[dict[str, Any]]
    next_cursor: str | None


def _encode_cursor(value: Any, ticket_id: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, ticket_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, column_name: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, ticket_id = json.loads(base64.urlsafe_b64decode(padded))
        value = datetime.fromisoformat(value) if column_name.endswith("_at") else int(value)
        return value, int(ticket_id)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ValidationFailed({"cursor": "That page link is invalid; start from the first page."}) from None


# Built once: a fresh alias per call costs column proxies on every request and defeats the statement cache.
_ASSIGNEE = aliased(User, name="assignee_user")
_REQUESTER = aliased(User, name="requester_user")
# Each listed ticket's tags, alphabetical (NULL when it has none): one index look-up per row of the page.
_TAG_NAMES = (
    select(func.array_agg(aggregate_order_by(Tag.name, Tag.name)))
    .select_from(TicketTag)
    .join(Tag, Tag.id == TicketTag.tag_id)
    .where(TicketTag.ticket_id == Ticket.id)
    .correlate(Ticket)
    .scalar_subquery()
    .label("tags")
)


def tag_names(session: Session, ticket_id: int) -> list[str]:
    """The ticket's tags, alphabetical."""
    return list(session.exec(select(Tag.name).join(TicketTag, TicketTag.tag_id == Tag.id)
                             .where(TicketTag.ticket_id == ticket_id).order_by(Tag.name)).all())


@lru_cache(maxsize=1)
def _list_columns() -> Any:  # noqa: ANN401
    """What a ticket list shows and the joins that name things, built once: a page then adds only its filters
    (building this part again was about half the cost of building the page's statement)."""
    return (
        select(
            Ticket.id, Ticket.number, Ticket.title, Ticket.status, Ticket.priority, Ticket.created_at,
            Ticket.updated_at, Ticket.sla_first_response_due, Ticket.sla_resolution_due, Ticket.first_responded_at,
            Ticket.sla_paused_at, Ticket.sla_resolution_warn_at, Ticket.sla_first_response_breached_at,
            Ticket.sla_resolution_breached_at,
            Ticket.category_id, Ticket.team_id, Ticket.assignee_id, Ticket.requester_id, Ticket.priority_rank,
            Ticket.ai_confidence,
            Category.name.label("category"), Team.name.label("team"),
            _ASSIGNEE.full_name.label("assignee"), _REQUESTER.full_name.label("requester"), _TAG_NAMES,
        )
        .join(Category, Category.id == Ticket.category_id, isouter=True)
        .join(Team, Team.id == Ticket.team_id, isouter=True)
        .join(_ASSIGNEE, _ASSIGNEE.id == Ticket.assignee_id, isouter=True)
        .join(_REQUESTER, _REQUESTER.id == Ticket.requester_id)
    )


def list_tickets(
    session: Session,
    actor: Actor,
    filters: TicketFilters,
    *,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 25,
) -> TicketPage:
    """One page of tickets the actor may see, newest first by default (keyset pagination)."""
    filters.validate()
    if sort not in SORTS:
        raise ValidationFailed({"sort": f"Sort by one of: {', '.join(SORTS)}"})
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    column_name, descending = SORTS[sort]
    sort_column = getattr(Ticket, column_name)

    query = _list_columns().where(visible_to(actor), *filters.conditions())
    if cursor:
        value, last_id = _decode_cursor(cursor, column_name)
        key, bound = tuple_(sort_column, Ticket.id), tuple_(value, last_id)
        query = query.where(key < bound if descending else key > bound)
    order = (sort_column.desc(), Ticket.id.desc()) if descending else (sort_column.asc(), Ticket.id.asc())
    # The page size goes into the SQL text, not a parameter: PostgreSQL plans a prepared statement once (its generic
    # plan) only when that plan is estimated no worse than a fresh one, and with the LIMIT unknown it is estimated
    # as scanning every visible ticket - so each list was planned anew, and planning (the tickets table has some 25
    # indexes) cost three times the query itself.
    page_limit = bindparam("page_limit", limit + 1, literal_execute=True)
    rows = [dict(r._mapping) for r in session.exec(query.order_by(*order).limit(page_limit)).all()]
    for row in rows:
        row["tags"] = row["tags"] or []
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor(last[column_name], last["id"])
    return TicketPage(rows=rows, next_cursor=next_cursor)


def status_counts(session: Session, actor: Actor, filters: TicketFilters) -> dict[str, int]:
    """Tickets per status under the same filters (status filter ignored); cached briefly."""
    filters.validate()
    fingerprint = json.dumps(
        [actor.role, actor.user_id if not actor.can_read_all else 0, list(actor.team_ids), filters.__dict__],
        sort_keys=True, default=str,
    )
    cache_key = cache.key("tickets", "counts", cache.current_version("tickets"), fingerprint)

    def compute() -> dict[str, int]:
        rows = session.exec(
            select(Ticket.status, func.count())
            .where(visible_to(actor), *filters.conditions(include_status=False))
            .group_by(Ticket.status)
        ).all()
        counts = {s.value: 0 for s in Status}
        counts.update({status: count for status, count in rows})
        return counts

    return cache.cached_json(cache_key, COUNTS_CACHE_TTL_SECONDS, compute)


# ---------------------------------------------------------------- detail


def ticket_detail(session: Session, actor: Actor, ticket_id: int) -> dict[str, Any]:
    """Everything a ticket page shows, filtered for the actor (no internal notes for requesters)."""
    ticket = get_for(session, actor, ticket_id)
    staff_view = sees_internal_notes(actor, ticket)
    facts = _page_facts(session, actor, ticket, staff_view=staff_view)
    data = ticket.model_dump(exclude={"deleted_at", "priority_rank"})
    data.update(
        category=facts.category,
        team=facts.team,
        assignee=facts.assignee,
        requester=facts.requester,
        # Someone's e-mail address goes to IT and to themselves only, never to a CC's browser.
        requester_email=facts.requester_email if staff_view or actor.user_id == ticket.requester_id else None,
        requester_language=facts.requester_language,  # staff only (None for anyone else)
        can_work=can_work(actor, ticket),
        can_reply=can_reply(actor, ticket),
        # Pages decide on this, not on the role: an agent who is only CC'd on the ticket reads it as a requester.
        sees_internal_notes=staff_view,
        merged_into_number=_merged_into_number(session, actor, ticket),
        # Requesters of duplicates merged into this ticket: IT sees who else is affected; CCs see nobody.
        followers=facts.followers or [],
        # Tags are the IT team's own labels; requesters and followers don't see them.
        tags=facts.tags or [],
        cc=_cc_as_seen(actor, ticket, [tuple(row) for row in facts.cc or []]),
        can_manage_cc=can_manage_cc(actor, ticket),
        can_mark_solved=can_mark_solved(actor, ticket),
        can_follow=can_follow(actor, ticket),
        following=facts.following,
        filed_by=facts.filed_by,
    )
    # Requesters and followers (and a manager reading their own request) never see the classifier's workings.
    if not staff_view or (ticket.requester_id == actor.user_id and not actor.is_staff):
        data.pop("ai_metadata", None)
    return data


def _page_facts(session: Session, actor: Actor, ticket: Ticket, *, staff_view: bool) -> Any:  # noqa: ANN401
    """The names, tags and people a ticket page shows, in one round trip (each part is a small indexed look-up;
    as separate statements they were eight round trips, most of a ticket read's cost)."""
    return session.exec(_page_facts_statement(staff_view), params={  # type: ignore[call-overload]
        "ticket_id": ticket.id, "requester_id": ticket.requester_id, "assignee_id": ticket.assignee_id,
        "category_id": ticket.category_id, "team_id": ticket.team_id, "actor_id": actor.user_id,
    }).one()


@lru_cache(maxsize=2)
def _page_facts_statement(staff_view: bool) -> Any:  # noqa: ANN401
    """Built once per process with bound parameters: building a statement of ten subqueries (and SQLAlchemy's
    cache key for it) cost more CPU than running it. What only IT may see is not even read for anyone else."""
    ticket_id, requester_id = bindparam("ticket_id"), bindparam("requester_id")

    def name_of(user_id: Any, column: Any = User.full_name) -> Any:  # noqa: ANN401
        return select(column).where(User.id == user_id).scalar_subquery()

    def staff_only(part: Any) -> Any:  # noqa: ANN401
        return part if staff_view else null()

    cc = (select(func.json_agg(aggregate_order_by(func.json_build_array(User.id, User.full_name, User.email),
                                                  User.full_name, User.id)))
          .join(TicketFollower, TicketFollower.user_id == User.id)
          .where(TicketFollower.ticket_id == ticket_id, TicketFollower.reason == FollowerReason.CC.value))
    followers = (select(func.array_agg(aggregate_order_by(User.full_name, User.full_name)))
                 .join(TicketFollower, TicketFollower.user_id == User.id)
                 .where(TicketFollower.ticket_id == ticket_id,
                        TicketFollower.reason == FollowerReason.MERGED.value))
    tags = (select(func.array_agg(aggregate_order_by(Tag.name, Tag.name))).join(TicketTag, TicketTag.tag_id == Tag.id)
            .where(TicketTag.ticket_id == ticket_id))
    # Who filed it when that was not its requester (an agent filing for someone who phoned or walked up).
    filed_by = (select(User.full_name).join(TicketEvent, TicketEvent.actor_id == User.id)
                .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "created", User.id != requester_id)
                .limit(1))
    return select(
        select(Category.name).where(Category.id == bindparam("category_id")).scalar_subquery().label("category"),
        select(Team.name).where(Team.id == bindparam("team_id")).scalar_subquery().label("team"),
        name_of(requester_id).label("requester"),
        name_of(requester_id, User.email).label("requester_email"),
        # What staff write to the requester in the product's words (an inserted article link) is in theirs.
        staff_only(name_of(requester_id, User.language)).label("requester_language"),
        name_of(bindparam("assignee_id")).label("assignee"),
        cc.scalar_subquery().label("cc"),
        staff_only(followers.scalar_subquery()).label("followers"),
        staff_only(tags.scalar_subquery()).label("tags"),
        staff_only(filed_by.scalar_subquery()).label("filed_by"),
        exists().where(TicketWatcher.ticket_id == ticket_id, TicketWatcher.user_id == bindparam("actor_id"))
        .label("following"),
    )


def cc_people(session: Session, actor: Actor, ticket: Ticket) -> list[dict[str, Any]]:
    """The people copied in on the ticket, as this reader may see them (see _cc_as_seen)."""
    rows = session.exec(
        select(User.id, User.full_name, User.email)
        .join(TicketFollower, TicketFollower.user_id == User.id)
        .where(TicketFollower.ticket_id == ticket.id, TicketFollower.reason == FollowerReason.CC.value)
        .order_by(User.full_name, User.id)
    ).all()
    return _cc_as_seen(actor, ticket, [tuple(row) for row in rows])


def _cc_as_seen(actor: Actor, ticket: Ticket, people: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """(id, name, e-mail) of the people copied in, as this reader may see them.

    IT staff reading in their own right get addresses; anyone else (the requester, a CC) gets names only, so an
    address never reaches a requester-level browser. `removable`: whether this reader may take that person off.
    """
    staff_view, manages = sees_internal_notes(actor, ticket), can_manage_cc(actor, ticket)
    return [{"user_id": uid, "name": name, "email": email if staff_view else None,
             "removable": manages or uid == actor.user_id} for uid, name, email in people]


def can_manage_cc(actor: Actor, ticket: Ticket) -> bool:
    """Copy people in or take them off: the requester and the agents working the ticket, while it is not closed."""
    if ticket.deleted_at is not None or ticket.status == Status.CLOSED:
        return False
    return ticket.requester_id == actor.user_id or can_work(actor, ticket)


def can_mark_solved(actor: Actor, ticket: Ticket) -> bool:
    """The requester says their problem is solved: only on their own ticket, while it is still open."""
    return (ticket.deleted_at is None and ticket.requester_id == actor.user_id
            and ticket.status in {s.value for s in OPEN_STATUSES})


def can_follow(actor: Actor, ticket: Ticket) -> bool:
    """IT people who read the ticket in their own right may follow it (a CC already hears of its public updates)."""
    return actor.sees_internal_notes and _reads_in_own_right(actor, ticket)


def can_attach(actor: Actor, ticket: Ticket) -> bool:
    """Who may add files: those who may take part in the conversation (the requester, its CCs, the agents working
    it); only agents working it may attach to internal notes (checked where the note is)."""
    return ticket.requester_id == actor.user_id or can_work(actor, ticket) or is_follower(actor, ticket)


def _merged_into_number(session: Session, actor: Actor, ticket: Ticket) -> int | None:
    """The number of the ticket this duplicate continues on, when the actor may read that one."""
    if ticket.merged_into_id is None:
        return None
    target = session.get(Ticket, ticket.merged_into_id)
    return target.number if target is not None and can_read(actor, target) else None


def can_reply(actor: Actor, ticket: Ticket) -> bool:
    """Public replies: the requester, agents working the ticket, and followers (their own request was merged into
    this one, so they may still have something to add)."""
    if ticket.status == Status.CLOSED:
        return False
    return ticket.requester_id == actor.user_id or can_work(actor, ticket) or is_follower(actor, ticket)



def history(session: Session, actor: Actor, ticket_id: int) -> list[dict[str, Any]]:
    ticket = get_for(session, actor, ticket_id)
    if not sees_internal_notes(actor, ticket):
        raise PermissionDenied("Only the IT team can see a ticket's history.")
    rows = session.exec(
        select(TicketEvent, User.full_name)
        .join(User, User.id == TicketEvent.actor_id, isouter=True)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.created_at, TicketEvent.id)
    ).all()
    return [event.model_dump() | {"actor": name or "System"} for event, name in rows]


def comment_rows(session: Session, actor: Actor, ticket: Ticket) -> list[dict[str, Any]]:
    query = (
        select(Comment, User.full_name, User.role)
        .join(User, User.id == Comment.author_id)
        .where(Comment.ticket_id == ticket.id)
        .order_by(Comment.created_at, Comment.id)
    )
    if not sees_internal_notes(actor, ticket):
        query = query.where(Comment.is_internal == false())
    return [
        comment.model_dump() | {"author": name, "author_is_staff": role != Role.REQUESTER}
        for comment, name, role in session.exec(query).all()
    ]
