"""People, teams and categories: look-ups for forms and filters, and account management."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core import audit, cache
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor, forget_actor
from helpdesk.identity.passwords import MIN_PASSWORD_LENGTH, hash_password
from helpdesk.models import Category, Role, Team, TeamMembership, User

CATEGORY_TREE_TTL_SECONDS = 24 * 3600  # spec 4.3.3: category trees, 1 day
TEAM_MEMBERS_TTL_SECONDS = 30 * 60  # spec 4.3.3: team member lists, 30 minutes


def category_options(session: Session) -> list[dict[str, Any]]:
    """Active categories as a flat list in tree order, with "Parent / Child" labels."""

    def compute() -> list[dict[str, Any]]:
        rows = session.exec(select(Category).where(Category.is_active).order_by(Category.name)).all()
        by_id = {c.id: c for c in rows}
        options = []
        for category in rows:
            parent = by_id.get(category.parent_id) if category.parent_id else None
            label = f"{parent.name} / {category.name}" if parent else category.name
            options.append({"id": category.id, "label": label, "parent_id": category.parent_id,
                            "default_team_id": category.default_team_id})
        return sorted(options, key=lambda o: o["label"])

    return cache.cached_json(cache.key("category", "all", "tree"), CATEGORY_TREE_TTL_SECONDS, compute)


def team_options(session: Session) -> list[dict[str, Any]]:
    return [{"id": t.id, "label": t.name} for t in session.exec(select(Team).order_by(Team.name)).all()]


def agent_options(session: Session, team_id: int | None = None) -> list[dict[str, Any]]:
    """Active agents (optionally of one team), for assignment pickers."""

    def compute() -> list[dict[str, Any]]:
        query = select(User.id, User.full_name).where(
            User.is_active, User.role.in_([Role.AGENT.value, Role.ADMIN.value])
        )
        if team_id is not None:
            query = query.join(TeamMembership, TeamMembership.user_id == User.id).where(
                TeamMembership.team_id == team_id
            )
        return [{"id": uid, "label": name} for uid, name in session.exec(query.order_by(User.full_name)).all()]

    return cache.cached_json(cache.key("team", team_id or "all", "members"), TEAM_MEMBERS_TTL_SECONDS, compute)


def invalidate_directory_caches() -> None:
    client = cache.get_redis()
    stale = list(client.scan_iter(cache.key("team", "*", "members"))) + [cache.key("category", "all", "tree")]
    cache.invalidate(*stale)


def create_user(
    session: Session,
    *,
    email: str,
    full_name: str,
    password: str,
    role: str = Role.REQUESTER.value,
    department: str = "",
    team_ids: list[int] | None = None,
    by: Actor | None = None,
) -> User:
    """Creates an account; `by` is None only for the command line and the seeder."""
    if by is not None and not policy.is_admin(by):
        raise PermissionDenied("Only administrators can create accounts.")
    email = email.strip().lower()
    errors = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter a valid e-mail address."
    elif session.exec(select(User.id).where(func.lower(User.email) == email)).first() is not None:
        errors["email"] = "An account with this e-mail already exists."
    if not full_name.strip():
        errors["full_name"] = "Enter the person's name."
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if role not in {r.value for r in Role}:
        errors["role"] = "Choose requester, agent, manager or admin."
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, full_name=full_name.strip(), password_hash=hash_password(password), role=role,
                department=department)
    session.add(user)
    session.flush()
    for team_id in team_ids or []:
        session.add(TeamMembership(team_id=team_id, user_id=user.id))
    audit.record(session, "user.create", actor_id=by.user_id if by else None, entity_type="user",
                 entity_id=str(user.id), details={"role": role})
    return user


def set_active(session: Session, by: Actor, user_id: int, active: bool) -> None:
    from helpdesk.identity.auth import end_all_sessions

    if not policy.is_admin(by):
        raise PermissionDenied("Only administrators can change accounts.")
    user = session.get(User, user_id)
    if user is None:
        raise ValidationFailed({"user_id": "No such account."})
    user.is_active = active
    session.add(user)
    audit.record(session, "user.activate" if active else "user.deactivate", actor_id=by.user_id,
                 entity_type="user", entity_id=str(user_id))
    forget_actor(user_id)
    if not active:
        end_all_sessions(user_id)
