"""API tokens: personal access tokens and service accounts' tokens, with scopes.

A token is `hdp_` + 32 random bytes (URL-safe). Only its SHA-256 is stored: the token has 256 bits of entropy, so a
fast hash is enough (a slow password hash would only cost every API request). It is shown once, when made.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from helpdesk.core import audit, bounds
from helpdesk.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor, load_actor
from helpdesk.models import ApiToken, Role, User
from helpdesk.models.base import utcnow

TOKEN_PREFIX = "hdp_"
SCOPES = {
    "tickets:read": "Read tickets, comments, attachments and help articles",
    "tickets:write": "Create and change tickets, comments and attachments",
    "reports:read": "Read reports and exports",
}
# A service account works tickets (agent) or reads reports (manager); it is never an administrator.
SERVICE_ACCOUNT_ROLES = (Role.AGENT.value, Role.MANAGER.value)
# last_used_at is written at most this often per token, so a busy integration does not write on every request.
LAST_USED_RESOLUTION = timedelta(seconds=60)
UNUSABLE_PASSWORD = "!"  # no password hash matches it (identity/passwords.py)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_api_token(token: str | None) -> bool:
    return bool(token) and token.startswith(TOKEN_PREFIX)


def _check_scopes(scopes: list[str]) -> list[str]:
    chosen = sorted({str(s) for s in scopes})
    if not chosen:
        raise ValidationFailed({"scopes": N_("Choose at least one scope.")})
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise ValidationFailed({"scopes": f"Unknown scope: {', '.join(unknown)}."})
    return chosen


def _owner(session: Session, by: Actor, user_id: int) -> User:
    owner = session.get(User, user_id)
    if owner is None or not policy.manages_api_tokens_of(by, user_id, owner.is_service_account):
        raise NotFound(N_("No such account."))
    return owner


def create_token(session: Session, by: Actor, *, name: str, scopes: list[str], user_id: int | None = None,
                 expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Makes a token for `user_id` (default: the person asking); returns the row and the token, shown once."""
    owner = _owner(session, by, user_id if user_id is not None else by.user_id)
    name = (name or "").strip()
    errors = bounds.unstorable({"name": name})
    if not name or len(name) > 80:
        errors["name"] = N_("Name the token (up to 80 characters), e.g. what uses it.")
    try:
        chosen = _check_scopes(scopes)
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        errors["expires_in_days"] = N_("Choose between 1 and 3650 days, or no expiry.")
    if errors:
        raise ValidationFailed(errors)
    if not owner.is_active:
        raise ValidationFailed({"user_id": N_("This account is deactivated.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=owner.id, name=name, token_hash=token_hash(secret), prefix=secret[:10], scopes=chosen,
                   created_by_id=by.user_id,
                   expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None)
    session.add(row)
    session.flush()
    audit.record(session, "api_token.create", actor_id=by.user_id, entity_type="api_token", entity_id=str(row.id),
                 details={"owner_id": owner.id, "name": name, "scopes": chosen})
    return row, secret


def revoke_token(session: Session, by: Actor, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(N_("No such token."))
    _owner(session, by, row.user_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        audit.record(session, "api_token.revoke", actor_id=by.user_id, entity_type="api_token",
                     entity_id=str(row.id), details={"owner_id": row.user_id, "name": row.name})


def list_tokens(session: Session, by: Actor, user_id: int | None = None) -> list[dict[str, Any]]:
    owner = _owner(session, by, user_id if user_id is not None else by.user_id)
    rows = session.exec(select(ApiToken).where(ApiToken.user_id == owner.id)
                        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()
    return [{"id": r.id, "name": r.name, "prefix": r.prefix, "scopes": list(r.scopes), "created_at": r.created_at,
             "expires_at": r.expires_at, "last_used_at": r.last_used_at, "revoked_at": r.revoked_at} for r in rows]


def create_service_account(session: Session, by: Actor, *, name: str, role: str = Role.AGENT.value) -> User:
    """An account for an integration: it holds API tokens and never signs in."""
    if not policy.is_admin(by) or by.scopes is not None:
        raise PermissionDenied("Only administrators can create service accounts.")
    name = (name or "").strip()
    errors = bounds.unstorable({"name": name})
    if not name or len(name) > 120:
        errors["name"] = N_("Name the service account (up to 120 characters).")
    if role not in SERVICE_ACCOUNT_ROLES:
        errors["role"] = N_("A service account is an agent (works tickets) or a manager (reads reports).")
    if errors:
        raise ValidationFailed(errors)
    # Service accounts get an address no mailbox has, so they never receive e-mail or collide with a person.
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")[:40] or "service"
    email = f"{slug}-{secrets.token_hex(3)}@service-accounts.invalid"
    user = User(email=email, full_name=name, password_hash=UNUSABLE_PASSWORD, role=role, is_service_account=True,
                is_available=False)
    session.add(user)
    session.flush()
    audit.record(session, "service_account.create", actor_id=by.user_id, entity_type="user",
                 entity_id=str(user.id), details={"name": name, "role": role})
    return user


def list_service_accounts(session: Session, by: Actor) -> list[dict[str, Any]]:
    if not policy.is_admin(by):
        raise PermissionDenied("Only administrators can see service accounts.")
    live = (select(ApiToken.user_id, func.count().label("n")).where(ApiToken.revoked_at.is_(None))
            .group_by(ApiToken.user_id).subquery())
    rows = session.exec(select(User, live.c.n).outerjoin(live, live.c.user_id == User.id)
                        .where(User.is_service_account).order_by(User.full_name)).all()
    return [{"id": u.id, "name": u.full_name, "role": u.role, "active": u.is_active, "tokens": n or 0}
            for u, n in rows]


def actor_for_api_token(session: Session, token: str) -> Actor:
    """The actor an API token stands for, limited to the token's scopes; refuses revoked and expired tokens."""
    now = utcnow()
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise NotAuthenticated("This API token is not valid (unknown, revoked or expired).")
    session.execute(update(ApiToken).where(ApiToken.id == row.id, or_(
        ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_RESOLUTION)).values(last_used_at=now))
    actor = load_actor(session, row.user_id)  # refuses a deactivated owner
    return replace(actor, scopes=tuple(row.scopes))
