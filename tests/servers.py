"""Finds (or starts) the PostgreSQL and Redis servers a test run uses, and makes its own database."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class TestServers:
    admin_database_url: str
    redis_url: str
    stoppers: list

    def stop(self) -> None:
        for stop in self.stoppers:
            stop()


def find_servers(scratch: Path) -> TestServers:
    """TEST_ADMIN_DATABASE_URL / TEST_REDIS_URL, else local servers on the default ports, else embedded ones."""
    from helpdesk.runtime.embedded import EmbeddedPostgres, EmbeddedRedis

    stoppers = []
    admin_url = os.environ.get("TEST_ADMIN_DATABASE_URL", "")
    if not admin_url and _reachable("127.0.0.1", 5432):
        admin_url = "postgresql://postgres@127.0.0.1:5432/postgres"
    if not admin_url:
        embedded_pg = EmbeddedPostgres(scratch)
        embedded_pg.start()
        admin_url = embedded_pg._server.get_uri("postgres")
        stoppers.append(embedded_pg.stop)
    redis_url = os.environ.get("TEST_REDIS_URL", "")
    if not redis_url and _reachable("127.0.0.1", 6379):
        redis_url = "redis://127.0.0.1:6379/0"
    if not redis_url:
        embedded_redis = EmbeddedRedis(scratch, port=6390)
        redis_url = embedded_redis.start()
        stoppers.append(embedded_redis.stop)
    return TestServers(admin_url, redis_url, stoppers)


def database_url_for(admin_url: str, name: str) -> str:
    base, _, query = admin_url.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def create_database(admin_url: str) -> tuple[str, str]:
    name = f"hdtest_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name, database_url_for(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
