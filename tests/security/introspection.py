"""What the browser and HTTP clients can call, found by introspection of the app (never listed by hand).

- Reflex: every state class the app registers (walked from Reflex's root state) and each one's event handlers,
  except Reflex's own (its internal states and the handlers every state inherits: hydrate, setvar, ...).
- HTTP: every route of the server: the FastAPI app's (REST API, health, metrics, docs) and the ones Reflex adds
  to the same server (ping, health, the websocket, uploads).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi.routing import iter_route_contexts


@dataclass(frozen=True)
class Handler:
    key: str  # "ClassName.handler", what the matrix declares
    state_cls: type
    name: str
    event_name: str  # what the browser sends: "<state full name>.<handler>"
    params: tuple[str, ...]

    @property
    def module(self) -> str:
        return self.state_cls.__module__


@dataclass(frozen=True)
class HttpRoute:
    key: str  # "METHOD /path", what the matrix declares
    method: str
    path: str


@cache
def app() -> Any:  # noqa: ANN401
    import helpdesk.helpdesk as module

    return module.app


def _walk(cls: type) -> list[type]:
    found = []
    for sub in sorted(cls.get_substates(), key=lambda c: c.get_full_name()):
        found.append(sub)
        found.extend(_walk(sub))
    return found


def handlers() -> list[Handler]:
    """Every event handler of the app's own state classes."""
    from reflex.state import State

    app()
    builtin = set(State.event_handlers)
    found: list[Handler] = []
    for cls in _walk(State):
        if not cls.__module__.startswith("helpdesk."):
            continue  # Reflex's internal states (on_load_internal, update_vars_internal, shared-state base, ...)
        for name, handler in cls.event_handlers.items():
            if name in builtin:
                continue
            params = tuple(p for p in inspect.signature(handler.fn).parameters if p != "self")
            found.append(Handler(f"{cls.__name__}.{name}", cls, name, f"{cls.get_full_name()}.{name}", params))
    keys = [h.key for h in found]
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert not duplicates, f"two state classes share a name, so the matrix cannot tell them apart: {duplicates}"
    return found


# Routes Reflex adds to the same server, outside the FastAPI app: a fresh `rx.App` only gets them when it compiles
# (the upload route only when a page has an upload), so the suite checks them over HTTP instead (each must answer,
# not 404) and their entries in the matrix are the list.
REFLEX_SERVER_ROUTES = ("GET /ping", "GET /_health", "GET /_event", "POST /_upload", "GET /_upload/{path}")


def http_routes() -> list[HttpRoute]:
    """Every route of the FastAPI app the server mounts (the REST API, /health, /ready, /metrics, the docs)."""
    api = app().api_transformer
    found: dict[str, HttpRoute] = {}
    for route in iter_route_contexts(api.routes):
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue  # Starlette answers HEAD with the GET route
            key = f"{method} {route.path}"
            found[key] = HttpRoute(key, method, route.path)
    return sorted(found.values(), key=lambda r: (r.path, r.method))
