"""The pages' Content-Security-Policy allows exactly the inline scripts of the page it comes with."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
from pathlib import Path

from helpdesk.api.web_security import SecurityHeaders, inline_script_hashes, is_page_request

PAGE = (b'<!DOCTYPE html><html><head><script type="module" src="/assets/entry.js"></script>'
        b'<script>window.__theme = "light";</script></head><body><div id="root"></div>'
        b'<script type="module">import("/assets/route-x.js");</script></body></html>')


def _sha(text: bytes) -> str:
    return base64.b64encode(hashlib.sha256(text).digest()).decode()


def test_inline_scripts_are_hashed_and_scripts_with_a_source_are_not() -> None:
    assert inline_script_hashes(PAGE) == [_sha(b'window.__theme = "light";'),
                                          _sha(b'import("/assets/route-x.js");')]


def test_only_pages_are_read_for_their_scripts() -> None:
    assert is_page_request("/queue") and is_page_request("/tickets/12") and is_page_request("/login.html")
    for path in ("/api/v1/tickets", "/assets/root-abc.js", "/app.css", "/_upload/x.png", "/_event", "/metrics"):
        assert not is_page_request(path)


def _serve(page_app, path: str = "/queue", extensions: dict | None = None) -> dict[bytes, bytes]:  # noqa: ANN001
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "scheme": "http", "client": ("127.0.0.1", 5000),
             "headers": [(b"accept-encoding", b"br, gzip, zstd"), (b"if-none-match", b'"etag-of-the-cached-page"')],
             "extensions": extensions or {}}
    asyncio.run(SecurityHeaders(page_app)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return dict(start["headers"]) | {b"__body": b"".join(m.get("body", b"") for m in sent[1:])}


def test_a_gzipped_page_gets_its_own_hashes_and_the_page_is_asked_for_gzip_only_and_in_full() -> None:
    seen: dict = {}

    async def page_app(scope, receive, send) -> None:  # noqa: ANN001
        seen["accept"] = dict(scope["headers"])[b"accept-encoding"]
        # A 304 would carry no page to hash, and its policy would replace the cached page's.
        seen["conditional"] = b"if-none-match" in dict(scope["headers"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-encoding", b"gzip")]})
        await send({"type": "http.response.body", "body": gzip.compress(PAGE)})

    headers = _serve(page_app)
    assert seen["accept"].replace(b" ", b"") == b"gzip" and seen["conditional"] is False
    policy = headers[b"content-security-policy"].decode()
    theme = _sha(b'window.__theme = "light";')
    assert f"'sha256-{theme}'" in policy
    assert "'unsafe-inline'" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert headers[b"x-frame-options"] == b"DENY" and gzip.decompress(headers[b"__body"]) == PAGE


def test_a_page_the_server_would_send_by_file_name_is_read_and_hashed(tmp_path: Path) -> None:
    page = tmp_path / "queue.html"
    page.write_bytes(PAGE)

    async def page_app(scope, receive, send) -> None:  # noqa: ANN001
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        if "http.response.pathsend" in scope["extensions"]:
            await send({"type": "http.response.pathsend", "path": str(page)})
        else:
            await send({"type": "http.response.body", "body": page.read_bytes()})

    headers = _serve(page_app, extensions={"http.response.pathsend": {}})
    assert _sha(b'import("/assets/route-x.js");') in headers[b"content-security-policy"].decode()
    assert headers[b"__body"] == PAGE
