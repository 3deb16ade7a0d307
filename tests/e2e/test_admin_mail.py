"""The e-mail channel's console pages in a real browser: an administrator adds a mailbox (a validation error shows
at its field), tests its connection against the real Dovecot and SMTP servers (and against a closed port), edits it
without ever seeing the password, disables it; reviews held mail page by page, accepts one message into a ticket and
discards another. Every change shows in the audit log. Screenshots at 1366 and 390 px go to
test-artifacts/screenshots/."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.email import intake
from helpdesk.models import EmailRecord, Mailbox, Ticket
from tests.e2e.conftest import open_page
from tests.e2e.test_admin_console import _audit_shows, _choose
from tests.factories import Org

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fits_and_shoot(page, name: str, on_phone: str = "") -> None:  # noqa: ANN001
    """At desktop and phone width: nothing wider than the screen, and on the phone the control `on_phone` (a test
    id) is on screen without sideways scrolling; a screenshot of each."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, width, overflow)
        if on_phone and width == 390:
            box = page.get_by_test_id(on_phone).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (on_phone, box)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_an_admin_adds_tests_edits_and_disables_a_mailbox(sign_in, org: Org, dovecot, inbox) -> None:  # noqa: ANN001
    dovecot.empty()
    page = sign_in("root@example.org")
    open_page(page, "/admin")
    page.wait_for_selector("[data-testid=admin-summary-mailboxes]")
    assert page.get_by_test_id("admin-summary-mailboxes").inner_text() == "None yet: add the inbox people write to"
    page.get_by_test_id("admin-tile-mailboxes").click()
    page.wait_for_url("**/admin/mailboxes")
    page.wait_for_selector("text=No mailboxes yet >> visible=true")

    page.get_by_test_id("new-mailbox").click()
    page.fill("#field-name", "IT inbox")
    page.fill("#field-address", "helpdesk at example")
    page.fill("#field-imap_host", "127.0.0.1")
    page.fill("#field-imap_port", str(dovecot.port))
    page.fill("#field-username", dovecot.USER)
    page.get_by_test_id("switch-imap_tls").click()
    _choose(page, "select-team_id", "Hardware")
    page.get_by_test_id("save-mailbox").click()
    page.wait_for_selector("[data-testid=field-error-address]")  # the server's answer takes a round trip
    assert "e-mail address" in page.get_by_test_id("field-error-address").inner_text()
    assert page.get_by_test_id("field-error-secret").inner_text() == "Enter the IMAP password."
    page.fill("#field-address", "helpdesk@example.org")
    page.fill("#field-secret", dovecot.PASSWORD)
    page.get_by_test_id("save-mailbox").click()
    page.wait_for_selector("text=Saved mailbox IT inbox.")
    row = page.get_by_test_id("mailbox-row")
    assert "127.0.0.1:" in row.inner_text() and "Hardware" in row.inner_text() and "enabled" in row.inner_text()

    # The stored settings reach the real servers.
    page.get_by_test_id("test-mailbox-IT inbox").click()
    page.wait_for_selector("[data-testid=test-result]")
    assert page.get_by_test_id("test-verdict").inner_text() == "Connection test passed: IT inbox"
    assert f"signed in as {dovecot.USER}" in page.get_by_test_id("test-imap").inner_text()
    assert "answered" in page.get_by_test_id("test-smtp").inner_text()
    _fits_and_shoot(page, "admin-mailboxes-list", on_phone="m-test-mailbox-IT inbox")

    # Editing: the password is never shown, only that one is set; leaving it empty keeps it.
    page.get_by_test_id("edit-mailbox-IT inbox").click()
    page.wait_for_selector("[data-testid=secret-set]")
    assert page.input_value("#field-secret") == ""
    assert page.input_value("#field-username") == dovecot.USER
    _fits_and_shoot(page, "admin-mailbox-dialog")
    closed = _closed_port()
    page.fill("#field-imap_port", str(closed))
    page.get_by_test_id("save-mailbox").click()
    page.wait_for_selector("text=Saved mailbox IT inbox.")
    with session_scope() as session:
        mailbox = session.exec(select(Mailbox)).one()
        assert (mailbox.imap_port, mailbox.secret, mailbox.imap_tls) == (closed, dovecot.PASSWORD, False)

    page.get_by_test_id("test-mailbox-IT inbox").click()
    page.wait_for_selector("text=Connection test failed: IT inbox")
    assert "the connection was refused" in page.get_by_test_id("test-imap").inner_text()
    assert "Connection refused" in page.get_by_test_id("test-imap").inner_text()

    page.get_by_test_id("disable-mailbox-IT inbox").click()
    page.wait_for_selector("[data-testid='enable-mailbox-IT inbox']")
    with session_scope() as session:
        assert not session.exec(select(Mailbox)).one().is_active
    open_page(page, "/admin")
    page.wait_for_selector("text=0 of 1 enabled")
    _audit_shows(page, "mailbox.update")
    assert page.get_by_test_id("audit-row").filter(has_text="mailbox.create").count() == 1
    assert page.get_by_test_id("audit-row").filter(has_text="mailbox.disable").count() == 1
    assert dovecot.PASSWORD not in page.get_by_test_id("audit-table").inner_text()


def test_an_admin_pages_through_held_mail_accepts_one_and_discards_another(sign_in, org: Org) -> None:  # noqa: ANN001
    def held(sender: str, subject: str, body: str) -> None:
        with session_scope() as session:
            outcome = intake.ingest(session, f"From: {sender}\r\nTo: it@example.org\r\nSubject: {subject}\r\n\r\n"
                                             f"{body}\r\n")
        assert outcome.outcome == "held"

    held("alice@example.org", "Printer offline on floor 3", "The printer on floor 3 says offline since 9:00.")
    for n in range(24):
        held(f"sender{n}@elsewhere.example", f"Newsletter {n:02d}", "Read our news.")
    held("prize@elsewhere.example", "You won a prize", "Click here to claim it.")

    page = sign_in("root@example.org")
    open_page(page, "/admin")
    page.wait_for_selector("text=26 waiting for review")
    _fits_and_shoot(page, "admin-overview-with-mail")
    page.get_by_test_id("admin-tile-held").click()
    page.wait_for_url("**/admin/held-mail")
    page.wait_for_selector("[data-testid=held-row]")
    assert page.get_by_test_id("held-page-label").inner_text() == "1–25 of 26"
    assert page.get_by_test_id("held-row").count() == 25
    first = page.get_by_test_id("held-row").first.inner_text()
    assert "You won a prize" in first and "unverified sender prize@elsewhere.example" in first
    _fits_and_shoot(page, "admin-held-mail-list", on_phone="m-review-You won a prize")
    page.get_by_test_id("held-older").click()
    page.wait_for_selector("text=26–26 of 26")
    assert "Printer offline on floor 3" in page.get_by_test_id("held-row").inner_text()

    # Accept: filed as Alice's ticket, as a verified message would have been.
    page.get_by_test_id("review-Printer offline on floor 3").click()
    page.wait_for_selector("[data-testid=held-text]")
    assert page.get_by_test_id("held-text").inner_text() == "The printer on floor 3 says offline since 9:00."
    assert page.get_by_test_id("held-from").inner_text() == "alice@example.org"
    assert "unverified sender alice@example.org" in page.get_by_test_id("held-reason").inner_text()
    _fits_and_shoot(page, "admin-held-mail-review")
    page.get_by_test_id("accept-held").click()
    page.wait_for_selector("text=Filed as ticket #")
    # The second page emptied: back to the first, which now holds every remaining message.
    page.wait_for_selector("text=1–25 of 25")
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.title == "Printer offline on floor 3")).one()
        assert (ticket.requester_id, ticket.source) == (org.alice, "email")
    assert page.get_by_test_id("filed-ticket-link").get_attribute("href").endswith(f"/tickets/{ticket.id}")

    # Discard: it disappears, and nothing is filed.
    page.get_by_test_id("review-You won a prize").click()
    page.get_by_test_id("discard-held").click()
    page.wait_for_selector("text=Discarded: nothing was filed")
    page.wait_for_selector("text=1–24 of 24")
    assert page.get_by_test_id("held-row").filter(has_text="You won a prize").count() == 0
    with session_scope() as session:
        assert session.exec(select(EmailRecord).where(EmailRecord.subject == "You won a prize")).one().outcome == \
            "ignored"
        assert session.exec(select(Ticket).where(Ticket.title == "You won a prize")).first() is None
    _audit_shows(page, "email.accept_held")
    assert page.get_by_test_id("audit-row").filter(has_text="email.discard_held").count() == 1
