"""Fault drill: a Celery worker killed with SIGKILL in the middle of AI triage loses nothing and triages once.

Celery acknowledges late, but its Redis transport would redeliver an unacknowledged job only after the one-hour
visibility timeout; the outbox's stalled-job sweep sends it again within minutes, and the job's own transaction
marks it finished, so neither the kill nor a later redelivery makes a second prediction.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from helpdesk.core import jobs
from helpdesk.core.db import session_scope
from helpdesk.models import AiPrediction, OutboxJob
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets
from tests.factories import Org, draft
from tests.processes import ROOT, celery_worker_command, running, send_job

pytestmark = [pytest.mark.slow, pytest.mark.drill]


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    # --purge: triage jobs of tickets earlier tests filed (and truncated) are not this drill's business.
    process = subprocess.Popen(celery_worker_command("ai", concurrency=1, name="drill", purge=True), cwd=ROOT,
                               env=os.environ | env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)
    return process


def _predictions(ticket_id: int) -> list[AiPrediction]:
    with session_scope() as session:
        return list(session.exec(select(AiPrediction).where(AiPrediction.ticket_id == ticket_id,
                                                             AiPrediction.error.is_(None))).all())


def _attempts(job_id: int) -> int:
    with session_scope() as session:
        return session.exec(select(OutboxJob.attempts).where(OutboxJob.id == job_id)).one()


def _wait_for(condition, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout}s"
        time.sleep(0.2)


def test_a_worker_killed_mid_triage_loses_nothing_and_triages_once(org: Org, test_env, tmp_path: Path) -> None:  # noqa: ANN001
    log = tmp_path / "worker.log"
    worker = _start_worker(test_env.as_env(), log)
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft("Laptop keyboard stopped working")).id
    with session_scope() as session:
        job = session.exec(select(OutboxJob).where(OutboxJob.task_name == "ai.triage_ticket",
                                                   OutboxJob.args["ticket_id"].as_integer() == ticket_id)).one()
    task_id = f"outbox-{job.id}"

    # The job arrives; the fresh worker is still loading the model (seconds) when it is killed.
    _wait_for(lambda: re.search(rf"Task ai\.triage_ticket\[{task_id}\] received".encode(), log.read_bytes()),
              30, "the worker received the triage job")
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
    assert _predictions(ticket_id) == []
    assert not jobs.is_finished(task_id)

    # A new worker comes up; the relay's stalled-job sweep (beat runs it every 30 s) sends the lost job again.
    with running(celery_worker_command("ai", concurrency=1, name="drill2"), test_env.as_env(),
                 tmp_path / "worker2.log", lambda: b" ready." in (tmp_path / "worker2.log").read_bytes(), 60):
        assert jobs.resend_stalled(now=utcnow() + timedelta(minutes=5)) >= 1
        assert _attempts(job.id) == 1
        _wait_for(lambda: len(_predictions(ticket_id)) == 1, 60, "the ticket was triaged")
        _wait_for(lambda: jobs.is_finished(task_id), 10, "the job was marked finished")

        # Redelivered again (as Redis would after its visibility timeout): skipped, still one prediction.
        send_job("ai.triage_ticket", "ai", task_id=task_id, ticket_id=ticket_id)
        _wait_for(lambda: b"already finished" in (tmp_path / "worker2.log").read_bytes(), 30,
                  "the redelivered job was skipped")
        assert len(_predictions(ticket_id)) == 1
        # And the sweep does not send the finished job again.
        jobs.resend_stalled(now=utcnow() + timedelta(minutes=5))
        assert _attempts(job.id) == 1
