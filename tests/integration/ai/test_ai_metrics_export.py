"""Prediction figures from a Celery worker process show on the web side's /metrics (prometheus multiprocess mode)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.observability import MULTIPROC_ENV, multiprocess_environment
from helpdesk.models import AiPrediction
from helpdesk.tickets import tickets
from tests.ai_support import reset_registry
from tests.factories import Org, draft

if TYPE_CHECKING:
    from tests.conftest import TestEnvironment


@pytest.fixture(scope="module")
def metrics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prometheus")


@pytest.fixture(scope="module")
def exporting_ai_worker(test_env: TestEnvironment, metrics_dir: Path,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A real `ai` worker started the way `helpdesk worker` starts it: with the shared metrics folder."""
    from tests.processes import celery_worker_command, running

    log = tmp_path_factory.mktemp("logs") / "ai-metrics-worker.log"
    env = dict(multiprocess_environment(test_env.as_env() | {MULTIPROC_ENV: str(metrics_dir)}))
    command = celery_worker_command("ai", concurrency=1, name="ai-metrics", purge=True)
    with running(command, env, log, lambda: b" ready." in log.read_bytes(), timeout=60) as worker:
        yield worker


def sample(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


@pytest.mark.slow
def test_worker_predictions_appear_on_the_web_metrics(org: Org, exporting_ai_worker, metrics_dir: Path,  # noqa: ANN001
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    reset_registry()
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="Laptop screen flickers", description="The screen flickers every few seconds since Monday.")).id
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with session_scope() as session:
            if session.exec(select(AiPrediction).where(AiPrediction.ticket_id == ticket_id)).first():
                break
        time.sleep(0.3)
    else:
        raise AssertionError("the ai worker did not triage the ticket in time")

    # The web process reads the same folder (`helpdesk web` / `helpdesk run` put it in its environment).
    monkeypatch.setenv(MULTIPROC_ENV, str(metrics_dir))
    from helpdesk.api.app import create_api

    text = TestClient(create_api()).get("/metrics").text
    assert sample(text, 'helpdesk_ai_predictions_total{outcome="applied"}') == 1.0
    assert sample(text, "helpdesk_ai_prediction_seconds_count") == 1.0
    assert 0 < sample(text, "helpdesk_ai_prediction_seconds_sum") < 5
