"""The local file store under concurrent and failing writes: a retried export job can run while its first run is
still writing the same file (seen in CI: the second run's rename found the shared temporary file gone)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from helpdesk.core.storage import LocalStorage

KEY = "exports/1/sla-report.csv"


def test_two_writes_of_one_key_at_once_both_finish_and_one_whole_file_remains(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    sources = []
    for n in (1, 2):  # large enough that the two copies overlap
        source = tmp_path / f"source{n}.csv"
        source.write_bytes(str(n).encode() * 8_000_000)
        sources.append(source)
    start_together = threading.Barrier(2)
    failures: list[BaseException] = []

    def write(source: Path) -> None:
        start_together.wait()
        try:
            for _ in range(3):
                storage.put_file(KEY, source, "text/csv")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    writers = [threading.Thread(target=write, args=(source,)) for source in sources]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()

    assert failures == []
    assert storage.get(KEY) in (sources[0].read_bytes(), sources[1].read_bytes())
    assert list(storage.list_keys()) == [KEY]
    assert [p.name for p in (tmp_path / "store" / "exports" / "1").iterdir()] == ["sla-report.csv"]


def test_a_write_that_fails_midway_keeps_the_earlier_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    storage.put(KEY, b"complete,report\n", "text/csv")

    class BrokenUpload(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 0:
                raise OSError("connection reset while uploading")
            return super().read(4)

    with pytest.raises(OSError, match="connection reset"):
        storage.put_stream(KEY, BrokenUpload(b"partial,rep"), "text/csv")

    assert storage.get(KEY) == b"complete,report\n"
    assert [p.name for p in (tmp_path / "store" / "exports" / "1").iterdir()] == ["sla-report.csv"]
