"""Account and structure administration: invitations, edits, deactivation, CSV import, teams, the category tree."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from helpdesk.identity import accounts, auth, organisation
from helpdesk.identity.directory import category_options
from helpdesk.models import AuditLog, Category, OutboxJob, User
from tests.factories import PASSWORD, Org


def test_only_admins_manage_people_and_structure(org: Org) -> None:
    for user_id in (org.alice, org.hank, org.mona):
        actor = org.actor(user_id)
        with session_scope() as session:
            for call in (lambda s, a=actor: accounts.search_users(s, a),
                         lambda s, a=actor: accounts.invite_user(s, a, email="x@example.org", full_name="X"),
                         lambda s, a=actor: organisation.list_teams(s, a),
                         lambda s, a=actor: organisation.save_category(s, a, category_id=None, name="New")):
                with pytest.raises(PermissionDenied):
                    call(session)


def test_invite_creates_an_account_without_a_password_and_mails_a_link(org: Org) -> None:
    root = org.actor(org.root)
    with session_scope() as session, pytest.raises(ValidationFailed) as bad:
        accounts.invite_user(session, root, email="alice@example.org", full_name="", role="boss", team_ids=[999999])
    assert set(bad.value.field_errors) == {"email", "full_name", "role", "team_ids"}
    with session_scope() as session:
        user = accounts.invite_user(session, root, email="New.Person@Example.org", full_name="New Person",
                                    role="agent", team_ids=[org.hardware_team])
        user_id = user.id
    with session_scope() as session:
        assert session.exec(select(OutboxJob.task_name)).all() == ["email.password_link"]
        assert session.exec(select(AuditLog.action).where(AuditLog.entity_id == str(user_id))
                            .order_by(AuditLog.id)).all() == ["user.create", "user.invite"]
        row = accounts.get_user(session, root, user_id)
    assert row["invited"] and row["email"] == "new.person@example.org" and row["teams"] == ["Hardware"]
    with pytest.raises(NotAuthenticated):
        auth.login("new.person@example.org", "!invited")


def test_search_pages_by_name_with_a_cursor(org: Org) -> None:
    root = org.actor(org.root)
    with session_scope() as session:
        session.add_all([User(email=f"p{i:03}@example.org", full_name=f"Person {i:03}", password_hash="!",
                              role="requester") for i in range(60)])
    with session_scope() as session:
        first = accounts.search_users(session, root, query="person")
        second = accounts.search_users(session, root, query="person", after=first.next_cursor)
        third = accounts.search_users(session, root, query="person", after=second.next_cursor)
        assert first.total == 60 and len(first.rows) == 25 and third.next_cursor is None
        names = [r["full_name"] for r in first.rows + second.rows + third.rows]
        assert names == sorted(names) and len(set(names)) == 60
        assert accounts.search_users(session, root, query="p00%").total == 0  # % is matched literally
        assert [r["email"] for r in accounts.search_users(session, root, role="manager").rows] == ["mona@example.org"]


def test_edit_role_and_teams_applies_at_once_and_the_last_admin_stays(org: Org) -> None:
    root = org.actor(org.root)
    token = auth.login("alice@example.org", PASSWORD).token
    with session_scope() as session:
        assert auth.actor_for_token(session, token).role == "requester"
        accounts.update_user(session, root, org.alice, full_name="Alice Agent", role="agent",
                             team_ids=[org.access_team])
    with session_scope() as session:
        actor = auth.actor_for_token(session, token)  # the cached actor was dropped
        assert (actor.role, actor.team_ids, actor.full_name) == ("agent", (org.access_team,), "Alice Agent")
        details = session.exec(select(AuditLog.details).where(AuditLog.action == "user.update")).one()
        assert details["role"] == {"from": "requester", "to": "agent"}
    with session_scope() as session, pytest.raises(ValidationFailed) as own:
        accounts.update_user(session, root, org.root, full_name="Root Admin", role="agent", team_ids=[])
    assert "own administrator role" in own.value.field_errors["role"]
    with session_scope() as session, pytest.raises(ValidationFailed):
        accounts.set_active(session, root, org.root, False)


def test_deactivation_ends_sessions_and_reactivation_lets_them_back(org: Org) -> None:
    root = org.actor(org.root)
    token = auth.login("bob@example.org", PASSWORD).token
    with session_scope() as session:
        accounts.set_active(session, root, org.bob, False)
    with pytest.raises(NotAuthenticated):
        auth.user_id_for_token(token)
    with pytest.raises(NotAuthenticated):
        auth.login("bob@example.org", PASSWORD)
    with session_scope() as session:
        accounts.set_active(session, root, org.bob, True)
    assert auth.login("bob@example.org", PASSWORD).actor.user_id == org.bob


CSV = """email,full_name,role,teams,department
sara@example.org,Sara Lee,agent,Hardware;Access,IT
alice@example.org,Alice Again,requester,,
tom@example.org,Tom Tee,,,Finance
"""


def test_csv_import_previews_then_imports_all_or_nothing(org: Org) -> None:
    root = org.actor(org.root)
    with session_scope() as session:
        preview = accounts.import_csv(session, root, CSV + "bad-address,Someone,wizard,Nope,\n", apply=False)
    assert [r["action"] for r in preview.rows] == ["create", "skip", "create", "error"]
    assert "Unknown team: Nope" in preview.rows[3]["problem"]
    with session_scope() as session, pytest.raises(ValidationFailed) as refused:
        accounts.import_csv(session, root, CSV + "bad-address,Someone,wizard,Nope,\n", apply=True)
    assert "nothing was imported" in refused.value.field_errors["csv"]
    with session_scope() as session:
        assert session.exec(select(User).where(User.email == "sara@example.org")).first() is None
        imported = accounts.import_csv(session, root, CSV, apply=True)
    assert imported.created == 2
    with session_scope() as session:
        sara = session.exec(select(User).where(User.email == "sara@example.org")).one()
        assert accounts.get_user(session, root, sara.id)["teams"] == ["Access", "Hardware"]
        assert len(session.exec(select(OutboxJob).where(OutboxJob.task_name == "email.password_link")).all()) == 2
    with session_scope() as session, pytest.raises(ValidationFailed) as no_header:
        accounts.import_csv(session, root, "a,b\n1,2\n", apply=False)
    assert "csv" in no_header.value.field_errors


def test_teams_members_lead_mode_and_availability(org: Org) -> None:
    root = org.actor(org.root)
    with session_scope() as session, pytest.raises(ValidationFailed) as bad:
        organisation.save_team(session, root, team_id=None, name="hardware", lead_id=org.alice,
                               assignment_mode="random")
    assert set(bad.value.field_errors) == {"name", "lead_id", "assignment_mode"}
    with session_scope() as session:
        team = organisation.save_team(session, root, team_id=None, name="Network", lead_id=org.hank,
                                      assignment_mode="round_robin")
        team_id = team.id
        organisation.add_member(session, root, team_id, org.hank)
        with pytest.raises(ValidationFailed):
            organisation.add_member(session, root, team_id, org.alice)  # a requester
    with session_scope() as session:
        organisation.set_availability(session, root, org.hank, False)
        row = next(t for t in organisation.list_teams(session, root) if t["id"] == team_id)
        assert (row["lead"], row["members"], row["available"]) == ("Hank Hardware", 1, 0)
        organisation.remove_member(session, root, team_id, org.hank)
    with session_scope() as session:
        row = next(t for t in organisation.list_teams(session, root) if t["id"] == team_id)
        assert row["lead_id"] is None and row["members"] == 0


def test_category_tree_moves_without_loops_and_archives_with_children(org: Org) -> None:
    root = org.actor(org.root)
    with session_scope() as session:
        category_options(session)  # warm the cache the ticket forms read
    with session_scope() as session, pytest.raises(ValidationFailed) as loop:
        organisation.save_category(session, root, category_id=org.hardware, name="Hardware", parent_id=org.laptops)
    assert "under itself" in loop.value.field_errors["parent_id"]
    with session_scope() as session:
        organisation.save_category(session, root, category_id=org.laptops, name="Laptops", parent_id=org.access,
                                   default_team_id=org.access_team)
    with session_scope() as session:
        paths = [c["path"] for c in organisation.category_tree(session, root)]
        assert paths == ["Access", "Access / Laptops", "Hardware"]
        assert "Access / Laptops" in [o["label"] for o in category_options(session)]  # cache was dropped
        organisation.set_category_archived(session, root, org.access, True)
    with session_scope() as session:
        assert not session.get(Category, org.laptops).is_active
        assert [o["label"] for o in category_options(session)] == ["Hardware"]
        with pytest.raises(ValidationFailed):
            organisation.set_category_archived(session, root, org.laptops, False)  # its parent is archived
        actions = session.exec(select(AuditLog.action).where(AuditLog.entity_type == "category")
                               .order_by(AuditLog.id)).all()
        assert actions == ["category.move", "category.archive"]
