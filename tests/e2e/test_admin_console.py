"""The administration console in a real browser: each page creates, edits, shows a validation error and an audit
entry; an invited person sets a password from the e-mail and signs in; nobody but admins can open it."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from helpdesk.core import audit
from helpdesk.core.db import session_scope
from helpdesk.models import AuditLog, Category, Team, User
from tests.e2e.conftest import open_page
from tests.factories import Org, password_hash

ADMIN_PAGES = ["/admin", "/admin/users", "/admin/teams", "/admin/categories", "/admin/sla",
               "/admin/canned-responses", "/admin/settings", "/admin/audit", "/admin/api-tokens", "/admin/mailboxes",
               "/admin/held-mail"]


def _choose(page, testid: str, option: str) -> None:  # noqa: ANN001
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def _audit_shows(page, action: str) -> None:  # noqa: ANN001
    """The audit log page lists the change (what a person checking who did what would look at)."""
    open_page(page, "/admin/audit")
    page.wait_for_selector("[data-testid=audit-row]")
    assert page.get_by_test_id("audit-row").filter(has_text=action).count() >= 1


def test_an_admin_invites_a_person_who_sets_a_password_and_signs_in(sign_in, org: Org, inbox) -> None:  # noqa: ANN001
    page = sign_in("root@example.org")
    page.get_by_role("link", name="Admin").click()
    page.wait_for_url("**/admin")
    page.get_by_test_id("admin-tile-users").click()
    page.wait_for_selector("[data-testid=user-row]")
    assert page.get_by_test_id("users-page-label").inner_text() == "1–6 of 6"

    page.get_by_test_id("open-invite").click()
    page.fill("#field-email", "alice@example.org")
    page.get_by_test_id("send-invitation").click()
    assert page.get_by_test_id("field-error-email").inner_text() == "An account with this e-mail already exists."
    assert page.get_by_test_id("field-error-full_name").is_visible()
    page.fill("#field-email", "nina@example.org")
    page.fill("#field-full_name", "Nina New")
    _choose(page, "select-role", "Agent")
    page.get_by_test_id("team-Hardware").click()
    page.get_by_test_id("send-invitation").click()
    page.wait_for_selector("text=Invitation sent to nina@example.org.")
    row = page.get_by_test_id("user-row").filter(has_text="nina@example.org")
    assert "invited" in row.inner_text() and "Hardware" in row.inner_text()

    # Edit: the role changes, and the change is in the audit log.
    page.get_by_test_id("edit-bob@example.org").click()
    _choose(page, "select-role", "Manager")
    page.get_by_test_id("save-user").click()
    page.wait_for_selector("text=Saved Bob Requester.")
    with session_scope() as session:
        assert session.get(User, org.bob).role == "manager"
    _audit_shows(page, "user.update")

    mail = inbox.wait_for(lambda m: m["To"] == "nina@example.org")
    body = mail.get_payload(decode=True).decode()
    link = re.search(r"https?://[^/\s]+(/reset-password\?token=\S+)", body).group(1)
    visitor = page.context.browser.new_context(base_url=page.url.split("/admin")[0])
    try:
        invited = visitor.new_page()
        open_page(invited, link)
        invited.wait_for_selector("text=Welcome: choose your password")
        invited.fill("#password", "nina's long password")
        invited.fill("#confirm", "nina's long password")
        invited.get_by_test_id("save-password").click()
        invited.wait_for_url("**/login?reset=1")
        invited.wait_for_selector("[data-testid=hydrated]", state="attached")
        invited.fill("#email", "nina@example.org")
        invited.fill("#password", "nina's long password")
        invited.click("[data-testid=sign-in]")
        invited.wait_for_url("**/queue*")
    finally:
        visitor.close()


def test_an_admin_manages_teams(sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("root@example.org")
    open_page(page, "/admin/teams")
    page.wait_for_selector("[data-testid=team-row]")
    page.get_by_test_id("new-team").click()
    page.fill("#field-name", "hardware")
    page.get_by_test_id("save-team").click()
    assert page.get_by_test_id("field-error-name").inner_text() == "Another team has this name."
    page.fill("#field-name", "Network")
    _choose(page, "select-assignment_mode", "Round robin among available members")
    page.get_by_test_id("save-team").click()
    page.wait_for_selector("text=Saved team Network.")
    _choose(page, "select-member", "Hank Hardware (agent)")
    page.get_by_test_id("add-member").click()
    page.wait_for_selector("[data-testid=member-row]")
    page.get_by_test_id("available-hank@example.org").click()
    page.wait_for_selector("text=Away")
    page.get_by_test_id("edit-team-Network").click()
    _choose(page, "select-lead_id", "Hank Hardware")
    page.get_by_test_id("save-team").click()
    page.wait_for_selector("text=Saved team Network.")
    with session_scope() as session:
        team = session.exec(select(Team).where(Team.name == "Network")).one()
        assert (team.lead_id, team.assignment_mode) == (org.hank, "round_robin")
        assert not session.get(User, org.hank).is_available
    _audit_shows(page, "team.member_add")


def test_an_admin_moves_and_archives_categories(sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("root@example.org")
    open_page(page, "/admin/categories")
    page.wait_for_selector("[data-testid=category-row]")
    page.get_by_test_id("new-category").click()
    page.get_by_test_id("save-category").click()
    page.wait_for_selector("[data-testid=field-error-name]")  # the server's answer takes a round trip
    assert page.get_by_test_id("field-error-name").is_visible()
    page.fill("#field-name", "Phones")
    _choose(page, "select-parent_id", "Hardware")
    _choose(page, "select-default_team_id", "Hardware")
    page.get_by_test_id("save-category").click()
    page.wait_for_selector("text=Saved category Phones.")
    # Move Laptops under Access, with Access's team.
    page.get_by_test_id("edit-category-Hardware / Laptops").click()
    _choose(page, "select-parent_id", "Access")
    _choose(page, "select-default_team_id", "Access")
    page.get_by_test_id("save-category").click()
    page.wait_for_selector("[data-testid='edit-category-Access / Laptops']")
    page.get_by_test_id("archive-category-Hardware / Phones").click()
    page.wait_for_selector("[data-testid='restore-category-Hardware / Phones']")
    with session_scope() as session:
        laptops = session.get(Category, org.laptops)
        assert (laptops.parent_id, laptops.default_team_id) == (org.access, org.access_team)
        assert not session.exec(select(Category).where(Category.name == "Phones")).one().is_active
        assert session.exec(select(AuditLog).where(AuditLog.action == "category.move")).first() is not None
    _audit_shows(page, "category.archive")


def test_an_admin_pages_through_users_and_the_audit_log(sign_in, org: Org) -> None:  # noqa: ANN001
    """Next and previous keep their place on both keyset-paged lists (one paging mixin serves every admin page)."""
    with session_scope() as session:
        for n in range(30):
            session.add(User(email=f"person{n:02d}@example.org", full_name=f"Zed Person {n:02d}",
                             password_hash=password_hash(), role="requester"))
        for n in range(60):
            audit.record(session, "test.paging", actor_id=org.root, entity_type="note", entity_id=str(n))
    page = sign_in("root@example.org")
    open_page(page, "/admin/users")
    page.wait_for_selector("text=1–25 of 36")
    page.get_by_test_id("users-next").click()
    page.wait_for_selector("text=26–36 of 36")
    assert page.get_by_test_id("user-row").count() == 11
    assert "Zed Person 29" in page.get_by_test_id("user-row").last.inner_text()
    page.get_by_role("button", name="Previous").click()
    page.wait_for_selector("text=1–25 of 36")

    open_page(page, "/admin/audit")
    page.wait_for_selector("[data-testid=audit-row]")
    assert page.get_by_test_id("audit-row").count() == 50
    newest = page.get_by_test_id("audit-row").first.inner_text()
    last_on_first_page = int(re.search(r"note (\d+)", page.get_by_test_id("audit-row").last.inner_text()).group(1))
    page.get_by_test_id("audit-older").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=audit-row]').length < 50")
    first_on_second_page = page.get_by_test_id("audit-row").first.inner_text()
    assert int(re.search(r"note (\d+)", first_on_second_page).group(1)) == last_on_first_page - 1
    assert page.get_by_test_id("audit-older").is_disabled()
    page.get_by_test_id("audit-newer").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=audit-row]').length == 50")
    assert page.get_by_test_id("audit-row").first.inner_text() == newest


@pytest.mark.parametrize("email", ["alice@example.org", "hank@example.org", "mona@example.org"])
def test_nobody_but_admins_can_open_any_admin_page(sign_in, org: Org, email: str) -> None:  # noqa: ANN001
    page = sign_in(email)
    assert page.get_by_role("link", name="Admin").count() == 0
    for path in ADMIN_PAGES:
        open_page(page, path)
        page.wait_for_selector("[data-testid=admin-not-found]")
        assert page.locator("table").count() == 0, path
