"""One raw RFC 822 message read defensively: real-world mail has broken charsets, bad headers and odd nesting.

Nothing here raises on malformed input: a header that cannot be decoded is read as raw text, a body in an unknown
charset is decoded as UTF-8 with replacement characters, and a part that cannot be read is skipped.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from contextlib import suppress
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from helpdesk.email import content

MAX_ATTACHMENTS = 20
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
_MSGID = re.compile(r"<[^<>\s]{1,250}>")


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes
    inline: bool


@dataclass
class ParsedMessage:
    raw: bytes
    message: Message
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_address: str
    from_name: str
    recipients: list[str]
    subject: str
    text: str
    attachments: list[MailAttachment] = field(default_factory=list)

    @property
    def dedupe_key(self) -> str:
        """The Message-ID; a message without one is known by a digest of its bytes."""
        return self.message_id or "sha256:" + hashlib.sha256(self.raw).hexdigest()

    def header(self, name: str) -> str:
        return header_text(self.message, name)

    def all_headers(self, name: str) -> list[str]:
        values = []
        for value in self.message.get_all(name) or []:
            values.append(_decoded(value))
        return values


def _decoded(value: object) -> str:
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - the stdlib's header parser gives up on some malformed headers
        text = getattr(value, "_raw", None) or repr(value)
    if "=?" in text:
        with suppress(Exception):  # a broken encoded-word stays as written
            text = str(make_header(decode_header(text)))
    # Header values end up in our own headers and in one-line fields: no line breaks survive.
    return " ".join(text.split())


def header_text(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001
        return ""
    return "" if value is None else _decoded(value)


def message_ids(value: str) -> list[str]:
    return _MSGID.findall(value or "")


def parse(raw: bytes | str) -> ParsedMessage:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogateescape")
    message = message_from_bytes(raw, policy=policy.default)
    from_name, from_address = parseaddr(header_text(message, "From"))
    ids = message_ids(header_text(message, "Message-ID"))
    recipients = [v for name in RECIPIENT_HEADERS for v in ([header_text(message, name)] if message.get(name) else [])]
    text, body_part = _body(message)
    return ParsedMessage(
        raw=raw,
        message=message,
        message_id=ids[0] if ids else "",
        in_reply_to=message_ids(header_text(message, "In-Reply-To")),
        references=message_ids(header_text(message, "References"))[-50:],
        from_address=from_address.strip().lower() if "@" in from_address else "",
        from_name=from_name.strip()[:120],
        recipients=recipients,
        subject=header_text(message, "Subject")[:300],
        text=text,
        attachments=_attachments(message, body_part),
    )


def _part_text(part: Message) -> str:
    try:
        value = part.get_content() if isinstance(part, EmailMessage) else part.get_payload(decode=True)
        if isinstance(value, str):
            return value
    except (LookupError, UnicodeError, KeyError, ValueError, AssertionError):
        value = None
    payload = part.get_payload(decode=True) or b""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


def _body(message: Message) -> tuple[str, Message | None]:
    part: Message | None
    try:
        part = message.get_body(preferencelist=("plain", "html")) if isinstance(message, EmailMessage) else None
    except Exception:  # noqa: BLE001 - odd nesting
        part = None
    if part is None:
        part = next((p for p in message.walk() if p.get_content_maintype() == "text"), None)
    if part is None:
        return "", None
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = content.html_to_text(text)
    return content.clean(text), part


def _attachments(message: Message, body_part: Message | None) -> list[MailAttachment]:
    found: list[MailAttachment] = []
    for part in message.walk():
        if part is body_part or part.is_multipart() and part.get_content_type() != "message/rfc822":
            continue
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        try:
            filename = part.get_filename() or ""
        except Exception:  # noqa: BLE001
            filename = ""
        # Alternative bodies and delivery reports are not files.
        if not filename and disposition != "attachment" and (
                content_type in ("text/plain", "text/html") or content_type.startswith("message/delivery-status")
                or content_type == "text/rfc822-headers"):
            continue
        if content_type == "message/rfc822":
            inner = part.get_payload()
            data = (inner[0] if isinstance(inner, list) and inner else part).as_bytes()
            filename = filename or "forwarded-message.eml"
        else:
            data = part.get_payload(decode=True) or b""
        if not data:
            continue
        if not filename:
            filename = "inline" + (mimetypes.guess_extension(content_type) or ".bin")
        found.append(MailAttachment(_decoded(filename)[:200], content_type, data,
                                    inline=disposition == "inline" or bool(part.get("Content-ID"))))
        if len(found) >= MAX_ATTACHMENTS:
            break
    return found


def addresses(values: list[str]) -> list[str]:
    return [address.lower() for _name, address in getaddresses(values) if "@" in address]
