"""`make run` on a machine with no database servers: embedded PostgreSQL and Redis, demo data, a working page."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from helpdesk.runtime.embedded import free_port
from tests.processes import ROOT, http_ok

pytestmark = pytest.mark.slow


def test_helpdesk_run_boots_the_embedded_default_and_stops_cleanly(tmp_path) -> None:  # noqa: ANN001
    port = free_port(3200)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "REDIS_PREFIX")}
    env |= {
        "DATA_DIR": str(tmp_path / "data"),
        "WEB_PORT": str(port),
        "PUBLIC_URL": f"http://localhost:{port}",
        "CORS_ORIGINS": f'["http://localhost:{port}"]',
        "HELPDESK_ENV": "development",
        "REFLEX_WEB_WORKDIR": str(ROOT / ".web-embedded"),
        "REFLEX_STATES_WORKDIR": str(ROOT / ".states-embedded"),
    }
    log_path = tmp_path / "run.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "helpdesk.runtime.cli", "run"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while b"IT Helpdesk is running at" not in log_path.read_bytes():
            assert process.poll() is None, log_path.read_text()[-4000:]
            assert time.monotonic() < deadline, log_path.read_text()[-4000:]
            time.sleep(1)
        output = log_path.read_text()
        assert f"http://localhost:{port}" in output and "admin@acme.example.com" in output
        assert "Embedded PostgreSQL, Redis" in output
        assert http_ok(f"http://localhost:{port}/login")
        with urllib.request.urlopen(f"http://localhost:{port}/login") as response:
            assert b"<html" in response.read().lower()
        request = urllib.request.Request(
            f"http://localhost:{port}/api/v1/auth/login",
            data=json.dumps({"email": "manager@acme.example.com", "password": "manager-demo-pass"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        # A wrong password on the embedded Redis 6.2: a clear 401, not the 500 that EXPIRE ... NX once caused.
        wrong = urllib.request.Request(
            f"http://localhost:{port}/api/v1/auth/login",
            data=json.dumps({"email": "manager@acme.example.com", "password": "not-the-password"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(wrong)
        assert refused.value.code == 401 and b"do not match" in refused.value.read()
        token = json.load(urllib.request.urlopen(request))["access_token"]
        listing = urllib.request.Request(f"http://localhost:{port}/api/v1/tickets?limit=5&with_counts=true",
                                         headers={"Authorization": f"Bearer {token}"})
        counts = json.load(urllib.request.urlopen(listing))["counts"]
        assert sum(counts.values()) >= 300  # the demo organisation was seeded
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(90)
    assert process.returncode == 0, log_path.read_text()[-4000:]
    assert "Stopped." in log_path.read_text()
    assert not (tmp_path / "data" / "postgres" / "postmaster.pid").exists()
