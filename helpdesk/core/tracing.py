"""OpenTelemetry tracing: off unless OTEL_SDK_DISABLED=false, configured by the standard OTEL_* variables.

One call per process (`configure("web")` in the web app, `configure("worker")` in each Celery pool process) sets a
tracer provider and instruments what every request or job passes through: SQLAlchemy, Redis, Celery (the trace
context rides in each job message's headers, so a ticket-create request and its triage job are one trace) and
outgoing HTTP with httpx (the LLM provider). The REST API (FastAPI) and Reflex events are instrumented by the web
app itself (`instrument_api`, and Reflex's own trace points).

Standard variables: OTEL_SERVICE_NAME (default `helpdesk`), OTEL_TRACES_EXPORTER (`otlp`, the default, or
`console`), OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / ..._HEADERS (OTLP over HTTP),
OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (e.g. `parentbased_traceidratio` and `0.1`).
"""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)
_state: dict[str, Any] = {"provider": None}


def enabled() -> bool:
    # The SDK's own default is "on"; ours is off: tracing costs time and needs somewhere to send spans.
    return os.environ.get("OTEL_SDK_DISABLED", "true").strip().lower() == "false"


def configure(role: str, exporter: Any = None) -> Any:  # noqa: ANN401 (an SDK TracerProvider, or None)
    """Sets up tracing for this process once; returns the provider (None when tracing is off).

    `exporter` replaces the one OTEL_TRACES_EXPORTER names (tests pass an in-memory exporter).
    """
    if _state["provider"] is not None or not (enabled() or exporter is not None):
        return _state["provider"]
    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "helpdesk"),
                                "helpdesk.role": role})
    provider = TracerProvider(resource=resource)  # the sampler comes from OTEL_TRACES_SAMPLER
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(_exporter_from_environment()))
    trace.set_tracer_provider(provider)
    # SQLAlchemy: each engine is instrumented where it is made (helpdesk/core/db.py calls instrument_engine).
    RedisInstrumentor().instrument(tracer_provider=provider)
    CeleryInstrumentor().instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _state["provider"] = provider
    log.info("OpenTelemetry tracing on (%s)", role)
    return provider


def instrument_engine(engine: Any) -> None:  # noqa: ANN401 (a SQLAlchemy Engine)
    """A span per statement on this engine. Per engine, not the instrumentor's global create_engine patch: SQLModel
    holds its own reference to create_engine, and the instrumentor refuses SQLAlchemy 2.1 by its version range."""
    if _state["provider"] is None:
        return
    from opentelemetry import metrics, trace
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    tracer = trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", tracer_provider=_state["provider"])
    usage = metrics.get_meter(__name__).create_up_down_counter("db.client.connections.usage", unit="connections")
    EngineTracer(tracer, engine, usage)


def _exporter_from_environment() -> Any:  # noqa: ANN401
    name = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower()
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # endpoint, headers and timeout from OTEL_EXPORTER_OTLP_*


def instrument_api(api: Any) -> None:  # noqa: ANN401 (a FastAPI app)
    """Server spans for every REST route (health and metrics left out: probes would drown the traces)."""
    if _state["provider"] is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(api, tracer_provider=_state["provider"], excluded_urls="/health,/ready,/metrics")


FLUSH_TIMEOUT_MS = 2000  # a process stopping waits this long at most for an unreachable collector


def flush() -> None:
    if _state["provider"] is not None:
        _state["provider"].force_flush(timeout_millis=FLUSH_TIMEOUT_MS)
