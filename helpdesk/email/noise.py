"""Mail no person wrote: auto-replies (RFC 3834 and the common vendor headers), mailing-list and bulk mail,
delivery status notifications (bounces), and senders writing too fast (a loop with another robot)."""

from __future__ import annotations

import re

from helpdesk.core import cache
from helpdesk.core.settings import get_settings
from helpdesk.email.parsing import ParsedMessage

_AUTO_SUBJECT = re.compile(r"^\s*(auto(matic)?[ -]?(reply|response)|out of (the )?office|abwesenheit|"
                           r"r[ée]ponse automatique|vacation|away from)\b", re.IGNORECASE)
_BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}
_FINAL_RECIPIENT = re.compile(r"^Final-Recipient:\s*rfc822\s*;\s*<?([^\s>]+@[^\s>]+)>?", re.IGNORECASE | re.MULTILINE)
_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


def automatic_reason(parsed: ParsedMessage) -> str:
    """Why the message is automatic ("" when a person sent it): such mail never opens or reopens a ticket."""
    auto_submitted = parsed.header("Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    precedence = parsed.header("Precedence").lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if parsed.header(name):
            return name
    if parsed.header("X-Auto-Response-Suppress") and _AUTO_SUBJECT.search(parsed.subject):
        return "out-of-office reply"
    if parsed.header("List-Unsubscribe") and parsed.header("List-Id"):
        return "mailing list"
    return ""


def never_answer(parsed: ParsedMessage) -> bool:
    """True when we must not send an automatic answer (RFC 3834 section 2; Exchange's suppression header)."""
    return bool(automatic_reason(parsed) or parsed.header("X-Auto-Response-Suppress")
                or parsed.header("Return-Path").strip() == "<>" or is_bounce(parsed))


def is_bounce(parsed: ParsedMessage) -> bool:
    content_type = parsed.message.get_content_type()
    report_type = str(parsed.message.get_param("report-type", "") or "").lower()
    if content_type == "multipart/report" and report_type == "delivery-status":
        return True
    return bool(_BOUNCE_SENDERS.match(parsed.from_address)) and (
        parsed.header("Return-Path").strip() in ("<>", "") or "undeliver" in parsed.subject.lower()
        or "delivery status" in parsed.subject.lower() or "failure" in parsed.subject.lower())


def bounced_addresses(parsed: ParsedMessage) -> list[str]:
    """The recipients a delivery status notification says failed."""
    found: list[str] = []
    for part in parsed.message.walk():
        if part.get_content_type() == "message/delivery-status":
            text = part.as_string()
            for block in re.split(r"\n\s*\n", text):
                if re.search(r"^Action:\s*failed", block, re.IGNORECASE | re.MULTILINE):
                    found.extend(m.lower() for m in _FINAL_RECIPIENT.findall(block))
    return list(dict.fromkeys(found))


def over_rate_limit(sender: str) -> bool:
    """Counts this message against the sender's hourly allowance; True once they are over it."""
    key = cache.key("email", "rate", sender)
    client = cache.get_redis()
    with client.pipeline() as pipe:
        # A fixed one-hour window from the sender's first message (SET NX works on the embedded Redis 6.2 too).
        pipe.set(key, 0, ex=3600, nx=True)
        pipe.incr(key)
        _, count = pipe.execute()
    return int(count) > get_settings().email_rate_limit_per_hour
