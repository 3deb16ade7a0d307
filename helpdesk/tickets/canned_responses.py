"""Canned responses: reply templates with placeholders, kept per team or for everyone.

Bodies are Jinja2 templates, but only a small language is accepted: the placeholders in `PLACEHOLDERS`, a few
text filters and if/else. Team leads write them, so a body is checked against that whitelist when it is saved and
again before every render (rows written another way are no exception), and rendering runs in Jinja2's sandbox with
StrictUndefined as a second line of defence.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from sqlalchemy import and_, or_
from sqlmodel import Session, select

from helpdesk.core import app_settings, audit
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import CannedResponse, Team, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets
from helpdesk.tickets.validation import CannedResponseChanges, CannedResponseDraft

# Every placeholder a body may use: object -> its fields.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "requester": ("first_name", "name"),
    "ticket": ("number", "title"),
    "agent": ("first_name", "name"),
    "team": ("name",),
}
SAFE_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default"})
# Structure a body may have besides placeholders: text, filters, constants and if/else.
_ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.If, nodes.CondExpr, nodes.Not, nodes.And,
    nodes.Or, nodes.Compare, nodes.Operand,
)
PLACEHOLDER_LIST = ", ".join(f"{{{{ {name}.{attr} }}}}" for name, attrs in PLACEHOLDERS.items() for attr in attrs)


@lru_cache
def _environment() -> SandboxedEnvironment:
    # Replies are plain text (never HTML), so no autoescaping; the sandbox blocks attribute tricks.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


# ---------------------------------------------------------------- checking and rendering


def _not_allowed(message: str) -> ValidationFailed:
    return ValidationFailed({"body": message})


def _check_node(node: nodes.Node) -> None:
    if isinstance(node, nodes.Getattr):
        if not isinstance(node.node, nodes.Name):
            raise _not_allowed(f"Only these placeholders can be used: {PLACEHOLDER_LIST}.")
        name, attr = node.node.name, node.attr
        if name not in PLACEHOLDERS or attr not in PLACEHOLDERS[name]:
            raise _not_allowed(f"Unknown placeholder {{{{ {name}.{attr} }}}}. Use one of: {PLACEHOLDER_LIST}.")
        return
    if isinstance(node, nodes.Name):
        # A bare object ({{ requester }}) or any other name: only the fields above are placeholders.
        raise _not_allowed(f"Unknown placeholder {{{{ {node.name} }}}}. Use one of: {PLACEHOLDER_LIST}.")
    if isinstance(node, nodes.Filter):
        if node.name not in SAFE_FILTERS:
            choices = ", ".join(sorted(SAFE_FILTERS))
            raise _not_allowed(f"The filter '{node.name}' can't be used; use one of: {choices}.")
    elif not isinstance(node, _ALLOWED_NODES):
        raise _not_allowed(f"Only placeholders such as {{{{ requester.first_name }}}}, a few filters and if/else can "
                           f"be used (found: {type(node).__name__.lower()}).")
    for child in node.iter_child_nodes():
        _check_node(child)


def check_body(body: str) -> None:
    """Raises ValidationFailed({"body": ...}) unless `body` is a template this module will render."""
    try:
        parsed = _environment().parse(body)
    except TemplateSyntaxError as exc:
        raise _not_allowed(f"The placeholders are not written correctly (line {exc.lineno}): {exc.message}") from None
    _check_node(parsed)


def _first_name(full_name: str) -> str:
    return full_name.split()[0] if full_name.split() else full_name


def render_body(body: str, context: dict[str, dict[str, Any]]) -> str:
    """Renders a checked body with plain values only (no ORM objects reach the template)."""
    check_body(body)
    try:
        return _environment().from_string(body).render(context)
    except SecurityError:
        raise _not_allowed("This response tries to use something that is not allowed.") from None
    except UndefinedError as exc:
        raise _not_allowed(f"Unknown placeholder: {exc.message}. Use one of: {PLACEHOLDER_LIST}.") from None
    except TemplateError as exc:
        raise _not_allowed(f"This response could not be filled in: {exc.message}") from None


def _context_for(session: Session, actor: Actor, ticket: Ticket) -> dict[str, dict[str, Any]]:
    requester = session.get(User, ticket.requester_id)
    team = session.get(Team, ticket.team_id) if ticket.team_id else None
    requester_name = requester.full_name if requester else ""
    return {
        "requester": {"name": requester_name, "first_name": _first_name(requester_name)},
        "ticket": {"number": ticket.number, "title": ticket.title},
        "agent": {"name": actor.full_name, "first_name": _first_name(actor.full_name)},
        # An untriaged ticket has no team yet; the desk as a whole answers it.
        "team": {"name": team.name if team else app_settings.value(session, "organisation_name")},
    }


def fill_in(session: Session, actor: Actor, body: str, ticket: Ticket) -> str:
    """`body` with this ticket's placeholders filled in, as `actor` would send it (macros' replies use it too)."""
    return render_body(body, _context_for(session, actor, ticket))


# ---------------------------------------------------------------- using them on a ticket


def _ticket_to_answer(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.can_work(actor, ticket):
        raise PermissionDenied("Only agents working this ticket can use canned responses.")
    return ticket


def _usable_on(ticket: Ticket, actor: Actor) -> Any:
    """Shared ones for everyone or the ticket's team, and the agent's own personal ones."""
    shared = and_(CannedResponse.owner_id.is_(None),
                  or_(CannedResponse.team_id.is_(None), CannedResponse.team_id == ticket.team_id))
    return CannedResponse.is_active, or_(shared, CannedResponse.owner_id == actor.user_id)


def _as_row(response: CannedResponse) -> dict[str, Any]:
    return response.model_dump(include={"id", "team_id", "owner_id", "title", "body", "is_active", "created_at",
                                        "updated_at"})


def list_for_ticket(session: Session, actor: Actor, ticket_id: int) -> list[dict[str, Any]]:
    """The active responses usable on this ticket: its team's first, then everyone's, each by title."""
    ticket = _ticket_to_answer(session, actor, ticket_id)
    rows = session.exec(
        select(CannedResponse)
        .where(*_usable_on(ticket, actor))
        .order_by(CannedResponse.team_id.is_(None), CannedResponse.title, CannedResponse.id)
    ).all()
    return [_as_row(response) for response in rows]


def render(session: Session, actor: Actor, response_id: int, ticket_id: int) -> str:
    """The response's body with this ticket's placeholders filled in (nothing is posted)."""
    ticket = _ticket_to_answer(session, actor, ticket_id)
    response = session.exec(select(CannedResponse).where(CannedResponse.id == response_id,
                                                         *_usable_on(ticket, actor))).first()
    if response is None:
        raise NotFound("Canned response not found.")
    return render_body(response.body, _context_for(session, actor, ticket))


# ---------------------------------------------------------------- managing them


def _check_may_manage(session: Session, actor: Actor, team_id: int | None, owner_id: int | None = None) -> None:
    """Administrators manage every shared response; a team's lead manages that team's responses; every agent
    manages their own personal ones (and only theirs: not even an administrator edits someone's personal one)."""
    if not actor.is_staff:
        raise PermissionDenied("Only administrators and team leads can manage canned responses.")
    if owner_id is not None:
        if owner_id != actor.user_id:
            raise NotFound("Canned response not found.")
        return
    if team_id is not None and session.get(Team, team_id) is None:
        raise ValidationFailed({"team_id": "Choose a team from the list."})
    if policy.is_admin(actor):
        return
    if team_id is None:
        raise PermissionDenied("Only administrators can manage canned responses for everyone.")
    if session.get(Team, team_id).lead_id != actor.user_id:
        raise PermissionDenied("Only administrators and the team's lead can manage the team's canned responses.")


def _get(session: Session, response_id: int) -> CannedResponse:
    response = session.get(CannedResponse, response_id)
    if response is None:
        raise NotFound("Canned response not found.")
    return response


def list_manageable(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Responses (active or not) the actor may edit: all for administrators, their teams' for team leads."""
    if not actor.is_staff:
        raise PermissionDenied("Only administrators and team leads can manage canned responses.")
    mine = CannedResponse.owner_id == actor.user_id
    if policy.is_admin(actor):
        query = select(CannedResponse).where(or_(CannedResponse.owner_id.is_(None), mine))
    else:
        led_team_ids = select(Team.id).where(Team.lead_id == actor.user_id)
        query = select(CannedResponse).where(or_(and_(CannedResponse.owner_id.is_(None),
                                                      CannedResponse.team_id.in_(led_team_ids)), mine))
    rows = session.exec(query.order_by(CannedResponse.team_id.is_(None), CannedResponse.title)).all()
    return [_as_row(response) for response in rows]


def create(session: Session, actor: Actor, draft: CannedResponseDraft) -> CannedResponse:
    owner_id = actor.user_id if draft.personal else None
    if draft.personal and draft.team_id is not None:
        raise ValidationFailed({"team_id": "A personal response belongs to you, not to a team."})
    _check_may_manage(session, actor, draft.team_id, owner_id)
    check_body(draft.body)
    now = utcnow()
    response = CannedResponse(team_id=draft.team_id, title=draft.title, body=draft.body, created_by_id=actor.user_id,
                              owner_id=owner_id, created_at=now, updated_at=now)
    session.add(response)
    session.flush()
    audit.record(session, "canned_response.create", actor_id=actor.user_id, entity_type="canned_response",
                 entity_id=str(response.id), details={"team_id": response.team_id, "title": response.title})
    return response


def update(session: Session, actor: Actor, response_id: int, changes: CannedResponseChanges) -> CannedResponse:
    """Changes the fields present in `changes`; moving a response needs the right to manage both scopes."""
    response = _get(session, response_id)
    _check_may_manage(session, actor, response.team_id, response.owner_id)
    requested = {name: getattr(changes, name) for name in changes.model_fields_set}
    if response.owner_id is not None and requested.get("team_id") is not None:
        raise ValidationFailed({"team_id": "A personal response belongs to you, not to a team."})
    for name in ("title", "body"):
        if requested.get(name, "") is None:
            requested.pop(name)
    if "team_id" in requested and requested["team_id"] != response.team_id and response.owner_id is None:
        _check_may_manage(session, actor, requested["team_id"])
    if "body" in requested:
        check_body(requested["body"])
    changed = {name: value for name, value in requested.items() if getattr(response, name) != value}
    if not changed:
        return response
    for name, value in changed.items():
        setattr(response, name, value)
    response.updated_at = utcnow()
    session.add(response)
    audit.record(session, "canned_response.update", actor_id=actor.user_id, entity_type="canned_response",
                 entity_id=str(response.id), details={"fields": sorted(changed)})
    return response


def deactivate(session: Session, actor: Actor, response_id: int) -> CannedResponse:
    """Hides the response from pickers; kept (not deleted) so the audit trail still names it."""
    response = _get(session, response_id)
    _check_may_manage(session, actor, response.team_id, response.owner_id)
    if response.is_active:
        response.is_active = False
        response.updated_at = utcnow()
        session.add(response)
        audit.record(session, "canned_response.deactivate", actor_id=actor.user_id, entity_type="canned_response",
                     entity_id=str(response.id))
    return response


SAMPLE_CONTEXT = {
    "requester": {"name": "Sara Example", "first_name": "Sara"},
    "ticket": {"number": 1042, "title": "Laptop will not start"},
    "team": {"name": "Hardware"},
}


def preview(actor: Actor, body: str) -> str:
    """The body filled in with sample values (the agent as themselves), for the editor's preview."""
    if not actor.is_staff:
        raise PermissionDenied("Only administrators and team leads can manage canned responses.")
    return render_body(body, SAMPLE_CONTEXT | {"agent": {"name": actor.full_name,
                                                         "first_name": _first_name(actor.full_name)}})
