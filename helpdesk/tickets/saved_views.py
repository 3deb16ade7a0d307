"""Saved views: the queue's filters and sort under a name, personal or shared.

Who may share (the documented rule):
- everyone in IT (agents, managers, admins) saves personal views, which only they see, edit and delete;
- a view shared with one team is saved, edited and deleted by that team's lead, a manager or an admin, and is
  seen by the team's members (managers and admins see every shared view);
- a view shared with all of IT is saved, edited and deleted by managers and admins.
Every change is audited, and announced on the live bus so every open queue lists the views as they are now.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, or_
from sqlmodel import Session, select

from helpdesk.core import audit, on_commit
from helpdesk.core import live_bus as live
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import OPEN_STATUSES, Role, SavedView, Team
from helpdesk.models.base import utcnow
from helpdesk.tickets.tickets import TicketFilters
from helpdesk.tickets.validation import SavedViewChanges, SavedViewDraft, ViewFilters

MAX_VIEWS_PER_PERSON = 50


def ticket_filters(filters: ViewFilters, user_id: int) -> TicketFilters:
    """What a view shows to the person `user_id` ("me" in a shared view is whoever opens it)."""
    statuses = ([s.value for s in OPEN_STATUSES] if filters.tab == "unresolved" else [] if filters.tab == "all"
                else [filters.tab])
    return TicketFilters(
        statuses=statuses,
        priorities=[filters.priority.value] if filters.priority else [],
        team_id=filters.team_id,
        assignee_id=user_id if filters.assignee == "me" else int(filters.assignee) if filters.assignee.isdigit()
        else None,
        unassigned=filters.assignee == "unassigned",
        category_id=filters.category_id,
        text=filters.query,
        sla_state=filters.sla_state,
        tag=filters.tag,
    )


def _check_reader(actor: Actor) -> None:
    if not policy.is_it_staff(actor):
        raise PermissionDenied("Only the IT team has queue views.")


def _may_share(session: Session, actor: Actor, team_id: int | None) -> bool:
    if actor.role in (Role.ADMIN, Role.MANAGER):
        return True
    if team_id is None:
        return False
    team = session.get(Team, team_id)
    return team is not None and team.lead_id == actor.user_id


def _check_scope(session: Session, actor: Actor, shared: bool, team_id: int | None) -> None:
    if not shared:
        if team_id is not None:
            raise ValidationFailed({"team_id": "A personal view belongs to you, not to a team."})
        return
    if team_id is not None and session.get(Team, team_id) is None:
        raise ValidationFailed({"team_id": "Choose a team from the list."})
    if not _may_share(session, actor, team_id):
        raise PermissionDenied("Only a team's lead, managers and admins share views with the team; "
                               "only managers and admins share them with all of IT."
                               if team_id is not None else
                               "Only managers and admins share views with all of IT.")


def _visible(actor: Actor) -> Any:
    mine = and_(SavedView.shared.is_(False), SavedView.owner_id == actor.user_id)
    if actor.can_read_all:
        return or_(mine, SavedView.shared.is_(True))
    team_ids = list(actor.team_ids)
    shared_with_me = and_(SavedView.shared.is_(True),
                          or_(SavedView.team_id.is_(None), SavedView.team_id.in_(team_ids) if team_ids else false(),
                              SavedView.owner_id == actor.user_id))
    return or_(mine, shared_with_me)


def may_edit(session: Session, actor: Actor, view: SavedView) -> bool:
    """Personal views: their owner only. Shared ones: whoever may share with that audience (see the module)."""
    if not view.shared:
        return view.owner_id == actor.user_id
    return _may_share(session, actor, view.team_id)


def _row(session: Session, actor: Actor, view: SavedView, team_names: dict[int, str]) -> dict[str, Any]:
    scope = ("personal" if not view.shared else "everyone" if view.team_id is None else "team")
    return {
        "id": view.id, "name": view.name, "shared": view.shared, "team_id": view.team_id,
        "team": team_names.get(view.team_id, "") if view.team_id else "", "scope": scope,
        "owner_id": view.owner_id, "filters": ViewFilters.model_validate(view.filters).model_dump(mode="json"),
        "can_edit": may_edit(session, actor, view), "updated_at": view.updated_at,
    }


def _team_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(Team.id, Team.name)).all())


def list_views(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The views this person may open: their own, then shared ones (with their teams or all of IT), by name."""
    _check_reader(actor)
    views = session.exec(select(SavedView).where(_visible(actor))
                         .order_by(SavedView.shared, SavedView.name, SavedView.id)).all()
    names = _team_names(session)
    return [_row(session, actor, view, names) for view in views]


def get_view(session: Session, actor: Actor, view_id: int) -> SavedView:
    _check_reader(actor)
    view = session.exec(select(SavedView).where(SavedView.id == view_id, _visible(actor))).first()
    if view is None:
        raise NotFound("Saved view not found.")
    return view


def view_row(session: Session, actor: Actor, view_id: int) -> dict[str, Any]:
    return _row(session, actor, get_view(session, actor, view_id), _team_names(session))


def _check_name_free(session: Session, actor: Actor, name: str, shared: bool, team_id: int | None,
                     except_id: int | None = None) -> None:
    """Two views one person sees under the same name would be indistinguishable beside the queue tabs."""
    same = select(SavedView.id).where(SavedView.name.ilike(name.replace("\\", "\\\\").replace("%", "\\%")
                                                           .replace("_", "\\_")),
                                      SavedView.shared.is_(shared),
                                      SavedView.owner_id == actor.user_id if not shared else
                                      (SavedView.team_id.is_(None) if team_id is None else
                                       SavedView.team_id == team_id))
    if except_id is not None:
        same = same.where(SavedView.id != except_id)
    if session.exec(same).first() is not None:
        raise ValidationFailed({"name": "A view with this name already exists there; choose another name."})


def _announce(session: Session, action: str, actor: Actor, view: SavedView, details: dict[str, Any]) -> None:
    audit.record(session, action, actor_id=actor.user_id, entity_type="saved_view", entity_id=str(view.id),
                 details=details)
    if view.shared:  # other people's queues list shared views: they refresh; a personal one concerns its owner only
        on_commit.after_commit(session, live.publish_queue_tools_changed, key="queue-tools")


def create_view(session: Session, actor: Actor, draft: SavedViewDraft) -> SavedView:
    _check_reader(actor)
    _check_scope(session, actor, draft.shared, draft.team_id)
    _check_name_free(session, actor, draft.name, draft.shared, draft.team_id)
    if not draft.shared:
        count = len(session.exec(select(SavedView.id).where(SavedView.owner_id == actor.user_id,
                                                            SavedView.shared.is_(False))).all())
        if count >= MAX_VIEWS_PER_PERSON:
            raise ValidationFailed({"name": NF_("You have {count} views already; delete one first.",
                                                count=MAX_VIEWS_PER_PERSON)})
    now = utcnow()
    view = SavedView(name=draft.name, owner_id=actor.user_id, shared=draft.shared, team_id=draft.team_id,
                     filters=draft.filters.model_dump(mode="json"), created_at=now, updated_at=now)
    session.add(view)
    session.flush()
    _announce(session, "saved_view.create", actor, view,
              {"name": view.name, "shared": view.shared, "team_id": view.team_id, "filters": view.filters})
    return view


def update_view(session: Session, actor: Actor, view_id: int, changes: SavedViewChanges) -> SavedView:
    view = get_view(session, actor, view_id)
    if not may_edit(session, actor, view):
        raise PermissionDenied("You can only change your own views (shared ones: their team's lead, managers, "
                               "admins).")
    requested = {name: getattr(changes, name) for name in changes.model_fields_set}
    for name in ("name", "filters", "shared"):
        if name in requested and requested[name] is None:
            requested.pop(name)
    shared = requested.get("shared", view.shared)
    team_id = requested.get("team_id", view.team_id) if shared else None
    if (shared, team_id) != (view.shared, view.team_id):
        _check_scope(session, actor, shared, team_id)
    name = requested.get("name", view.name)
    if name != view.name or (shared, team_id) != (view.shared, view.team_id):
        _check_name_free(session, actor, name, shared, team_id, except_id=view.id)
    was_shared = view.shared
    new_filters = requested["filters"].model_dump(mode="json") if "filters" in requested else view.filters
    changed = sorted(field for field, old, new in (("name", view.name, name), ("shared", view.shared, shared),
                                                    ("team_id", view.team_id, team_id),
                                                    ("filters", view.filters, new_filters)) if old != new)
    if not changed:
        return view
    view.name, view.shared, view.team_id, view.filters = name, shared, team_id, new_filters
    view.updated_at = utcnow()
    session.add(view)
    if was_shared and not view.shared:  # it disappears from other people's queues
        on_commit.after_commit(session, live.publish_queue_tools_changed, key="queue-tools")
    _announce(session, "saved_view.update", actor, view, {"fields": changed, "filters": view.filters})
    return view


def delete_view(session: Session, actor: Actor, view_id: int) -> None:
    view = get_view(session, actor, view_id)
    if not may_edit(session, actor, view):
        raise PermissionDenied("You can only delete your own views (shared ones: their team's lead, managers, "
                               "admins).")
    _announce(session, "saved_view.delete", actor, view, {"name": view.name, "shared": view.shared,
                                                          "team_id": view.team_id})
    session.delete(view)


def share_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Where this person may save a view: always "personal"; "everyone" and "team:<id>" as the rule allows."""
    _check_reader(actor)
    options = [{"value": "personal", "label": "Only me"}]
    if actor.role in (Role.ADMIN, Role.MANAGER):
        options.append({"value": "everyone", "label": "Everyone in IT"})
        teams = session.exec(select(Team.id, Team.name).order_by(Team.name)).all()
    else:
        teams = session.exec(select(Team.id, Team.name).where(Team.lead_id == actor.user_id).order_by(Team.name)).all()
    options += [{"value": f"team:{team_id}", "label": f"Team: {name}"} for team_id, name in teams]
    return options
