"""Mail out: agents hear about their work (with per-person preferences), a title with a line break cannot break a
header, and a resolved ticket asks the requester for a one-click rating that the CSAT report shows."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import ValidationError

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.email import preferences
from helpdesk.reports import data, filters
from helpdesk.reports.rollups import local_today
from helpdesk.tickets import conversation, csat, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org, draft
from tests.processes import mail_text


def test_agents_get_assignment_and_mention_mail_unless_they_switched_it_off(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    title = "Docking station\nBcc: victim@evil.example"
    with pytest.raises(ValidationError):  # every door refuses a title with a line break now (issue #13) ...
        draft(title=title)
    with session_scope() as session:
        # ... but a title stored before that used to make the notification job fail ("Header values may not
        # contain linefeed"); it must arrive with the title on one line.
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(title="Docking station",
                                                                           category_id=org.laptops))
        ticket.title = title  # as an older row may hold it
        session.add(ticket)
        ticket_id, number = ticket.id, ticket.number
    ack = inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"] and "alice" in m["To"])
    # (Long headers are folded on the wire; unfolded, the title is one line and forged no Bcc header.)
    unfolded = " ".join(ack["Subject"].split())
    assert unfolded == f"[#{number}] We received your request: Docking station Bcc: victim@evil.example"
    assert ack["Bcc"] is None
    assert ack["Auto-Submitted"] == "auto-replied"

    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(assignee_id=org.hank))
    assigned = inbox.wait_for(lambda m: "assigned to you" in m["Subject"] and "hank" in m["To"])
    assert assigned["Auto-Submitted"] == "auto-generated" and f"/tickets/{ticket_id}" in mail_text(assigned)

    with session_scope() as session:
        preferences.set_preference(session, org.actor(org.ada), "mention", False)
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="@root can you order a new dock? @ada FYI", internal=True))
    mention = inbox.wait_for(lambda m: "mentioned you" in m["Subject"] and "root@" in m["To"])
    assert "can you order a new dock" in mail_text(mention)
    with session_scope() as session:
        prefs = {p["kind"]: p["enabled"] for p in preferences.preferences(session, org.actor(org.ada))}
        # A requester has only the switches about their own requests.
        requester_kinds = {p["kind"] for p in preferences.preferences(session, org.actor(org.alice))}
    assert prefs["mention"] is False and prefs["assigned"] is True and prefs["team_new_ticket"] is False
    assert requester_kinds == set(preferences.REQUEST_KINDS)
    assert not any("mentioned you" in (m["Subject"] or "") and "ada@" in m["To"] for m in inbox.messages)


def test_a_resolved_ticket_asks_for_a_rating_that_the_csat_report_shows(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.laptops))
        ticket_id, number = ticket.id, ticket.number
        tickets.update_ticket(session, org.actor(org.hank), ticket_id,
                              TicketChanges(assignee_id=org.hank, status="resolved"))
    mail = inbox.wait_for(lambda m: f"[#{number}] Resolved" in (m["Subject"] or ""))
    good_link = next(word for word in mail_text(mail).split() if "rating=good" in word)
    query = {k: v[0] for k, v in parse_qs(urlparse(good_link).query).items()}
    assert query["ticket"] == str(ticket_id)

    with session_scope() as session, pytest.raises(NotFound):
        csat.rate_by_link(session, ticket_id, "good", "a" * 20)  # a forged link records nothing
    with session_scope() as session:
        csat.rate_by_link(session, int(query["ticket"]), query["rating"], query["sig"])
    with session_scope() as session:
        report = data.build_report(session, org.actor(org.mona), "csat",
                                   filters.default_filters(local_today()), use_cache=False)
    figures = {f["label"]: f["value"] for f in report["figures"]}
    assert figures == {"Ratings": "1", "Good": "1", "Bad": "0", "Satisfaction": "100.0 %"}
    by_agent = next(c for c in report["charts"] if c["key"] == "csat_by_agent")
    assert by_agent["rows"] == [["Hank Hardware", 100.0, 1.0, 0.0]]

    # The portal prompt: only the requester, and a later rating with a comment replaces the first.
    with session_scope() as session:
        with pytest.raises(PermissionDenied):
            csat.rate(session, org.actor(org.hank), ticket_id, "bad")
        csat.rate(session, org.actor(org.alice), ticket_id, "bad", "Took three days.")
    with session_scope() as session:
        report = data.build_report(session, org.actor(org.mona), "csat",
                                   filters.default_filters(local_today()), use_cache=False)
        assert csat.rating_for(session, org.actor(org.alice), ticket_id)["rating"] == "bad"
    comments = next(c for c in report["charts"] if c["key"] == "csat_comments")
    assert [row[:3] for row in comments["rows"]] == [[f"#{number}", "bad", "Took three days."]]
