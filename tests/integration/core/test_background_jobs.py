"""Background jobs end to end: a real Celery worker, the Redis broker and an SMTP server."""

from __future__ import annotations

import os

import psutil
import pytest
from sqlmodel import select

from helpdesk.core import jobs
from helpdesk.core.db import session_scope
from helpdesk.models import OutboxJob
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft
from tests.factories import Org, draft
from tests.processes import mail_text

pytestmark = pytest.mark.slow


def test_filing_a_ticket_e_mails_the_requester_an_acknowledgement(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(title="Docking station dead"))
        number = ticket.number
    mail = inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"] and "alice@example.org" in m["To"])
    assert "We received your request: Docking station dead" in mail["Subject"]
    body = mail_text(mail)
    assert "Hello Alice Requester" in body and f"/tickets/{ticket.id}" in body
    with session_scope() as session:
        assert session.exec(select(OutboxJob.sent_at).where(OutboxJob.queue == "email")).one() is not None


def test_an_agent_reply_is_e_mailed_to_the_requester(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Please try the spare dock"))
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="secret internal note", internal=True))
    mail = inbox.wait_for(lambda m: m["Subject"].startswith("Re: ") and "Please try the spare dock"
                          in mail_text(m))
    assert mail["To"] == "alice@example.org"
    assert not any("secret internal note" in mail_text(m) for m in inbox.messages)


def test_a_job_whose_enqueue_failed_is_sent_by_the_outbox_relay(org: Org, celery_worker, inbox,  # noqa: ANN001
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broker_down(job: object, producer: object) -> None:
        raise ConnectionError("broker unavailable")

    monkeypatch.setattr(jobs, "_send", broker_down)
    with session_scope() as session:
        number = tickets.create_ticket(session, org.actor(org.bob), draft(title="Relay me please")).number
    with session_scope() as session:
        job = session.exec(select(OutboxJob).where(OutboxJob.queue == "email")).one()
        assert job.sent_at is None and job.attempts == 1
    monkeypatch.undo()
    # The acknowledgement and the ticket's AI triage job.
    assert jobs.relay_unsent(older_than=__import__("datetime").timedelta(0)) == 2
    inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"])


def test_a_job_that_ran_is_marked_finished_and_not_sent_again(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    import time
    from datetime import timedelta

    from helpdesk.models.base import utcnow

    with session_scope() as session:
        number = tickets.create_ticket(session, org.actor(org.alice), draft(title="Headset crackles")).number
    inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"])
    deadline = time.monotonic() + 10
    while True:
        with session_scope() as session:
            job = session.exec(select(OutboxJob).where(OutboxJob.task_name == "email.ticket_acknowledgement")).one()
        if job.finished_at is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job.finished_at is not None and job.attempts == 0
    jobs.resend_stalled(now=utcnow() + timedelta(hours=3))
    with session_scope() as session:
        assert session.get(OutboxJob, job.id).attempts == 0
    assert sum(f"[#{number}]" in m["Subject"] for m in inbox.messages) == 1


def test_the_worker_gives_way_to_requests_and_still_runs_its_jobs(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    """Triage, e-mail and reports run at a lower CPU priority than the web (WORKER_NICE, 10 by default), so on one
    machine a burst of jobs waits for idle CPU instead of slowing people's requests; the jobs still run."""
    worker = psutil.Process(celery_worker.pid)
    pool = worker.children()
    assert pool, "the worker has no pool processes"
    # The job processes give way; the main process (receiving, acknowledging, shutting down) does not.
    assert {process.nice() for process in pool} == {os.nice(0) + 10}
    assert worker.nice() == os.nice(0)
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(title="Monitor flickers at the desk"))
        number = ticket.number
    mail = inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"])
    assert "We received your request: Monitor flickers at the desk" in mail["Subject"]
