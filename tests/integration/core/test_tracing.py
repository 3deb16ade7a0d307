"""One trace from a ticket-create REST request through the AI triage job in a real Celery worker.

The request side runs in this process with an in-memory exporter; the worker is a real process exporting over
OTLP/HTTP (the standard OTEL_* variables) to a small collector this test runs, which decodes what it receives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.factories import PASSWORD, Org
from tests.processes import celery_worker_command, running

pytestmark = pytest.mark.slow


class Collector(ThreadingHTTPServer):
    """Receives OTLP/HTTP trace exports: {span name: [trace id hex, ...]}."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, str]] = []  # (name, trace id, service role)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler) -> None:  # noqa: N802, N805
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                request = ExportTraceServiceRequest.FromString(body)
                for resource_spans in request.resource_spans:
                    role = next((a.value.string_value for a in resource_spans.resource.attributes
                                 if a.key == "helpdesk.role"), "")
                    for scope in resource_spans.scope_spans:
                        for span in scope.spans:
                            self.spans.append((span.name, span.trace_id.hex(), role))
                handler.send_response(200)
                handler.end_headers()

            def log_message(handler, *args: object) -> None:  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_a_ticket_create_request_and_its_triage_job_are_one_trace(test_env, org: Org, collector: Collector,  # noqa: ANN001
                                                                   tmp_path) -> None:  # noqa: ANN001
    from helpdesk.api.app import create_api
    from helpdesk.core import db, tracing

    exporter = InMemorySpanExporter()
    tracing.configure("web-test", exporter=exporter)
    db.dispose_engines()  # engines made from now on are traced, as in a web process that configures at start
    client = TestClient(create_api())

    env = test_env.as_env() | {
        "OTEL_SDK_DISABLED": "false", "OTEL_SERVICE_NAME": "helpdesk-test", "OTEL_BSP_SCHEDULE_DELAY": "200",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"http://127.0.0.1:{collector.server_port}/v1/traces",
    }
    log = tmp_path / "worker.log"
    command = celery_worker_command("ai", concurrency=1, name="trace-test", purge=True)
    with running(command, env, log, lambda: b" ready." in log.read_bytes(), timeout=60):
        token = client.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = client.post("/api/v1/tickets", headers=headers,
                              json={"title": "Outlook keeps asking for my password",
                                    "description": "Since the update Outlook prompts for the password every hour."})
        assert created.status_code == 201, created.text

        request_span = next(s for s in exporter.get_finished_spans()
                            if s.kind == SpanKind.SERVER and s.name.startswith("POST /api/v1/tickets"))
        trace_id = f"{request_span.context.trace_id:032x}"
        request_spans = [s for s in exporter.get_finished_spans() if f"{s.context.trace_id:032x}" == trace_id]
        # The request's own database statements and the job's publication are children of the request.
        assert any(s.attributes.get("db.system") == "postgresql" or "INSERT" in s.name for s in request_spans)
        assert any(s.name.startswith("apply_async/ai.triage_ticket") for s in request_spans), \
            [s.name for s in request_spans]

        deadline = time.monotonic() + 60
        while not any(name.startswith("run/ai.triage_ticket") and tid == trace_id
                      for name, tid, _ in collector.spans):
            assert time.monotonic() < deadline, (collector.spans[-20:], log.read_text()[-2000:])
            time.sleep(0.3)
    worker_spans = {name for name, tid, role in collector.spans if tid == trace_id and role == "worker"}
    # Inside the job, its queries are spans of the same trace.
    assert any(name.startswith("run/ai.triage_ticket") for name in worker_spans)
    assert len(worker_spans) > 1, worker_spans
