"""One browser tab on the real server's Reflex websocket, speaking what Reflex's browser bundle speaks.

Frames (Engine.IO v4 / Socket.IO over one websocket; see bench/live_wire.py for where they were copied from):
  GET /_event/?token=<tab token>&EIO=4&transport=websocket    Sec-WebSocket-Protocol: <reflex version>
  server: 0{"sid":..}        client: 40/_event,{"event": <hydrate_and_load, carrying the session cookie>}
  server: 40/_event,{"sid":..}  then 42/_event,["event",{"delta":..,"events":[..]}] ...
  client: 42/_event,["event",{"name":..,"payload":..,"router_data":{..}}]
  server: 2 (ping)           client: 3 (pong)

The server runs one tab's events in order (a per-token queue), so an event is finished when a marker event sent
after it has answered (`set_is_hydrated(True)`: once the tab has hydrated, nothing else touches `is_hydrated`);
the events a handler chains are queued behind that marker, so `call` sends markers until one round brings
nothing else.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import websocket

from helpdesk.identity.browser_sessions import SESSION_COOKIE

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
MARKER_EVENT = f"{ROOT_STATE}.set_is_hydrated"
HYDRATE_EVENT = f"{ROOT_STATE}.hydrate_and_load"


@dataclass
class Answer:
    """What the server sent the tab while one event (and what it chained) ran."""

    deltas: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Everything the browser received, as one string to look for leaked text in."""
        return json.dumps({"deltas": self.deltas, "events": self.events}, default=str)

    @property
    def server_error(self) -> str:
        """The toast Reflex sends when a handler raised (its id is `backend_error`), or ""."""
        for event in self.events:
            if "backend_error" in json.dumps(event, default=str):
                return json.dumps(event, default=str)[:600]
        return ""

    def redirects(self) -> list[str]:
        found = []
        for event in self.events:
            if event.get("name") == "_redirect":
                found.append(str(event.get("payload", {}).get("path", "")))
        return found


def router_data(path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    """What the browser sends with every event: where it is (the page's dynamic parts arrive as `query`)."""
    data: dict[str, Any] = {"pathname": path.partition("?")[0], "asPath": path}
    if query:
        data["query"] = dict(query)
    return data


class BrowserTab:
    """A fresh browser tab (its own Reflex token), signed in with `session_token` or anonymous."""

    def __init__(self, base_url: str, session_token: str | None, reflex_version: str,
                 path: str = "/rbac-no-such-page", timeout: float = 20) -> None:
        self.token = str(uuid.uuid4())
        self.timeout = timeout
        self._marker = 0
        url = base_url.replace("http", "ws", 1) + f"{NAMESPACE}/?token={self.token}&EIO=4&transport=websocket"
        # Signed in the way a browser is: the server-set session cookie rides on the websocket's upgrade request.
        cookie = [f"Cookie: {SESSION_COOKIE}={session_token}"] if session_token else []
        self.ws = websocket.create_connection(url, timeout=timeout, subprotocols=[reflex_version], header=cookie)
        opened = self.ws.recv()
        assert opened.startswith("0{"), opened
        hydrate = {"name": HYDRATE_EVENT, "payload": {},
                   "router_data": router_data(path)}
        self.ws.send(f"40{NAMESPACE}," + json.dumps({"event": hydrate}))
        self._wait_connected()
        self._wait_hydrated()

    def _wait_connected(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            kind, _body = self._packet()
            if kind == "connected":
                return
            if kind == "refused":
                raise ConnectionError(f"connect refused: {_body}")
        raise TimeoutError("no Socket.IO connect answer")

    def _wait_hydrated(self) -> None:
        """Until the hydrate and the page's on_load handlers finished (they end by setting `is_hydrated`)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            kind, update = self._packet()
            if kind == "update" and self._is_hydrated(update.get("delta") or {}):
                return
        raise TimeoutError("the tab did not hydrate")

    @staticmethod
    def _is_hydrated(delta: dict[str, Any]) -> bool:
        root = delta.get(ROOT_STATE) or {}
        return any(k.startswith("is_hydrated") and v is True for k, v in root.items())

    def _packet(self) -> tuple[str, Any]:
        """The next meaningful packet: ("update", StateUpdate), ("connected", ..), ("refused", ..) or ("", None)."""
        text = self.ws.recv()
        if not text:
            raise ConnectionError("websocket closed")
        if text == "2":  # Engine.IO ping
            self.ws.send("3")
            return "", None
        if not text.startswith("4"):
            return "", None
        body = text[1:]
        kind, body = body[:1], body[1:]
        if body.startswith(NAMESPACE):
            body = body[len(NAMESPACE):].removeprefix(",")
        if kind == "0":
            return "connected", body
        if kind == "4":
            return "refused", body
        if kind == "2":
            name, *args = json.loads(body)
            if name == "event" and args:
                return "update", args[0]
        return "", None

    def _emit(self, name: str, payload: dict[str, Any], data: dict[str, Any]) -> None:
        event = {"name": name, "payload": payload, "router_data": data}
        self.ws.send(f"42{NAMESPACE}," + json.dumps(["event", event], default=str))

    def _send_marker(self, data: dict[str, Any]) -> None:
        self._emit(MARKER_EVENT, {"value": True}, data)

    def call(self, name: str, payload: dict[str, Any], path: str, query: dict[str, str] | None = None) -> Answer:
        """Sends one event as the browser would from `path` and returns what came back until it finished."""
        data = router_data(path, query)
        answer = Answer()
        self._emit(name, payload, data)
        deadline = time.monotonic() + self.timeout
        for _round in range(6):
            self._send_marker(data)
            brought_more = False
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not finish within {self.timeout} s")
                kind, update = self._packet()
                if kind != "update":
                    continue
                delta = update.get("delta") or {}
                if self._is_hydrated(delta):  # after hydration only the marker touches `is_hydrated`
                    break
                brought_more = True
                if delta:
                    answer.deltas.append(delta)
                answer.events.extend(update.get("events") or [])
            if not brought_more and _round > 0:
                return answer
        return answer

    def close(self) -> None:
        try:
            self.ws.send(f"41{NAMESPACE},")
            self.ws.close()
        except (OSError, websocket.WebSocketException):
            pass
