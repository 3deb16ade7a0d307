"""The `helpdesk` command: run everything, or each part separately in production."""

from __future__ import annotations

import os
import sys

import click

from helpdesk.settings import get_settings


@click.group(help="IT Helpdesk: run, migrate, seed and manage the helpdesk.")
def main() -> None:
    pass


@main.command(help="Start everything (embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset).")
@click.option("--no-seed", is_flag=True, help="Do not load the demo organisation into an empty database.")
def run(no_seed: bool) -> None:
    from helpdesk.launcher import run as run_all

    sys.exit(run_all(seed=not no_seed))


@main.command(help="Run the web server (Reflex pages + REST API) on one port.")
@click.option("--port", type=int, default=None, help="Port (default WEB_PORT, 3000).")
def web(port: int | None) -> None:
    from helpdesk.launcher import reflex_environment, web_command

    env = reflex_environment()
    command = web_command(port or get_settings().web_port)
    os.execvpe(command[0], command, env)


@main.command(help="Run a Celery worker for all queues (or those given with -Q).")
@click.option("-Q", "--queues", default=None, help="Comma-separated queue names.")
@click.option("--concurrency", type=int, default=2)
def worker(queues: str | None, concurrency: int) -> None:
    from helpdesk.launcher import worker_command

    command = worker_command(concurrency)
    if queues:
        command[command.index("-Q") + 1] = queues
    os.execvp(command[0], command)


@main.command(help="Run Celery beat (exactly one per installation).")
def beat() -> None:
    from helpdesk.launcher import beat_command

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command = beat_command(settings.data_dir / "celerybeat-schedule")
    os.execvp(command[0], command)


@main.command(help="Apply database migrations.")
def migrate() -> None:
    from helpdesk.cli_support import migrate_database

    migrate_database()
    click.echo("Database is up to date.")


@main.command(help="Load the demo organisation into an empty database.")
def seed() -> None:
    from helpdesk.cli_support import seed_if_empty

    click.echo("Loaded the demo organisation." if seed_if_empty() else "The database already has data; left as is.")


@main.command(help="Create an account.")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(["requester", "agent", "manager", "admin"]), default="requester")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def createuser(email: str, full_name: str, role: str, password: str) -> None:
    from helpdesk.db import session_scope
    from helpdesk.services.directory import create_user
    from helpdesk.services.errors import ValidationFailed

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


if __name__ == "__main__":
    main()
