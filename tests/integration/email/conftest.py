"""The e-mail tests' MTA stamps `Authentication-Results: mx.test; ...`: trust that authserv-id (and only it)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

EMAIL_ENV = {"EMAIL_TRUSTED_AUTHSERV_IDS": '["mx.test"]', "EMAIL_ALLOWED_DOMAINS": '["example.org"]',
             "MAIL_FROM": "IT Helpdesk <helpdesk@example.org>"}


@pytest.fixture(autouse=True, scope="session")
def email_settings() -> Iterator[None]:
    from helpdesk.core import settings

    saved = {k: os.environ.get(k) for k in EMAIL_ENV}
    os.environ.update(EMAIL_ENV)
    settings.reset_settings_cache()
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    settings.reset_settings_cache()


@pytest.fixture
def mailbox(org, dovecot) -> int:  # noqa: ANN001
    """A mailbox row for the test Dovecot's INBOX (tests/conftest.py), routed to the hardware team; the server
    starts empty."""
    from helpdesk.core.db import session_scope
    from helpdesk.email import mailboxes

    dovecot.empty()
    with session_scope() as session:
        return mailboxes.add_mailbox(
            session, name="IT inbox", address=dovecot.USER, imap_host="127.0.0.1", imap_port=dovecot.port,
            imap_tls=False, username=dovecot.USER, secret=dovecot.PASSWORD, team_id=org.hardware_team).id
