"""Teams (members, lead, assignment mode, members' availability) and the category tree (move, default team,
archive), edited by administrators. Changes are audited and drop the cached look-ups (directory caches) so every
form and the assignment rules see them at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core import audit, bounds
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_, NF_
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor, forget_actor
from helpdesk.identity.directory import invalidate_directory_caches
from helpdesk.models import AssignmentMode, Category, Role, Team, TeamMembership, User

ASSIGNMENT_MODES = {
    AssignmentMode.MANUAL.value: N_("Manual: tickets wait in the team queue"),
    AssignmentMode.ROUND_ROBIN.value: N_("Round robin among available members"),
    AssignmentMode.LEAST_OPEN.value: N_("Fewest open tickets among available members"),
}
MAX_CATEGORY_DEPTH = 3  # top level, child, grandchild: deeper trees make the pickers unreadable


def _require_admin(by: Actor) -> None:
    if not policy.is_admin(by) or by.scopes is not None:
        raise PermissionDenied("Only administrators manage teams and categories.")


def _changed(session: Session, by: Actor, action: str, entity_type: str, entity_id: int,
             details: dict[str, Any]) -> None:
    audit.record(session, action, actor_id=by.user_id, entity_type=entity_type, entity_id=str(entity_id),
                 details=details)
    invalidate_directory_caches()


# ---------------------------------------------------------------- teams


def list_teams(session: Session, by: Actor) -> list[dict[str, Any]]:
    _require_admin(by)
    counts = dict(session.exec(select(TeamMembership.team_id, func.count()).group_by(TeamMembership.team_id)).all())
    available = dict(session.exec(
        select(TeamMembership.team_id, func.count()).join(User, User.id == TeamMembership.user_id)
        .where(User.is_active, User.is_available).group_by(TeamMembership.team_id)).all())
    leads = dict(session.exec(select(User.id, User.full_name).join(Team, Team.lead_id == User.id)).all())
    return [{"id": t.id, "name": t.name, "description": t.description, "lead_id": t.lead_id,
             "lead": leads.get(t.lead_id, ""), "assignment_mode": t.assignment_mode,
             "members": counts.get(t.id, 0), "available": available.get(t.id, 0)}
            for t in session.exec(select(Team).order_by(Team.name)).all()]


def team_members(session: Session, by: Actor, team_id: int) -> list[dict[str, Any]]:
    _require_admin(by)
    if session.get(Team, team_id) is None:
        raise NotFound(N_("No such team."))
    rows = session.exec(select(User).join(TeamMembership, TeamMembership.user_id == User.id)
                        .where(TeamMembership.team_id == team_id).order_by(User.full_name)).all()
    return [{"id": u.id, "full_name": u.full_name, "email": u.email, "role": u.role, "active": u.is_active,
             "available": u.is_available} for u in rows]


def _check_team(session: Session, name: str, description: str, lead_id: int | None, mode: str,
                team_id: int | None) -> dict[str, str]:
    errors = {}
    if not name or len(name) > 80:
        errors["name"] = N_("Name the team (up to 80 characters).")
    else:
        clash = select(Team.id).where(func.lower(Team.name) == name.lower())
        if team_id is not None:
            clash = clash.where(Team.id != team_id)
        if session.exec(clash).first() is not None:
            errors["name"] = N_("Another team has this name.")
    if len(description) > 500:
        errors["description"] = N_("Use at most 500 characters.")
    if mode not in ASSIGNMENT_MODES:
        errors["assignment_mode"] = N_("Choose manual, round robin or least open.")
    if lead_id is not None:
        lead = session.get(User, lead_id)
        if lead is None or not lead.is_active or lead.role == Role.REQUESTER or lead.is_service_account:
            errors["lead_id"] = N_("The lead must be an active agent, manager or administrator.")
    return errors


def save_team(session: Session, by: Actor, *, team_id: int | None, name: str, description: str = "",
              lead_id: int | None = None, assignment_mode: str = AssignmentMode.MANUAL.value) -> Team:
    """Creates (team_id None) or changes a team."""
    _require_admin(by)
    name, description = (name or "").strip(), (description or "").strip()
    team = None
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound(N_("No such team."))
    errors = _check_team(session, name, description, lead_id, assignment_mode, team_id)
    errors |= bounds.unstorable({"name": name, "description": description}, multiline=("description",))
    if errors:
        raise ValidationFailed(errors)
    if team is None:
        team = Team(name=name, description=description, lead_id=lead_id, assignment_mode=assignment_mode)
        session.add(team)
        session.flush()
        _changed(session, by, "team.create", "team", team.id, {"name": name, "lead_id": lead_id,
                                                               "assignment_mode": assignment_mode})
        return team
    changes = {}
    for field, new in (("name", name), ("description", description), ("lead_id", lead_id),
                       ("assignment_mode", assignment_mode)):
        if getattr(team, field) != new:
            changes[field] = {"from": getattr(team, field), "to": new}
            setattr(team, field, new)
    session.add(team)
    if changes:
        _changed(session, by, "team.update", "team", team.id, changes)
    return team


def add_member(session: Session, by: Actor, team_id: int, user_id: int) -> None:
    _require_admin(by)
    if session.get(Team, team_id) is None:
        raise NotFound(N_("No such team."))
    user = session.get(User, user_id)
    if user is None or user.is_service_account or not user.is_active:
        raise ValidationFailed({"user_id": N_("Choose an active person.")})
    if user.role == Role.REQUESTER:
        raise ValidationFailed({"user_id": N_("Requesters cannot join IT teams; change their role first.")})
    if session.get(TeamMembership, (team_id, user_id)) is not None:
        raise ValidationFailed({"user_id": NF_("{name} is in this team already.", name=user.full_name)})
    session.add(TeamMembership(team_id=team_id, user_id=user_id))
    _changed(session, by, "team.member_add", "team", team_id, {"user_id": user_id})
    forget_actor(user_id)


def remove_member(session: Session, by: Actor, team_id: int, user_id: int) -> None:
    _require_admin(by)
    membership = session.get(TeamMembership, (team_id, user_id))
    if membership is None:
        raise NotFound(N_("Not a member of this team."))
    session.delete(membership)
    team = session.get(Team, team_id)
    if team is not None and team.lead_id == user_id:
        team.lead_id = None  # a lead who leaves the team no longer leads it
        session.add(team)
    _changed(session, by, "team.member_remove", "team", team_id, {"user_id": user_id})
    forget_actor(user_id)


def set_availability(session: Session, by: Actor, user_id: int, available: bool) -> None:
    """Whether automatic assignment may give this person tickets (holidays, sick days)."""
    _require_admin(by)
    user = session.get(User, user_id)
    if user is None or user.is_service_account:
        raise NotFound(N_("No such account."))
    if user.is_available != available:
        user.is_available = available
        session.add(user)
        _changed(session, by, "user.availability", "user", user_id, {"available": available})


# ---------------------------------------------------------------- categories


def category_tree(session: Session, by: Actor) -> list[dict[str, Any]]:
    """Every category (archived too) in tree order, with its depth and path."""
    _require_admin(by)
    rows = session.exec(select(Category).order_by(Category.name)).all()
    teams = dict(session.exec(select(Team.id, Team.name)).all())
    children: dict[int | None, list[Category]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)
    ordered: list[dict[str, Any]] = []

    def walk(parent_id: int | None, depth: int, path: str) -> None:
        for c in children.get(parent_id, []):
            label = f"{path} / {c.name}" if path else c.name
            ordered.append({"id": c.id, "name": c.name, "parent_id": c.parent_id, "depth": depth, "path": label,
                            "default_team_id": c.default_team_id, "team": teams.get(c.default_team_id, ""),
                            "description": c.description, "active": c.is_active})
            walk(c.id, depth + 1, label)

    walk(None, 0, "")
    return ordered


def _subtree_height(session: Session, category_id: int) -> int:
    kids = session.exec(select(Category.id).where(Category.parent_id == category_id)).all()
    return 1 + max((_subtree_height(session, k) for k in kids), default=0)


def _depth(session: Session, category_id: int | None) -> int:
    depth = 0
    while category_id is not None:
        depth += 1
        category_id = session.exec(select(Category.parent_id).where(Category.id == category_id)).first()
    return depth


def save_category(session: Session, by: Actor, *, category_id: int | None, name: str, parent_id: int | None = None,
                  default_team_id: int | None = None, description: str = "") -> Category:
    """Creates or changes a category; changing its parent moves it (with its children) in the tree."""
    _require_admin(by)
    name, description = (name or "").strip(), (description or "").strip()
    category = None
    if category_id is not None:
        category = session.get(Category, category_id)
        if category is None:
            raise NotFound(N_("No such category."))
    errors = bounds.unstorable({"name": name, "description": description}, multiline=("description",))
    if not name or len(name) > 80:
        errors["name"] = N_("Name the category (up to 80 characters).")
    if len(description) > 300:
        errors["description"] = N_("Use at most 300 characters.")
    if default_team_id is not None and session.get(Team, default_team_id) is None:
        errors["default_team_id"] = N_("Choose a team from the list.")
    if parent_id is not None:
        parent = session.get(Category, parent_id)
        if parent is None:
            errors["parent_id"] = N_("Choose a parent from the list.")
        elif category_id is not None:
            # Walking up from the new parent must not meet the category itself: no loops.
            ancestor: int | None = parent_id
            while ancestor is not None:
                if ancestor == category_id:
                    errors["parent_id"] = N_("A category cannot move under itself or its own children.")
                    break
                ancestor = session.exec(select(Category.parent_id).where(Category.id == ancestor)).first()
        if "parent_id" not in errors:
            height = _subtree_height(session, category_id) if category_id is not None else 1
            if _depth(session, parent_id) + height > MAX_CATEGORY_DEPTH:
                errors["parent_id"] = f"The tree is at most {MAX_CATEGORY_DEPTH} levels deep."
    if "name" not in errors:
        clash = select(Category.id).where(func.lower(Category.name) == name.lower(),
                                          Category.parent_id.is_(None) if parent_id is None
                                          else Category.parent_id == parent_id)
        if category_id is not None:
            clash = clash.where(Category.id != category_id)
        if session.exec(clash).first() is not None:
            errors["name"] = N_("Another category under the same parent has this name.")
    if errors:
        raise ValidationFailed(errors)
    if category is None:
        category = Category(name=name, parent_id=parent_id, default_team_id=default_team_id, description=description)
        session.add(category)
        session.flush()
        _changed(session, by, "category.create", "category", category.id,
                 {"name": name, "parent_id": parent_id, "default_team_id": default_team_id})
        return category
    changes = {}
    for field, new in (("name", name), ("parent_id", parent_id), ("default_team_id", default_team_id),
                       ("description", description)):
        if getattr(category, field) != new:
            changes[field] = {"from": getattr(category, field), "to": new}
            setattr(category, field, new)
    session.add(category)
    if changes:
        _changed(session, by, "category.move" if "parent_id" in changes else "category.update", "category",
                 category.id, changes)
    return category


def set_category_archived(session: Session, by: Actor, category_id: int, archived: bool) -> None:
    """An archived category (and every category under it) is no longer offered for new tickets; tickets keep it."""
    _require_admin(by)
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound(N_("No such category."))
    if not archived and category.parent_id is not None:
        parent = session.get(Category, category.parent_id)
        if parent is not None and not parent.is_active:
            raise ValidationFailed({"category_id": NF_("Restore its parent “{name}” first.", name=parent.name)})
    affected, frontier = [category], [category.id]
    if archived:
        while frontier:
            kids = session.exec(select(Category).where(Category.parent_id.in_(frontier))).all()
            affected.extend(kids)
            frontier = [k.id for k in kids]
    for c in affected:
        c.is_active = not archived
        session.add(c)
    _changed(session, by, "category.archive" if archived else "category.restore", "category", category_id,
             {"categories": [c.id for c in affected]})
