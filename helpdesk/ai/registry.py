"""Versions of the category model: which one predicts, learning from the helpdesk's own tickets, and rollback.

* **Which model predicts.** Exactly one row of `ai_model_versions` is active; the shipped model is version
  "default" and is active on a fresh install. Each worker process keeps the active model in memory and looks at a
  cheap marker in Redis (the active version's name, re-read from the database when the key is missing) at most
  every few seconds, loading the new model only when the name changes.
* **Learning.** `retrain()` gathers resolved and closed tickets whose category a person set or confirmed (the
  AI's own auto-applied labels count only once a person confirmed them), maps each category to the classifier's
  label (the category itself or the nearest parent named like a label, the way triage maps labels back), and
  when there are enough, trains a candidate on the shipped data plus those tickets. The candidate and the active
  model are scored on the same held-back slice of the helpdesk's tickets; the candidate is promoted only when its
  accuracy is higher and its precision above the auto-apply threshold is not lower. Otherwise it is kept as
  "rejected" with its figures. Artifacts go through the storage backend (never into the package folder).
* **Rollback.** Admins activate any kept version; every change of the active model is in the audit log.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select

from helpdesk.ai import DEFAULT_ARTIFACT, load_default_model
from helpdesk.ai.classifier import DEFAULT_THRESHOLD
from helpdesk.core import audit, cache, jobs, on_commit
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.core.settings import get_settings
from helpdesk.core.storage import get_storage
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import AiFeedback, AiModelVersion, AiTrainingRun, Category, Status, Ticket, TicketEvent
from helpdesk.models.ai_registry import SHIPPED_VERSION, ModelSource, ModelStatus, RunOutcome
from helpdesk.models.base import utcnow

if TYPE_CHECKING:
    from helpdesk.ai.classifier import TicketClassifier

log = logging.getLogger(__name__)

RETRAIN_TASK = "ai.retrain_model"
RETRAIN_QUEUE = "ai"
ARTIFACT_PREFIX = "ai-models/"
# How often a worker looks at the active-version marker; a promotion reaches every worker within this.
CHECK_INTERVAL_SECONDS = 5.0
# The marker expires so that, should setting it ever fail after a commit, workers re-read the database soon after.
MARKER_TTL_SECONDS = 300
RETRAIN_LOCK_SECONDS = 2 * 3600
KEEP_REJECTED_ARTIFACTS = 3
FINISHED_STATUSES = (Status.RESOLVED.value, Status.CLOSED.value)
# Ticket events by which a person decided a ticket's category (see triage.HUMAN_DECISION_KINDS).
_HUMAN_CATEGORY_KINDS = ("changed", "ai_accepted", "ai_rejected")
_TRIGGERS = ("schedule", "admin", "cli")


def _marker_key() -> str:
    return cache.key("ai", "active-model")


def _lock_key() -> str:
    return cache.key("ai", "retrain-lock")


# ---------------------------------------------------------------- which model predicts


def active_version(session: Session) -> str:
    """The name of the active version, from the database."""
    version = session.exec(select(AiModelVersion.version).where(AiModelVersion.status == ModelStatus.ACTIVE)).first()
    return version or SHIPPED_VERSION


def _publish_marker(version: str) -> None:
    with contextlib.suppress(redis.RedisError):
        cache.get_redis().set(_marker_key(), version, ex=MARKER_TTL_SECONDS)


def active_version_marker() -> str:
    """The active version's name: Redis first (cheap), the database when the marker is missing or Redis is down."""
    try:
        version = cache.get_redis().get(_marker_key())
    except redis.RedisError:
        version = None
    if version:
        return version
    with session_scope() as session:
        version = active_version(session)
    _publish_marker(version)
    return version


def _load_artifact(key: str) -> TicketClassifier:
    import joblib

    from helpdesk.ai.classifier import TicketClassifier

    obj = joblib.load(io.BytesIO(get_storage().get(key)))
    model = obj["model"]
    if not isinstance(model, TicketClassifier):
        raise TypeError(f"{key} does not hold a ticket classifier")
    model.metadata = obj.get("metadata", model.metadata)
    return model


def load_version(version: str) -> TicketClassifier:
    """Loads a kept version (the shipped one from the package, the others from the storage backend)."""
    if version == SHIPPED_VERSION:
        model = load_default_model()
    else:
        with session_scope() as session:
            row = session.get(AiModelVersion, version)
            key = row.artifact_key if row is not None else None
        if key is None:
            raise NotFound(f"Model version {version} has no stored artifact.")
        model = _load_artifact(key)
    # Predictions record the registry's version name, so metrics can be split by version.
    model.metadata["registry_version"] = version
    return model


@dataclass
class _ProcessModel:
    version: str | None = None
    model: TicketClassifier | None = None
    checked_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_process_model = _ProcessModel()


def active_classifier() -> TicketClassifier:
    """The model that predicts: loaded once per process, reloaded when the active version changes."""
    state = _process_model
    with state.lock:
        now = time.monotonic()
        if state.model is not None and now - state.checked_at < CHECK_INTERVAL_SECONDS:
            return state.model
        version = active_version_marker()
        state.checked_at = now
        if state.model is None or version != state.version:
            try:
                state.model = load_version(version)
            except Exception:
                # A lost artifact must not stop triage: predict with the shipped model (recorded as such) and say so.
                log.exception("could not load AI model version %s; predicting with the shipped model", version)
                state.model = load_version(SHIPPED_VERSION)
            state.version = version
            log.info("AI triage now predicts with model version %s", version)
        return state.model


def forget_process_model() -> None:
    """Drops this process's loaded model (tests; a worker reloads on its next prediction)."""
    global _process_model
    _process_model = _ProcessModel()


def model_version_name(model: TicketClassifier) -> str:
    return str(model.metadata.get("registry_version") or model.metadata.get("version", "unknown"))


# ---------------------------------------------------------------- what people confirmed


@dataclass(frozen=True)
class LabelledTicket:
    ticket_id: int
    text: str
    label: str


def label_for_category(category_id: int, categories: dict[int, tuple[str, int | None]],
                       labels: Iterable[str]) -> str | None:
    """The classifier label of a category: its own name or its nearest ancestor's that is a label."""
    wanted, seen = set(labels), set()
    current: int | None = category_id
    while current is not None and current not in seen and current in categories:
        seen.add(current)
        name, parent_id = categories[current]
        if name in wanted:
            return name
        current = parent_id
    return None


def _candidate_conditions(among: Select | None, finished_only: bool) -> list[Any]:
    conditions = [Ticket.category_id.is_not(None), Ticket.deleted_at.is_(None)]
    if finished_only:
        conditions.append(Ticket.status.in_(FINISHED_STATUSES))
    if among is not None:
        conditions.append(Ticket.id.in_(among.scalar_subquery()))
    return conditions


def confirmed_categories(session: Session, among: Select | None = None, *,
                         finished_only: bool = True) -> dict[int, int]:
    """Ticket id -> category id, for tickets whose current category a person set or confirmed.

    A category the requester chose or an agent set counts. One the AI applied counts only when, after the AI's
    last change, a person accepted it or changed it to this value (events or accepted feedback), and did not reject
    it afterwards: the model must never learn from, or be judged against, its own unconfirmed guesses.
    `among` (a select of ticket ids) narrows the tickets looked at; ids stay in the database (subqueries), so any
    number of tickets works.
    """
    conditions = _candidate_conditions(among, finished_only)
    candidates = dict(session.exec(select(Ticket.id, Ticket.category_id).where(*conditions)).all())
    if not candidates:
        return {}
    ids = select(Ticket.id).where(*conditions).scalar_subquery()
    history: dict[int, list[tuple[datetime, int, str, int | None, str | None]]] = {}
    for ticket_id, created_at, event_id, kind, actor_id, new_value in session.exec(
        select(TicketEvent.ticket_id, TicketEvent.created_at, TicketEvent.id, TicketEvent.kind, TicketEvent.actor_id,
               TicketEvent.new_value)
        .where(TicketEvent.ticket_id.in_(ids), TicketEvent.field == "category_id",
               TicketEvent.kind.in_(("ai_applied", *_HUMAN_CATEGORY_KINDS)))
    ).all():
        history.setdefault(ticket_id, []).append((created_at, event_id, kind, actor_id, new_value))
    accepted_feedback: dict[int, list[tuple[datetime, str | None]]] = {}
    for ticket_id, created_at, final_value in session.exec(
        select(AiFeedback.ticket_id, AiFeedback.created_at, AiFeedback.final_value)
        .where(AiFeedback.ticket_id.in_(ids), AiFeedback.field == "category", AiFeedback.accepted)
    ).all():
        accepted_feedback.setdefault(ticket_id, []).append((created_at, final_value))

    confirmed: dict[int, int] = {}
    for ticket_id, category_id in candidates.items():
        events = sorted(history.get(ticket_id, []))
        ai_times = [created_at for created_at, _, kind, _, _ in events if kind == "ai_applied"]
        if not ai_times:
            confirmed[ticket_id] = category_id  # the requester's or an agent's own choice
            continue
        last_ai = max(ai_times)
        human_after = [(kind, value) for created_at, _, kind, actor_id, value in events
                       if actor_id is not None and created_at >= last_ai and kind in _HUMAN_CATEGORY_KINDS]
        feedback_after = [value for created_at, value in accepted_feedback.get(ticket_id, []) if created_at >= last_ai]
        if human_after and human_after[-1][0] == "ai_rejected":
            continue  # a person said the AI's value is wrong and nobody has fixed it
        if any(value == str(category_id) for _, value in human_after) or str(category_id) in feedback_after:
            confirmed[ticket_id] = category_id
    return confirmed


def category_tree(session: Session) -> dict[int, tuple[str, int | None]]:
    return {cid: (name, parent) for cid, name, parent in session.exec(
        select(Category.id, Category.name, Category.parent_id)).all()}


def training_tickets(session: Session, labels: Iterable[str]) -> tuple[list[LabelledTicket], int]:
    """The helpdesk's human-confirmed finished tickets with the classifier label of their category.

    Returns the tickets and how many confirmed tickets had a category no label covers (left out).
    """
    from helpdesk.ai import normalize

    labels = list(labels)
    confirmed = confirmed_categories(session)
    categories = category_tree(session)
    rows = session.exec(select(Ticket.id, Ticket.title, Ticket.description).where(
        *_candidate_conditions(None, finished_only=True))).all() if confirmed else []
    out, unmapped = [], 0
    for ticket_id, title, description in sorted(rows):
        if ticket_id not in confirmed:
            continue
        label = label_for_category(confirmed[ticket_id], categories, labels)
        if label is None:
            unmapped += 1
            continue
        out.append(LabelledTicket(ticket_id, normalize(title, description), label))
    return out, unmapped


# ---------------------------------------------------------------- retraining


@dataclass(frozen=True)
class TrainingConfig:
    """How a retraining run trains; the defaults are the production set-up (about 3-5 minutes on 2 cores).

    Tests pass a tiny configuration (a sample of the shipped data, fewer folds, one job): the same code, faster.
    """

    min_tickets: int | None = None  # None: the setting AI_RETRAIN_MIN_TICKETS
    holdout_fraction: float = 0.25
    base_rows: int | None = None  # None: every shipped row; a number: a stratified sample of that size
    n_folds: int = 5
    n_jobs: int = 2
    seed: int = 42
    threshold: float = DEFAULT_THRESHOLD
    base_csv: Path | None = None  # None: the shipped training data
    # Copies of each helpdesk ticket in the training set: a few hundred tickets among 38,000 shipped rows would
    # otherwise hardly move the model.
    own_ticket_repeat: int = 1

    def required_tickets(self) -> int:
        return self.min_tickets if self.min_tickets is not None else get_settings().ai_retrain_min_tickets


def _base_data(config: TrainingConfig) -> tuple[list[str], list[str]]:
    from helpdesk.ai.train import DEFAULT_CSV, load_csv

    texts, labels = load_csv(config.base_csv or DEFAULT_CSV)
    if config.base_rows is not None and config.base_rows < len(texts):
        from sklearn.model_selection import train_test_split

        texts, _, labels, _ = train_test_split(texts, labels, train_size=config.base_rows, stratify=labels,
                                               random_state=config.seed)
    return list(texts), list(labels)


def _split(own: list[LabelledTicket], config: TrainingConfig) -> tuple[list[LabelledTicket], list[LabelledTicket]]:
    """Held-back slice by text: tickets with the same normalised text fall on the same side, so a recurring ticket
    ("printer jam on 2nd floor") cannot flatter the candidate by being in its training data and in the test."""
    from sklearn.model_selection import GroupShuffleSplit

    groups = [t.text for t in own]
    if len(set(groups)) < 2:
        return own, []
    splitter = GroupShuffleSplit(n_splits=1, test_size=config.holdout_fraction, random_state=config.seed)
    train_idx, held_idx = next(splitter.split(own, groups=groups))
    return [own[i] for i in train_idx], [own[i] for i in held_idx]


def evaluate_on(model: TicketClassifier, tickets: Sequence[LabelledTicket], threshold: float) -> dict[str, Any]:
    """Accuracy and the auto-apply figures on tickets; `auto_precision` is None when nothing is above the threshold."""
    from helpdesk.ai.train import evaluate

    metrics = evaluate(model, [t.text for t in tickets], [t.label for t in tickets], threshold=threshold)
    if metrics["auto_coverage"] == 0:
        metrics["auto_precision"] = None
    return metrics


def is_better(candidate: dict[str, Any], baseline: dict[str, Any]) -> tuple[bool, str]:
    """Higher accuracy, and precision above the threshold no lower (a model never that sure cannot be promoted)."""
    acc_c, acc_b = candidate["accuracy"], baseline["accuracy"]
    prec_c, prec_b = candidate["auto_precision"], baseline["auto_precision"]
    figures = (f"accuracy {acc_c:.3f} vs {acc_b:.3f}, precision above {candidate['threshold']} "
               f"{'n/a' if prec_c is None else f'{prec_c:.3f}'} vs {'n/a' if prec_b is None else f'{prec_b:.3f}'}")
    if acc_c <= acc_b:
        return False, f"Not more accurate than the active model ({figures})."
    if prec_c is None and prec_b is not None:
        return False, f"Never confident above the threshold ({figures})."
    if prec_c is not None and prec_b is not None and prec_c < prec_b:
        return False, f"Less precise above the threshold ({figures})."
    return True, f"Better than the active model ({figures})."


def _start_run(trigger: str, requested_by: int | None) -> int:
    with session_scope() as session:
        # A worker killed mid-run leaves its row "running": after the lock's lifetime it is surely dead.
        for stale in session.exec(select(AiTrainingRun).where(
                AiTrainingRun.outcome == RunOutcome.RUNNING,
                AiTrainingRun.started_at < utcnow() - timedelta(seconds=RETRAIN_LOCK_SECONDS))).all():
            stale.outcome, stale.reason, stale.finished_at = RunOutcome.FAILED, "The run never finished.", utcnow()
            session.add(stale)
        run = AiTrainingRun(trigger=trigger, requested_by=requested_by, baseline_version=active_version(session))
        session.add(run)
        session.flush()
        return run.id


def _finish_run(run_id: int, outcome: RunOutcome, reason: str, started: float, **values: Any) -> dict[str, Any]:
    with session_scope() as session:
        run = session.get(AiTrainingRun, run_id)
        run.outcome, run.reason, run.finished_at = outcome.value, reason[:500], utcnow()
        run.duration_seconds = round(time.perf_counter() - started, 2)
        for name, value in values.items():
            setattr(run, name, value)
        session.add(run)
        session.flush()
        return run_row(run)


def retrain(*, trigger: str = "schedule", requested_by: int | None = None,
            config: TrainingConfig | None = None) -> dict[str, Any]:
    """One retraining run (see the module docstring); returns the run as `run_row` shows it."""
    if trigger not in _TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}")
    config = config or TrainingConfig()
    started = time.perf_counter()
    run_id = _start_run(trigger, requested_by)
    client = cache.get_redis()
    refusal = _take_retrain_lock(client, run_id)
    if refusal is not None:
        return _finish_run(run_id, *refusal, started)
    try:
        data = _gather_training_data()
        not_enough = _why_too_few_tickets(data, config)
        if not_enough:
            return _finish_run(run_id, RunOutcome.SKIPPED, not_enough, started, eligible_tickets=len(data.own),
                               baseline_version=data.baseline_version)
        train_own, held = _split(data.own, config)
        if not held:
            return _finish_run(run_id, RunOutcome.SKIPPED, "The confirmed tickets are all the same text; nothing "
                               "can be held back to compare the models.", started, eligible_tickets=len(data.own),
                               baseline_version=data.baseline_version)
        candidate, base_rows = _train_candidate(train_own, config)
        candidate_metrics, baseline_metrics = _evaluate_against_active(candidate, data.baseline, held, config)
        promote, reason = is_better(candidate_metrics, baseline_metrics)
        version, key = _store_candidate(candidate, run_id, len(train_own))
        promote, reason = _record_decision(
            version, key, run_id, promote, reason, baseline_version=data.baseline_version,
            training_ticket_count=len(train_own), training_rows=base_rows + len(train_own),
            metrics=candidate_metrics | {"evaluated_on": f"{len(held)} held-back helpdesk tickets"})
        return _finish_run(run_id, RunOutcome.PROMOTED if promote else RunOutcome.REJECTED, reason, started,
                           eligible_tickets=len(data.own), holdout_tickets=len(held),
                           baseline_version=data.baseline_version, candidate_version=version,
                           baseline_metrics=baseline_metrics, candidate_metrics=candidate_metrics)
    except Exception as exc:
        log.exception("AI retraining run %s failed", run_id)
        _finish_run(run_id, RunOutcome.FAILED, f"{type(exc).__name__}: {exc}", started)
        raise
    finally:
        _release_retrain_lock(client, run_id)


def _take_retrain_lock(client: redis.Redis, run_id: int) -> tuple[RunOutcome, str] | None:
    """Takes the one-run-at-a-time lock for the run; the outcome and reason of the run when it cannot."""
    try:
        locked = client.set(_lock_key(), str(run_id), nx=True, ex=RETRAIN_LOCK_SECONDS)
    except redis.RedisError as exc:
        return RunOutcome.FAILED, f"Redis is unavailable ({exc})."
    if not locked:
        return RunOutcome.SKIPPED, "Another retraining run is in progress."
    return None


def _release_retrain_lock(client: redis.Redis, run_id: int) -> None:
    with contextlib.suppress(redis.RedisError):
        if client.get(_lock_key()) == str(run_id):
            client.delete(_lock_key())


@dataclass(frozen=True)
class _TrainingData:
    baseline_version: str  # the active version when the run started
    baseline: TicketClassifier  # that model, loaded
    own: list[LabelledTicket]  # the helpdesk's tickets whose category a person set or confirmed
    unmapped: int  # more such tickets, with a category no model label covers


def _gather_training_data() -> _TrainingData:
    """The active model, and the finished tickets with a category a person set or confirmed, in its labels."""
    with session_scope() as session:
        baseline_version = active_version(session)
    baseline = load_version(baseline_version)
    with session_scope() as session:
        own, unmapped = training_tickets(session, baseline.labels)
    return _TrainingData(baseline_version, baseline, own, unmapped)


def _why_too_few_tickets(data: _TrainingData, config: TrainingConfig) -> str | None:
    """Why the run is skipped when there are fewer tickets than the configuration needs; None when enough."""
    needed = config.required_tickets()
    if len(data.own) >= needed:
        return None
    return (f"Only {len(data.own)} resolved or closed tickets have a category a person set or confirmed; "
            f"at least {needed} are needed." + (f" ({data.unmapped} more have a category no model label covers.)"
                                                if data.unmapped else ""))


def _train_candidate(train_own: list[LabelledTicket], config: TrainingConfig) -> tuple[TicketClassifier, int]:
    """Fits a candidate on the shipped data plus the helpdesk's tickets; returns it and the shipped rows used."""
    from helpdesk.ai.classifier import TicketClassifier

    base_texts, base_labels = _base_data(config)
    repeat = max(1, config.own_ticket_repeat)
    candidate = TicketClassifier(seed=config.seed, n_folds=config.n_folds, n_jobs=config.n_jobs).fit(
        base_texts + [t.text for t in train_own] * repeat, base_labels + [t.label for t in train_own] * repeat)
    return candidate, len(base_texts)


def _evaluate_against_active(candidate: TicketClassifier, baseline: TicketClassifier, held: list[LabelledTicket],
                             config: TrainingConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """The candidate's and the active model's figures on the same held-back tickets."""
    return evaluate_on(candidate, held, config.threshold), evaluate_on(baseline, held, config.threshold)


def _store_candidate(candidate: TicketClassifier, run_id: int, helpdesk_tickets: int) -> tuple[str, str]:
    """Names the candidate's version and saves its artifact through the storage backend; returns (version, key)."""
    version = f"r{utcnow():%Y%m%d-%H%M%S}-{run_id}"
    candidate.metadata.update(source="retrained", registry_version=version, helpdesk_tickets=helpdesk_tickets,
                              training_run_id=run_id)
    buffer = io.BytesIO()
    candidate.save(buffer)
    key = f"{ARTIFACT_PREFIX}{version}.joblib"
    get_storage().put(key, buffer.getvalue(), "application/octet-stream")
    return version, key


def _record_decision(version: str, key: str, run_id: int, promote: bool, reason: str, *, baseline_version: str,
                     training_ticket_count: int, training_rows: int, metrics: dict[str, Any]) -> tuple[bool, str]:
    """Registers the candidate, then promotes it, or keeps it as rejected, in one transaction; returns whether it
    was promoted and why (a candidate that won is not promoted when the active model changed meanwhile)."""
    with session_scope() as session:
        session.add(AiModelVersion(
            version=version, source=ModelSource.RETRAINED, status=ModelStatus.CANDIDATE,
            training_ticket_count=training_ticket_count, training_rows=training_rows, metrics=metrics,
            artifact_key=key, training_run_id=run_id))
        session.flush()
        current = None
        if promote:
            current = _lock_active(session)
            promote, reason = _confirm_promotion(current, baseline_version, reason)
        row = session.get(AiModelVersion, version)
        if promote:
            _promote(session, row, current, run_id, baseline_version, reason)
        else:
            _reject(session, row)
    return promote, reason


def _confirm_promotion(current: AiModelVersion | None, baseline_version: str, reason: str) -> tuple[bool, str]:
    """A candidate that beat the active model is promoted only if that model is still the active one."""
    if current is not None and current.version != baseline_version:
        return False, (f"The active model changed to {current.version} during training; "
                       "the candidate was compared with the previous one and is not promoted.")
    return True, reason


def _promote(session: Session, row: AiModelVersion, current: AiModelVersion | None, run_id: int,
             baseline_version: str, reason: str) -> None:
    _switch_active(session, row, current, actor_id=None, now=utcnow())
    audit.record(session, "ai.model_promoted", actor_id=None, entity_type="ai_model", entity_id=row.version,
                 details={"run_id": run_id, "replaced": baseline_version, "reason": reason})


def _reject(session: Session, row: AiModelVersion) -> None:
    row.status = ModelStatus.REJECTED
    session.add(row)
    session.flush()
    _prune_rejected_artifacts(session)


def _prune_rejected_artifacts(session: Session) -> None:
    """Weekly runs would pile up artifacts (~17 MB each): the newest few rejected ones stay activatable, older
    rejected versions keep their row and figures but lose the artifact. Retired versions (once active) are kept."""
    stale = session.exec(
        select(AiModelVersion)
        .where(AiModelVersion.status == ModelStatus.REJECTED, AiModelVersion.artifact_key.is_not(None))
        .order_by(AiModelVersion.created_at.desc(), AiModelVersion.version.desc())
        .offset(KEEP_REJECTED_ARTIFACTS)
    ).all()
    keys = [row.artifact_key for row in stale]
    for row in stale:
        row.artifact_key = None
        session.add(row)

    def delete_files() -> None:
        for key in keys:
            with contextlib.suppress(Exception):  # a file already gone is what we wanted
                get_storage().delete(key)

    if keys:
        on_commit.after_commit(session, delete_files, key="ai-prune-artifacts")


# ---------------------------------------------------------------- activation (promotion and rollback)


def _lock_active(session: Session) -> AiModelVersion | None:
    return session.exec(select(AiModelVersion).where(AiModelVersion.status == ModelStatus.ACTIVE)
                        .with_for_update()).first()


def _switch_active(session: Session, target: AiModelVersion, current: AiModelVersion | None, *,
                   actor_id: int | None, now: datetime) -> None:
    if current is not None and current.version != target.version:
        current.status = ModelStatus.RETIRED
        session.add(current)
        session.flush()  # the one-active index must see the old row retired first
    target.status, target.promoted_by, target.promoted_at = ModelStatus.ACTIVE, actor_id, now
    session.add(target)
    session.flush()
    on_commit.after_commit(session, lambda: _publish_marker(target.version), key="ai-active-model")


def activate_version(session: Session, actor: Actor | None, version: str) -> AiModelVersion:
    """Makes a kept version the one that predicts (admins; `actor` None is the server's command line)."""
    if actor is not None and not policy.is_admin(actor):
        raise PermissionDenied("Only administrators can change the AI model.")
    target = session.get(AiModelVersion, (version or "").strip()[:64])
    if target is None:
        raise ValidationFailed({"version": NF_("There is no model version {version}.", version=repr(version))})
    if target.version != SHIPPED_VERSION and not target.artifact_key:
        raise ValidationFailed({"version": NF_("Model version {version} has no stored artifact any more.",
                                               version=version)})
    current = _lock_active(session)
    if current is not None and current.version == target.version:
        raise ValidationFailed({"version": NF_("Model version {version} is already active.", version=version)})
    _switch_active(session, target, current, actor_id=actor.user_id if actor else None, now=utcnow())
    audit.record(session, "ai.model_activated", actor_id=actor.user_id if actor else None, entity_type="ai_model",
                 entity_id=target.version,
                 details={"previous": current.version if current else None, "via": "page" if actor else "cli"})
    return target


def request_retrain(session: Session, actor: Actor) -> int:
    """Queues a retraining run on the `ai` queue (admins); returns the outbox job id."""
    if not policy.is_admin(actor):
        raise PermissionDenied("Only administrators can retrain the AI model.")
    job = jobs.enqueue(session, RETRAIN_TASK, RETRAIN_QUEUE, {"trigger": "admin", "requested_by": actor.user_id},
                       priority=9)
    session.flush()  # the job's id, for the audit entry and the caller
    audit.record(session, "ai.retrain_requested", actor_id=actor.user_id, entity_type="ai_model",
                 details={"job_id": job.id})
    return job.id


# ---------------------------------------------------------------- reading


def _headline(metrics: dict[str, Any] | None) -> dict[str, Any]:
    metrics = metrics or {}
    return {"accuracy": metrics.get("accuracy"), "auto_precision": metrics.get("auto_precision"),
            "auto_coverage": metrics.get("auto_coverage"), "n": metrics.get("n"),
            "evaluated_on": metrics.get("evaluated_on", ""), "threshold_curve": metrics.get("threshold_curve", [])}


@lru_cache(maxsize=1)
def _shipped_figures() -> tuple[int, dict[str, Any]]:
    """Training rows and held-out figures of the model in this release's package (read once per process)."""
    try:
        metadata = json.loads(DEFAULT_ARTIFACT.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return 0, {}
    return int(metadata.get("training_rows", 0)), dict(metadata.get("metrics", {})) | {
        "evaluated_on": "the shipped data's held-out 20 %"}


def version_row(row: AiModelVersion) -> dict[str, Any]:
    training_rows, metrics = row.training_rows, row.metrics
    if row.version == SHIPPED_VERSION:
        # An upgrade ships a new default model under the same name: show its figures, not the first install's.
        training_rows, metrics = _shipped_figures()
    return {"version": row.version, "created_at": row.created_at, "source": row.source, "status": row.status,
            "training_ticket_count": row.training_ticket_count, "training_rows": training_rows,
            "metrics": _headline(metrics), "promoted_by": row.promoted_by, "promoted_at": row.promoted_at,
            "activatable": row.status != ModelStatus.ACTIVE and (row.version == SHIPPED_VERSION or
                                                                 bool(row.artifact_key))}


def run_row(run: AiTrainingRun) -> dict[str, Any]:
    return {"id": run.id, "started_at": run.started_at, "finished_at": run.finished_at, "trigger": run.trigger,
            "outcome": run.outcome, "reason": run.reason, "eligible_tickets": run.eligible_tickets,
            "holdout_tickets": run.holdout_tickets, "baseline_version": run.baseline_version,
            "candidate_version": run.candidate_version, "baseline_metrics": _headline(run.baseline_metrics),
            "candidate_metrics": _headline(run.candidate_metrics), "duration_seconds": run.duration_seconds}


def _check_reader(actor: Actor) -> None:
    if not actor.can_read_all:
        raise PermissionDenied("Only managers and administrators can see the AI models.")


def list_versions(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every kept version, the active one first, then newest first (managers and admins)."""
    _check_reader(actor)
    rows = session.exec(select(AiModelVersion).order_by(AiModelVersion.created_at.desc())).all()
    return [version_row(r) for r in sorted(rows, key=lambda r: r.status != ModelStatus.ACTIVE)]


def recent_runs(session: Session, actor: Actor, limit: int = 5) -> list[dict[str, Any]]:
    _check_reader(actor)
    runs = session.exec(select(AiTrainingRun).order_by(AiTrainingRun.started_at.desc(), AiTrainingRun.id.desc())
                        .limit(limit)).all()
    return [run_row(r) for r in runs]
