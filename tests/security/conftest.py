from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from tests.factories import PASSWORD
from tests.security.world import ROLES, World, build_world

EMAILS = {"requester": "alice@example.org", "agent": "ada@example.org", "manager": "mona@example.org",
          "admin": "root@example.org"}


def sign_in(url: str, role: str) -> str | None:
    """A new session for the role's person, through the real server's sign-in (None for anonymous)."""
    if role == "anonymous":
        return None
    response = httpx.post(f"{url}/api/v1/auth/login", json={"email": EMAILS[role], "password": PASSWORD}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def forget_failed_sign_ins() -> None:
    """Failed sign-ins slow and then block the next ones from this address; each matrix entry starts afresh."""
    from helpdesk.core import cache

    client = cache.get_redis()
    for key in client.scan_iter(cache.key("ratelimit", "login") + "*", count=1000):
        client.delete(key)


def fingerprint() -> dict[str, str]:
    """One hash per table of everything in it: equal fingerprints, unchanged database."""
    from helpdesk.core.db import write_engine

    with write_engine().connect() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version' "
            "ORDER BY tablename")).scalars().all()
        query = " UNION ALL ".join(
            f"SELECT '{name}', md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM \"{name}\" t"
            for name in tables)
        return dict(connection.execute(text(query)).all())


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def wait_until_quiet(timeout: float = 90) -> dict[str, str]:
    """Waits for the worker to finish what the world's making queued, then for the database to stay still."""
    from helpdesk.core.db import write_engine

    deadline = time.monotonic() + timeout
    previous = None
    while time.monotonic() < deadline:
        with write_engine().connect() as connection:
            # The shared test worker leaves the `ai` queue alone (tests/processes.py): those jobs never finish here.
            pending = connection.execute(text(
                "SELECT count(*) FROM job_outbox WHERE finished_at IS NULL AND queue <> 'ai'")).scalar()
        current = fingerprint()
        if not pending and current == previous:
            return current
        previous = current
        time.sleep(1)
    raise AssertionError(f"the database did not settle within {timeout} s: {pending} jobs unfinished")


@dataclass
class Rbac:
    url: str
    world: World
    sessions: dict[str, str | None]
    reflex_version: str


@pytest.fixture(scope="module")
def rbac(test_env, web_app: str) -> Iterator[Rbac]:
    """The real server, a world of other people's things, and a session for each role."""
    from reflex_base.constants import Reflex

    from tests.conftest import empty_database

    empty_database(test_env)
    world = build_world()
    sessions = {role: sign_in(web_app, role) for role in ROLES}
    wait_until_quiet()
    yield Rbac(url=web_app, world=world, sessions=sessions, reflex_version=Reflex.VERSION)
