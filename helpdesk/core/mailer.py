"""Sends one e-mail over SMTP; with no SMTP host configured it logs the message instead."""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import make_msgid

from helpdesk.core.settings import get_settings

log = logging.getLogger(__name__)
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


@dataclass(frozen=True)
class OutgoingMail:
    to: list[str]
    subject: str
    body: str
    # (filename, MIME type, bytes), e.g. the PDF of a scheduled report.
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    # The same message as HTML (sent as multipart/alternative with `body` as the text part).
    html: str = ""
    # Extra headers (Reply-To, In-Reply-To, References, Auto-Submitted ...), set by the e-mail channel.
    headers: tuple[tuple[str, str], ...] = ()
    # Set when the channel recorded the message for threading; otherwise one is made from the job's seed.
    message_id: str = ""
    # The ticket and the person it is about/for: the e-mail channel threads and records it by these.
    ticket_id: int | None = None
    recipient_id: int | None = None


class _MailPolicy(EmailPolicy):
    """The standard policy, but a non-ASCII subject is folded by the legacy `Header` encoder.

    Python's own folder (3.11, 3.12) breaks a long non-ASCII subject at a space into RFC 2047 encoded words and
    lets that space become the folding whitespace between them, which RFC 2047 6.2 tells readers to drop: the
    reader saw "نہیںکر" for "نہیں کر". `Header` splits inside the encoded text instead, so every space stays
    inside an encoded word and survives decoding."""

    def _fold(self, name: str, value: object, refold_binary: bool = False) -> str:
        text = str(value)
        if name.lower() != "subject" or text.isascii():
            return super()._fold(name, value, refold_binary)
        encoded = Header(text, "utf-8", maxlinelen=self.max_line_length, header_name=name)
        return f"{name}: {encoded.encode(linesep=self.linesep)}{self.linesep}"


MAIL_POLICY = _MailPolicy()


def header_value(value: str) -> str:
    """One line: a ticket title with a line break must not end the header (nor start a forged one)."""
    return " ".join(_LINE_BREAKS.sub(" ", value).split())


def build(mail: OutgoingMail, *, message_id_seed: str) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = header_value(settings.mail_from)
    message["To"] = header_value(", ".join(mail.to))
    message["Subject"] = header_value(mail.subject)
    # The same per job: a retried job re-sends the same Message-ID, so mail clients dedupe it.
    message["Message-ID"] = header_value(mail.message_id) or make_msgid(idstring=message_id_seed,
                                                                        domain="helpdesk.local")
    for name, value in mail.headers:
        message[header_value(name)] = header_value(value)
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    for filename, content_type, payload in mail.attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype.split(";")[0],
                               filename=header_value(filename))
    return message


def send(mail: OutgoingMail, *, message_id_seed: str) -> None:
    settings = get_settings()
    message = build(mail, message_id_seed=message_id_seed)
    if not settings.smtp_host:
        log.info("SMTP not configured; would send %r to %s", mail.subject, mail.to)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def check_connection(timeout: float = 10.0) -> str:
    """Connects to the configured SMTP server, says hello, starts TLS and signs in as configured, and sends
    nothing; a sentence saying what answered, or raises (OSError, smtplib.SMTPException) with the server's reason.
    With no SMTP host configured it raises LookupError: mail is only logged then."""
    settings = get_settings()
    if not settings.smtp_host:
        raise LookupError("No SMTP server is configured (SMTP_HOST is empty): outgoing mail is only logged.")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
        code, greeting = smtp.ehlo()
        if code != 250:
            raise smtplib.SMTPResponseException(code, greeting)
        steps = []
        if settings.smtp_starttls:
            smtp.starttls()
            smtp.ehlo()
            steps.append("TLS started")
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
            steps.append(f"signed in as {settings.smtp_username}")
        code, _ = smtp.noop()
        if code != 250:
            raise smtplib.SMTPResponseException(code, b"NOOP refused")
        banner = greeting.decode(errors="replace").splitlines()[0] if greeting else ""
    done = ", ".join(steps) if steps else "no sign-in configured"
    return f"{settings.smtp_host}:{settings.smtp_port} answered ({banner}); {done}."
