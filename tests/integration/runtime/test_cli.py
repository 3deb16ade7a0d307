"""The `helpdesk` command's account and migration commands on the test database."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import User
from helpdesk.runtime.cli import main


def test_createuser_creates_an_account_that_can_sign_in(clean_db) -> None:  # noqa: ANN001
    from helpdesk.identity import auth

    result = CliRunner().invoke(main, ["createuser", "--email", "Lead@Example.org", "--name", "IT Lead",
                                       "--role", "admin", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    assert "Created admin lead@example.org" in result.output
    assert auth.login("lead@example.org", "a-long-password").actor.role == "admin"


def test_createuser_explains_bad_input_and_creates_nothing(clean_db) -> None:  # noqa: ANN001
    result = CliRunner().invoke(main, ["createuser", "--email", "not-an-email", "--name", "X",
                                       "--password", "short"])
    assert result.exit_code == 2
    assert "email: Enter a valid e-mail address." in result.output
    assert "password: Use at least 10 characters." in result.output
    with session_scope() as session:
        assert session.exec(select(User)).all() == []


def test_migrate_is_idempotent(test_env) -> None:  # noqa: ANN001
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 0 and "up to date" in result.output
