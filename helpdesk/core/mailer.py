"""Sends one e-mail over SMTP; with no SMTP host configured it logs the message instead."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from helpdesk.core.settings import get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMail:
    to: list[str]
    subject: str
    body: str
    # (filename, MIME type, bytes), e.g. the PDF of a scheduled report.
    attachments: tuple[tuple[str, str, bytes], ...] = ()


def send(mail: OutgoingMail, *, message_id_seed: str) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    # Deterministic per job: a retried job re-sends the same Message-ID, so mail clients dedupe it.
    message["Message-ID"] = make_msgid(idstring=message_id_seed, domain="helpdesk.local")
    message.set_content(mail.body)
    for filename, content_type, payload in mail.attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype.split(";")[0], filename=filename)
    if not settings.smtp_host:
        log.info("SMTP not configured; would send %r to %s", mail.subject, mail.to)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)
