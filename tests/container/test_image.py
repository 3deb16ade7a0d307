"""The container image, built and run as an operator would: `make container-test` (not part of `make test`).

Builds docker/Dockerfile with podman (runc, cgroupfs, host network: see the README's "Operating it"), migrates a
fresh database with the image, runs web, worker and beat containers against PostgreSQL and Redis on this machine,
files a ticket through the REST API, sees the AI triage job run in the worker container, reads /ready, and stops
each container with SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from helpdesk.runtime.embedded import free_port
from tests.processes import ROOT, http_ok
from tests.servers import create_database, drop_database, find_servers

pytestmark = [pytest.mark.slow, pytest.mark.container]

PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs"]
BASE = os.environ.get("HELPDESK_TEST_BASE_IMAGE", "localhost/bookworm-python:3.11")
IMAGE = os.environ.get("HELPDESK_TEST_IMAGE", "localhost/helpdesk:test")
SHUTDOWN_BOUND = 30.0


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode:
        raise AssertionError(f"podman {' '.join(args[:3])} failed:\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="module")
def image() -> str:
    if not shutil.which("podman"):
        pytest.fail("podman is not installed: run `make container-test`, which installs it")
    if os.environ.get("HELPDESK_TEST_SKIP_BUILD") != "1":
        started = time.monotonic()
        pip_cache = os.path.expanduser("~/.cache/helpdesk-pip")
        os.makedirs(pip_cache, exist_ok=True)
        podman("build", "--format", "docker", "--network", "host", "-v", "/etc/ssl/certs:/etc/ssl/certs:ro",
               "-v", f"{pip_cache}:/root/.cache/pip", "--build-arg", f"BASE={BASE}", "-f", "docker/Dockerfile",
               "-t", IMAGE, str(ROOT), timeout=3600)
        print(f"image built in {time.monotonic() - started:.0f} s")
    return IMAGE


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh database (migrated by the image, not by the tests) and a Redis prefix of its own."""
    servers = find_servers(tmp_path_factory.mktemp("servers"))
    name, url = create_database(servers.admin_database_url)
    prefix = f"hdimage-{uuid.uuid4().hex[:8]}:"
    env = {"DATABASE_URL": url, "REDIS_URL": servers.redis_url, "REDIS_PREFIX": prefix,
           "SECRET_KEY": uuid.uuid4().hex * 2, "HELPDESK_ENV": "production", "WEB_WORKERS": "1"}
    yield env
    drop_database(servers.admin_database_url, name)
    servers.stop()


def _run(image: str, name: str, env: dict[str, str], *command: str, detach: bool = True) -> str:
    env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    args = ["run", "--network", "host", "--name", name, *env_args]
    if detach:
        args.append("-d")
    else:
        args.append("--rm")
    result = podman(*args, image, *command, timeout=600)
    return result.stdout


def _stop(name: str) -> tuple[int, float]:
    started = time.monotonic()
    podman("stop", "--time", "40", name, timeout=60)
    seconds = time.monotonic() - started
    code = int(podman("inspect", name, "--format", "{{.State.ExitCode}}").stdout.strip())
    return code, seconds


@pytest.fixture(scope="module")
def containers(image: str, stack_env: dict[str, str]) -> Iterator[dict[str, str]]:
    run_id = uuid.uuid4().hex[:6]
    names = {role: f"helpdesk-test-{role}-{run_id}" for role in ("web", "worker", "beat")}
    port, metrics_port = free_port(3400), free_port(9400)
    try:
        # Migrations come from the installed package (no checkout in the image), then an account to sign in with.
        out = _run(image, f"helpdesk-test-migrate-{run_id}", stack_env, "helpdesk", "migrate", detach=False)
        assert "Database is up to date." in out
        _run(image, f"helpdesk-test-user-{run_id}", stack_env, "helpdesk", "createuser", "--email",
             "casey@example.org", "--name", "Casey Requester", "--role", "requester", "--password",
             "container pass 123", detach=False)
        _run(image, names["web"], stack_env | {"WEB_PORT": str(port), "PUBLIC_URL": f"http://127.0.0.1:{port}"},
             "helpdesk", "web")
        _run(image, names["worker"], stack_env | {"WORKER_METRICS_PORT": str(metrics_port)},
             "helpdesk", "worker", "--concurrency", "1")
        _run(image, names["beat"], stack_env, "helpdesk", "beat")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while not http_ok(f"{url}/ready"):
            state = podman("inspect", names["web"], "--format", "{{.State.Status}}").stdout.strip()
            if state != "running" or time.monotonic() > deadline:
                pytest.fail(f"web container {state}:\n{podman('logs', names['web'], check=False).stderr[-3000:]}")
            time.sleep(1)
        yield names | {"url": url, "metrics": f"http://127.0.0.1:{metrics_port}/metrics"}
    finally:
        for name in [*names.values()]:
            podman("rm", "-f", "-t", "0", name, check=False)


def test_the_image_runs_as_non_root_without_build_tools(image: str) -> None:
    out = podman("run", "--rm", "--entrypoint", "sh", image, "-c",
                 "id -u; for t in node npm bun curl gcc; do command -v $t || true; done").stdout.split()
    assert out == ["10001"], f"uid and build tools found: {out}"


def test_a_ticket_filed_through_the_api_is_triaged_by_the_worker_container(containers: dict[str, str],
                                                                           stack_env: dict[str, str]) -> None:
    url = containers["url"]
    ready = httpx.get(f"{url}/ready", timeout=10)
    assert ready.status_code == 200 and ready.json()["dependencies"] == {"database": "healthy", "redis": "healthy"}
    assert httpx.get(f"{url}/login", timeout=10, follow_redirects=True).status_code == 200  # the prebuilt frontend

    token = httpx.post(f"{url}/api/v1/auth/login", json={"email": "casey@example.org",
                                                         "password": "container pass 123"}, timeout=30)
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    created = httpx.post(f"{url}/api/v1/tickets", headers=headers, timeout=30, json={
        "title": "VPN drops every few minutes", "description": "Since this morning the VPN disconnects from home."})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]

    deadline = time.monotonic() + 90
    while True:
        with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
            predicted = connection.execute("SELECT count(*) FROM ai_predictions WHERE ticket_id = %s",
                                           (ticket_id,)).fetchone()[0]
        if predicted:
            break
        assert time.monotonic() < deadline, podman("logs", containers["worker"], check=False).stderr[-3000:]
        time.sleep(1)
    logs = podman("logs", containers["worker"]).stderr + podman("logs", containers["worker"]).stdout
    assert "ai.triage_ticket" in logs and "succeeded" in logs
    # The worker container serves its own Prometheus figures.
    assert "helpdesk_ai_predictions_total" in httpx.get(containers["metrics"], timeout=10).text
    assert podman("healthcheck", "run", containers["web"], check=False).returncode == 0


def test_sigterm_stops_each_container_cleanly_and_in_time(containers: dict[str, str]) -> None:
    for role in ("web", "worker", "beat"):
        code, seconds = _stop(containers[role])
        assert seconds < SHUTDOWN_BOUND, f"{role} took {seconds:.1f} s"
        assert code == 0, f"{role} exited {code}:\n{podman('logs', containers[role], check=False).stderr[-2000:]}"
