"""Request bodies are bounded while they arrive, and uploads are authorised before a byte of them is read.

A plain ASGI middleware around the whole server (the REST API and the Reflex app mounted in it):
- every request with a body has a limit: the REST attachment uploads the attachment size plus room for the
  multipart wrapping, the Reflex upload endpoint what its handler takes (five ticket files, ten article files),
  inbound e-mail 40 MB, anything else under /api/ 2 MB;
- a Content-Length over the limit is answered 413 at once, without reading the body;
- a body that grows past the limit while arriving (chunked, or a Content-Length that lied) is cut off: the app
  reading it gets an HTTP 413 error at that point, which it answers, and the rest is never read;
- Reflex's upload endpoint (`/_upload`) is refused before reading unless the request comes from a signed-in person
  (the pages' session cookie) who may use that upload handler; the handler itself checks again, with the ticket.

`PathBounds` answers a REST address holding control characters (`/api/v1/kb/articles/a%0Ab`) with 422 and the
reason, as the route would for such a parameter. It wraps the API and, in helpdesk/helpdesk.py, the whole server:
Reflex mounts everything under a Starlette `Mount("")`, whose pattern does not match a path with a line feed, so
such a request would otherwise never reach the API and get a plain-text "Not Found".

Starlette keeps parsed files in spooled temporary files (on disk past 1 MB), so a body within its limit does not
sit in memory either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpdesk.api.deps import SESSION_COOKIE
from helpdesk.core.db import session_scope
from helpdesk.core.errors import DomainError, NotAuthenticated, SignInUnavailable
from helpdesk.core.settings import get_settings
from helpdesk.identity import auth
from helpdesk.identity.actor import Actor

MB = 1024 * 1024
# The multipart boundaries, part headers and file names around the files themselves.
MULTIPART_ALLOWANCE = 64 * 1024
DEFAULT_API_LIMIT = 2 * MB
EMAIL_LIMIT = 40 * MB + MULTIPART_ALLOWANCE
UPLOAD_ENDPOINT = "/_upload"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TICKET_UPLOAD = re.compile(r"^/api/v1/tickets/[^/]+/attachments/?$")
_COMMENT_UPLOAD = re.compile(r"^/api/v1/tickets/[^/]+/comments/with-files/?$")
_KB_UPLOAD = re.compile(r"^/api/v1/kb/articles/[^/]+/attachments/?$")


@dataclass(frozen=True)
class UploadHandler:
    """A Reflex event handler that takes files: how many bytes its request may carry, and who may call it."""

    max_bytes: Callable[[], int]
    authorise: Callable[[Actor], None]


@cache
def upload_handlers() -> dict[str, UploadHandler]:
    """The pages' upload handlers by their full name (what the browser sends in `Reflex-Event-Handler`)."""
    from reflex_base.utils.format import format_event_handler as name

    from helpdesk.kb import articles as kb
    from helpdesk.kb import attachments as kb_attachments
    from helpdesk.state.kb_editor import MAX_UPLOAD_FILES, KbEditorState
    from helpdesk.state.portal import NewTicketState
    from helpdesk.state.ticket import TicketState
    from helpdesk.tickets import attachments, tickets

    return {
        name(NewTicketState.submit): UploadHandler(
            lambda: attachments.MAX_FILES_PER_UPLOAD * get_settings().max_attachment_bytes + MULTIPART_ALLOWANCE,
            tickets.check_may_file),
        # Replies and notes with files: any signed-in person; the ticket's own rule is asked by the handler.
        name(TicketState.send_reply): UploadHandler(
            lambda: attachments.MAX_FILES_PER_UPLOAD * get_settings().max_attachment_bytes + MULTIPART_ALLOWANCE,
            lambda actor: None),
        name(TicketState.add_note): UploadHandler(
            lambda: attachments.MAX_FILES_PER_UPLOAD * get_settings().max_attachment_bytes + MULTIPART_ALLOWANCE,
            lambda actor: None),
        name(KbEditorState.upload): UploadHandler(
            lambda: MAX_UPLOAD_FILES * kb_attachments.max_bytes() + MULTIPART_ALLOWANCE, kb.check_may_write),
    }


def limit_for(method: str, path: str) -> int | None:
    """The most bytes a request's body may have (None: no body expected, e.g. GET, or a Reflex upload)."""
    if method not in BODY_METHODS or path == UPLOAD_ENDPOINT:
        return None
    if _TICKET_UPLOAD.match(path):
        return get_settings().max_attachment_bytes + MULTIPART_ALLOWANCE
    if _COMMENT_UPLOAD.match(path):
        from helpdesk.tickets import attachments

        return attachments.MAX_FILES_PER_UPLOAD * get_settings().max_attachment_bytes + MULTIPART_ALLOWANCE
    if _KB_UPLOAD.match(path):
        from helpdesk.kb import attachments as kb_attachments

        return kb_attachments.max_bytes() + MULTIPART_ALLOWANCE
    if path == "/api/v1/email/inbound":
        return EMAIL_LIMIT
    if path.startswith("/api/"):
        return DEFAULT_API_LIMIT
    return None


def _too_large(limit: int) -> str:
    return f"The request is larger than this endpoint accepts ({limit / MB:.1f} MB)."


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _cookie(scope: Scope, name: str) -> str:
    for part in _header(scope, b"cookie").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _has_control_characters(scope: Scope) -> bool:
    """Whether the address, decoded, holds control characters (servers differ in what they decode into `path`)."""
    raw = scope.get("raw_path") or b""
    return bool(_CONTROL.search(scope["path"]) or _CONTROL.search(unquote(raw.decode("latin-1"))))


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None,
                  errors: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail} | ({"errors": errors} if errors else {})).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def _authorise_upload(token: str, handler: UploadHandler) -> None:
    with session_scope() as session:
        actor = auth.actor_for_token(session, token)
    handler.authorise(actor)


class PathBounds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/") and _has_control_characters(scope):
            await _answer(send, 422, "The request is invalid.",
                          errors={"path": "The address must not contain control characters."})
            return
        await self.app(scope, receive, send)


class BodyLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method == "POST" and path == UPLOAD_ENDPOINT:
            handler = upload_handlers().get(_header(scope, b"reflex-event-handler"))
            if handler is None:
                await _answer(send, 404, "Unknown upload handler.")
                return
            try:
                await anyio.to_thread.run_sync(_authorise_upload, _cookie(scope, SESSION_COOKIE), handler)
            except DomainError as refused:  # not signed in, or not allowed: nothing of the body was read
                status = 503 if isinstance(refused, SignInUnavailable) else (
                    401 if isinstance(refused, NotAuthenticated) else 403)
                await _answer(send, status, refused.message)
                return
            limit: int | None = handler.max_bytes()
        else:
            limit = limit_for(method, path)
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, _too_large(limit))
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # The app stops reading here and answers 413 (Starlette's HTTPException handler).
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, bounded_receive, send)
