"""One inbound message into a new ticket, a reply on a ticket, a message held for an administrator, or nothing.

The steps, in order:
1. remember the message by its Message-ID (or digest): a message seen before is not filed again;
2. noise: a bounce marks the failed address and ends there; an auto-reply, list or bulk message ends there;
3. threading: the ticket it answers, by In-Reply-To/References first, then by a signed reply address, then by
   the `[#N]` subject tag;
4. who it acts as: the person of a signed reply token for that ticket; otherwise the From address, only when our
   MTA's Authentication-Results vouch for it and it is not a staff address; unknown senders become requesters only
   from allowed domains. Anything unverified is held for an administrator (or dropped), never filed as someone
   else;
5. what it says: the new text without quoted history or signature, and its files through the attachment service.

Everything is written in the caller's transaction: the record of the message commits with the ticket or reply it
filed, or not at all.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from helpdesk.core import audit, bounds, jobs, on_commit
from helpdesk.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_, NF_
from helpdesk.core.mailer import OutgoingMail
from helpdesk.core.settings import get_settings
from helpdesk.core.storage import get_storage
from helpdesk.email import addresses, content, noise, senders
from helpdesk.email.parsing import ParsedMessage, parse
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor, load_actor
from helpdesk.models import EmailRecord, EmailSuppression, Mailbox, Role, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.tickets import attachments, conversation, notifications, tickets
from helpdesk.tickets.validation import CommentDraft, TicketDraft

log = logging.getLogger(__name__)

TICKET_TAG = re.compile(r"\[#(\d{1,12})\]")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|tr|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
MAX_BODY = 20000
# An unknown sender's account: no password can match this, so it cannot sign in until someone sets one.
NO_PASSWORD = "!e-mail-only"


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # "created", "replied", "held", "ignored" or "duplicate"
    ticket_id: int | None = None
    reason: str = ""
    record_id: int | None = None


def ingest(session: Session, raw_message: bytes | str, *, mailbox_id: int | None = None) -> IngestResult:
    parsed = parse(raw_message)
    record = _claim(session, parsed, mailbox_id)
    if record is None:
        existing = session.exec(select(EmailRecord).where(EmailRecord.direction == "in",
                                                          EmailRecord.dedupe_key == parsed.dedupe_key)).first()
        return IngestResult("duplicate", existing.ticket_id if existing else None, "already received",
                            existing.id if existing else None)
    result = _decide(session, parsed, record, session.get(Mailbox, mailbox_id) if mailbox_id else None)
    record.outcome = record.outcome or result.outcome
    record.reason = result.reason[:300]
    record.ticket_id = result.ticket_id
    session.add(record)
    session.flush()
    return IngestResult(result.outcome, result.ticket_id, result.reason, record.id)


def _claim(session: Session, parsed: ParsedMessage, mailbox_id: int | None) -> EmailRecord | None:
    """Inserts the message's record, or returns None when it was received before.

    ON CONFLICT DO NOTHING: a second worker holding the same message waits for the first one's transaction and then
    finds the row, so two pollers racing on one message file it once."""
    row = session.execute(
        insert(EmailRecord.__table__).values(
            direction="in", dedupe_key=parsed.dedupe_key[:300], message_id=parsed.message_id[:300],
            in_reply_to=(parsed.in_reply_to[0] if parsed.in_reply_to else "")[:300],
            references=" ".join(parsed.references), mailbox_id=mailbox_id, address=parsed.from_address[:254],
            subject=parsed.subject[:300], outcome="", reason="", raw_key="", created_at=utcnow(),
        # The partial index's predicate as a literal: a bound parameter would not match it once psycopg prepares
        # the statement (after a few runs), and PostgreSQL would find no index to infer.
        ).on_conflict_do_nothing(index_elements=["dedupe_key"], index_where=text("direction = 'in'"))
        .returning(EmailRecord.__table__.c.id)
    ).first()
    return session.get(EmailRecord, row[0]) if row else None


def _decide(session: Session, parsed: ParsedMessage, record: EmailRecord, mailbox: Mailbox | None) -> IngestResult:
    if noise.is_bounce(parsed):
        failed = noise.bounced_addresses(parsed)
        for address in failed:
            _suppress(session, address, parsed.subject)
        record.outcome = "bounce"
        return IngestResult("ignored", reason="delivery status notification" + (f" for {', '.join(failed)}"
                                                                                 if failed else ""))
    automatic = noise.automatic_reason(parsed)
    if automatic:
        record.outcome = "auto_reply"
        return IngestResult("ignored", reason=f"automatic message ({automatic})")

    ticket = _thread(session, parsed)
    token = addresses.find_token(parsed.recipients)
    acting = _acting_user(session, parsed, ticket, token)
    if isinstance(acting, IngestResult):
        return _hold_or_drop(session, parsed, record, acting)
    user, ticket = acting
    record.user_id = user.id
    if noise.over_rate_limit(user.email.lower()):
        return _hold(session, parsed, record, f"{user.email} sent more than "
                                              f"{get_settings().email_rate_limit_per_hour} messages this hour")
    session.execute(EmailSuppression.__table__.delete().where(EmailSuppression.address == user.email.lower()))
    return _file(session, parsed, record, load_actor(session, user.id), ticket, mailbox)


# ---------------------------------------------------------------- threading


def _thread(session: Session, parsed: ParsedMessage) -> Ticket | None:
    """The ticket this message answers: by headers, then by a signed reply address, then by subject tag."""
    ids = [*parsed.in_reply_to, *reversed(parsed.references)]
    if ids:
        ticket_id = session.exec(
            select(EmailRecord.ticket_id).where(EmailRecord.message_id.in_(ids), EmailRecord.ticket_id.is_not(None))
            .order_by(EmailRecord.created_at.desc()).limit(1)
        ).first()
        if ticket_id:
            return _live(session, ticket_id)
    token = addresses.find_token(parsed.recipients)
    if token:
        ticket = _live(session, token.ticket_id)
        if ticket:
            return ticket
    tag = TICKET_TAG.search(parsed.subject)
    if tag:
        return session.exec(select(Ticket).where(Ticket.number == int(tag.group(1)),
                                                 Ticket.deleted_at.is_(None))).first()
    return None


def _live(session: Session, ticket_id: int) -> Ticket | None:
    ticket = session.get(Ticket, ticket_id)
    return ticket if ticket is not None and ticket.deleted_at is None else None


# ---------------------------------------------------------------- who the message acts as


def _acting_user(session: Session, parsed: ParsedMessage, ticket: Ticket | None,
                 token: addresses.ReplyToken | None) -> tuple[User, Ticket | None] | IngestResult:
    """The person the message may act as (and the ticket), or why it may act as nobody."""
    if token is not None:
        token_user = session.get(User, token.user_id)
        if ticket is None or ticket.id == token.ticket_id:
            ticket = ticket or _live(session, token.ticket_id)
            if token_user is not None and token_user.is_active and ticket is not None:
                return token_user, ticket
    sender = parsed.from_address
    if not sender:
        return IngestResult("ignored", reason="no sender address")
    user = session.exec(select(User).where(func.lower(User.email) == sender)).first()
    if user is not None and user.role != Role.REQUESTER:
        # Agents act by e-mail only through their signed reply address: a From header is trivial to forge.
        return IngestResult("held", ticket.id if ticket else None,
                            f"{sender} is a staff address and the message has no valid reply token")
    check = senders.check_from(parsed)
    if not check.verified:
        return IngestResult("held" if get_settings().email_unverified_action == "hold" else "ignored",
                            reason=f"unverified sender {sender}: {check.how}")
    if user is not None:
        if not user.is_active:
            return IngestResult("ignored", reason=f"{sender}'s account is not active")
        return user, ticket
    domain = sender.rsplit("@", 1)[1]
    allowed = {d.lower().lstrip("@") for d in get_settings().email_allowed_domains}
    if domain not in allowed:
        action = get_settings().email_unknown_sender_action
        return IngestResult("held" if action == "hold" else "ignored", reason=f"unknown sender {sender}")
    return _new_requester(session, parsed), ticket


def _new_requester(session: Session, parsed: ParsedMessage) -> User:
    name = parsed.from_name or parsed.from_address.split("@", 1)[0].replace(".", " ").title()
    user = User(email=parsed.from_address, full_name=name[:120], password_hash=NO_PASSWORD,
                role=Role.REQUESTER.value)
    session.add(user)
    session.flush()
    audit.record(session, "user.create", actor_id=None, entity_type="user", entity_id=str(user.id),
                 details={"via": "e-mail", "domain": parsed.from_address.rsplit("@", 1)[1]})
    return user


# ---------------------------------------------------------------- held, dropped, bounced


def _hold_or_drop(session: Session, parsed: ParsedMessage, record: EmailRecord, why: IngestResult) -> IngestResult:
    if why.outcome == "held":
        return _hold(session, parsed, record, why.reason)
    # A polite answer, at most one per sender an hour (the rate-limit counter doubles as its guard).
    if (why.reason.startswith(("unknown sender", "unverified sender")) and not noise.never_answer(parsed)
            and not noise.over_rate_limit("reject:" + parsed.from_address)):
        jobs.enqueue(session, "email.rejection_notice", "email", {"record_id": record.id})
    return IngestResult("ignored", reason=why.reason)


def _hold(session: Session, parsed: ParsedMessage, record: EmailRecord, reason: str) -> IngestResult:
    """Keeps the raw message in attachment storage for an administrator to accept or discard."""
    key = f"email/held/{record.id}-{secrets.token_hex(8)}.eml"
    get_storage().put(key, parsed.raw, "message/rfc822")
    record.raw_key = key
    record.outcome = "held"
    log.info("held inbound message %s: %s", record.id, reason)
    return IngestResult("held", reason=reason)


def _suppress(session: Session, address: str, reason: str) -> None:
    statement = insert(EmailSuppression.__table__).values(address=address[:254], reason=reason[:300], bounces=1,
                                                          last_bounced_at=utcnow())
    session.execute(statement.on_conflict_do_update(
        index_elements=["address"],
        set_={"bounces": EmailSuppression.__table__.c.bounces + 1, "last_bounced_at": utcnow(),
              "reason": reason[:300]}))


# ---------------------------------------------------------------- filing


def _file(session: Session, parsed: ParsedMessage, record: EmailRecord, actor: Actor, ticket: Ticket | None,
          mailbox: Mailbox | None) -> IngestResult:
    try:
        if ticket is not None:
            body = (content.latest_reply(parsed.text) or content.clean(parsed.text)
                    or bounds.storable(parsed.subject).strip() or "(no text)")
            draft = CommentDraft(body=bounds.storable(body[:MAX_BODY], multiline=True))
            comment = conversation.add_comment(session, actor, ticket.id, draft)
            record.comment_id = comment.id
            skipped = _save_files(session, actor, ticket.id, parsed, comment.id)
            return IngestResult("replied", ticket.id, _skipped_note(skipped))
        title, description = _ticket_text(parsed)
        new = tickets.create_ticket(
            session, actor,
            TicketDraft(title=title, description=description,
                        category_id=mailbox.category_id if mailbox else None),
            source="email", team_id=mailbox.team_id if mailbox else None)
        skipped = _save_files(session, actor, new.id, parsed, None)
        return IngestResult("created", new.id, _skipped_note(skipped))
    except (NotFound, PermissionDenied) as exc:
        return IngestResult("ignored", ticket.id if ticket and not isinstance(exc, NotFound) else None, exc.message)
    except DomainError as exc:
        return IngestResult("ignored", reason=exc.message)


def _ticket_text(parsed: ParsedMessage) -> tuple[str, str]:
    subject = " ".join(bounds.storable(TICKET_TAG.sub("", _REPLY_PREFIX.sub("", parsed.subject))).split())
    title = (subject if len(subject) >= 5 else f"E-mail: {subject or '(no subject)'}")[:200]
    body = bounds.storable(content.clean(parsed.text), multiline=True) or subject
    description = body if len(body) >= 10 else f"{body}\n\n(sent by e-mail)"
    return title, description[:MAX_BODY]


def _save_files(session: Session, actor: Actor, ticket_id: int, parsed: ParsedMessage,
                comment_id: int | None) -> list[str]:
    """Saves each file under the attachment service's limits; returns what was refused and why."""
    skipped = []
    for item in parsed.attachments:
        try:
            with session.begin_nested():  # a refused file must not undo the ticket
                attachments.add_attachment(session, actor, ticket_id, item.filename, item.content_type, item.data,
                                           comment_id=comment_id)
        except ValidationFailed as exc:
            skipped.append(next(iter(exc.field_errors.values()), exc.message))
    return skipped


def _skipped_note(skipped: list[str]) -> str:
    return ("files not saved: " + "; ".join(skipped))[:300] if skipped else ""


# ---------------------------------------------------------------- held messages, for administrators

HELD_PAGE_SIZE = 25


@dataclass(frozen=True)
class HeldPage:
    rows: list[dict[str, object]]
    total: int
    next_cursor: str | None  # "<received, microseconds since 1970>.<id>" of the last row, when older ones follow


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _held_cursor(record: EmailRecord) -> str:
    """URL-safe and exact (whole microseconds, PostgreSQL's resolution), so the next page starts right after it."""
    return f"{(record.created_at - _EPOCH) // timedelta(microseconds=1)}.{record.id}"


def _held_row(record: EmailRecord, mailbox: str) -> dict[str, object]:
    return {"id": record.id, "from": record.address, "subject": record.subject, "reason": record.reason,
            "received": record.created_at, "mailbox": mailbox, "mailbox_id": record.mailbox_id}


def held_page(session: Session, actor: Actor, cursor: str | None = None,
              limit: int = HELD_PAGE_SIZE) -> HeldPage:
    """Held messages, newest first, a page at a time: keyset paging on (received, id) along the partial index of
    held rows, so a page costs the same however many are held."""
    _check_admin(actor)
    limit = max(1, min(int(limit), 200))
    query = (select(EmailRecord, Mailbox.name).join(Mailbox, Mailbox.id == EmailRecord.mailbox_id, isouter=True)
             .where(EmailRecord.outcome == "held"))
    if cursor:
        micros, _, last_id = cursor.partition(".")
        try:
            after = (_EPOCH + timedelta(microseconds=int(micros)), int(last_id))
        except (ValueError, OverflowError):
            raise ValidationFailed(
                {"cursor": N_("That page marker is not valid; start from the first page.")}) from None
        query = query.where(tuple_(EmailRecord.created_at, EmailRecord.id) < after)
    rows = session.exec(query.order_by(EmailRecord.created_at.desc(), EmailRecord.id.desc()).limit(limit + 1)).all()
    total = session.exec(select(func.count()).select_from(EmailRecord).where(EmailRecord.outcome == "held")).one()
    page = [_held_row(record, name or "") for record, name in rows[:limit]]
    more = _held_cursor(rows[limit - 1][0]) if len(rows) > limit else None
    return HeldPage(page, total, more)


def list_held(session: Session, actor: Actor, limit: int = 50) -> list[dict[str, object]]:
    """The newest held messages (the first page)."""
    return held_page(session, actor, None, limit).rows


def held_message(session: Session, actor: Actor, record_id: int) -> dict[str, object]:
    """One held message with what it says, for an administrator deciding whether to accept it."""
    _check_admin(actor)
    record = session.get(EmailRecord, record_id)
    if record is None or record.outcome != "held" or not record.raw_key:
        raise NotFound(N_("That held message is gone (already accepted or discarded)."))
    parsed = parse(get_storage().get(record.raw_key))
    mailbox = session.get(Mailbox, record.mailbox_id) if record.mailbox_id else None
    return {**_held_row(record, mailbox.name if mailbox else ""), "from_name": parsed.from_name,
            "to": ", ".join(parsed.recipients), "text": (content.clean(parsed.text) or parsed.text)[:5000],
            "attachments": [item.filename for item in parsed.attachments]}


def accept_held(session: Session, actor: Actor, record_id: int) -> IngestResult:
    """An administrator vouches for a held message: it is filed as its From address (a new requester if unknown),
    as a new ticket or a reply, exactly as the intake would have filed a verified message."""
    _check_admin(actor)
    record = session.exec(select(EmailRecord).where(EmailRecord.id == record_id).with_for_update()).first()
    if record is None or record.outcome != "held" or not record.raw_key:
        raise NotFound(N_("That held message is gone (already accepted or discarded)."))
    parsed = parse(get_storage().get(record.raw_key))
    if not parsed.from_address:
        raise ValidationFailed({"record_id": N_("The message has no sender address to file it as.")})
    user = session.exec(select(User).where(func.lower(User.email) == parsed.from_address)).first()
    if user is None:
        user = _new_requester(session, parsed)
    if not user.is_active:
        raise ValidationFailed({"record_id": NF_("The account of {email} is not active.", email=user.email)})
    mailbox = session.get(Mailbox, record.mailbox_id) if record.mailbox_id else None
    result = _file(session, parsed, record, load_actor(session, user.id), _thread(session, parsed), mailbox)
    if result.outcome not in ("created", "replied"):
        # Filing refused (e.g. the ticket it answers is closed to this person): it stays held, nothing changes.
        raise ValidationFailed({"record_id": f"It could not be filed: {result.reason or 'refused'}."})
    record.outcome, record.ticket_id, record.user_id = result.outcome, result.ticket_id, user.id
    record.reason = f"accepted by {actor.email}"[:300]
    _forget_raw(session, record)
    session.add(record)
    audit.record(session, "email.accept_held", actor_id=actor.user_id, entity_type="email",
                 entity_id=str(record.id), details={"outcome": result.outcome, "ticket_id": result.ticket_id,
                                                     "from": record.address, "subject": record.subject})
    return IngestResult(result.outcome, result.ticket_id, result.reason, record.id)


def discard_held(session: Session, actor: Actor, record_id: int) -> None:
    """Nothing is filed and the stored message is deleted; the record of its arrival stays (Message-ID dedupe)."""
    _check_admin(actor)
    record = session.exec(select(EmailRecord).where(EmailRecord.id == record_id).with_for_update()).first()
    if record is None or record.outcome != "held":
        raise NotFound(N_("That held message is gone (already accepted or discarded)."))
    held_for = record.reason
    record.outcome, record.reason = "ignored", f"discarded by {actor.email}"[:300]
    _forget_raw(session, record)
    session.add(record)
    audit.record(session, "email.discard_held", actor_id=actor.user_id, entity_type="email",
                 entity_id=str(record.id), details={"from": record.address, "subject": record.subject,
                                                    "held_because": held_for})


def _forget_raw(session: Session, record: EmailRecord) -> None:
    """The raw message leaves storage once the decision commits (a rollback keeps it for the next try)."""
    key, record.raw_key = record.raw_key, ""
    if key:
        on_commit.after_commit(session, lambda: get_storage().delete(key))


def _check_admin(actor: Actor) -> None:
    # Accepting files the message as whoever its (unverified) From names: a decision for administrators.
    if not policy.is_admin(actor) or actor.scopes is not None:
        raise PermissionDenied("Only administrators review held e-mail.")


# ---------------------------------------------------------------- the polite "no"


def rejection_notice(session: Session, record_id: int) -> OutgoingMail | None:
    """Tells an unknown or unverified sender their message was not filed (never to a robot, never twice an hour)."""
    record = session.get(EmailRecord, record_id)
    if record is None or not record.address:
        return None
    allowed = get_settings().email_allowed_domains
    who = ("people with an address at " + ", ".join(allowed)) if allowed else "people who already have an account"
    body, html = notifications.render(
        "rejection_notice", subject=record.subject or "(no subject)", who=who,
        portal_url=get_settings().public_url.rstrip("/") + "/portal", organisation=get_settings().organisation_name)
    return OutgoingMail([record.address], f"Not filed: {record.subject or '(no subject)'}", body, html=html,
                        headers=(("In-Reply-To", record.message_id),) if record.message_id else ())
