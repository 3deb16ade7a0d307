"""What the pages say about deadlines and counts (#18)."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.models.base import utcnow
from helpdesk.state.formatting import plural, sla_badge


def row(**fields: object) -> dict:
    return {"status": "open", "sla_paused_at": None, "sla_resolution_warn_at": None,
            "sla_resolution_breached_at": None, "sla_first_response_breached_at": None} | fields


def test_a_breached_first_response_with_the_resolution_deadline_ahead_reads_due_in() -> None:
    state, label = sla_badge(row(sla_resolution_due=utcnow() + timedelta(minutes=1, seconds=30),
                                 sla_first_response_breached_at=utcnow() - timedelta(minutes=5)))
    assert (state, label) == ("breached", "Due in 1m")


def test_a_passed_deadline_reads_overdue_by() -> None:
    assert sla_badge(row(sla_resolution_due=utcnow() - timedelta(hours=3, minutes=5),
                         sla_resolution_breached_at=utcnow()))[1] == "Overdue by 3h"
    assert sla_badge(row(sla_resolution_due=utcnow() - timedelta(seconds=20)))[1] == "Overdue by 1m"
    assert sla_badge(row(sla_resolution_due=utcnow() + timedelta(hours=2, minutes=1)))[1] == "Due in 2h"


def test_plural() -> None:
    assert [plural(n, "ticket") for n in (0, 1, 2)] == ["0 tickets", "1 ticket", "2 tickets"]
