"""Set-password links: "Forgot password" resets and invitations of new accounts.

A link carries `<id>.<expiry>.<signature>`: the signature (HMAC-SHA256 with SECRET_KEY) covers the row, its person,
purpose and expiry, so a link cannot be forged or stretched, and the link itself is never stored (the e-mail job
re-derives it from the row). It works once: using it marks the row used, and also every other open link of that
person. A new password ends all of that person's sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import func, update
from sqlmodel import Session, select

from helpdesk.core import app_settings, audit, jobs
from helpdesk.core.errors import ValidationFailed
from helpdesk.core.i18n import N_, NF_
from helpdesk.core.mailer import OutgoingMail
from helpdesk.core.settings import get_settings
from helpdesk.identity.actor import forget_actor
from helpdesk.identity.passwords import MIN_PASSWORD_LENGTH, hash_password
from helpdesk.models import PasswordReset, User
from helpdesk.models.base import utcnow

RESET = "reset"
INVITE = "invite"
LIFETIME = {RESET: timedelta(hours=1), INVITE: timedelta(days=7)}
# At most this many reset e-mails per person per hour: the form cannot be used to flood someone's inbox.
MAX_RESETS_PER_HOUR = 3
RESET_PATH = "/reset-password"
BAD_LINK = N_("This link is not valid any more: it was used already, or it expired. Ask for a new one.")
REQUESTED = N_("If an active account has that address, we have sent it a link to choose a new password. "
               "The link works once, within an hour.")


def _signature(reset: PasswordReset) -> str:
    message = f"{reset.id}.{reset.user_id}.{reset.purpose}.{int(reset.expires_at.timestamp())}".encode()
    digest = hmac.new(get_settings().secret_key.encode(), b"password-link:" + message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def link_token(reset: PasswordReset) -> str:
    return f"{reset.id}.{int(reset.expires_at.timestamp())}.{_signature(reset)}"


def link_url(reset: PasswordReset) -> str:
    return f"{get_settings().public_url.rstrip('/')}{RESET_PATH}?token={quote(link_token(reset))}"


def _issue(session: Session, user: User, purpose: str) -> PasswordReset:
    reset = PasswordReset(user_id=user.id, purpose=purpose, expires_at=utcnow() + LIFETIME[purpose])
    session.add(reset)
    session.flush()
    jobs.enqueue(session, "email.password_link", "email", {"reset_id": reset.id}, priority=2)
    return reset


def request_reset(session: Session, email: str, ip_address: str = "") -> str:
    """Sends a reset link if the address belongs to an active person; the answer is the same either way."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationFailed({"email": N_("Enter your e-mail address.")})
    user = session.exec(select(User).where(func.lower(User.email) == email)).first()
    audit.record(session, "auth.password_reset_requested", actor_id=None, entity_type="user",
                 entity_id=str(user.id) if user else email, ip_address=ip_address)
    if user is None or not user.is_active or user.is_service_account:
        return REQUESTED
    recent = session.exec(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.purpose == RESET,
        PasswordReset.created_at > utcnow() - timedelta(hours=1))).one()
    if recent < MAX_RESETS_PER_HOUR:
        _issue(session, user, RESET)
    return REQUESTED


def invite(session: Session, user: User, by_id: int | None) -> PasswordReset:
    """An invitation e-mail with a set-password link for a new account (helpdesk/identity/accounts.py)."""
    reset = _issue(session, user, INVITE)
    audit.record(session, "user.invite", actor_id=by_id, entity_type="user", entity_id=str(user.id))
    return reset


def link_mail(session: Session, reset_id: int) -> OutgoingMail | None:
    """The e-mail for a link (the e-mail job calls this); None when the link is no longer usable."""
    reset = session.get(PasswordReset, reset_id)
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    user = session.get(User, reset.user_id)
    if user is None or not user.is_active:
        return None
    organisation = app_settings.value(session, "organisation_name")
    url = link_url(reset)
    if reset.purpose == INVITE:
        subject = f"You are invited to the {organisation} helpdesk"
        body = (f"Hello {user.full_name},\n\nAn account has been made for you on the {organisation} helpdesk.\n"
                f"Choose your password here (the link works once, within 7 days):\n\n{url}\n\n"
                f"Then sign in with {user.email}.\n\n{organisation}\n")
    else:
        subject = "Choose a new helpdesk password"
        body = (f"Hello {user.full_name},\n\nSomeone (hopefully you) asked to reset the password of {user.email}.\n"
                f"Choose a new one here (the link works once, within an hour):\n\n{url}\n\n"
                "If you did not ask, ignore this e-mail: your password stays as it is.\n\n"
                f"{organisation}\n")
    return OutgoingMail(to=[user.email], subject=subject, body=body)


def check_link(session: Session, token: str) -> tuple[PasswordReset, User]:
    """The open link and its person; a forged, used or expired link is refused with one message."""
    refused = ValidationFailed({"token": BAD_LINK}, BAD_LINK)
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise refused
    reset = session.get(PasswordReset, int(parts[0]))
    if reset is None or not hmac.compare_digest(_signature(reset), parts[2]) \
            or int(reset.expires_at.timestamp()) != int(parts[1]):
        raise refused
    user = session.get(User, reset.user_id)
    if reset.used_at is not None or reset.expires_at <= utcnow() or user is None or not user.is_active:
        raise refused
    return reset, user


def set_password(session: Session, token: str, password: str, confirm: str, ip_address: str = "") -> User:
    """Sets the password a link was for; ends every session of that person (helpdesk/identity/auth.py)."""
    from helpdesk.identity.auth import end_all_sessions

    reset, user = check_link(session, token)
    errors = {}
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = NF_("Use at least {count} characters.", count=MIN_PASSWORD_LENGTH)
    elif len(password) > 1000:
        errors["password"] = N_("Use at most 1000 characters.")
    elif password != confirm:
        errors["confirm"] = N_("The two passwords differ.")
    if errors:
        raise ValidationFailed(errors)
    now = utcnow()
    user.password_hash = hash_password(password)
    session.add(user)
    # This link and every other open link of this person stop working.
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                    .values(used_at=now))
    audit.record(session, "auth.password_set" if reset.purpose == INVITE else "auth.password_reset",
                 actor_id=user.id, entity_type="user", entity_id=str(user.id), ip_address=ip_address)
    forget_actor(user.id)
    end_all_sessions(user.id)
    return user
