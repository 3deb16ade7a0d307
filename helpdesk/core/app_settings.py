"""Settings an administrator changes in the console, read by every process without a restart.

Each value's default comes from the environment (helpdesk/core/settings.py); a row in `app_settings` overrides it.
Reads go through one Redis cache entry, deleted when an administrator saves (helpdesk/admin/settings.py), so every
web process and worker sees a change on its next read. With Redis down, reads fall back to the database.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from helpdesk.core import cache
from helpdesk.core.settings import get_settings
from helpdesk.models import AppSetting

CACHE_TTL_SECONDS = 3600
AI_FIELDS = ("category", "team", "priority")
# Whole-number settings that bound what one person (or one ticket) may take: name -> (lowest, highest).
LIMITS = {
    "attachment_ticket_quota_mb": (1, 1_000_000),
    "attachment_daily_quota_mb": (1, 1_000_000),
    "rate_limit_tickets_per_hour": (1, 1_000_000),
    "rate_limit_comments_per_hour": (1, 1_000_000),
    "rate_limit_uploads_per_hour": (1, 1_000_000),
}


def defaults() -> dict[str, Any]:
    env = get_settings()
    return {
        "organisation_name": env.organisation_name,
        "timezone": env.timezone,
        "auto_close_days": env.auto_close_days,
        "ai_auto_apply_threshold": env.ai_auto_apply_threshold,
        # Per field: may AI triage set it by itself above the threshold (False: suggest only).
        "ai_auto_apply_category": True,
        "ai_auto_apply_team": True,
        "ai_auto_apply_priority": True,
        # Staff (agents, managers, admins) must sign in through single sign-on, not with a password.
        "sso_only_staff": False,
        # Attachment quotas (MB) and per-person hourly rate limits (helpdesk/tickets/limits.py).
        **{name: getattr(env, name) for name in LIMITS},
    }


def cache_key() -> str:
    return cache.key("settings", "app", "values")


def stored(session: Session) -> dict[str, Any]:
    """Only the values an administrator set (no defaults)."""
    return {row.key: row.value for row in session.exec(select(AppSetting)).all()}


def _stored_now(session: Session | None) -> dict[str, Any]:
    if session is not None:
        return stored(session)
    from helpdesk.core.db import read_session

    with read_session() as own:
        return stored(own)


def current(session: Session | None = None) -> dict[str, Any]:
    """Every setting's effective value: the administrator's where set, else the environment's default.

    Without a session, a cache miss reads through a short session of its own (display code has none at hand).
    """
    overrides = cache.cached_json(cache_key(), CACHE_TTL_SECONDS, lambda: _stored_now(session))
    values = defaults()
    values.update({k: v for k, v in overrides.items() if k in values})
    return values


def value(session: Session | None, name: str) -> Any:  # noqa: ANN401 (settings have different types)
    return current(session)[name]


def invalidate() -> None:
    cache.invalidate(cache_key())
