"""The `helpdesk` command: run everything, or each part separately in production."""

from __future__ import annotations

import os
import sys

import click

from helpdesk.core.settings import get_settings


@click.group(help="IT Helpdesk: run, migrate, seed and manage the helpdesk.")
def main() -> None:
    pass


@main.command(help="Start everything (embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset).")
@click.option("--no-seed", is_flag=True, help="Do not load the demo organisation into an empty database.")
def run(no_seed: bool) -> None:
    from helpdesk.runtime.launcher import run as run_all

    sys.exit(run_all(seed=not no_seed))


@main.command(help="Run the web server (Reflex pages + REST API) on one port; SIGTERM stops it gracefully.")
@click.option("--port", type=int, default=None, help="Port (default WEB_PORT, 3000).")
@click.option("--prebuilt", is_flag=True, envvar="HELPDESK_FRONTEND_PREBUILT",
              help="Serve the frontend `helpdesk build-frontend` built, without compiling (the container image).")
def web(port: int | None, prebuilt: bool) -> None:
    from helpdesk.runtime.launcher import reflex_environment, web_command
    from helpdesk.runtime.web import app_root, frontend_is_built, prebuilt_server_command, run_web

    env = reflex_environment()
    port = port or get_settings().web_port
    root = app_root()
    if prebuilt and not frontend_is_built(root):
        click.echo(f"No frontend build under {root}; run `helpdesk build-frontend` first.", err=True)
        sys.exit(2)
    sys.exit(run_web(prebuilt_server_command(port) if prebuilt else web_command(port), env, root))


@main.command(name="build-frontend", help="Compile the pages and build the frontend once (for `web --prebuilt`).")
def build_frontend() -> None:
    import subprocess

    from helpdesk.runtime.launcher import reflex_environment
    from helpdesk.runtime.web import app_root, build_frontend_command

    env = reflex_environment()
    # Compiling evaluates the pages' initial state, which reads a live-bus counter (0 when Redis does not answer).
    # An image build has no Redis: point at a closed port so the read fails fast instead of refusing to start.
    env.setdefault("REDIS_URL", "redis://127.0.0.1:9/0")
    sys.exit(subprocess.run(build_frontend_command(), env=env, cwd=app_root()).returncode)


@main.command(help="Run a Celery worker for all queues (or those given with -Q).")
@click.option("-Q", "--queues", default=None, help="Comma-separated queue names.")
@click.option("--concurrency", type=int, default=2)
def worker(queues: str | None, concurrency: int) -> None:
    from helpdesk.core.observability import multiprocess_environment
    from helpdesk.runtime.launcher import worker_command

    multiprocess_environment(os.environ)  # its predictions' figures show on the web processes' /metrics
    command = worker_command(concurrency)
    if queues:
        command[command.index("-Q") + 1] = queues
    os.execvp(command[0], command)


@main.command(help="Run Celery beat (exactly one per installation).")
def beat() -> None:
    from helpdesk.runtime.launcher import beat_command

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command = beat_command(settings.data_dir / "celerybeat-schedule")
    os.execvp(command[0], command)


@main.command(help="Apply database migrations.")
def migrate() -> None:
    from helpdesk.runtime.bootstrap import migrate_database

    migrate_database()
    click.echo("Database is up to date.")


@main.command(help=(
    "Back up the database (pg_dump) and every stored file to a folder or s3://bucket/prefix (see README, Backups)."))
@click.option("--to", "destination", required=True, help="A folder, or s3://bucket/prefix")
def backup(destination: str) -> None:
    from helpdesk.core.backup import BackupError
    from helpdesk.core.backup import backup as make_backup

    try:
        where, manifest = make_backup(destination)
    except BackupError as failed:
        click.echo(str(failed), err=True)
        sys.exit(1)
    counts = ", ".join(f"{table} {count}" for table, count in manifest["row_counts"].items())
    click.echo(f"Backed up to {where}: {counts}; {len(manifest['files'])} files.")


@main.command(help="Restore a backup made by `helpdesk backup` (stop web servers and workers first).")
@click.argument("source")
@click.option("--name", default="latest", help="Which backup under SOURCE (default: the latest complete one).")
@click.option("--yes", is_flag=True, help="Do not ask: the database's current content is replaced.")
def restore(source: str, name: str, yes: bool) -> None:
    from helpdesk.core.backup import BackupError
    from helpdesk.core.backup import restore as restore_backup

    if not yes:
        click.confirm(f"Replace the database {get_settings().database_url.rsplit('/', 1)[-1]!r} and its files with "
                      f"the backup {name!r} from {source}?", abort=True)
    try:
        manifest = restore_backup(source, name)
    except BackupError as failed:
        click.echo(str(failed), err=True)
        sys.exit(1)
    click.echo(f"Restored {manifest['name']} (made {manifest['created_at']}): {len(manifest['files'])} files.")
    click.echo("Then: `helpdesk migrate` (if this release is newer) and `helpdesk reports rebuild --since ...`.")


@main.command(help="Load the demo organisation into an empty database.")
def seed() -> None:
    from helpdesk.runtime.bootstrap import seed_if_empty

    click.echo("Loaded the demo organisation." if seed_if_empty() else "The database already has data; left as is.")


@main.command(help="Create an account.")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(["requester", "agent", "manager", "admin"]), default="requester")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def createuser(email: str, full_name: str, role: str, password: str) -> None:
    from helpdesk.core.db import session_scope
    from helpdesk.core.errors import ValidationFailed
    from helpdesk.identity.directory import create_user

    try:
        with session_scope() as session:
            user = create_user(session, email=email, full_name=full_name, password=password, role=role)
    except ValidationFailed as exc:
        for field, message in exc.field_errors.items():
            click.echo(f"{field}: {message}", err=True)
        sys.exit(2)
    click.echo(f"Created {role} {user.email} (id {user.id}).")


@main.group(help="The triage model.")
def ai() -> None:
    pass


@ai.command(name="train", context_settings={"ignore_unknown_options": True}, help=(
    "Rebuild the shipped category model from the bundled data (options: --csv, --out, --seed, --no-full, --jobs)."))
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def ai_train(options: tuple[str, ...]) -> None:
    from helpdesk.ai.train import main as train_main

    sys.exit(train_main(list(options)))


@ai.command(name="retrain", help=(
    "Retrain the triage model from the helpdesk's resolved tickets: queued on the `ai` queue, or run here with --now. "
    "The candidate replaces the active model only if it does better on held-back tickets."))
@click.option("--now", "run_here", is_flag=True, help="Train in this process and print the outcome.")
def ai_retrain(run_here: bool) -> None:
    from helpdesk.ai import registry as ai_models
    from helpdesk.core import audit, jobs
    from helpdesk.core.db import session_scope

    if run_here:
        run = ai_models.retrain(trigger="cli")
        click.echo(f"Run {run['id']}: {run['outcome']}. {run['reason']}")
        if run["candidate_version"]:
            click.echo(f"Candidate version: {run['candidate_version']}")
        return
    with session_scope() as session:
        job = jobs.enqueue(session, ai_models.RETRAIN_TASK, ai_models.RETRAIN_QUEUE, {"trigger": "cli"}, priority=9)
        session.flush()  # the job's id, for the audit entry and the message
        audit.record(session, "ai.retrain_requested", actor_id=None, entity_type="ai_model",
                     details={"job_id": job.id, "via": "cli"})
    click.echo(f"Queued retraining job {job.id} on the ai queue; `helpdesk ai versions` shows the outcome.")


@ai.command(name="versions", help="List the kept model versions and the latest retraining runs.")
def ai_versions() -> None:
    from sqlmodel import select

    from helpdesk.core.db import session_scope
    from helpdesk.models import AiModelVersion, AiTrainingRun

    with session_scope() as session:
        for row in session.exec(select(AiModelVersion).order_by(AiModelVersion.created_at)).all():
            metrics = row.metrics or {}
            click.echo(f"{row.version:<28} {row.status:<10} {row.source:<10} tickets={row.training_ticket_count:<6} "
                       f"accuracy={metrics.get('accuracy')} precision@threshold={metrics.get('auto_precision')}")
        for run in session.exec(select(AiTrainingRun).order_by(AiTrainingRun.started_at.desc()).limit(3)).all():
            click.echo(f"run {run.id} {run.started_at:%Y-%m-%d %H:%M} {run.outcome}: {run.reason}")


@ai.command(name="activate", help="Make a kept model version the one that predicts (rollback), e.g. `default`.")
@click.argument("version")
def ai_activate(version: str) -> None:
    from helpdesk.ai import registry as ai_models
    from helpdesk.core.db import session_scope
    from helpdesk.core.errors import ValidationFailed

    try:
        with session_scope() as session:
            ai_models.activate_version(session, None, version)
    except ValidationFailed as exc:
        for message in exc.field_errors.values():
            click.echo(message, err=True)
        sys.exit(2)
    click.echo(f"Model version {version} is now active; workers switch to it within a few seconds.")


@main.group(help="E-mail mailboxes the helpdesk reads over IMAP.")
def mailbox() -> None:
    pass


@mailbox.command(name="add", help="Add an IMAP mailbox; new mail in it becomes tickets (beat polls it).")
@click.option("--name", required=True, help="A name for people, e.g. 'IT inbox'.")
@click.option("--address", required=True, help="The address people write to, e.g. it@corp.example.")
@click.option("--host", "imap_host", required=True)
@click.option("--port", "imap_port", type=int, default=993, show_default=True)
@click.option("--no-tls", is_flag=True, help="Plain IMAP (only on a trusted network or localhost).")
@click.option("--user", "username", required=True)
@click.option("--password", "secret", prompt=True, hide_input=True, help="IMAP password (prompted when omitted).")
@click.option("--folder", default="INBOX", show_default=True)
@click.option("--processed-folder", default="", help="Move filed mail here (default: flag it and leave it).")
@click.option("--team-id", type=int, default=None, help="Queue for new tickets (when the category sets none).")
@click.option("--category-id", type=int, default=None, help="Category for new tickets.")
def mailbox_add(name: str, address: str, imap_host: str, imap_port: int, no_tls: bool, username: str, secret: str,
                folder: str, processed_folder: str, team_id: int | None, category_id: int | None) -> None:
    from helpdesk.core.db import session_scope
    from helpdesk.core.errors import ValidationFailed
    from helpdesk.email import mailboxes

    try:
        with session_scope() as session:
            row = mailboxes.add_mailbox(
                session, name=name, address=address, imap_host=imap_host, imap_port=imap_port, imap_tls=not no_tls,
                username=username, secret=secret, folder=folder, processed_folder=processed_folder, team_id=team_id,
                category_id=category_id)
            mailbox_id = row.id
    except ValidationFailed as exc:
        for field, message in exc.field_errors.items():
            click.echo(f"{field}: {message}", err=True)
        sys.exit(2)
    click.echo(f"Added mailbox {mailbox_id} ({name}); `helpdesk mailbox test {mailbox_id}` checks the connection.")


@mailbox.command(name="list", help="List the mailboxes (never their passwords).")
def mailbox_list() -> None:
    from helpdesk.core.db import session_scope
    from helpdesk.email import mailboxes

    with session_scope() as session:
        rows = mailboxes.list_mailboxes(session)
    if not rows:
        click.echo("No mailboxes yet: `helpdesk mailbox add --help`.")
    for row in rows:
        polled = row["last_polled_at"].strftime("%Y-%m-%d %H:%M") if row["last_polled_at"] else "never"
        state = "active" if row["is_active"] else "paused"
        click.echo(f"{row['id']:>3} {row['name']:<24} {row['address']:<32} {row['username']}@{row['imap_host']}:"
                   f"{row['imap_port']}/{row['folder']} {state}, last polled {polled}"
                   + (f", last error: {row['last_error']}" if row["last_error"] else ""))


@mailbox.command(name="test", help="Sign in to a mailbox and say what waits there (changes nothing).")
@click.argument("mailbox_id", type=int)
def mailbox_test(mailbox_id: int) -> None:
    from imapclient.exceptions import IMAPClientError

    from helpdesk.core.db import session_scope
    from helpdesk.core.errors import NotFound
    from helpdesk.email import mailboxes

    try:
        with session_scope() as session:
            row = mailboxes.get_mailbox(session, mailbox_id)
            session.expunge(row)
        click.echo(mailboxes.check_connection(row))
    except NotFound as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)
    except (IMAPClientError, OSError) as exc:
        click.echo(f"Could not read the mailbox: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()


@main.group(help="Manager reports: rollups and the monthly metrics view.")
def reports() -> None:
    pass


@reports.command(name="rebuild", help=(
    "Recompute the daily rollups for a range of local days (after an import, a restore or a time-zone change) and "
    "refresh the monthly view. The beat job keeps them current otherwise."))
@click.option("--since", "since", required=True, help="first local day, e.g. 2024-01-01")
@click.option("--until", "until", default=None, help="last local day (default: today)")
def reports_rebuild(since: str, until: str | None) -> None:
    from datetime import date

    from helpdesk.reports import rollups

    try:
        first = date.fromisoformat(since)
        last = date.fromisoformat(until) if until else rollups.local_today()
    except ValueError as bad:
        raise click.BadParameter("use dates like 2024-01-31") from bad
    rollups.rebuild(first, last)
    rollups.refresh_monthly_view()
    click.echo(f"Rebuilt the report rollups for {first} to {last} and refreshed the monthly view.")
