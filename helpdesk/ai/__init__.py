"""AI for the helpdesk. The context owns triage (`triage`: predict, decide, persist, apply suggestions), the model
registry with retraining, versions and rollback (`registry`), the figures of how far it can be trusted
(`metrics`), similar tickets (`similar`), the optional LLM assistant (`llm`), and the category model itself
(`classifier`, `nb_linear`, `normalize`, `priority`, `train`).
It reacts to ticket events (helpdesk/subscriptions.py) and may import helpdesk.core, helpdesk.models,
helpdesk.identity, helpdesk.sla and helpdesk.tickets; it must not import helpdesk.kb, helpdesk.reports or any door.

Typical use::

    from helpdesk.ai import load_default_model, normalize
    model = load_default_model()
    pred = model.predict_ticket(title, body)   # Prediction(label, confidence, scores)
    if pred.confidence > AUTO_APPLY_THRESHOLD: ...
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .normalize import STOP_WORDS, normalize, normalize_text
from .priority import PriorityEstimate, estimate_priority

if TYPE_CHECKING:
    from .classifier import TicketClassifier

DEFAULT_ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "category-default.joblib"
AUTO_APPLY_THRESHOLD = 0.85

__all__ = ["STOP_WORDS", "normalize", "normalize_text", "load_default_model", "DEFAULT_ARTIFACT",
           "AUTO_APPLY_THRESHOLD", "Prediction", "TicketClassifier", "PriorityEstimate", "estimate_priority"]


def __getattr__(name: str) -> Any:  # lazy: importing normalize must not pull in scikit-learn
    if name in ("Prediction", "TicketClassifier"):
        from . import classifier
        return getattr(classifier, name)
    raise AttributeError(name)


@lru_cache(maxsize=4)
def load_default_model(path: str | None = None) -> TicketClassifier:
    """Load (once per process) the shipped category model."""
    from .classifier import TicketClassifier
    return TicketClassifier.load(path or DEFAULT_ARTIFACT)
