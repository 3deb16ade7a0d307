"""Configuration pages of the console in a real browser: SLA policies with the preview, business hours, canned
responses with the placeholder preview, settings, API tokens; each page at desktop and phone width."""

from __future__ import annotations

import os
from pathlib import Path

from sqlmodel import select

from helpdesk.core import app_settings
from helpdesk.core.db import session_scope
from helpdesk.models import AppSetting, AuditLog, CannedResponse, SlaPolicy
from tests.e2e.conftest import open_page
from tests.e2e.test_admin_console import ADMIN_PAGES, _audit_shows, _choose
from tests.factories import Org, reset_sla_config


def test_an_admin_edits_an_sla_policy_and_business_hours_with_a_preview(sign_in, org: Org) -> None:  # noqa: ANN001
    reset_sla_config()
    page = sign_in("root@example.org")
    open_page(page, "/admin/sla")
    page.wait_for_selector("[data-testid=policy-row]")
    assert page.get_by_test_id("sla-preview").inner_text().startswith("Filed now at High: first response due")
    page.get_by_test_id("edit-policy-High (default)").click()
    page.fill("#field-first_response_hours", "10")
    page.fill("#field-resolution_hours", "2")
    page.get_by_test_id("save-policy").click()
    assert "can't be shorter" in page.get_by_test_id("field-error-resolution_hours").inner_text()
    page.fill("#field-first_response_hours", "2")
    page.fill("#field-resolution_hours", "6")
    page.get_by_test_id("save-policy").click()
    page.wait_for_selector("text=Saved policy High (default)")
    with session_scope() as session:
        high = session.exec(select(SlaPolicy).where(SlaPolicy.priority == "high")).one()
        assert (high.first_response_minutes, high.resolution_minutes) == (120, 360)

    page.get_by_test_id("edit-calendar-Standard office hours").click()
    page.fill("#field-extra_holidays", "2031-12-24\nnot-a-date")
    page.get_by_test_id("save-calendar").click()
    assert "is not a date" in page.get_by_test_id("field-error-extra_holidays").inner_text()
    page.fill("#field-extra_holidays", "2031-12-24")
    page.get_by_test_id("day-Sat").click()
    page.get_by_test_id("save-calendar").click()
    page.wait_for_selector("text=Saved business hours Standard office hours.")
    assert "Sat" in page.get_by_test_id("calendar-row").inner_text()
    # A new policy: the name is required, then it is created for one category.
    page.get_by_test_id("new-policy").click()
    page.get_by_test_id("save-policy").click()
    page.wait_for_selector("[data-testid=field-error-name]")
    page.fill("#field-name", "Hardware critical")
    _choose(page, "select-priority", "Critical")
    _choose(page, "select-category_id", "Hardware")
    page.fill("#field-first_response_hours", "1")
    page.fill("#field-resolution_hours", "4")
    page.get_by_test_id("save-policy").click()
    page.wait_for_selector("text=Saved policy Hardware critical")
    assert page.get_by_test_id("policy-row").filter(has_text="Hardware critical").count() == 1
    with session_scope() as session:
        created = session.exec(select(SlaPolicy).where(SlaPolicy.name == "Hardware critical")).one()
        assert (created.priority, created.category_id, created.first_response_minutes,
                created.resolution_minutes) == ("critical", org.hardware, 60, 240)
    _choose(page, "preview-priority", "Critical")
    page.wait_for_selector("text=Filed now at Critical")
    _audit_shows(page, "sla.policy.update")
    assert page.get_by_test_id("audit-row").filter(has_text="sla.policy.create").count() == 1


def test_an_admin_writes_a_canned_response_with_a_preview(sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("root@example.org")
    open_page(page, "/admin/canned-responses")
    page.get_by_test_id("new-canned").click()
    page.fill("#field-title", "Restart first")
    page.fill("#field-body", "Hi {{ requester.first_name }}, please restart. {{ nonsense.x }}")
    page.get_by_test_id("save-canned").click()
    page.wait_for_selector("[data-testid=field-error-body]")
    page.fill("#field-body", "Hi {{ requester.first_name }}, please restart.\n{{ agent.name }}")
    page.get_by_test_id("refresh-preview").click()
    page.wait_for_selector("text=Hi Sara, please restart.")
    assert "Root Admin" in page.get_by_test_id("canned-preview").inner_text()
    _choose(page, "select-scope", "Team: Hardware")
    page.get_by_test_id("save-canned").click()
    page.wait_for_selector("text=Saved “Restart first”.")
    page.get_by_test_id("edit-canned-Restart first").click()
    page.fill("#field-title", "Restart it first")
    page.get_by_test_id("save-canned").click()
    page.wait_for_selector("text=Saved “Restart it first”.")
    with session_scope() as session:
        response = session.exec(select(CannedResponse)).one()
        assert (response.title, response.team_id) == ("Restart it first", org.hardware_team)
    _audit_shows(page, "canned_response.update")


def test_an_admin_changes_settings_that_apply_at_once(sign_in, org: Org) -> None:  # noqa: ANN001
    try:
        page = sign_in("root@example.org")
        open_page(page, "/admin/settings")
        page.wait_for_selector("[data-testid=save-settings]")
        assert page.input_value("#field-organisation_name") == "Acme Corp IT"
        page.fill("#field-timezone", "Nowhere/Land")
        page.fill("#field-auto_close_days", "0")
        page.get_by_test_id("save-settings").click()
        page.wait_for_selector("[data-testid=field-error-timezone]")
        assert page.get_by_test_id("field-error-auto_close_days").is_visible()
        page.fill("#field-timezone", "Europe/London")
        page.fill("#field-auto_close_days", "10")
        page.fill("#field-organisation_name", "Globex IT")
        page.get_by_test_id("switch-ai_auto_apply_priority").click()
        page.get_by_test_id("save-settings").click()
        page.wait_for_selector("text=In effect now.")
        values = app_settings.current()
        assert (values["organisation_name"], values["timezone"], values["auto_close_days"],
                values["ai_auto_apply_priority"]) == ("Globex IT", "Europe/London", 10, False)
        _audit_shows(page, "settings.update")
    finally:
        with session_scope() as session:
            for row in session.exec(select(AppSetting)).all():
                session.delete(row)
        app_settings.invalidate()


def test_an_admin_makes_a_service_account_token_and_a_person_their_own(sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("root@example.org")
    open_page(page, "/admin/api-tokens")
    page.get_by_test_id("create-account").click()
    page.wait_for_selector("[data-testid=field-error-name]")
    page.fill("#field-name", "Monitoring")
    page.get_by_test_id("create-account").click()
    page.wait_for_selector("text=Service account Monitoring created.")
    page.fill("#field-token_name", "alerts")
    page.get_by_test_id("scope-tickets:write").click()
    page.get_by_test_id("create-token").click()
    token = page.get_by_test_id("new-token").inner_text()
    assert token.startswith("hdp_")
    page.get_by_test_id("revoke-alerts").click()
    page.wait_for_selector("text=Token revoked")
    _audit_shows(page, "api_token.revoke")

    agent = sign_in("hank@example.org")
    open_page(agent, "/settings")
    agent.get_by_test_id("create-token").click()
    agent.wait_for_selector("[data-testid=field-error-token_name]")
    agent.fill("#field-token_name", "my laptop")
    agent.get_by_test_id("create-token").click()
    assert agent.get_by_test_id("new-token").inner_text().startswith("hdp_")
    assert agent.get_by_test_id("token-row").count() == 1
    with session_scope() as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "api_token.create")).all()


def test_every_admin_page_fits_desktop_and_phone(sign_in, org: Org) -> None:  # noqa: ANN001
    """No page is wider than the screen (tables scroll inside their card); screenshots go to ADMIN_SCREENSHOTS."""
    reset_sla_config()
    out = Path(os.environ["ADMIN_SCREENSHOTS"]) if os.environ.get("ADMIN_SCREENSHOTS") else None
    page = sign_in("root@example.org")
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path in [*ADMIN_PAGES, "/settings"]:
            open_page(page, path)
            page.wait_for_timeout(600)
            assert page.locator("[data-testid=admin-not-found]").count() == 0, path
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if out is not None:
                name = (path.strip("/").replace("/", "-") or "root") + f"-{width}.png"
                page.screenshot(path=str(out / name), full_page=True)
            assert overflow <= 1, (path, width, overflow)
