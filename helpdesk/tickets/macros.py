"""Macros: a named set of field changes (status, priority, team, assignee), tags and an optional reply, applied to a
ticket in one action, or to many at once.

Applying one is the same as making each change by hand: the reply goes through `conversation.add_comment`, the
fields through `tickets.update_ticket`, the tags through `tags`, so every rule (reading and working rights, the
status life cycle, team membership of the assignee, closed tickets) is checked per ticket, and each part is in the
history, the audit log and the live push as it would be alone. On one ticket it is all or nothing.

Who may do what:
- agents and admins apply macros on tickets they work; managers (read-only) do not;
- a personal macro is its author's alone: only they see, edit, delete and apply it;
- shared macros (for everyone, or for one team's tickets) are managed by admins; a team's macro applies only to
  that team's tickets and is listed for its members (admins see every one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, or_
from sqlmodel import Session, select

from helpdesk.core import audit, i18n, on_commit
from helpdesk.core import live_bus as live
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import Macro, Role, Status, Team, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.tickets import canned_responses, conversation, tags, tickets
from helpdesk.tickets.validation import CommentDraft, MacroActions, MacroChanges, MacroDraft, TicketChanges

MAX_MACROS_PER_PERSON = 100


@dataclass
class MacroOutcome:
    """What applying a macro did to one ticket (empty: the ticket already was as the macro would make it)."""

    fields: list[str] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    tags_removed: list[str] = field(default_factory=list)
    replied: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.tags_added or self.tags_removed or self.replied)


def _check_staff(actor: Actor) -> None:
    if not policy.works_tickets(actor):
        raise PermissionDenied("Only agents and administrators use macros.")


def _usable(actor: Actor) -> Any:
    """Active macros the actor may see: their own personal ones and shared ones for everyone or their teams."""
    mine = Macro.owner_id == actor.user_id
    if policy.is_admin(actor):
        shared = Macro.owner_id.is_(None)
    else:
        team_ids = list(actor.team_ids)
        shared = and_(Macro.owner_id.is_(None),
                      or_(Macro.team_id.is_(None), Macro.team_id.in_(team_ids) if team_ids else false()))
    return and_(Macro.is_active, or_(mine, shared))


def may_edit(actor: Actor, macro: Macro) -> bool:
    return macro.owner_id == actor.user_id if macro.owner_id is not None else policy.is_admin(actor)


def _row(actor: Actor, macro: Macro, team_names: dict[int, str], language: str) -> dict[str, Any]:
    actions = MacroActions.model_validate(macro.actions)
    return {
        "id": macro.id, "name": macro.name, "description": macro.description, "owner_id": macro.owner_id,
        "team_id": macro.team_id, "personal": macro.owner_id is not None,
        "team": team_names.get(macro.team_id, "") if macro.team_id else "",
        "actions": actions.model_dump(mode="json"), "summary": summary(actions, team_names, language),
        "can_edit": may_edit(actor, macro), "updated_at": macro.updated_at,
    }


def summary(actions: MacroActions, team_names: dict[int, str] | None = None,
            language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """What the macro does, in a line a person reads before applying it, in their language."""
    def tr(msgid: str, **values: Any) -> str:
        return i18n.translate_format(language, msgid, **values)

    def value(word: str) -> str:
        # "waiting on customer" in English; the pages' label for it ("Waiting on customer") translated otherwise.
        english = word.replace("_", " ")
        return english if i18n.normalise(language) == i18n.DEFAULT_LANGUAGE else tr(english.capitalize())

    parts: list[str] = []
    if actions.status:
        parts.append(tr("status → {value}", value=value(actions.status.value)))
    if actions.priority:
        parts.append(tr("priority → {value}", value=value(actions.priority.value)))
    if actions.team_id is not None:
        parts.append(tr("team → {value}", value=(team_names or {}).get(actions.team_id, f"team {actions.team_id}")))
    if actions.assignee:
        parts.append({"me": tr("assign to me"), "nobody": tr("unassign")}.get(actions.assignee,
                                                                             tr("assign to an agent")))
    parts += ([tr("tag +{name}", name=name) for name in actions.add_tags]
              + [tr("tag -{name}", name=name) for name in actions.remove_tags])
    if actions.reply:
        parts.append(tr("internal note") if actions.reply_internal else tr("public reply"))
    return ("، " if i18n.is_rtl(language) else ", ").join(parts)


def _team_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(Team.id, Team.name)).all())


def list_macros(session: Session, actor: Actor, *, ticket_id: int | None = None,
                language: str = i18n.DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """The macros the actor may apply (on this ticket, when given), personal ones first, each by name."""
    _check_staff(actor)
    query = select(Macro).where(_usable(actor))
    if ticket_id is not None:
        ticket = tickets.get_for(session, actor, ticket_id)
        if not tickets.can_work(actor, ticket):
            raise PermissionDenied("Only agents working this ticket can apply macros.")
        query = query.where(or_(Macro.owner_id.is_not(None), Macro.team_id.is_(None), Macro.team_id == ticket.team_id))
    macros = session.exec(query.order_by(Macro.owner_id.is_(None), Macro.name, Macro.id)).all()
    names = _team_names(session)
    return [_row(actor, macro, names, language) for macro in macros]


def get_macro(session: Session, actor: Actor, macro_id: int) -> Macro:
    _check_staff(actor)
    macro = session.exec(select(Macro).where(Macro.id == macro_id, _usable(actor))).first()
    if macro is None:
        raise NotFound("Macro not found.")
    return macro


def macro_row(session: Session, actor: Actor, macro_id: int) -> dict[str, Any]:
    return _row(actor, get_macro(session, actor, macro_id), _team_names(session), i18n.DEFAULT_LANGUAGE)


# ---------------------------------------------------------------- managing them


def _check_actions(session: Session, actions: MacroActions) -> None:
    """The rows a macro names exist when it is saved (they are checked again, per ticket, when it is applied)."""
    if actions.team_id is not None and session.get(Team, actions.team_id) is None:
        raise ValidationFailed({"team_id": "Choose a team from the list."})
    if actions.assignee.isdigit():
        user = session.get(User, int(actions.assignee))
        if user is None or not user.is_active or user.role not in (Role.AGENT, Role.ADMIN):
            raise ValidationFailed({"assignee": "Choose an active agent."})
    if actions.reply:
        try:
            canned_responses.check_body(actions.reply)
        except ValidationFailed as invalid:
            raise ValidationFailed({"reply": invalid.field_errors.get("body", invalid.message)}) from None


def _check_scope(session: Session, actor: Actor, personal: bool, team_id: int | None) -> None:
    _check_staff(actor)
    if personal:
        if team_id is not None:
            raise ValidationFailed({"team_id": "A personal macro belongs to you, not to a team."})
        return
    if not policy.is_admin(actor):
        raise PermissionDenied("Only administrators manage shared macros; save it as your own instead.")
    if team_id is not None and session.get(Team, team_id) is None:
        raise ValidationFailed({"team_id": "Choose a team from the list."})


def _announce(session: Session, action: str, actor: Actor, macro: Macro, details: dict[str, Any]) -> None:
    audit.record(session, action, actor_id=actor.user_id, entity_type="macro", entity_id=str(macro.id),
                 details=details)
    if macro.owner_id is None:  # other agents' pages list shared macros: they refresh
        on_commit.after_commit(session, live.publish_queue_tools_changed, key="queue-tools")


def create_macro(session: Session, actor: Actor, draft: MacroDraft) -> Macro:
    _check_scope(session, actor, draft.personal, draft.team_id)
    _check_actions(session, draft.actions)
    if draft.personal:
        count = len(session.exec(select(Macro.id).where(Macro.owner_id == actor.user_id)).all())
        if count >= MAX_MACROS_PER_PERSON:
            raise ValidationFailed({"name": NF_("You have {count} macros already; delete one first.",
                                                count=MAX_MACROS_PER_PERSON)})
    now = utcnow()
    macro = Macro(name=draft.name, description=draft.description, owner_id=actor.user_id if draft.personal else None,
                  team_id=draft.team_id, actions=draft.actions.model_dump(mode="json"), created_by_id=actor.user_id,
                  created_at=now, updated_at=now)
    session.add(macro)
    session.flush()
    _announce(session, "macro.create", actor, macro, {"name": macro.name, "personal": draft.personal,
                                                      "team_id": macro.team_id, "actions": macro.actions})
    return macro


def update_macro(session: Session, actor: Actor, macro_id: int, changes: MacroChanges) -> Macro:
    macro = get_macro(session, actor, macro_id)
    if not may_edit(actor, macro):
        raise PermissionDenied("Only administrators change shared macros; personal ones only their author.")
    requested = {name: getattr(changes, name) for name in changes.model_fields_set}
    for name in ("name", "description", "actions"):
        if name in requested and requested[name] is None:
            requested.pop(name)
    if "team_id" in requested:
        _check_scope(session, actor, macro.owner_id is not None, requested["team_id"])
    if "actions" in requested:
        _check_actions(session, requested["actions"])
        requested["actions"] = requested["actions"].model_dump(mode="json")
    changed = {name: value for name, value in requested.items() if getattr(macro, name) != value}
    if not changed:
        return macro
    for name, value in changed.items():
        setattr(macro, name, value)
    macro.updated_at = utcnow()
    session.add(macro)
    _announce(session, "macro.update", actor, macro, {"fields": sorted(changed), "actions": macro.actions})
    return macro


def delete_macro(session: Session, actor: Actor, macro_id: int) -> None:
    macro = get_macro(session, actor, macro_id)
    if not may_edit(actor, macro):
        raise PermissionDenied("Only administrators delete shared macros; personal ones only their author.")
    _announce(session, "macro.delete", actor, macro, {"name": macro.name, "team_id": macro.team_id})
    session.delete(macro)


# ---------------------------------------------------------------- applying them


def _field_changes(actor: Actor, actions: MacroActions, ticket: Ticket) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if actions.status:
        fields["status"] = actions.status.value
    if actions.priority:
        fields["priority"] = actions.priority.value
    if actions.team_id is not None and actions.team_id != ticket.team_id:
        fields["team_id"] = actions.team_id
        fields["assignee_id"] = None  # as on the ticket page: a new queue, unless the macro names an assignee
    if actions.assignee == "me":
        fields["assignee_id"] = actor.user_id
    elif actions.assignee == "nobody":
        fields["assignee_id"] = None
    elif actions.assignee.isdigit():
        fields["assignee_id"] = int(actions.assignee)
    return fields


def apply_macro(session: Session, actor: Actor, macro_id: int, ticket_id: int, *,
                now: datetime | None = None) -> MacroOutcome:
    """Applies the macro to the ticket: reply, fields, tags; raises (changing nothing) if any part is refused."""
    macro = get_macro(session, actor, macro_id)
    ticket = tickets.get_for(session, actor, ticket_id, lock=True)
    if not tickets.can_work(actor, ticket):
        raise PermissionDenied("Only agents working this ticket can apply macros.")
    if macro.owner_id is None and macro.team_id is not None and macro.team_id != ticket.team_id:
        raise PermissionDenied("This macro is for another team's tickets.")
    if ticket.status == Status.CLOSED:
        raise ValidationFailed({"status": "This ticket is closed; macros can't change it."})
    actions = MacroActions.model_validate(macro.actions)
    now = now or utcnow()
    outcome = MacroOutcome()
    if actions.reply:
        # Before the fields: a macro that closes the ticket still sends its reply, and the placeholders name the
        # team the requester has been talking to.
        body = canned_responses.fill_in(session, actor, actions.reply, ticket)
        conversation.add_comment(session, actor, ticket.id, CommentDraft(body=body, internal=actions.reply_internal),
                                 now=now)
        outcome.replied = True
    fields = _field_changes(actor, actions, ticket)
    if fields:
        before = {name: getattr(ticket, name) for name in fields}
        tickets.update_ticket(session, actor, ticket.id, TicketChanges.model_validate(fields), now=now)
        outcome.fields = sorted(name for name, old in before.items() if getattr(ticket, name) != old)
    if actions.remove_tags:
        outcome.tags_removed = tags.remove_tags(session, actor, ticket.id, actions.remove_tags, now=now)
    if actions.add_tags:
        outcome.tags_added = tags.add_tags(session, actor, ticket.id, actions.add_tags, now=now)
    audit.record(session, "macro.apply", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id),
                 details={"macro_id": macro.id, "macro": macro.name, "fields": outcome.fields,
                          "tags_added": outcome.tags_added, "tags_removed": outcome.tags_removed,
                          "replied": outcome.replied})
    return outcome


def apply_to_many(session: Session, actor: Actor, macro_id: int, ticket_ids: list[int]) -> tickets.BulkResult:
    """The macro on each ticket, each under the rules of `apply_macro` (see tickets.run_bulk)."""
    macro = get_macro(session, actor, macro_id)
    now = utcnow()
    return tickets.run_bulk(
        session, actor, ticket_ids,
        lambda ticket_id: apply_macro(session, actor, macro.id, ticket_id, now=now).changed,
        action="macro.bulk_apply", details={"macro_id": macro.id, "macro": macro.name},
    )
