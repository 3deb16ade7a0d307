"""Restore drill: back up, keep working, restore, and find the data and files exactly as they were at the backup.

Runs the real `helpdesk backup` / `helpdesk restore` commands against the test database: once with local storage and
a backup folder, once with attachments in S3 and backups in S3 (moto's S3-compatible server on localhost).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest
from sqlalchemy import func
from sqlmodel import select

from helpdesk.core import settings, storage
from helpdesk.core.db import session_scope
from helpdesk.models import Attachment, Ticket
from helpdesk.tickets import attachments, tickets
from tests.factories import Org, draft
from tests.processes import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    from helpdesk.runtime.embedded import free_port

    port = free_port(5055)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, clean_db, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:  # noqa: ANN001
    env = {"STORAGE_BACKEND": "local", "DATA_DIR": str(tmp_path / "data")}
    destination = str(tmp_path / "backups")
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_server")
        env = {"STORAGE_BACKEND": "s3", "S3_BUCKET": "attachments", "S3_ENDPOINT_URL": endpoint,
               "S3_REGION": "us-east-1", "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test"}
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                              aws_secret_access_key="test")
        for bucket in ("attachments", "backups"):
            client.create_bucket(Bucket=bucket)
        destination = "s3://backups/nightly"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings.reset_settings_cache()
    storage.get_storage.cache_clear()
    yield {"env": env, "destination": destination}
    settings.reset_settings_cache()
    storage.get_storage.cache_clear()


def _cli(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run([sys.executable, "-m", "helpdesk.runtime.cli", *args], cwd=ROOT, env=os.environ | env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _file_with_attachment(org: Org, title: str, content: bytes) -> tuple[int, str]:
    with session_scope() as session:
        actor = org.actor(org.alice)
        ticket = tickets.create_ticket(session, actor, draft(title=title))
        attachment = attachments.add_attachment(session, actor, ticket.id, f"{title}.txt", "text/plain", content)
        return ticket.id, attachment.storage_key


def _ticket_count() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


def test_restore_brings_back_the_database_and_files_as_they_were_at_the_backup(org: Org, backend: dict) -> None:
    kept_ids = [_file_with_attachment(org, f"Printer {n} jams", f"log {n}\n".encode() * 100) for n in range(3)]
    tickets_at_backup = _ticket_count()

    out = _cli("backup", "--to", backend["destination"], env=backend["env"])
    assert f"tickets {tickets_at_backup}" in out and "3 files" in out

    # Work goes on after the backup; then a file is lost and a ticket's title is overwritten.
    _file_with_attachment(org, "Filed after the backup", b"late")
    lost_ticket, lost_key = kept_ids[0]
    storage.get_storage().delete(lost_key)
    with session_scope() as session:
        session.get(Ticket, kept_ids[1][0]).title = "overwritten by mistake"
    assert _ticket_count() == tickets_at_backup + 1

    _cli("restore", backend["destination"], "--yes", env=backend["env"])

    assert _ticket_count() == tickets_at_backup
    with session_scope() as session:
        assert session.get(Ticket, kept_ids[1][0]).title == "Printer 1 jams"
        assert session.exec(select(func.count()).select_from(Attachment)).one() == 3
        titles = session.exec(select(Ticket.title)).all()
    assert "Filed after the backup" not in titles
    assert storage.get_storage().get(lost_key) == b"log 0\n" * 100
    # The restored database is a working one: new tickets continue the numbering.
    _file_with_attachment(org, "Filed after the restore", b"new")
    assert _ticket_count() == tickets_at_backup + 1


def test_restore_without_a_backup_fails_clearly(clean_db, tmp_path) -> None:  # noqa: ANN001
    result = subprocess.run([sys.executable, "-m", "helpdesk.runtime.cli", "restore", str(tmp_path), "--yes"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "no complete backup" in result.stderr
