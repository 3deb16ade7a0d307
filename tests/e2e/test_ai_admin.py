"""The AI page in a real browser: managers read the figures, admins can also retrain and roll back, agents and
requesters cannot open it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from helpdesk.ai import triage
from helpdesk.core.db import session_scope
from helpdesk.models import AiModelVersion, AuditLog, OutboxJob
from helpdesk.tickets import tickets
from helpdesk.tickets.validation import TicketChanges
from tests.ai_support import reset_registry
from tests.e2e.conftest import open_page
from tests.factories import Org, draft

CLEAR_HARDWARE = ("Laptop screen flickers", "The screen flickers every few seconds since Monday.")
CLEAR_ACCESS = ("Cannot log in to my account", "I am locked out after the password reset, please unlock my account")


@pytest.fixture
def ai_history(org: Org) -> Iterator[Org]:
    """Two confident predictions: one an agent confirmed (right), one an agent corrected (wrong); and a kept
    retired version an admin can roll back to."""
    reset_registry()
    ids = []
    for text in (CLEAR_HARDWARE, CLEAR_ACCESS):
        with session_scope() as session:
            ids.append(tickets.create_ticket(session, org.actor(org.alice), draft(title=text[0],
                                                                                    description=text[1])).id)
        with session_scope() as session:
            triage.triage_ticket(session, ids[-1])
    with session_scope() as session:
        triage.accept_suggestion(session, org.actor(org.hank), ids[0], "category")
        tickets.update_ticket(session, org.actor(org.ada), ids[1],
                              TicketChanges(category_id=org.hardware))
        session.add(AiModelVersion(version="r-older", source="retrained", status="retired", training_ticket_count=250,
                                   training_rows=38581, artifact_key="ai-models/r-older.joblib",
                                   metrics={"accuracy": 0.81, "auto_precision": 0.93, "auto_coverage": 0.6, "n": 60,
                                            "evaluated_on": "60 held-back helpdesk tickets"}))
    yield org
    reset_registry()


def test_a_manager_reads_the_ai_page_with_numbers(sign_in, ai_history: Org) -> None:  # noqa: ANN001
    page = sign_in("mona@example.org")
    page.get_by_role("link", name="AI").click()
    page.wait_for_url("**/admin/ai")
    page.wait_for_selector("[data-testid=stat-predictions]")
    assert page.get_by_test_id("stat-predictions").inner_text() == "2"
    # One of the two confident predictions was right by the people's final category.
    assert page.get_by_test_id("stat-precision").inner_text() == "50.0%"
    rows = page.get_by_test_id("category-row")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split("\t")[0].strip() == "Access"
    assert page.get_by_test_id("category-precision").nth(0).inner_text() == "0.0%"
    assert page.get_by_test_id("category-precision").nth(1).inner_text() == "100.0%"
    assert page.get_by_test_id("version-row").count() == 2
    assert page.get_by_test_id("version-status").nth(0).inner_text() == "active"
    assert page.get_by_test_id("token-usage").is_visible()
    # What other thresholds would give, from the active model's own evaluation; the one in use is marked.
    thresholds = page.get_by_test_id("threshold-row")
    assert thresholds.count() == 8
    current = thresholds.filter(has_text="current")
    assert current.count() == 1 and current.inner_text().startswith("0.85")
    cells = [thresholds.nth(i).inner_text().split("\t") for i in range(8)]
    coverages = [float(row[2].strip().rstrip("%")) for row in cells]
    assert coverages == sorted(coverages, reverse=True)
    assert cells[4][3].strip() == "5,433 of 7,667"  # the shipped model's held-out tickets above 0.85
    # Managers read; retraining and rollback are for administrators.
    assert page.get_by_test_id("retrain-now").count() == 0
    assert page.get_by_test_id("activate-r-older").count() == 0

    # A shorter period still holds today's two predictions.
    seven_days = page.get_by_test_id("ai-range").get_by_role("radio", name="7 days")
    seven_days.click()
    page.wait_for_function("document.querySelector('[data-testid=ai-range] [aria-checked=true]')"
                           ".textContent.includes('7 days')")
    assert page.get_by_test_id("stat-predictions").inner_text() == "2"


def test_an_admin_retrains_and_rolls_back(sign_in, ai_history: Org) -> None:  # noqa: ANN001
    page = sign_in("root@example.org")
    open_page(page, "/admin/ai")
    page.get_by_test_id("retrain-now").click()
    page.wait_for_selector("[data-testid=ai-message]")
    with session_scope() as session:
        assert session.exec(select(OutboxJob).where(OutboxJob.task_name == "ai.retrain_model")).first() is not None

    page.get_by_test_id("activate-r-older").click()
    page.wait_for_selector("text=Model version r-older is now active")
    assert page.get_by_test_id("version-status").nth(0).inner_text() == "active"
    with session_scope() as session:
        assert session.get(AiModelVersion, "r-older").status == "active"
        assert session.get(AiModelVersion, "default").status == "retired"
        logged = session.exec(select(AuditLog).where(AuditLog.action == "ai.model_activated")).one()
        assert (logged.entity_id, logged.actor_id) == ("r-older", ai_history.root)


@pytest.mark.parametrize(("email", "home"), [("hank@example.org", "/queue"), ("alice@example.org", "/portal")])
def test_agents_and_requesters_cannot_open_it(sign_in, ai_history: Org, email: str, home: str) -> None:  # noqa: ANN001
    page = sign_in(email)
    assert page.get_by_role("link", name="AI").count() == 0
    open_page(page, "/admin/ai")
    page.wait_for_url(f"**{home}*")
    assert page.get_by_test_id("stat-predictions").count() == 0
