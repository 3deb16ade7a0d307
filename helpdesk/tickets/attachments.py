"""Files attached to tickets: metadata in PostgreSQL, bytes in the storage backend.

Uploads are checked before they are read (`check_can_attach`: who may add files, and whether the quotas have room),
then measured and stored in chunks: a file never sits in memory whole. The web server's body limit
(helpdesk/api/body_limits.py) stops an oversized request while it is being received.

A file belongs to the ticket and, when it came with a reply or an internal note, to that comment: it shows under
the comment and is as visible as the comment is (a file of an internal note never reaches a requester or a CC).
Listing and downloading both ask `may_see`, the one rule for a file.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from typing import Any, BinaryIO

from sqlalchemy import false, or_
from sqlmodel import Session, select

from helpdesk.core import audit
from helpdesk.core.errors import NotFound, PermissionDenied, TooLarge, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.core.settings import get_settings
from helpdesk.core.storage import CHUNK_BYTES, get_storage
from helpdesk.identity.actor import Actor
from helpdesk.models import Attachment, Comment, Ticket
from helpdesk.tickets import limits, tickets

MAX_FILES_PER_UPLOAD = 5
# Files that run when opened on the agents' Windows desktops: refused whatever door they come through.
BLOCKED_EXTENSIONS = frozenset({".exe", ".com", ".scr", ".bat", ".cmd", ".msi", ".vbs", ".vbe", ".js", ".jse",
                                ".wsf", ".ps1", ".hta", ".cpl", ".jar", ".lnk", ".pif", ".reg"})
BLOCKED_TYPES = frozenset({"application/x-msdownload", "application/x-dosexec", "application/x-msdos-program",
                           "application/hta", "application/x-ms-shortcut"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned[:200] or "attachment"


def check_can_attach(session: Session, actor: Actor, ticket_id: int, incoming_bytes: int = 0) -> Ticket:
    """Whether the actor may add `incoming_bytes` of files to the ticket: asked before an upload is read, so a
    refusal (NotFound, PermissionDenied, TooLarge for a full quota) costs the server nothing."""
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.can_attach(actor, ticket):
        raise PermissionDenied("You can't add files to this ticket.")
    limits.check_quota(session, actor, ticket.id, incoming_bytes)
    return ticket


def _check_name(filename: str, content_type: str) -> str:
    name = safe_filename(filename)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in BLOCKED_EXTENSIONS or (content_type or "").split(";")[0].strip().lower() in BLOCKED_TYPES:
        raise ValidationFailed({"attachments": NF_("{name}: programs and scripts can't be attached.", name=name)})
    return name


def _measure(source: BinaryIO, name: str, limit: int) -> tuple[int, str]:
    """Size and SHA-256 of an uploaded file, read in chunks; TooLarge as soon as it passes `limit`."""
    digest, size = hashlib.sha256(), 0
    source.seek(0)
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise TooLarge({"attachments": NF_("{name} is larger than {limit} MB.",
                                               name=name, limit=limit // (1024 * 1024))})
        digest.update(chunk)
    source.seek(0)
    return size, digest.hexdigest()


def add_attachment(
    session: Session,
    actor: Actor,
    ticket_id: int,
    filename: str,
    content_type: str,
    data: bytes | BinaryIO,
    comment_id: int | None = None,
) -> Attachment:
    """Stores one file on the ticket (and with `comment_id`, under that reply or note of the actor's). `data` is the
    bytes, or an uploaded file (read in chunks and streamed to storage, never whole in memory)."""
    ticket = check_can_attach(session, actor, ticket_id)
    if comment_id is not None:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.ticket_id != ticket.id or comment.author_id != actor.user_id:
            raise ValidationFailed({"attachments": "Files can only be added to your own message on this ticket."})
        if comment.is_internal and not tickets.can_work(actor, ticket):
            raise PermissionDenied("Only agents working this ticket can attach files to internal notes.")
    limit = get_settings().max_attachment_bytes
    name = _check_name(filename, content_type)
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    size, sha256 = _measure(source, name, limit)
    if not size:
        raise ValidationFailed({"attachments": NF_("{name} is empty.", name=name)})
    limits.check_quota(session, actor, ticket.id, size)
    key = f"tickets/{ticket.id}/{uuid.uuid4().hex}/{name}"
    get_storage().put_stream(key, source, content_type or "application/octet-stream")
    attachment = Attachment(
        ticket_id=ticket.id,
        comment_id=comment_id,
        uploaded_by_id=actor.user_id,
        filename=name,
        content_type=(content_type or "application/octet-stream")[:120],
        size_bytes=size,
        sha256=sha256,
        storage_key=key,
    )
    session.add(attachment)
    session.flush()
    audit.record(session, "attachment.create", actor_id=actor.user_id, entity_type="ticket",
                 entity_id=str(ticket.id), details={"attachment_id": attachment.id, "bytes": size})
    return attachment


def may_see(session: Session, actor: Actor, ticket: Ticket, attachment: Attachment) -> bool:
    """The file's ticket is readable (tickets.can_read) and, if it came with an internal note, so are its notes."""
    if not tickets.can_read(actor, ticket) or attachment.ticket_id != ticket.id:
        return False
    if attachment.comment_id is None or tickets.sees_internal_notes(actor, ticket):
        return True
    comment = session.get(Comment, attachment.comment_id)
    return comment is not None and not comment.is_internal


def visible_rows(session: Session, actor: Actor, ticket: Ticket) -> list[dict[str, Any]]:
    """Every file of the ticket this actor may see, oldest first, with the comment each came with (None: filed
    with the ticket). The same rule as `may_see`, as one query."""
    query = (select(Attachment).join(Comment, Comment.id == Attachment.comment_id, isouter=True)
             .where(Attachment.ticket_id == ticket.id))
    if not tickets.sees_internal_notes(actor, ticket):
        query = query.where(or_(Attachment.comment_id.is_(None), Comment.is_internal == false()))
    rows = session.exec(query.order_by(Attachment.created_at, Attachment.id)).all()
    return [a.model_dump(exclude={"storage_key", "sha256"}) for a in rows]


def list_attachments(session: Session, actor: Actor, ticket_id: int) -> list[dict[str, Any]]:
    return visible_rows(session, actor, tickets.get_for(session, actor, ticket_id))


def read_attachment(session: Session, actor: Actor, attachment_id: int) -> tuple[Attachment, bytes]:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("File not found.")
    ticket = tickets.get_for(session, actor, attachment.ticket_id)  # raises NotFound when not allowed
    if not may_see(session, actor, ticket, attachment):
        raise NotFound("File not found.")  # never reveals that an internal note has a file
    return attachment, get_storage().get(attachment.storage_key)
