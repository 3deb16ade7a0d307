"""Settings administrators change in the console: general (organisation name, time zone, auto-close days), AI
triage (threshold, which fields it may set by itself), sign-in (SSO only for staff) and limits (attachment quotas
and per-person rate limits).

Values are stored in `app_settings` (helpdesk/core/app_settings.py reads them, with the environment's defaults);
a save is validated whole (nothing is stored when any field is wrong), audited with before and after, and the
cached values are dropped after commit, so every process uses the new ones on its next read.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlmodel import Session

from helpdesk.core import app_settings, audit, bounds, on_commit
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.identity import policy, sso
from helpdesk.identity.actor import Actor
from helpdesk.models import AppSetting
from helpdesk.models.base import utcnow

BOOLEAN = ("ai_auto_apply_category", "ai_auto_apply_team", "ai_auto_apply_priority", "sso_only_staff")


def _require_admin(by: Actor) -> None:
    if not policy.is_admin(by) or by.scopes is not None:
        raise PermissionDenied("Only administrators change settings.")


def timezones() -> list[str]:
    return sorted(available_timezones())


def read(session: Session, by: Actor) -> dict[str, Any]:
    """Effective values, and which of them are still the environment's defaults."""
    _require_admin(by)
    return {"values": app_settings.current(session), "defaults": app_settings.defaults(),
            "overridden": sorted(app_settings.stored(session))}


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "1", "yes", "on")


def _clean(raw: dict[str, Any]) -> dict[str, Any]:
    errors, clean = {}, {}
    if "organisation_name" in raw:
        name = str(raw["organisation_name"] or "").strip()
        if not name or len(name) > 120 or not bounds.is_storable(name):
            errors["organisation_name"] = N_("Enter the organisation's name (up to 120 characters).")
        clean["organisation_name"] = name
    if "timezone" in raw:
        zone = str(raw["timezone"] or "").strip()
        try:
            if not bounds.is_storable(zone) or len(zone) > 64:
                raise ValueError(zone)
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = N_("Choose a time zone such as Asia/Karachi or Europe/London.")
        clean["timezone"] = zone
    if "auto_close_days" in raw:
        try:
            days = int(str(raw["auto_close_days"]).strip())
            if not 1 <= days <= 365:
                raise ValueError
            clean["auto_close_days"] = days
        except ValueError:
            errors["auto_close_days"] = N_("Enter a whole number of days from 1 to 365.")
    if "ai_auto_apply_threshold" in raw:
        try:
            threshold = float(str(raw["ai_auto_apply_threshold"]).strip())
            if not 0.5 <= threshold <= 1.0:
                raise ValueError
            clean["ai_auto_apply_threshold"] = round(threshold, 3)
        except ValueError:
            errors["ai_auto_apply_threshold"] = N_("Enter a confidence from 0.5 to 1.0 (1.0 = suggestions only).")
    for name, (lowest, highest) in app_settings.LIMITS.items():
        if name in raw:
            try:
                number = int(str(raw[name]).strip())
                if not lowest <= number <= highest:
                    raise ValueError
                clean[name] = number
            except ValueError:
                errors[name] = f"Enter a whole number from {lowest} to {highest:,}."
    for name in BOOLEAN:
        if name in raw:
            clean[name] = _truthy(raw[name])
    if clean.get("sso_only_staff") and not sso.configured():
        # Without an identity provider, this would lock every staff member out.
        errors["sso_only_staff"] = N_("Single sign-on is not configured yet; staff would have no way to sign in.")
    if errors:
        raise ValidationFailed(errors)
    return clean


def save(session: Session, by: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """Stores the given settings (unknown names are ignored); returns what changed as {name: {from, to}}."""
    _require_admin(by)
    clean = _clean({k: v for k, v in changes.items() if k in app_settings.defaults()})
    before = app_settings.current(session)
    changed = {k: {"from": before[k], "to": v} for k, v in clean.items() if before[k] != v}
    for name, value in clean.items():
        row = session.get(AppSetting, name) or AppSetting(key=name, value=value)
        row.value, row.updated_at, row.updated_by_id = value, utcnow(), by.user_id
        session.add(row)
    if changed:
        audit.record(session, "settings.update", actor_id=by.user_id, entity_type="settings",
                     entity_id=",".join(sorted(changed))[:64], details=changed)
    app_settings.invalidate()
    # Again after commit: another process may cache the old values between now and the commit.
    on_commit.after_commit(session, app_settings.invalidate, key="app-settings")
    return changed
