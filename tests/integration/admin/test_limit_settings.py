"""The attachment quotas and per-person rate limits are administrators' settings (defaults from the environment),
validated whole, audited, and in effect at once."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.admin import settings as admin_settings
from helpdesk.core import app_settings
from helpdesk.core.db import session_scope
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.models import AuditLog
from tests.factories import Org


def test_limits_default_from_the_environment_and_change_in_the_console(org: Org) -> None:
    values = app_settings.current()
    assert values["attachment_ticket_quota_mb"] == 100 and values["attachment_daily_quota_mb"] == 500
    assert values["rate_limit_tickets_per_hour"] == 100000  # the test environment's default (tests/conftest.py)
    with session_scope() as session:
        changed = admin_settings.save(session, org.actor(org.root), {"rate_limit_tickets_per_hour": "12",
                                                                      "attachment_ticket_quota_mb": " 50 "})
    assert changed == {"rate_limit_tickets_per_hour": {"from": 100000, "to": 12},
                       "attachment_ticket_quota_mb": {"from": 100, "to": 50}}
    assert app_settings.current()["rate_limit_tickets_per_hour"] == 12
    with session_scope() as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "settings.update")).one()
        assert entry.actor_id == org.root


@pytest.mark.parametrize("bad", ["0", "-1", "ten", "1e3", "2000000", "1\x00"])
def test_bad_limits_are_refused_with_a_reason_and_nothing_changes(org: Org, bad: str) -> None:
    with session_scope() as session, pytest.raises(ValidationFailed) as refused:
        admin_settings.save(session, org.actor(org.root), {"rate_limit_comments_per_hour": bad,
                                                            "organisation_name": "Acme IT"})
    assert refused.value.field_errors == {
        "rate_limit_comments_per_hour": "Enter a whole number from 1 to 1,000,000."}
    assert app_settings.current()["organisation_name"] != "Acme IT"


def test_only_administrators_change_limits(org: Org) -> None:
    with session_scope() as session, pytest.raises(PermissionDenied):
        admin_settings.save(session, org.actor(org.mona), {"rate_limit_tickets_per_hour": 1})
    with session_scope() as session, pytest.raises(ValidationFailed) as refused:
        admin_settings.save(session, org.actor(org.root), {"organisation_name": "Acme\x00IT"})
    assert "organisation_name" in refused.value.field_errors
