"""AI jobs on the `ai` queue: triage of new tickets (and re-runs agents ask for), and retraining the model."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from celery import Task
from sqlalchemy.exc import InterfaceError, OperationalError

from helpdesk.ai import registry as ai_models
from helpdesk.ai import triage
from helpdesk.core import jobs
from helpdesk.core.db import session_scope
from tasks.celery_app import celery_app

if TYPE_CHECKING:
    from helpdesk.ai.classifier import TicketClassifier

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Worth another try: the database or the network hiccupped. A bug in the input fails at once instead.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError, TimeoutError)


def category_model() -> TicketClassifier:
    """The active model version, loaded on the first job a worker process runs and reloaded when another version is
    activated (a Redis marker checked at most every few seconds).

    Loaded lazily rather than at import, so the prefork parent (and every process that only imports the task
    module to send jobs) never pays the ~2 s load or holds the model in memory.
    """
    return ai_models.active_classifier()


@celery_app.task(
    name=triage.TRIAGE_TASK, bind=True, acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=2,
    retry_backoff_max=60, retry_jitter=True, max_retries=MAX_ATTEMPTS - 1,
)
def triage_ticket(self: Task, ticket_id: int) -> dict[str, Any]:
    """Predicts and (above the threshold, never over a person's choice) applies a ticket's category, team, priority."""
    try:
        model = category_model()
        with session_scope() as session:
            prediction = triage.triage_ticket(session, ticket_id, classifier=model)
            # Finished in the same transaction as the prediction: a redelivered job can never triage twice.
            jobs.finish(session, self.request.id)
            if prediction is None:
                return {"ticket_id": ticket_id, "outcome": "skipped"}
            return {"ticket_id": ticket_id, "outcome": "applied" if prediction.applied_fields else "suggested",
                    "prediction_id": prediction.id, "applied": list(prediction.applied_fields)}
    except Exception as exc:
        _record_failure(ticket_id, exc, attempt=self.request.retries + 1)
        raise


def _record_failure(ticket_id: int, exc: BaseException, *, attempt: int) -> None:
    """Every failed attempt is kept, so the metrics show failures even when a retry later succeeds."""
    try:
        with session_scope() as session:
            triage.record_failure(session, ticket_id, f"attempt {attempt}: {type(exc).__name__}: {exc}")
    except Exception:  # the database itself may be what failed; the log still has it
        log.exception("could not record the failed triage of ticket %s", ticket_id)


# Bounded: the production configuration trains in about 2-3 minutes on 2 cores; a run past these limits is stopped
# and recorded as failed, and the active model keeps predicting.
@celery_app.task(name=ai_models.RETRAIN_TASK, acks_late=False, soft_time_limit=20 * 60, time_limit=25 * 60)
def retrain_model(trigger: str = "schedule", requested_by: int | None = None,
                  config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Trains a candidate from the helpdesk's confirmed tickets and promotes it only if it is better.

    `config` (TrainingConfig fields) is for tests and benchmarks; the schedule and the admin page never pass one.
    """
    run = ai_models.retrain(trigger=trigger, requested_by=requested_by,
                            config=ai_models.TrainingConfig(**config) if config else None)
    return {"run_id": run["id"], "outcome": run["outcome"], "reason": run["reason"],
            "candidate_version": run["candidate_version"]}
