"""Prometheus metrics across processes.

Predictions happen in Celery worker processes and requests in several web worker processes, while Prometheus
scrapes one `/metrics`. prometheus_client's multiprocess mode makes every process write its counters and histograms
to files in one folder (PROMETHEUS_MULTIPROC_DIR, which must be in a process's environment before prometheus_client
is imported), and `/metrics` sums them.

* `helpdesk run`, `helpdesk web` and `helpdesk worker` put the folder at DATA_DIR/prometheus/<host name>: the
  processes of one machine (or one container) share it; containers never share files, since file names are process
  ids and those repeat across containers. An operator's own PROMETHEUS_MULTIPROC_DIR is kept as given.
* `helpdesk run` empties the folder when it starts, as it starts every process of the machine. Started one by one,
  processes leave it as is (another may be using it), so counters continue across restarts, which Prometheus
  tolerates; clear it at boot (e.g. a tmpfs) if that is not wanted.
* Gap: with web and worker in separate containers (docker/compose.yaml), a web replica's /metrics shows its own
  processes only; the worker's figures then need their own scrape target (a folder on a volume shared by the two
  containers and one `/metrics`, or prometheus_client's exporter in the worker container).
* Per-process collectors (process CPU/memory, Python GC) are not part of the multiprocess output.
"""

from __future__ import annotations

import os
import socket
from collections.abc import MutableMapping
from pathlib import Path

from helpdesk.core.settings import get_settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_environment(env: MutableMapping[str, str], *, fresh: bool = False) -> MutableMapping[str, str]:
    """Sets PROMETHEUS_MULTIPROC_DIR in a child's environment (unless set) and creates the folder.

    `fresh` removes the metric files left by earlier runs: only for a launcher that starts every process using it.
    """
    path = Path(env.get(MULTIPROC_ENV) or get_settings().data_dir / "prometheus" / socket.gethostname())
    path.mkdir(parents=True, exist_ok=True)
    if fresh:
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
    env[MULTIPROC_ENV] = str(path)
    return env


def metrics_payload() -> bytes:
    """The Prometheus text for `/metrics`: every process's figures in multiprocess mode, this process's otherwise."""
    from prometheus_client import CollectorRegistry, generate_latest, multiprocess

    directory = os.environ.get(MULTIPROC_ENV)
    if directory and Path(directory).is_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)
    return generate_latest()
