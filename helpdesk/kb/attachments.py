"""Files on knowledge-base articles (screenshots, PDFs): metadata in PostgreSQL, bytes in the storage backend.

Writers (agents, managers, admins) add and remove them; whoever may read the article may read its files, so a
requester never gets a file of a draft. Only the types below are taken, the type comes from the file name (never
from the browser) and an image must start like one; images are the only files served inline (for Markdown
`![...](...)`), everything else is a download.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import PurePosixPath
from typing import Any

from sqlmodel import Session, select

from helpdesk.core import audit, on_commit
from helpdesk.core.errors import NotFound, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.core.settings import get_settings
from helpdesk.core.storage import get_storage
from helpdesk.identity.actor import Actor
from helpdesk.kb import articles as kb
from helpdesk.models import KbAttachment
from helpdesk.tickets.attachments import safe_filename

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_ARTICLE = 30
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}
DOCUMENT_TYPES = {".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv", ".log": "text/plain",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                  ".zip": "application/zip"}
ALLOWED_TYPES = IMAGE_TYPES | DOCUMENT_TYPES
_IMAGE_SIGNATURES = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
                     "image/gif": (b"GIF87a", b"GIF89a"), "image/webp": (b"RIFF",)}


def max_bytes() -> int:
    return min(MAX_BYTES, get_settings().max_attachment_bytes)


def url_of(attachment_id: int) -> str:
    return f"/api/v1/kb/attachments/{attachment_id}"


def is_image(content_type: str) -> bool:
    return content_type in IMAGE_TYPES.values()


def _type_of(filename: str, data: bytes) -> str:
    extension = PurePosixPath(filename.lower()).suffix
    content_type = ALLOWED_TYPES.get(extension)
    if content_type is None:
        allowed = ", ".join(sorted(ext.lstrip(".") for ext in ALLOWED_TYPES))
        raise ValidationFailed({"attachments": NF_("{name}: this kind of file is not accepted (use {allowed}).",
                                                   name=filename, allowed=allowed)})
    signatures = _IMAGE_SIGNATURES.get(content_type)
    if signatures and not (data.startswith(signatures) and (content_type != "image/webp" or data[8:12] == b"WEBP")):
        raise ValidationFailed({"attachments": NF_("{name} is not a valid {kind} image.",
                                                   name=filename, kind=extension.lstrip("."))})
    return content_type


def add_attachment(session: Session, actor: Actor, article_id: int, filename: str, data: bytes) -> KbAttachment:
    kb.check_may_write(actor)
    article = kb.get_by_id(session, actor, article_id, lock=True)
    name = safe_filename(filename)
    if not data:
        raise ValidationFailed({"attachments": NF_("{name} is empty.", name=name)})
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationFailed({"attachments": NF_("{name} is larger than {limit} MB.",
                                                   name=name, limit=limit // (1024 * 1024))})
    content_type = _type_of(name, data)
    count = len(session.exec(select(KbAttachment.id).where(KbAttachment.article_id == article.id)).all())
    if count >= MAX_FILES_PER_ARTICLE:
        raise ValidationFailed({"attachments": NF_("An article can have at most {count} files.",
                                                   count=MAX_FILES_PER_ARTICLE)})
    key = f"kb/{article.id}/{uuid.uuid4().hex}/{name}"
    get_storage().put(key, data, content_type)
    attachment = KbAttachment(article_id=article.id, uploaded_by_id=actor.user_id, filename=name,
                              content_type=content_type, size_bytes=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), storage_key=key)
    session.add(attachment)
    session.flush()
    audit.record(session, "kb_attachment.create", actor_id=actor.user_id, entity_type="kb_article",
                 entity_id=str(article.id), details={"attachment_id": attachment.id, "bytes": len(data)})
    return attachment


def _row(attachment: KbAttachment) -> dict[str, Any]:
    return {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type,
            "size_bytes": attachment.size_bytes, "created_at": attachment.created_at,
            "url": url_of(attachment.id), "is_image": is_image(attachment.content_type)}


def list_attachments(session: Session, actor: Actor, article_id: int) -> list[dict[str, Any]]:
    article = kb.get_by_id(session, actor, article_id)  # NotFound for a requester and a draft
    rows = session.exec(select(KbAttachment).where(KbAttachment.article_id == article.id)
                        .order_by(KbAttachment.created_at, KbAttachment.id)).all()
    return [_row(a) for a in rows]


def read_attachment(session: Session, actor: Actor, attachment_id: int) -> tuple[KbAttachment, bytes]:
    attachment = session.get(KbAttachment, attachment_id)
    if attachment is None:
        raise NotFound("File not found.")
    try:
        kb.get_by_id(session, actor, attachment.article_id)
    except NotFound:
        raise NotFound("File not found.") from None
    return attachment, get_storage().get(attachment.storage_key)


def delete_attachment(session: Session, actor: Actor, attachment_id: int) -> None:
    kb.check_may_write(actor)
    attachment = session.get(KbAttachment, attachment_id)
    if attachment is None:
        raise NotFound("File not found.")
    kb.get_by_id(session, actor, attachment.article_id)
    key = attachment.storage_key
    session.delete(attachment)
    session.flush()
    audit.record(session, "kb_attachment.delete", actor_id=actor.user_id, entity_type="kb_article",
                 entity_id=str(attachment.article_id), details={"attachment_id": attachment_id})
    on_commit.after_commit(session, lambda: get_storage().delete(key), key=f"kb-attachment-delete-{attachment_id}")
