"""Test helpers for the AI model registry (its tables are emptied by the per-test truncation of users)."""

from __future__ import annotations

from sqlalchemy import delete, update

from helpdesk.ai import registry as ai_models
from helpdesk.core import cache
from helpdesk.core.db import session_scope
from helpdesk.models import AiModelVersion, AiTrainingRun


def reset_registry() -> None:
    """Only the shipped model, active; no training runs; no marker or retraining lock in Redis."""
    with session_scope() as session:
        session.execute(update(AiModelVersion).values(training_run_id=None))
        session.execute(delete(AiModelVersion).where(AiModelVersion.version != "default"))
        session.execute(delete(AiTrainingRun))
        # The per-test truncation of users cascades to this table (promoted_by): put the shipped row back.
        shipped = session.get(AiModelVersion, "default") or AiModelVersion(
            version="default", source="shipped", status="active", training_rows=38331, metrics={"accuracy": 0.865})
        shipped.status = "active"
        session.add(shipped)
    cache.invalidate(cache.key("ai", "active-model"), cache.key("ai", "retrain-lock"))
    ai_models.forget_process_model()
