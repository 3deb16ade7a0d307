"""A minimal Socket.IO (Engine.IO v4) client over one websocket, speaking what Reflex's browser bundle speaks.

Written on asyncio + wsproto (both already installed with Reflex) because python-socketio's AsyncClient needs
aiohttp, which is not installed, and because a thousand of these must stay cheap on a 2-core machine.

Frames (copied from a real Chromium session on /queue, see bench/live_capture.py):
  GET /_event/?token=<tab token>&EIO=4&transport=websocket   Sec-WebSocket-Protocol: <reflex version>
  server: 0{"sid":..,"pingInterval":..,"maxPayload":..}
  client: 40/_event,{"event": <hydrate_and_load event>, "state_schema": "<hash>"}
  server: 40/_event,{"sid":..}        then 42/_event,["event",{"delta":..,"events":[..],"final":..}] ...
  client: 42/_event,["event",{"name":..,"payload":..,"router_data":{..}}]
  server: 2 (ping)  client: 3 (pong)
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, CloseConnection, Ping, RejectConnection, Request, TextMessage


class SocketIOClient:
    """One browser tab's websocket. `on_event(payload, received_at)` gets every `event` the server emits."""

    def __init__(self, host: str, port: int, namespace: str, token: str, subprotocol: str,
                 on_event: Callable[[dict[str, Any], float], None], headers: list[tuple[str, str]] | None = None):
        self.host, self.port, self.namespace, self.token = host, port, namespace, token
        self.subprotocol, self.on_event, self.headers = subprotocol, on_event, headers or []
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()
        self.error: str = ""
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task | None = None
        self._text: list[str] = []
        self._auth: dict[str, Any] | None = None

    async def connect(self, auth: dict[str, Any], timeout: float = 30) -> None:
        self._auth = auth
        reader, self._writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), timeout)
        target = f"{self.namespace}/?token={self.token}&EIO=4&transport=websocket"
        self._send(self._ws.send(Request(host=f"{self.host}:{self.port}", target=target,
                                         subprotocols=[self.subprotocol], extra_headers=self.headers)))
        loop = asyncio.get_running_loop()
        self._reader_task = loop.create_task(self._read(reader))
        await asyncio.wait_for(self.connected.wait(), timeout)
        if self.error:
            raise ConnectionError(self.error)

    def emit(self, event: str, data: Any) -> None:  # noqa: ANN401
        self._text_frame(f"42{self.namespace}," + json.dumps([event, data], separators=(",", ":")))

    async def close(self) -> None:
        if self._writer is not None and not self._writer.is_closing():
            try:
                self._text_frame(f"41{self.namespace},")
                self._send(self._ws.send(CloseConnection(code=1000)))
                await asyncio.wait_for(self._writer.drain(), 2)
            except Exception:  # noqa: BLE001 (closing anyway)
                pass
            self._writer.close()
        if self._reader_task is not None:
            self._reader_task.cancel()

    # -- internals ------------------------------------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(data)

    def _text_frame(self, text: str) -> None:
        self._send(self._ws.send(TextMessage(data=text)))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                received_at = time.time()
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, AcceptConnection):
                        pass
                    elif isinstance(event, RejectConnection):
                        self.error = f"websocket rejected: HTTP {event.status_code}"
                        self.connected.set()
                        return
                    elif isinstance(event, TextMessage):
                        self._text.append(event.data)
                        if event.message_finished:
                            self._packet("".join(self._text), received_at)
                            self._text = []
                    elif isinstance(event, BytesMessage):
                        pass
                    elif isinstance(event, Ping):
                        self._send(self._ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        self._send(self._ws.send(event.response()))
                        return
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            self.error = self.error or f"connection lost: {exc!r}"
        except asyncio.CancelledError:
            pass
        finally:
            self.closed.set()
            self.connected.set()

    def _packet(self, text: str, received_at: float) -> None:
        kind = text[:1]
        if kind == "0":  # Engine.IO open: answer with the Socket.IO CONNECT carrying the hydrate event
            self._text_frame(f"40{self.namespace}," + json.dumps(self._auth, separators=(",", ":")))
        elif kind == "2":  # Engine.IO ping
            self._text_frame("3")
        elif kind == "1":
            self.error = self.error or "server closed the Engine.IO session"
        elif kind == "4":
            self._socketio(text[1:], received_at)

    def _socketio(self, text: str, received_at: float) -> None:
        kind, body = text[:1], text[1:]
        if body.startswith(self.namespace):
            body = body[len(self.namespace):].removeprefix(",")
        if kind == "0":
            self.connected.set()
        elif kind == "4":
            self.error = f"connect refused: {body[:300]}"
            self.connected.set()
        elif kind == "1":
            self.error = self.error or "server disconnected the namespace"
        elif kind == "2":
            name, *args = json.loads(body)
            if name == "event" and args:
                self.on_event(args[0], received_at)
