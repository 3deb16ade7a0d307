"""Console settings take effect without a restart; SLA preview; personal canned responses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from helpdesk.admin import settings as admin_settings
from helpdesk.ai import triage
from helpdesk.core import app_settings
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.models import AuditLog, Priority
from helpdesk.sla import policies as sla_policies
from helpdesk.tickets import canned_responses, tickets
from helpdesk.tickets.validation import CannedResponseChanges, CannedResponseDraft
from tests.factories import Org, draft, reset_sla_config


@pytest.fixture
def no_overrides(org: Org):  # noqa: ANN201
    with session_scope() as session:
        session.execute(text("DELETE FROM app_settings"))
    app_settings.invalidate()
    yield org
    with session_scope() as session:
        session.execute(text("DELETE FROM app_settings"))
    app_settings.invalidate()


def test_settings_default_from_the_environment_and_saves_apply_at_once(no_overrides: Org) -> None:
    org = no_overrides
    root = org.actor(org.root)
    assert app_settings.value(None, "organisation_name") == "Acme Corp IT"
    assert triage.auto_apply_threshold() == 0.85  # cached now
    with session_scope() as session, pytest.raises(ValidationFailed) as bad:
        admin_settings.save(session, root, {"organisation_name": "", "timezone": "Mars/Olympus",
                                            "auto_close_days": "0", "ai_auto_apply_threshold": "2"})
    assert set(bad.value.field_errors) == {"organisation_name", "timezone", "auto_close_days",
                                           "ai_auto_apply_threshold"}
    assert app_settings.value(None, "organisation_name") == "Acme Corp IT"  # nothing stored
    with session_scope() as session, pytest.raises(ValidationFailed) as locked_out:
        admin_settings.save(session, root, {"sso_only_staff": True})
    assert "not configured" in locked_out.value.field_errors["sso_only_staff"]
    with session_scope() as session:
        changed = admin_settings.save(session, root, {"organisation_name": "Globex IT", "ai_auto_apply_threshold":
                                                      "0.9", "ai_auto_apply_team": False, "unknown": "x"})
    assert set(changed) == {"organisation_name", "ai_auto_apply_threshold", "ai_auto_apply_team"}
    assert app_settings.value(None, "organisation_name") == "Globex IT"
    assert triage.auto_apply_threshold() == 0.9 and triage.auto_apply_fields() == {"category", "priority"}
    with session_scope() as session:
        logged = session.exec(select(AuditLog).where(AuditLog.action == "settings.update")).one()
        assert logged.details["organisation_name"] == {"from": "Acme Corp IT", "to": "Globex IT"}
        for user_id in (org.alice, org.hank, org.mona):
            with pytest.raises(PermissionDenied):
                admin_settings.save(session, org.actor(user_id), {"organisation_name": "Mine"})


def test_sla_preview_says_when_a_ticket_filed_now_is_due(org: Org) -> None:
    reset_sla_config()
    root = org.actor(org.root)
    monday_10 = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # 10:00 in Karachi, a working Monday
    with session_scope() as session:
        result = sla_policies.preview(session, root, "high", now=monday_10)
        assert result["policy"] == "High (default)"
        assert result["first_response_due"] == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # 14:00 local, 4 h later
        with pytest.raises(PermissionDenied):
            sla_policies.preview(session, org.actor(org.hank), "high")
        with pytest.raises(ValidationFailed):
            sla_policies.preview(session, root, "urgent")
    assert Priority.HIGH.value == "high"


def test_personal_canned_responses_are_their_owners_alone(org: Org) -> None:
    hank, ada = org.actor(org.hank), org.actor(org.ada)
    with session_scope() as session:
        mine = canned_responses.create(session, hank, CannedResponseDraft(
            title="My sign-off", body="Cheers, {{ agent.first_name }}", personal=True))
        mine_id = mine.id
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware))
        ticket_id = ticket.id
    with session_scope() as session:
        assert [r["title"] for r in canned_responses.list_for_ticket(session, hank, ticket_id)] == ["My sign-off"]
        assert canned_responses.render(session, hank, mine_id, ticket_id) == "Cheers, Hank"
        assert [r["id"] for r in canned_responses.list_manageable(session, hank)] == [mine_id]
        assert canned_responses.list_manageable(session, ada) == []
        with pytest.raises(NotFound):
            canned_responses.update(session, ada, mine_id, CannedResponseChanges(title="Mine now"))
        with pytest.raises(NotFound):
            canned_responses.update(session, org.actor(org.root), mine_id, CannedResponseChanges(title="Admin's"))
    assert canned_responses.preview(hank, "Hi {{ requester.first_name }}") == "Hi Sara"
