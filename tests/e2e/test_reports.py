"""Manager reports in Chromium: charts with their numbers, filters, exports through the reports worker, access."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pypdfium2
import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from helpdesk.core.db import session_scope
from helpdesk.models import Ticket
from helpdesk.models.base import utcnow
from helpdesk.reports import rollups, schedules
from tests.e2e.conftest import open_page
from tests.factories import Org

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def history(org: Org) -> Org:
    """Three resolved tickets from last week (one late) and one open ticket whose resolution target was missed."""
    now = utcnow()
    with session_scope() as session:
        base = now - timedelta(days=7)
        session.add_all([
            Ticket(number=101, title="Laptop will not boot", description="-", requester_id=org.alice,
                   status="resolved", priority="high", team_id=org.hardware_team, category_id=org.hardware,
                   assignee_id=org.hank, created_at=base, updated_at=base, first_responded_at=base + timedelta(hours=1),
                   sla_first_response_due=base + timedelta(hours=2), resolved_at=base + timedelta(hours=6),
                   sla_resolution_due=base + timedelta(hours=8)),
            Ticket(number=102, title="Dock not charging", description="-", requester_id=org.alice,
                   status="resolved", priority="medium", team_id=org.hardware_team, category_id=org.hardware,
                   assignee_id=org.hank, created_at=base, updated_at=base, first_responded_at=base + timedelta(hours=3),
                   sla_first_response_due=base + timedelta(hours=4), resolved_at=base + timedelta(hours=30),
                   sla_resolution_due=base + timedelta(hours=20),
                   sla_resolution_breached_at=base + timedelta(hours=20)),
            Ticket(number=103, title="Need VPN access", description="-", requester_id=org.bob, status="resolved",
                   priority="medium", team_id=org.access_team, category_id=org.access, assignee_id=org.ada,
                   created_at=base, updated_at=base, first_responded_at=base + timedelta(hours=1),
                   sla_first_response_due=base + timedelta(hours=4), resolved_at=base + timedelta(hours=5),
                   sla_resolution_due=base + timedelta(hours=20)),
            Ticket(number=104, title="Shared drive missing", description="-", requester_id=org.bob, status="open",
                   priority="critical", team_id=org.access_team, category_id=org.access, assignee_id=org.ada,
                   created_at=now - timedelta(days=2), updated_at=now - timedelta(days=2),
                   first_responded_at=now - timedelta(days=2), sla_resolution_due=now - timedelta(days=1),
                   sla_resolution_breached_at=now - timedelta(days=1)),
        ])
        # Schedules are not truncated between tests: put back what the migration seeds.
        session.execute(text("DELETE FROM report_schedules"))
        schedules.ensure_defaults(session)
    rollups.refresh_changed()
    rollups.refresh_monthly_view()
    return org


def figure(page, label: str):  # noqa: ANN001, ANN201
    return page.get_by_test_id("report-figure").filter(has_text=label).get_by_test_id("figure-value")


def test_manager_reads_sla_report_filters_it_and_sees_the_numbers(sign_in, history: Org) -> None:  # noqa: ANN001
    page = sign_in("mona@example.org")
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports/volume")
    expect(figure(page, "Created")).to_have_text("4")
    # Charts are drawn as they scroll into view (helpdesk/components/when_visible.py): the first at once, the last
    # one, below the fold, once scrolled to; its box kept the chart's height meanwhile.
    plots = page.get_by_test_id("chart-plot")
    expect(plots.first.locator(".main-svg").first).to_be_visible()
    last = plots.last
    assert last.bounding_box()["height"] >= 300
    last.scroll_into_view_if_needed()
    expect(last.locator(".main-svg").first).to_be_visible()
    page.get_by_test_id("report-nav-sla").click()
    page.wait_for_url("**/reports/sla")
    # Resolution: 101 and 103 in time, 102 late, 104 breached while open -> 2 of 4.
    expect(figure(page, "Resolution met")).to_have_text("50.0 %")
    expect(figure(page, "First response met")).to_have_text("100.0 %")
    expect(page.get_by_test_id("chart-title").first).to_contain_text("SLA compliance per day")
    expect(page.locator("[data-testid=chart-plot] .main-svg").first).to_be_visible()
    breaches = page.get_by_test_id("chart-2").get_by_test_id("chart-table")
    expect(breaches).to_contain_text("#104")
    expect(breaches).to_contain_text("#102")

    # The team filter applies to every figure and chart on the page.
    page.get_by_role("combobox", name="Team").click()
    page.get_by_role("option", name="Hardware").click()
    expect(figure(page, "Resolution met")).to_have_text("50.0 %")
    expect(breaches).not_to_contain_text("#104")
    page.get_by_role("combobox", name="Priority").click()
    page.get_by_role("option", name="High").click()
    expect(figure(page, "Resolution met")).to_have_text("100.0 %")

    page.get_by_test_id("chart-0").get_by_test_id("toggle-table").click()
    expect(page.get_by_test_id("chart-0").get_by_test_id("chart-table")).to_contain_text("First response met (%)")

    page.fill("[data-testid=filter-end]", "2020-01-01")
    expect(page.get_by_role("alert").filter(has_text="before the start date")).to_be_visible()


def test_exports_run_in_the_background_and_download(sign_in, history: Org) -> None:  # noqa: ANN001
    page = sign_in("mona@example.org")
    open_page(page, "/reports/sla")
    expect(figure(page, "Resolution met")).to_have_text("50.0 %")

    page.get_by_test_id("export-csv").click()
    download_button = page.get_by_test_id("export-download")
    expect(download_button).to_be_visible(timeout=60000)
    with page.expect_download() as download_info:
        download_button.click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text())))
    assert rows[0][0] == "SLA compliance"
    numbers = [row[0] for row in rows if row and row[0].startswith("#")]
    assert sorted(numbers) == ["#102", "#104"]

    page.get_by_test_id("export-pdf").click()
    expect(page.get_by_test_id("export-download")).to_contain_text("PDF", timeout=60000)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    pdf = pypdfium2.PdfDocument(download_info.value.path())
    first_page = pdf[0]
    assert "SLA compliance" in first_page.get_textpage().get_text_range()
    ARTIFACTS.mkdir(exist_ok=True)
    first_page.render(scale=1.5).to_pil().save(ARTIFACTS / "sla-report-pdf-page1.png")


@pytest.mark.parametrize("email", ["hank@example.org", "alice@example.org"])
def test_agents_and_requesters_cannot_open_reports(sign_in, history: Org, email: str) -> None:  # noqa: ANN001
    page = sign_in(email)
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)
    open_page(page, "/reports/sla")
    expect(page.get_by_test_id("reports-denied")).to_be_visible()
    expect(page.get_by_test_id("report-figure")).to_have_count(0)
    response = page.request.get("/api/v1/reports/sla")
    assert response.status == 403


def test_admin_changes_a_schedule_and_a_manager_subscribes(sign_in, history: Org) -> None:  # noqa: ANN001
    manager = sign_in("mona@example.org")
    open_page(manager, "/reports/schedules")
    daily = manager.get_by_test_id("schedule-row").filter(has_text="Daily SLA compliance")
    expect(daily).to_contain_text("Every day at 06:00 Asia/Karachi")
    expect(daily.get_by_test_id("schedule-edit")).to_have_count(0)  # only admins change schedules
    daily.get_by_test_id("schedule-subscribe").click()
    expect(daily.get_by_role("cell").nth(3)).to_have_text("1")

    admin = sign_in("root@example.org")
    open_page(admin, "/reports/schedules")
    row = admin.get_by_test_id("schedule-row").filter(has_text="Daily SLA compliance")
    row.get_by_test_id("schedule-edit").click()
    admin.get_by_test_id("schedule-hour").fill("25")
    admin.get_by_test_id("schedule-save").click()
    expect(admin.get_by_role("alert").filter(has_text="0 to 23")).to_be_visible()
    admin.get_by_test_id("schedule-hour").fill("7")
    admin.get_by_test_id("schedule-minute").fill("30")
    admin.get_by_test_id("schedule-save").click()
    expect(row).to_contain_text("Every day at 07:30 Asia/Karachi")
