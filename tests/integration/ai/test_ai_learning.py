"""Learning from the helpdesk's own tickets: which tickets count, retraining, promotion or rejection, rollback,
and the AI metrics judged against people's decisions.

Retraining runs for real with a tiny configuration (a 400-row sample of the shipped data, 3 folds, one job), so a run
takes seconds instead of minutes; the production code path is the same.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from helpdesk.ai import registry as ai_models
from helpdesk.ai import triage
from helpdesk.ai.metrics import ai_metrics
from helpdesk.ai.train import DEFAULT_CSV, load_csv
from helpdesk.core import jobs
from helpdesk.core.db import session_scope
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.models import AiModelVersion, AiPrediction, AiTrainingRun, AuditLog, Category, OutboxJob
from helpdesk.runtime.cli import main
from helpdesk.tickets import tickets
from helpdesk.tickets.validation import TicketChanges
from tests.ai_support import reset_registry
from tests.factories import Org, draft

TINY = ai_models.TrainingConfig(min_tickets=40, base_rows=400, n_folds=3, n_jobs=1)
PROJECT_ROOT = Path(__file__).resolve().parents[3]

CLEAR_HARDWARE = ("Laptop screen flickers", "The screen flickers every few seconds since Monday.")
CLEAR_ACCESS = ("Cannot log in to my account", "I am locked out after the password reset, please unlock my account")
UNSURE_HARDWARE = ("Docking station dead", "The docking station does not work")

# This organisation's own product names: words the shipped model has never seen, which its agents file under
# a clear category. Only a model that learned from the helpdesk's tickets gets these right.
JARGON = {"Hardware": ["zorblat", "quimbo"], "Access": ["frindle", "vostok"],
          "Purchase": ["glemmer", "tarvik"], "Storage": ["plonk", "driffel"]}


@pytest.fixture
def learning_org(org: Org) -> Iterator[Org]:
    """The test organisation with every model label as a category, and a registry holding only the shipped model."""
    reset_registry()
    with session_scope() as session:
        for label in ("Purchase", "Storage", "HR Support", "Miscellaneous", "Internal Project",
                      "Administrative rights"):
            session.add(Category(name=label, default_team_id=org.hardware_team))
    yield org
    reset_registry()


def category_ids() -> dict[str, int]:
    with session_scope() as session:
        return {c.name: c.id for c in session.exec(select(Category).where(Category.parent_id.is_(None))).all()}


def resolved_ticket(org: Org, title: str, description: str, category_id: int | None) -> int:
    """Filed by a requester (with the category they chose, if any) and resolved by an administrator."""
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title=title[:120], description=description, category_id=category_id)).id
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(status="resolved"))
    return ticket_id


def jargon_text(label: str, rnd: random.Random, i: int) -> tuple[str, str]:
    word, other = rnd.choice(JARGON[label]), rnd.choice(JARGON[label])
    return (f"{word} ticket {i % 7}",
            f"the {other} thing again for team {rnd.choice(['north', 'south', 'east'])}, please look")


def file_jargon_tickets(org: Org, count: int) -> None:
    ids, rnd = category_ids(), random.Random(1)
    for i in range(count):
        label = list(JARGON)[i % len(JARGON)]
        resolved_ticket(org, *jargon_text(label, rnd, i), ids[label])


def new_ticket(org: Org, title: str, description: str) -> int:
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(org.alice), draft(title=title, description=description)).id


def versions() -> dict[str, str]:
    with session_scope() as session:
        return {v.version: v.status for v in session.exec(select(AiModelVersion)).all()}


def audit_actions(prefix: str) -> list[tuple[str, str, int | None]]:
    with session_scope() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.action.startswith(prefix)).order_by(AuditLog.id)).all()
        return [(r.action, r.entity_id, r.actor_id) for r in rows]


# ---------------------------------------------------------------- which tickets count


def test_a_fresh_install_predicts_with_the_shipped_model(learning_org: Org) -> None:
    assert versions() == {"default": "active"}
    ticket_id = new_ticket(learning_org, *CLEAR_HARDWARE)
    with session_scope() as session:
        prediction = triage.triage_ticket(session, ticket_id)
    assert prediction.model_version == "default" and prediction.predicted_label == "Hardware"


def test_too_few_confirmed_tickets_skip_the_run_with_the_reason(learning_org: Org) -> None:
    org = learning_org
    ids = category_ids()
    for i in range(10):  # the requester chose the category
        resolved_ticket(org, f"Laptop {i} will not start", "It stays black after the update.", ids["Hardware"])
    ai_only, confirmed_by_agent, rejected_by_agent = [], [], []
    for group in (ai_only, confirmed_by_agent, rejected_by_agent):
        for _ in range(3):
            ticket_id = new_ticket(org, *CLEAR_HARDWARE)
            with session_scope() as session:
                assert "category" in triage.triage_ticket(session, ticket_id).applied_fields
            group.append(ticket_id)
    with session_scope() as session:
        for ticket_id in confirmed_by_agent:
            triage.accept_suggestion(session, org.actor(org.hank), ticket_id, "category")
        for ticket_id in rejected_by_agent:
            triage.reject_suggestion(session, org.actor(org.hank), ticket_id, "category")
    with session_scope() as session:
        for ticket_id in ai_only + confirmed_by_agent + rejected_by_agent:
            tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(status="resolved"))
    open_ticket = new_ticket(org, "Printer jam", "Paper stuck")  # not finished: never used
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), open_ticket, TicketChanges(category_id=ids["Hardware"]))

    with session_scope() as session:
        confirmed = ai_models.confirmed_categories(session)
    # The AI's own labels count only once a person confirmed them; a rejected one never does.
    assert set(confirmed) & set(ai_only + rejected_by_agent) == set()
    assert set(confirmed_by_agent) <= set(confirmed) and open_ticket not in confirmed
    assert len(confirmed) == 13

    run = ai_models.retrain(trigger="cli", config=TINY)
    assert run["outcome"] == "skipped" and run["eligible_tickets"] == 13
    assert "Only 13 resolved or closed tickets" in run["reason"] and "at least 40" in run["reason"]
    assert run["candidate_version"] is None and versions() == {"default": "active"}


# ---------------------------------------------------------------- promotion, rejection, rollback


def test_a_better_candidate_is_promoted_and_an_admin_can_roll_back(learning_org: Org) -> None:
    org = learning_org
    file_jargon_tickets(org, 120)
    run = ai_models.retrain(trigger="admin", requested_by=org.root, config=TINY)

    assert run["outcome"] == "promoted", run["reason"]
    assert run["eligible_tickets"] == 120 and 15 <= run["holdout_tickets"] <= 45
    assert run["candidate_metrics"]["accuracy"] > run["baseline_metrics"]["accuracy"]
    assert run["baseline_version"] == "default"
    new_version = run["candidate_version"]
    assert versions() == {"default": "retired", new_version: "active"}
    with session_scope() as session:
        row = session.get(AiModelVersion, new_version)
        assert row.source == "retrained" and row.promoted_at is not None
        assert row.training_ticket_count + run["holdout_tickets"] == 120
        assert row.metrics["n"] == run["holdout_tickets"] and row.artifact_key.startswith("ai-models/")
    # The artifact went through the storage backend under DATA_DIR, not into the package.
    data_dir = Path(os.environ["DATA_DIR"])
    assert (data_dir / "attachments" / row.artifact_key).is_file()
    assert not list((PROJECT_ROOT / "helpdesk" / "ai" / "artifacts").glob("r*.joblib"))
    assert ("ai.model_promoted", new_version, None) in audit_actions("ai.model")

    # The promoted model predicts now: it knows the helpdesk's own product names.
    glemmer = new_ticket(org, "glemmer ticket 3", "the tarvik thing again for team north, please look")
    with session_scope() as session:
        prediction = triage.triage_ticket(session, glemmer)
    assert (prediction.model_version, prediction.predicted_label) == (new_version, "Purchase")

    # Rollback: only an administrator; the shipped model predicts again.
    for who in (org.hank, org.mona, org.alice):
        with pytest.raises(PermissionDenied), session_scope() as session:
            ai_models.activate_version(session, org.actor(who), "default")
    with pytest.raises(ValidationFailed), session_scope() as session:
        ai_models.activate_version(session, org.actor(org.root), "no-such-version")
    with session_scope() as session:
        ai_models.activate_version(session, org.actor(org.root), "default")
    assert versions() == {"default": "active", new_version: "retired"}
    assert ("ai.model_activated", "default", org.root) in audit_actions("ai.model")

    time.sleep(ai_models.CHECK_INTERVAL_SECONDS + 0.2)  # a process notices within the marker check interval
    with session_scope() as session:
        again = triage.triage_ticket(session, glemmer)
    assert again.model_version == "default" and again.predicted_label != "Purchase"


def test_a_worse_candidate_is_rejected_with_its_figures(learning_org: Org) -> None:
    org = learning_org
    ids = category_ids()
    texts, labels = load_csv(DEFAULT_CSV)
    usable = [i for i, text in enumerate(texts) if len(" ".join(text.split()[4:])) >= 20]
    for i in random.Random(7).sample(usable, 160):
        words = texts[i].split()
        resolved_ticket(org, " ".join(words[:4]), " ".join(words[4:]), ids[labels[i]])
    # A candidate trained on a small sample only: the shipped model, trained on all 38,000 rows, does better.
    weak = ai_models.TrainingConfig(min_tickets=40, base_rows=50, n_folds=3, n_jobs=1)
    run = ai_models.retrain(trigger="schedule", config=weak)

    assert run["outcome"] == "rejected"
    assert run["reason"].startswith("Not more accurate than the active model")
    assert run["candidate_metrics"]["accuracy"] < run["baseline_metrics"]["accuracy"]
    assert versions() == {"default": "active", run["candidate_version"]: "rejected"}
    with session_scope() as session:
        kept = session.get(AiModelVersion, run["candidate_version"])
        assert kept.metrics["accuracy"] == run["candidate_metrics"]["accuracy"] and kept.promoted_at is None
        listed = ai_models.list_versions(session, org.actor(org.mona))
        assert [v["version"] for v in listed][0] == "default"
        assert ai_models.recent_runs(session, org.actor(org.mona))[0]["outcome"] == "rejected"
    # A rejected version is kept and an administrator may still choose it.
    assert [v["activatable"] for v in listed] == [False, True]

    # Only the newest few rejected artifacts are kept; older rejected versions keep their figures only.
    later = [ai_models.retrain(trigger="schedule", config=weak)["candidate_version"] for _ in range(3)]
    with session_scope() as session:
        first = session.get(AiModelVersion, run["candidate_version"])
        assert first.artifact_key is None and first.metrics["accuracy"] == run["candidate_metrics"]["accuracy"]
        assert all(session.get(AiModelVersion, v).artifact_key for v in later)
        assert not ai_models.version_row(first)["activatable"]
    assert not (Path(os.environ["DATA_DIR"]) / "attachments" / kept.artifact_key).exists()
    with pytest.raises(ValidationFailed), session_scope() as session:
        ai_models.activate_version(session, org.actor(org.root), run["candidate_version"])


def test_only_admins_retrain_and_only_managers_and_admins_read_the_registry(learning_org: Org) -> None:
    org = learning_org
    for who in (org.hank, org.mona, org.alice):
        with pytest.raises(PermissionDenied), session_scope() as session:
            ai_models.request_retrain(session, org.actor(who))
    for who in (org.hank, org.alice):
        with pytest.raises(PermissionDenied), session_scope() as session:
            ai_models.list_versions(session, org.actor(who))
    with session_scope() as session:
        job_id = ai_models.request_retrain(session, org.actor(org.root))
    assert ("ai.retrain_requested", "", org.root) in audit_actions("ai.retrain")
    assert job_id > 0


def test_the_command_line_lists_activates_and_queues(learning_org: Org) -> None:
    with session_scope() as session:
        session.add(AiModelVersion(version="r-kept", source="retrained", status="rejected",
                                   artifact_key="ai-models/r-kept.joblib", metrics={"accuracy": 0.8}))
    listed = CliRunner().invoke(main, ["ai", "versions"])
    assert listed.exit_code == 0 and "r-kept" in listed.output and "rejected" in listed.output

    unknown = CliRunner().invoke(main, ["ai", "activate", "r-missing"])
    assert unknown.exit_code == 2 and "There is no model version 'r-missing'" in unknown.output
    activated = CliRunner().invoke(main, ["ai", "activate", "r-kept"])
    assert activated.exit_code == 0, activated.output
    assert versions() == {"default": "retired", "r-kept": "active"}
    assert ("ai.model_activated", "r-kept", None) in audit_actions("ai.model")

    queued = CliRunner().invoke(main, ["ai", "retrain"])
    assert queued.exit_code == 0 and "Queued retraining job" in queued.output
    with session_scope() as session:
        job = session.exec(select(OutboxJob).where(OutboxJob.task_name == "ai.retrain_model")).one()
    assert (job.queue, job.args) == ("ai", {"trigger": "cli"})


# ---------------------------------------------------------------- metrics judged against people


def test_metrics_per_category_and_version_on_a_small_fixed_set(learning_org: Org) -> None:
    org = learning_org
    confirmed_right = new_ticket(org, *CLEAR_HARDWARE)  # applied Hardware, an agent confirms it
    corrected = new_ticket(org, *CLEAR_ACCESS)  # applied Access, an agent moves it to Hardware
    unsure = new_ticket(org, *UNSURE_HARDWARE)  # Hardware below the threshold, an agent accepts it
    unconfirmed = new_ticket(org, *CLEAR_HARDWARE)  # applied Hardware, nobody has looked yet
    for ticket_id in (confirmed_right, corrected, unsure, unconfirmed):
        with session_scope() as session:
            triage.triage_ticket(session, ticket_id)
    with session_scope() as session:
        triage.accept_suggestion(session, org.actor(org.hank), confirmed_right, "category")
        tickets.update_ticket(session, org.actor(org.ada), corrected, TicketChanges(category_id=org.hardware))
        triage.accept_suggestion(session, org.actor(org.hank), unsure, "category")
        triage.record_failure(session, confirmed_right, "attempt 1: OperationalError: database restarting")

    with session_scope() as session:
        metrics = ai_metrics(session, org.actor(org.mona))
    assert metrics["per_category_at_threshold"] == [
        {"category": "Access", "predictions": 1, "above_threshold": 1, "coverage": 1.0, "judged": 1, "correct": 0,
         "precision": 0.0},
        {"category": "Hardware", "predictions": 3, "above_threshold": 2, "coverage": 0.6667, "judged": 1,
         "correct": 1, "precision": 1.0},
    ]
    default, unknown = metrics["by_model_version"]
    assert unknown == {"model_version": "unknown", "predictions": 0, "errors": 1, "coverage": None, "judged": 0,
                       "precision": None, "suggestions_decided": 0, "acceptance_rate": None,
                       "latency_ms": {"p50": None, "p95": None}}
    assert default["model_version"] == "default"
    assert (default["predictions"], default["errors"], default["coverage"]) == (4, 0, 0.75)
    assert (default["judged"], default["precision"]) == (2, 0.5)
    # The one suggestion a person decided on: the unsure ticket's category (the others were applied, judged above).
    assert (default["suggestions_decided"], default["acceptance_rate"]) == (1, 1.0)
    assert 0 < default["latency_ms"]["p50"] <= default["latency_ms"]["p95"]
    usage = metrics["token_usage"]
    assert usage["configured"] or usage["message"] == "LLM provider not configured"

    with pytest.raises(PermissionDenied), session_scope() as session:
        ai_metrics(session, org.actor(org.ada))


# ---------------------------------------------------------------- through the real worker


@pytest.mark.slow
def test_the_worker_switches_models_on_promotion_and_rollback(learning_org: Org, ai_worker) -> None:  # noqa: ANN001
    org = learning_org
    file_jargon_tickets(org, 120)
    run = ai_models.retrain(trigger="cli", config=TINY)
    assert run["outcome"] == "promoted", run["reason"]
    # The worker has been triaging the tickets filed above with the shipped model; it looks at the active-version
    # marker at most every few seconds, so a promotion reaches it within that interval.
    time.sleep(ai_models.CHECK_INTERVAL_SECONDS + 0.5)

    def worker_prediction(ticket_id: int) -> AiPrediction:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with session_scope() as session:
                found = session.exec(select(AiPrediction).where(AiPrediction.ticket_id == ticket_id)).first()
            if found is not None:
                return found
            time.sleep(0.3)
        raise AssertionError("the ai worker did not triage the ticket in time")

    first = worker_prediction(new_ticket(org, "vostok ticket 2", "the frindle thing again for team east, please look"))
    assert (first.model_version, first.predicted_label, first.error) == (run["candidate_version"], "Access", None)

    with session_scope() as session:
        ai_models.activate_version(session, org.actor(org.root), "default")
    time.sleep(ai_models.CHECK_INTERVAL_SECONDS + 0.5)
    second = worker_prediction(new_ticket(org, *CLEAR_HARDWARE))
    assert (second.model_version, second.predicted_label) == ("default", "Hardware")


@pytest.mark.slow
def test_the_retraining_job_runs_on_the_ai_worker(learning_org: Org, ai_worker) -> None:  # noqa: ANN001
    """The Celery job itself (a daemon worker process, where training runs its folds without extra processes)."""
    file_jargon_tickets(learning_org, 80)
    with session_scope() as session:
        jobs.enqueue(session, ai_models.RETRAIN_TASK, ai_models.RETRAIN_QUEUE,
                     {"trigger": "schedule", "config": {"min_tickets": 40, "base_rows": 400, "n_folds": 3,
                                                        "n_jobs": 2}})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with session_scope() as session:
            run = session.exec(select(AiTrainingRun).where(AiTrainingRun.outcome != "running")).first()
        if run is not None:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the retraining job did not finish in time")
    assert (run.trigger, run.outcome, run.eligible_tickets) == ("schedule", "promoted", 80), run.reason
    assert versions()[run.candidate_version] == "active"
