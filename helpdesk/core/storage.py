"""Where attachment bytes live: the local data folder by default, S3 (boto3) in production."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

from helpdesk.core.settings import get_settings

CHUNK_BYTES = 1024 * 1024


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def put_file(self, key: str, source: Path, content_type: str) -> None: ...
    def put_stream(self, key: str, source: BinaryIO, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def get_file(self, key: str, target: Path) -> None: ...
    def delete(self, key: str) -> None: ...
    def list_keys(self) -> Iterator[str]: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key escapes the storage root")
        return path

    @contextmanager
    def _written_atomically(self, key: str) -> Iterator[BinaryIO]:
        """A file to write the key's bytes into; it takes the key's name only once complete, so a crash never leaves
        half a file under the real key. Each write has a temporary name of its own: two writes of one key at once
        (a retried job racing the first run) each finish, the last one wins, and neither finds its file gone."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        try:
            with tmp.open("xb") as target:
                yield target
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put(self, key: str, data: bytes, content_type: str) -> None:
        with self._written_atomically(key) as target:
            target.write(data)

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        """Large files (report exports) move without being read into memory."""
        with self._written_atomically(key) as target, source.open("rb") as origin:
            shutil.copyfileobj(origin, target, CHUNK_BYTES)

    def put_stream(self, key: str, source: BinaryIO, content_type: str) -> None:
        """An upload copied from its (spooled) file in chunks, never whole in memory."""
        with self._written_atomically(key) as target:
            shutil.copyfileobj(source, target, CHUNK_BYTES)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def get_file(self, key: str, target: Path) -> None:
        shutil.copyfile(self._path(key), target)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list_keys(self) -> Iterator[str]:
        """Every stored key (for backups), skipping a write's unfinished temporary file."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(".part"):
                yield path.relative_to(self.root).as_posix()


class S3Storage:
    def __init__(self, bucket: str, **client_options: str) -> None:
        import boto3

        self.bucket = bucket
        self.client = boto3.client("s3", **{k: v for k, v in client_options.items() if v})

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        # Multipart upload in chunks, so a large export never sits in memory whole.
        self.client.upload_file(str(source), self.bucket, key, ExtraArgs={"ContentType": content_type})

    def put_stream(self, key: str, source: BinaryIO, content_type: str) -> None:
        self.client.upload_fileobj(source, self.bucket, key, ExtraArgs={"ContentType": content_type})

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def get_file(self, key: str, target: Path) -> None:
        self.client.download_file(self.bucket, key, str(target))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def list_keys(self) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                yield item["Key"]


@lru_cache
def get_storage() -> Storage:
    settings = get_settings()
    if settings.storage_backend == "s3":
        return S3Storage(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
        )
    return LocalStorage(settings.data_dir / "attachments")
