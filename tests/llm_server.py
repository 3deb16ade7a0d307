"""A tiny OpenAI-compatible server for tests: POST /v1/chat/completions, answering with `usage` like the real API.

It answers deterministically from the request (so tests can check what the prompt held), and can be told to
fail with a status or to answer slower than the client's timeout.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SUMMARY_TEXT = "The requester's laptop will not charge; IT asked for the adapter model and is waiting for an answer."
REPLY_TEXT = "Thanks for the details. Could you try a different charger and tell me whether the light comes on?"


@dataclass
class FakeLlm:
    """Settings tests change between calls; `requests` holds every JSON body received."""

    status: int = 200
    delay_seconds: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def reset(self) -> None:
        self.status, self.delay_seconds = 200, 0.0
        self.requests.clear()
        self.headers.clear()

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        system = body["messages"][0]["content"]
        prompt = " ".join(m["content"] for m in body["messages"])
        text = SUMMARY_TEXT if "Summarise" in system else REPLY_TEXT
        prompt_tokens, completion_tokens = len(prompt.split()), len(text.split())
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }

    def start(self) -> FakeLlm:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                if fake.delay_seconds:
                    time.sleep(fake.delay_seconds)
                if self.path != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "not found"}})
                elif fake.status != 200:
                    self._send(fake.status, {"error": {"message": "upstream exploded", "type": "server_error"}})
                else:
                    self._send(200, fake.answer(body))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
