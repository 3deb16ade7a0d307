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
import smtplib
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from helpdesk.core import audit, cache, jobs, mailer
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.core.settings import get_settings
from helpdesk.email import intake
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import Category, EmailRecord, Mailbox, Team
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

# What an administrator edits; everything else on the row is the poller's bookkeeping.
SETTINGS_FIELDS = ("name", "address", "imap_host", "imap_port", "imap_tls", "username", "folder", "processed_folder",
                   "team_id", "category_id")
# A change of any of these points the poller at another folder: the remembered UIDs no longer mean anything there.
WHERE_FIELDS = ("imap_host", "imap_port", "imap_tls", "username", "folder")
CHECK_TIMEOUT_SECONDS = 10


def _require_admin(by: Actor) -> None:
    if not policy.is_admin(by) or by.scopes is not None:
        raise PermissionDenied("Only administrators manage mailboxes.")


def _port(value: object) -> int | None:
    try:
        port = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return port if 0 < port < 65536 else None


def _validated(session: Session, values: dict[str, Any], *, mailbox_id: int | None,
               secret_required: bool) -> dict[str, Any]:
    """The settings cleaned, or ValidationFailed with one message per field (what the form shows beside it)."""
    errors: dict[str, str] = {}
    name = str(values.get("name") or "").strip()
    address = str(values.get("address") or "").strip().lower()
    imap_host = str(values.get("imap_host") or "").strip()
    username = str(values.get("username") or "").strip()
    folder = str(values.get("folder") or "").strip()
    processed_folder = str(values.get("processed_folder") or "").strip()
    secret = str(values.get("secret") or "")
    port = _port(values.get("imap_port", 993))
    if not name or len(name) > 80:
        errors["name"] = N_("Give the mailbox a name of at most 80 characters.")
    else:
        clash = select(Mailbox.id).where(func.lower(Mailbox.name) == name.lower())
        if mailbox_id is not None:
            clash = clash.where(Mailbox.id != mailbox_id)
        if session.exec(clash).first() is not None:
            errors["name"] = N_("A mailbox with this name already exists.")
    local, _, domain = address.partition("@")
    if not local or "." not in domain or len(address) > 254 or any(c.isspace() for c in address):
        errors["address"] = N_("Enter the e-mail address people write to, like it@company.com.")
    if not imap_host or len(imap_host) > 255 or any(c.isspace() for c in imap_host):
        errors["imap_host"] = N_("Enter the IMAP server's host name.")
    if port is None:
        errors["imap_port"] = N_("Enter a port between 1 and 65535 (993 with TLS, 143 without).")
    if not username or len(username) > 254:
        errors["username"] = N_("Enter the IMAP user name.")
    if secret_required and not secret:
        errors["secret"] = N_("Enter the IMAP password.")
    if len(secret) > 500:
        errors["secret"] = N_("The password may have at most 500 characters.")
    if not folder or len(folder) > 200:
        errors["folder"] = N_("Enter the folder to read (usually INBOX).")
    if len(processed_folder) > 200:
        errors["processed_folder"] = N_("Use at most 200 characters.")
    elif processed_folder and processed_folder == folder:
        errors["processed_folder"] = N_("Filed mail must go to another folder than the one read (or leave it empty).")
    team_id, category_id = values.get("team_id"), values.get("category_id")
    if team_id is not None and session.get(Team, team_id) is None:
        errors["team_id"] = N_("Choose an existing team.")
    category = session.get(Category, category_id) if category_id is not None else None
    if category_id is not None and (category is None or not category.is_active):
        errors["category_id"] = N_("Choose an active category.")
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "address": address, "imap_host": imap_host, "imap_port": port,
            "imap_tls": bool(values.get("imap_tls", True)), "username": username, "secret": secret,
            "folder": folder, "processed_folder": processed_folder, "team_id": team_id, "category_id": category_id}


def _create(session: Session, values: dict[str, Any], *, actor_id: int | None, via: str) -> Mailbox:
    clean = _validated(session, values, mailbox_id=None, secret_required=True)
    mailbox = Mailbox(**clean)
    session.add(mailbox)
    session.flush()
    audit.record(session, "mailbox.create", actor_id=actor_id, entity_type="mailbox", entity_id=str(mailbox.id),
                 details={**{k: clean[k] for k in SETTINGS_FIELDS}, "via": via})
    return mailbox


def add_mailbox(session: Session, *, name: str, address: str, imap_host: str, username: str, secret: str,
                imap_port: int = 993, imap_tls: bool = True, folder: str = "INBOX", processed_folder: str = "",
                team_id: int | None = None, category_id: int | None = None) -> Mailbox:
    """Adds a mailbox on the operator's word (the command line, tests): no signed-in person, audited as such."""
    return _create(session, {"name": name, "address": address, "imap_host": imap_host, "imap_port": imap_port,
                             "imap_tls": imap_tls, "username": username, "secret": secret, "folder": folder,
                             "processed_folder": processed_folder, "team_id": team_id, "category_id": category_id},
                   actor_id=None, via="command line")


def create_mailbox(session: Session, by: Actor, values: dict[str, Any]) -> Mailbox:
    """An administrator adds a mailbox (`values`: SETTINGS_FIELDS and `secret`). It is read from the next poll on."""
    _require_admin(by)
    return _create(session, values, actor_id=by.user_id, via="console")


def update_mailbox(session: Session, by: Actor, mailbox_id: int, values: dict[str, Any]) -> Mailbox:
    """Changes a mailbox's settings; an empty `secret` keeps the stored password. Pointing it at another server,
    account or folder forgets the UID bookkeeping of the old one (Message-IDs still recognise repeats)."""
    _require_admin(by)
    mailbox = session.exec(select(Mailbox).where(Mailbox.id == mailbox_id).with_for_update()).first()
    if mailbox is None:
        raise NotFound(N_("No such mailbox."))
    clean = _validated(session, values, mailbox_id=mailbox_id, secret_required=False)
    changes: dict[str, Any] = {}
    for name in SETTINGS_FIELDS:
        if getattr(mailbox, name) != clean[name]:
            changes[name] = {"from": getattr(mailbox, name), "to": clean[name]}
            setattr(mailbox, name, clean[name])
    if clean["secret"] and clean["secret"] != mailbox.secret:
        mailbox.secret = clean["secret"]
        changes["secret"] = "changed"  # never the password itself
    if not changes:
        return mailbox
    if any(name in changes for name in WHERE_FIELDS):
        mailbox.uidvalidity, mailbox.last_uid = None, 0
    if changes.keys() & {*WHERE_FIELDS, "secret"}:
        mailbox.last_error = ""  # the old error was about the old settings
    session.add(mailbox)
    audit.record(session, "mailbox.update", actor_id=by.user_id, entity_type="mailbox", entity_id=str(mailbox.id),
                 details=changes)
    return mailbox


def set_mailbox_active(session: Session, by: Actor, mailbox_id: int, active: bool) -> Mailbox:
    """Enables or disables reading a mailbox: the beat polls only enabled ones; mail waits on the server meanwhile."""
    _require_admin(by)
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise NotFound(N_("No such mailbox."))
    if mailbox.is_active != bool(active):
        mailbox.is_active = bool(active)
        session.add(mailbox)
        audit.record(session, "mailbox.enable" if active else "mailbox.disable", actor_id=by.user_id,
                     entity_type="mailbox", entity_id=str(mailbox.id), details={"name": mailbox.name})
    return mailbox


def _public(mailbox: Mailbox, teams: dict[int, str], categories: dict[int, str],
            held: dict[int, int]) -> dict[str, Any]:
    """A mailbox as an administrator sees it: whether a password is stored, never the password."""
    row = mailbox.model_dump(exclude={"secret"})
    row["has_secret"] = bool(mailbox.secret)
    row["team"] = teams.get(mailbox.team_id, "") if mailbox.team_id is not None else ""
    row["category"] = categories.get(mailbox.category_id, "") if mailbox.category_id is not None else ""
    row["held"] = held.get(mailbox.id, 0)
    return row


def list_mailboxes(session: Session, by: Actor | None = None) -> list[dict[str, Any]]:
    """Every mailbox, without its secret. With `by`, for that administrator (the console, REST); without, for the
    operator's command line."""
    if by is not None:
        _require_admin(by)
    teams = dict(session.exec(select(Team.id, Team.name)).all())
    categories = dict(session.exec(select(Category.id, Category.name)).all())
    held = dict(session.exec(select(EmailRecord.mailbox_id, func.count()).where(EmailRecord.outcome == "held")
                             .group_by(EmailRecord.mailbox_id)).all())
    return [_public(m, teams, categories, held)
            for m in session.exec(select(Mailbox).order_by(func.lower(Mailbox.name))).all()]


def mailbox_details(session: Session, by: Actor, mailbox_id: int) -> dict[str, Any]:
    _require_admin(by)
    mailbox = get_mailbox(session, mailbox_id)
    return next(row for row in list_mailboxes(session, by) if row["id"] == mailbox.id)


def overview(session: Session, by: Actor) -> dict[str, int]:
    """Counts for the console's start page."""
    _require_admin(by)
    count = select(func.count()).select_from(Mailbox)
    return {
        "mailboxes": session.exec(count).one(),
        "mailboxes_active": session.exec(count.where(Mailbox.is_active)).one(),
        "mailboxes_failing": session.exec(count.where(Mailbox.is_active, Mailbox.last_error != "")).one(),
        "held": session.exec(select(func.count()).select_from(EmailRecord)
                             .where(EmailRecord.outcome == "held")).one(),
    }


def get_mailbox(session: Session, mailbox_id: int) -> Mailbox:
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise NotFound(N_("No such mailbox."))
    return mailbox


@contextmanager
def connect(mailbox: Mailbox, timeout: float = IMAP_TIMEOUT_SECONDS) -> Iterator[IMAPClient]:
    client = IMAPClient(mailbox.imap_host, port=mailbox.imap_port, ssl=mailbox.imap_tls, timeout=timeout)
    try:
        client.login(mailbox.username, mailbox.secret)
        yield client
    finally:
        with suppress(IMAPClientError, OSError):
            client.logout()


def check_connection(mailbox: Mailbox, timeout: float = IMAP_TIMEOUT_SECONDS) -> str:
    """Signs in and opens the folder; a sentence saying what is there, or raises with what went wrong."""
    with connect(mailbox, timeout) as client:
        try:
            info = client.select_folder(mailbox.folder, readonly=True)
        except IMAPClientError as exc:
            raise IMAPClientError(f"the folder {mailbox.folder!r} could not be opened: {_said(exc)}") from exc
        waiting = len(client.search(_pending_criteria(mailbox)))
        idle = "offers IDLE" if b"IDLE" in client.capabilities() else "no IDLE (polled)"
    return f"{mailbox.folder}: {info.get(b'EXISTS', 0)} messages, {waiting} waiting to be filed; the server {idle}."


@dataclass(frozen=True)
class ConnectionReport:
    """What "Test connection" found: the mailbox's IMAP server with its stored settings, and the SMTP server the
    helpdesk sends its replies through. `smtp_ok` is None when no SMTP server is configured."""

    imap_ok: bool
    imap: str
    smtp_ok: bool | None
    smtp: str

    @property
    def ok(self) -> bool:
        return self.imap_ok and self.smtp_ok is True


def _said(exc: BaseException) -> str:
    """The server's (or the network's) own words, without Python's bytes-literal wrapping."""
    text = str(exc) or type(exc).__name__
    for prefix in ("b'", 'b"'):
        if text.startswith(prefix) and text.endswith(prefix[-1]):
            text = text[2:-1]
    return " ".join(text.split())[:300]


def _network_problem(where: str, exc: BaseException, timeout: float) -> str:
    if isinstance(exc, socket.gaierror):
        return f"{where}: the host name could not be resolved ({_said(exc)})."
    if isinstance(exc, TimeoutError):
        return f"{where}: no answer within {timeout:g} s (wrong host or port, or a firewall drops the connection)."
    if isinstance(exc, ConnectionRefusedError):
        return f"{where}: the connection was refused ({_said(exc)}); nothing listens on that port."
    if isinstance(exc, ssl.SSLError):
        return f"{where}: TLS failed ({_said(exc)}); check whether the server expects TLS on this port."
    return f"{where}: {_said(exc)}"


def try_connection(by: Actor, mailbox_id: int, timeout: float = CHECK_TIMEOUT_SECONDS) -> ConnectionReport:
    """Really signs in to the mailbox's IMAP server with its stored settings and opens its folder (read-only), and
    greets the SMTP server replies go out through (signing in as configured, sending nothing). Changes no mail.

    It opens its own short transactions, so no database connection waits on a slow server."""
    _require_admin(by)
    with session_scope() as session:
        mailbox = get_mailbox(session, mailbox_id)
        session.expunge(mailbox)
    where = f"IMAP {mailbox.imap_host}:{mailbox.imap_port}{' (TLS)' if mailbox.imap_tls else ''}"
    try:
        imap_ok, imap = True, f"{where}: signed in as {mailbox.username}. " + check_connection(mailbox, timeout)
    except LoginError as exc:
        imap_ok, imap = False, f"{where}: the server refused the sign-in as {mailbox.username}: {_said(exc)}"
    except IMAPClientError as exc:
        imap_ok, imap = False, f"{where}: {_said(exc)}"
    except (OSError, ssl.SSLError) as exc:
        imap_ok, imap = False, _network_problem(where, exc, timeout)
    settings = get_settings()
    smtp_where = f"SMTP {settings.smtp_host}:{settings.smtp_port}"
    try:
        smtp_ok, smtp = True, "SMTP " + mailer.check_connection(timeout)
    except LookupError as exc:
        smtp_ok, smtp = None, str(exc)
    except smtplib.SMTPResponseException as exc:
        smtp_ok, smtp = False, f"{smtp_where}: the server answered {exc.smtp_code} {_said(exc.smtp_error)}"
    except smtplib.SMTPException as exc:
        smtp_ok, smtp = False, f"{smtp_where}: {_said(exc)}"
    except OSError as exc:
        smtp_ok, smtp = False, _network_problem(smtp_where, exc, timeout)
    report = ConnectionReport(imap_ok, imap, smtp_ok, smtp)
    with session_scope() as session:
        audit.record(session, "mailbox.test_connection", actor_id=by.user_id, entity_type="mailbox",
                     entity_id=str(mailbox_id), details={"imap_ok": imap_ok, "smtp_ok": smtp_ok})
    return report


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
