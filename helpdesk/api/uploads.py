"""Reading one uploaded file from a REST request, after the route has checked who is asking.

The routes take the `Request` rather than an `UploadFile` parameter: FastAPI reads a declared file before it
resolves the route's dependencies, i.e. before it knows who is asking. Here the route authorises first, then reads
the multipart body (bounded by helpdesk/api/body_limits.py; Starlette spools the file to disk past 1 MB).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from starlette.datastructures import UploadFile

from helpdesk.core.errors import ValidationFailed

FIELD = "file"
# The OpenAPI description of the body the routes read themselves.
FILE_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": [FIELD], "properties": {FIELD: {"type": "string", "format": "binary"}}}}}}}


def declared_bytes(request: Request) -> int:
    """What the request says it carries (Content-Length), for the quota check before reading; 0 when unsaid."""
    length = request.headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


@asynccontextmanager
async def one_file(request: Request) -> AsyncIterator[UploadFile]:
    """The request's `file` part; ValidationFailed (422) when there is none. Closed (its temporary file removed)
    when the block ends."""
    form = await request.form(max_files=1, max_fields=10)
    try:
        file = form.get(FIELD)
        if not isinstance(file, UploadFile):
            raise ValidationFailed({FIELD: "Send the file as multipart/form-data in a part named `file`."})
        yield file
    finally:
        await form.close()
