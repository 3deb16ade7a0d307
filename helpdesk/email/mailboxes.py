"""The IMAP mailboxes the helpdesk reads, and reading them.

A poll takes the messages not yet ingested (search: not flagged $HelpdeskIngested, or everything left in the folder
when ingested mail is moved away), reads each with BODY.PEEK[] (nothing marked seen before it is safe), files it in
its own committed transaction, and only then flags or moves it on the server, a batch at a time. A worker that dies
anywhere in between leaves the message unflagged: the next poll fetches it again, and the intake recognises it by its
Message-ID (or digest) and only flags it. So nothing is lost and nothing is filed twice.

UIDVALIDITY is kept per mailbox: when the server renumbers a folder, the remembered UID high-water mark is reset.
Where the server offers IDLE, the poll then waits on the folder for new mail until its time is up, so new mail
becomes a ticket within seconds instead of at the next beat tick. One poll per mailbox at a time (a Redis lock).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from helpdesk.core import cache, jobs
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, ValidationFailed
from helpdesk.email import intake
from helpdesk.models import Category, Mailbox, Team
from helpdesk.models.base import utcnow

log = logging.getLogger(__name__)

INGESTED = "$HelpdeskIngested"
# A message the intake failed on for a reason other than the database: set aside so it cannot block the folder.
FAILED = "$HelpdeskFailed"
BATCH = 50
IMAP_TIMEOUT_SECONDS = 30
POLL_TASK = "mail_intake.poll_mailbox"
# The poll lock outlives a dead poller by at most this much past its IDLE time; a live one renews it every batch.
LOCK_SLACK_SECONDS = 60


@dataclass
class PollResult:
    mailbox_id: int
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    error: str = ""
    skipped: bool = False  # another poll of this mailbox was running

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


# ---------------------------------------------------------------- the table


def add_mailbox(session: Session, *, name: str, address: str, imap_host: str, username: str, secret: str,
                imap_port: int = 993, imap_tls: bool = True, folder: str = "INBOX", processed_folder: str = "",
                team_id: int | None = None, category_id: int | None = None) -> Mailbox:
    errors: dict[str, str] = {}
    name, address, imap_host = name.strip(), address.strip().lower(), imap_host.strip()
    if not name or len(name) > 80:
        errors["name"] = "Give the mailbox a name of at most 80 characters."
    elif session.exec(select(Mailbox.id).where(Mailbox.name == name)).first() is not None:
        errors["name"] = "A mailbox with this name already exists."
    if "@" not in address or len(address) > 254 or any(c.isspace() for c in address):
        errors["address"] = "Enter the e-mail address people write to."
    if not imap_host or any(c.isspace() for c in imap_host):
        errors["imap_host"] = "Enter the IMAP server's host name."
    if not 0 < imap_port < 65536:
        errors["imap_port"] = "Enter a port between 1 and 65535."
    if not username.strip():
        errors["username"] = "Enter the IMAP user name."
    if not secret:
        errors["secret"] = "Enter the IMAP password."
    if not folder.strip():
        errors["folder"] = "Enter the folder to read (usually INBOX)."
    if team_id is not None and session.get(Team, team_id) is None:
        errors["team_id"] = "Choose an existing team."
    if category_id is not None and session.get(Category, category_id) is None:
        errors["category_id"] = "Choose an existing category."
    if errors:
        raise ValidationFailed(errors)
    mailbox = Mailbox(name=name, address=address, imap_host=imap_host, imap_port=imap_port, imap_tls=imap_tls,
                      username=username.strip(), secret=secret, folder=folder.strip(),
                      processed_folder=processed_folder.strip(), team_id=team_id, category_id=category_id)
    session.add(mailbox)
    session.flush()
    return mailbox


def list_mailboxes(session: Session) -> list[dict[str, Any]]:
    """Every mailbox, without its secret."""
    return [m.model_dump(exclude={"secret"}) for m in session.exec(select(Mailbox).order_by(Mailbox.name)).all()]


def get_mailbox(session: Session, mailbox_id: int) -> Mailbox:
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise NotFound("No such mailbox.")
    return mailbox


@contextmanager
def connect(mailbox: Mailbox) -> Iterator[IMAPClient]:
    client = IMAPClient(mailbox.imap_host, port=mailbox.imap_port, ssl=mailbox.imap_tls, timeout=IMAP_TIMEOUT_SECONDS)
    try:
        client.login(mailbox.username, mailbox.secret)
        yield client
    finally:
        with suppress(IMAPClientError, OSError):
            client.logout()


def check_connection(mailbox: Mailbox) -> str:
    """Signs in and opens the folder; a sentence saying what is there, or raises with what went wrong."""
    with connect(mailbox) as client:
        info = client.select_folder(mailbox.folder, readonly=True)
        waiting = len(client.search(_pending_criteria(mailbox)))
        idle = "offers IDLE" if b"IDLE" in client.capabilities() else "no IDLE (polled)"
    return f"{mailbox.folder}: {info.get(b'EXISTS', 0)} messages, {waiting} waiting to be filed; the server {idle}."


# ---------------------------------------------------------------- polling


def _pending_criteria(mailbox: Mailbox) -> list[str]:
    criteria = ["NOT", "DELETED", "NOT", "KEYWORD", FAILED]
    return criteria if mailbox.processed_folder else [*criteria, "NOT", "KEYWORD", INGESTED]


def _lock_key(mailbox_id: int) -> str:
    return cache.key("email", "poll", mailbox_id)


def poll(mailbox_id: int, *, idle_seconds: float = 0.0, batch: int = BATCH, owner: str = "") -> PollResult:
    """Files every waiting message of one mailbox; then, where the server offers IDLE, waits up to `idle_seconds`
    for more.

    `owner` names the poll (the Celery task id): a poll redelivered after its worker was killed carries the same
    id and takes over the dead one's lock at once, instead of waiting for it to expire."""
    result = PollResult(mailbox_id)
    token = owner or f"poll-{time.time()}"
    redis = cache.get_redis()
    ttl = int(idle_seconds) + LOCK_SLACK_SECONDS
    if not redis.set(_lock_key(mailbox_id), token, nx=True, ex=ttl) and redis.get(_lock_key(mailbox_id)) != token:
        result.skipped = True
        return result
    redis.expire(_lock_key(mailbox_id), ttl)
    try:
        with session_scope() as session:
            mailbox = get_mailbox(session, mailbox_id)
            session.expunge(mailbox)
        try:
            _poll(mailbox, result, idle_seconds, batch)
        except (IMAPClientError, OSError) as exc:
            result.error = f"IMAP: {exc}"[:500]
            log.warning("mailbox %s: %s", mailbox.name, result.error)
        with session_scope() as session:
            row = session.get(Mailbox, mailbox_id)
            if row is not None:
                row.last_polled_at, row.last_error = utcnow(), result.error
                row.uidvalidity, row.last_uid = mailbox.uidvalidity, mailbox.last_uid
                session.add(row)
    finally:
        if redis.get(_lock_key(mailbox_id)) == token:
            redis.delete(_lock_key(mailbox_id))
    return result


def _poll(mailbox: Mailbox, result: PollResult, idle_seconds: float, batch: int) -> None:
    deadline = time.monotonic() + idle_seconds
    with connect(mailbox) as client:
        info = client.select_folder(mailbox.folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        if mailbox.uidvalidity != uidvalidity:
            # The server renumbered the folder: old UIDs mean nothing now (Message-IDs still catch repeats).
            mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
        can_idle = b"IDLE" in client.capabilities()
        can_move = b"MOVE" in client.capabilities()
        while True:
            uids = sorted(client.search(_pending_criteria(mailbox)))
            for start in range(0, len(uids), batch):
                cache.get_redis().expire(_lock_key(mailbox.id), LOCK_SLACK_SECONDS + int(max(0.0, idle_seconds)))
                _ingest_batch(client, mailbox, uids[start:start + batch], result, can_move)
            remaining = deadline - time.monotonic()
            if not can_idle or remaining <= 1:
                return
            client.idle()
            try:
                responses = client.idle_check(timeout=min(remaining, 29 * 60))
            finally:
                client.idle_done()
            if not responses and deadline - time.monotonic() <= 1:
                return


def _ingest_batch(client: IMAPClient, mailbox: Mailbox, uids: list[int], result: PollResult,
                  can_move: bool) -> None:
    fetched = client.fetch(uids, ["BODY.PEEK[]"])
    done: list[int] = []
    failed: list[int] = []
    try:
        with jobs.dispatch_later():  # the batch's acknowledgement and triage jobs go to Celery together
            for uid in uids:
                raw = (fetched.get(uid) or {}).get(b"BODY[]")
                if raw is None:  # expunged meanwhile by someone else
                    continue
                result.fetched += 1
                try:
                    with session_scope() as session:
                        outcome = intake.ingest(session, raw, mailbox_id=mailbox.id)
                except OperationalError:
                    raise  # the database is away: stop; everything not yet flagged is fetched again next time
                except Exception:  # noqa: BLE001 - one unreadable message must not block the mailbox
                    log.exception("mailbox %s: message UID %s could not be filed; flagged %s", mailbox.name, uid,
                                  FAILED)
                    failed.append(uid)
                    result.failed += 1
                    continue
                result.count(outcome.outcome)
                done.append(uid)
    finally:
        # Only what committed: flagged or moved after the database has it.
        _mark(client, mailbox, done, can_move)
        if failed:
            client.add_flags(failed, [FAILED])
        if done:
            mailbox.last_uid = max(mailbox.last_uid, *done)


def _mark(client: IMAPClient, mailbox: Mailbox, uids: list[int], can_move: bool) -> None:
    if not uids:
        return
    client.add_flags(uids, [INGESTED])
    if mailbox.processed_folder:
        if can_move:
            client.move(uids, mailbox.processed_folder)
        else:
            client.copy(uids, mailbox.processed_folder)
            client.delete_messages(uids)
            client.uid_expunge(uids)


def active_mailbox_ids(session: Session) -> list[int]:
    return list(session.exec(select(Mailbox.id).where(Mailbox.is_active).order_by(Mailbox.id)).all())
