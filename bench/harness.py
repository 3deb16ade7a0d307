"""What every benchmark needs: its own database and Redis prefix, and percentiles."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile; NaN for no samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass(frozen=True)
class BenchEnvironment:
    database_url: str
    redis_url: str
    redis_prefix: str
    scratch: Path


@contextmanager
def bench_environment(name: str, *, keep: bool = False) -> Iterator[BenchEnvironment]:
    """A database and Redis prefix of the benchmark's own (on the local servers, else embedded ones),
    set in the environment for the services, and removed afterwards unless `keep`."""
    from tests.servers import create_database, drop_database, find_servers

    scratch = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    servers = find_servers(scratch)
    database, database_url = create_database(servers.admin_database_url)
    prefix = f"{name}-{uuid.uuid4().hex[:8]}:"
    os.environ.update({"DATABASE_URL": database_url, "REDIS_URL": servers.redis_url, "REDIS_PREFIX": prefix,
                       "DATA_DIR": str(scratch / "data"), "HELPDESK_ENV": "test",
                       # Benchmarks act as one person far faster than anyone types: no per-person rate limits.
                       "RATE_LIMIT_TICKETS_PER_HOUR": "1000000", "RATE_LIMIT_COMMENTS_PER_HOUR": "1000000",
                       "RATE_LIMIT_UPLOADS_PER_HOUR": "1000000"})
    try:
        yield BenchEnvironment(database_url, servers.redis_url, prefix, scratch)
    finally:
        from helpdesk.core import cache, db

        db.dispose_engines()
        client = cache.get_redis()
        for key in client.scan_iter(f"{prefix}*", count=1000):
            client.delete(key)
        if keep:
            print(f"kept database {database}", file=sys.stderr)
        else:
            drop_database(servers.admin_database_url, database)
        servers.stop()
