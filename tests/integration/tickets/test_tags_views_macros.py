"""Tags, saved views, macros and the bulk actions built on them (issue #18), on real PostgreSQL and Redis."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.core import cache
from helpdesk.core import live_bus as live
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.validation import parse
from helpdesk.models import AuditLog, Comment, Team, Ticket, TicketEvent
from helpdesk.tickets import macros, saved_views, tags, tickets
from helpdesk.tickets.validation import (
    MacroActions,
    MacroChanges,
    MacroDraft,
    SavedViewChanges,
    SavedViewDraft,
    TicketChanges,
    ViewFilters,
)
from tests.factories import Org, add_agent, draft


def file_ticket(org: Org, category_id: int | None = None, title: str = "Laptop screen flickers",
                requester: int | None = None) -> int:
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(requester or org.alice),
                                     draft(title=title, category_id=category_id)).id


def make_lead(team_id: int, user_id: int) -> None:
    with session_scope() as session:
        team = session.get(Team, team_id)
        team.lead_id = user_id
        session.add(team)


def audit_actions(prefix: str) -> list[str]:
    with session_scope() as session:
        return list(session.exec(select(AuditLog.action).where(AuditLog.action.startswith(prefix))
                                 .order_by(AuditLog.id)).all())


def last_bus_kind() -> str:
    entries = cache.get_redis().xrevrange(live.stream_key(), count=1)
    return entries[0][1]["kind"] if entries else ""


def titles(org: Org, who: int, filters: tickets.TicketFilters) -> list[str]:
    with session_scope() as session:
        return [row["title"] for row in tickets.list_tickets(session, org.actor(who), filters).rows]


# ---------------------------------------------------------------- tags


def test_agents_tag_tickets_and_the_queue_filters_and_shows_them(org: Org) -> None:
    vpn = file_ticket(org, org.hardware, "VPN drops every hour")
    other = file_ticket(org, org.hardware, "Printer jams on tray two")
    version = live.current_version()
    with session_scope() as session:
        added = tags.add_tags(session, org.actor(org.hank), vpn, ["VPN", " Remote  Work ", "vpn"])
    assert added == ["vpn", "remote-work"]
    assert live.current_version() == version + 1 and last_bus_kind() == "tags"  # every open queue is told
    with session_scope() as session:
        assert tags.add_tags(session, org.actor(org.hank), vpn, ["vpn"]) == []  # it had it: nothing happens
        tags.add_tags(session, org.actor(org.hank), other, ["printer"])

    assert titles(org, org.hank, tickets.TicketFilters(tag="VPN")) == ["VPN drops every hour"]
    with session_scope() as session:
        rows = {r["title"]: r["tags"] for r in tickets.list_tickets(session, org.actor(org.hank),
                                                                     tickets.TicketFilters()).rows}
        assert rows == {"VPN drops every hour": ["remote-work", "vpn"], "Printer jams on tray two": ["printer"]}
        assert tickets.ticket_detail(session, org.actor(org.hank), vpn)["tags"] == ["remote-work", "vpn"]
        # Tags are IT's own labels: the requester's view of the ticket has none.
        assert tickets.ticket_detail(session, org.actor(org.alice), vpn)["tags"] == []
        history = session.exec(select(TicketEvent.kind, TicketEvent.new_value)
                               .where(TicketEvent.ticket_id == vpn, TicketEvent.field == "tags")).all()
        assert sorted(history) == [("tag_added", "remote-work"), ("tag_added", "vpn")]
    assert audit_actions("ticket.tags") == ["ticket.tags_add", "ticket.tags_add"]

    with session_scope() as session:
        assert tags.remove_tags(session, org.actor(org.hank), vpn, ["Remote Work", "never-there"]) == ["remote-work"]
    assert titles(org, org.hank, tickets.TicketFilters(tag="remote-work")) == []
    assert audit_actions("ticket.tags")[-1] == "ticket.tags_remove"


def test_tag_rules_and_suggestions(org: Org) -> None:
    first, second = file_ticket(org, org.hardware), file_ticket(org, org.laptops)
    access_ticket = file_ticket(org, org.access)
    with session_scope() as session:
        tags.add_tags(session, org.actor(org.hank), first, ["printer", "vpn"])
        tags.add_tags(session, org.actor(org.hank), second, ["vpn"])
        tags.add_tags(session, org.actor(org.ada), access_ticket, ["password"])
    for who, ticket_id, error in ((org.alice, first, PermissionDenied), (org.mona, first, PermissionDenied),
                                  (org.ada, first, NotFound)):
        with pytest.raises(error), session_scope() as session:
            tags.add_tags(session, org.actor(who), ticket_id, ["mine"])
    for bad in (["!!"], ["x" * 41], [""]):
        with pytest.raises(ValidationFailed) as caught, session_scope() as session:
            tags.add_tags(session, org.actor(org.hank), first, bad)
        assert "tags" in caught.value.field_errors
    with pytest.raises(ValidationFailed), session_scope() as session:
        tags.add_tags(session, org.actor(org.hank), first, [f"t{n}" for n in range(19)])  # 2 + 19 > 20
    with pytest.raises(ValidationFailed), session_scope() as session:
        tickets.list_tickets(session, org.actor(org.hank), tickets.TicketFilters(tag="no spaces? ok; but !!"))

    with session_scope() as session:
        hank = org.actor(org.hank)
        assert [s["name"] for s in tags.suggest(session, hank)] == ["vpn", "password", "printer"]  # most used first
        assert tags.suggest(session, hank, "pr") == [{"name": "printer", "uses": 1}]
        # Those starting with what was typed first, then those containing it.
        assert [s["name"] for s in tags.suggest(session, hank, "p")] == ["password", "printer", "vpn"]
        with pytest.raises(PermissionDenied):
            tags.suggest(session, org.actor(org.alice))


def test_bulk_add_tag_skips_closed_and_unseen_tickets(org: Org) -> None:
    first, tagged = file_ticket(org, org.hardware), file_ticket(org, org.laptops)
    closed, unseen = file_ticket(org, org.hardware), file_ticket(org, org.access)
    with session_scope() as session:
        tags.add_tags(session, org.actor(org.hank), tagged, ["outage"])
        tickets.update_ticket(session, org.actor(org.root), closed, TicketChanges(status="closed"))
    with session_scope() as session:
        result = tags.bulk_add(session, org.actor(org.hank), [first, tagged, closed, unseen], ["Outage"])
    assert (result.updated, result.unchanged) == ([first], [tagged])
    assert result.failed == {closed: "closed", unseen: "not found"}
    assert titles(org, org.hank, tickets.TicketFilters(tag="outage")) == ["Laptop screen flickers"] * 2
    assert audit_actions("ticket.bulk_tags_add") == ["ticket.bulk_tags_add"]


# ---------------------------------------------------------------- saved views


def view_draft(name: str, shared: bool = False, team_id: int | None = None, **filters: object) -> SavedViewDraft:
    return SavedViewDraft(name=name, shared=shared, team_id=team_id, filters=ViewFilters(**filters))


def view_names(org: Org, who: int) -> list[str]:
    with session_scope() as session:
        return [v["name"] for v in saved_views.list_views(session, org.actor(who))]


def test_personal_and_shared_views_follow_the_sharing_rule(org: Org) -> None:
    with session_scope() as session:
        mine = saved_views.create_view(session, org.actor(org.hank),
                                       view_draft("My VPN tickets", tag="vpn", assignee="me", sort="oldest")).id
    assert view_names(org, org.hank) == ["My VPN tickets"]
    assert view_names(org, org.ada) == []
    for who, team_id in ((org.hank, None), (org.hank, org.hardware_team), (org.ada, org.hardware_team)):
        with pytest.raises(PermissionDenied), session_scope() as session:
            saved_views.create_view(session, org.actor(who), view_draft("Team view", True, team_id))
    with pytest.raises(PermissionDenied), session_scope() as session:
        saved_views.create_view(session, org.actor(org.alice), view_draft("Requester view"))

    make_lead(org.hardware_team, org.hank)
    version = live.current_version()
    with session_scope() as session:
        saved_views.create_view(session, org.actor(org.hank),
                                view_draft("Hardware backlog", True, org.hardware_team, tab="new"))
    assert live.current_version() == version + 1 and last_bus_kind() == live.QUEUE_TOOLS_KIND
    with session_scope() as session:
        saved_views.create_view(session, org.actor(org.mona), view_draft("Everything breached", True,
                                                                          sla_state="breached", tab="all"))
    assert view_names(org, org.hank) == ["My VPN tickets", "Everything breached", "Hardware backlog"]
    assert view_names(org, org.ada) == ["Everything breached"]  # not on the hardware team
    assert view_names(org, org.mona) == ["Everything breached", "Hardware backlog"]

    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        saved_views.create_view(session, org.actor(org.hank), view_draft("my vpn TICKETS"))
    assert "name" in caught.value.field_errors
    with pytest.raises(ValidationFailed):
        parse(SavedViewDraft, {"name": "Bad tab", "filters": {"tab": "pending"}})
    with pytest.raises(NotFound), session_scope() as session:  # ada can't see hank's personal view
        saved_views.update_view(session, org.actor(org.ada), mine, SavedViewChanges(name="Taken"))
    with session_scope() as session:
        everything = next(v for v in saved_views.list_views(session, org.actor(org.hank)) if v["scope"] == "everyone")
        assert everything["can_edit"] is False
        with pytest.raises(PermissionDenied):
            saved_views.delete_view(session, org.actor(org.hank), everything["id"])
        saved_views.update_view(session, org.actor(org.hank), mine,
                                SavedViewChanges(name="My VPN", filters=ViewFilters(tag="vpn", tab="all")))
    with session_scope() as session:
        saved_views.delete_view(session, org.actor(org.hank), mine)
    assert view_names(org, org.hank) == ["Everything breached", "Hardware backlog"]
    assert audit_actions("saved_view.") == ["saved_view.create"] * 3 + ["saved_view.update", "saved_view.delete"]


def test_a_view_shows_each_person_their_own_me(org: Org) -> None:
    hank_ticket = file_ticket(org, org.hardware, "Hank's VPN ticket")
    other = add_agent(org.hardware_team, "hugo@example.org", "Hugo Hardware")
    hugo_ticket = file_ticket(org, org.hardware, "Hugo's VPN ticket")
    file_ticket(org, org.hardware, "Nobody's VPN ticket")
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), hank_ticket, TicketChanges(assignee_id=org.hank))
        tickets.update_ticket(session, org.actor(other), hugo_ticket, TicketChanges(assignee_id=other))
        filters = ViewFilters(assignee="me", query="VPN")
        view_id = saved_views.create_view(session, org.actor(org.mona),
                                          view_draft("Mine", True, **filters.model_dump())).id
        stored = ViewFilters.model_validate(saved_views.view_row(session, org.actor(org.hank), view_id)["filters"])
    assert titles(org, org.hank, saved_views.ticket_filters(stored, org.hank)) == ["Hank's VPN ticket"]
    assert titles(org, other, saved_views.ticket_filters(stored, other)) == ["Hugo's VPN ticket"]


# ---------------------------------------------------------------- macros


def macro_draft(name: str, personal: bool = True, team_id: int | None = None, **actions: object) -> MacroDraft:
    return MacroDraft(name=name, personal=personal, team_id=team_id, actions=MacroActions(**actions))


def test_a_macro_changes_fields_tags_and_replies_in_one_action(org: Org) -> None:
    ticket_id = file_ticket(org, org.hardware, "VPN drops every hour")
    with session_scope() as session:
        tags.add_tags(session, org.actor(org.hank), ticket_id, ["triage"])
        macro_id = macros.create_macro(session, org.actor(org.root), macro_draft(
            "Escalate VPN", personal=False, status="in_progress", priority="high", assignee="me",
            add_tags=["VPN"], remove_tags=["triage"],
            reply="Hi {{ requester.first_name }}, {{ agent.first_name }} is on #{{ ticket.number }} now.")).id
    assert last_bus_kind() == live.QUEUE_TOOLS_KIND
    with session_scope() as session:
        outcome = macros.apply_macro(session, org.actor(org.hank), macro_id, ticket_id)
    assert outcome.fields == ["assignee_id", "priority", "status"]
    assert (outcome.tags_added, outcome.tags_removed, outcome.replied) == (["vpn"], ["triage"], True)
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.status, ticket.priority, ticket.assignee_id) == ("in_progress", "high", org.hank)
        assert tickets.tag_names(session, ticket_id) == ["vpn"]
        reply = session.exec(select(Comment).where(Comment.ticket_id == ticket_id)).one()
        assert reply.body == f"Hi Alice, Hank is on #{ticket.number} now." and not reply.is_internal
        assert ticket.first_responded_at is not None  # the macro's reply is the first response
    assert "macro.apply" in audit_actions("macro.")
    assert {"ticket.update", "comment.create", "ticket.tags_add", "ticket.tags_remove"} <= set(audit_actions(""))


def test_macro_permissions_and_scopes(org: Org) -> None:
    hardware_ticket, access_ticket = file_ticket(org, org.hardware), file_ticket(org, org.access)
    with pytest.raises(PermissionDenied), session_scope() as session:  # shared macros are the admins'
        macros.create_macro(session, org.actor(org.hank), macro_draft("Shared", personal=False, priority="low"))
    with pytest.raises(PermissionDenied), session_scope() as session:
        macros.create_macro(session, org.actor(org.mona), macro_draft("Manager's", priority="low"))
    with session_scope() as session:
        personal = macros.create_macro(session, org.actor(org.hank), macro_draft("Mine", priority="low")).id
        access_only = macros.create_macro(session, org.actor(org.root), macro_draft(
            "Access only", personal=False, team_id=org.access_team, priority="critical")).id
    with session_scope() as session:
        assert [m["name"] for m in macros.list_macros(session, org.actor(org.hank))] == ["Mine"]
        assert [m["name"] for m in macros.list_macros(session, org.actor(org.ada))] == ["Access only"]
        assert [m["name"] for m in macros.list_macros(session, org.actor(org.ada), ticket_id=access_ticket)] == [
            "Access only"]
    with pytest.raises(NotFound), session_scope() as session:  # another agent's personal macro does not exist
        macros.apply_macro(session, org.actor(org.ada), personal, access_ticket)
    with pytest.raises(PermissionDenied), session_scope() as session:  # a team's macro on another team's ticket
        macros.apply_macro(session, org.actor(org.root), access_only, hardware_ticket)
    with pytest.raises(PermissionDenied), session_scope() as session:
        macros.apply_macro(session, org.actor(org.mona), access_only, access_ticket)
    with pytest.raises(PermissionDenied), session_scope() as session:
        macros.update_macro(session, org.actor(org.ada), access_only, MacroChanges(name="Renamed"))
    for bad in ({}, {"add_tags": ["vpn"], "remove_tags": ["VPN"]}):
        with pytest.raises(ValidationFailed):
            parse(MacroActions, bad)
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        macros.create_macro(session, org.actor(org.hank), macro_draft("Broken", reply="Hi {{ requester.firstname }}"))
    assert "requester.firstname" in caught.value.field_errors["reply"]
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        macros.create_macro(session, org.actor(org.hank), macro_draft("To a requester", assignee=str(org.alice)))
    assert "assignee" in caught.value.field_errors
    with session_scope() as session:
        macros.update_macro(session, org.actor(org.hank), personal, MacroChanges(name="Mine, renamed"))
        macros.delete_macro(session, org.actor(org.hank), personal)
        assert macros.list_macros(session, org.actor(org.hank)) == []
    assert audit_actions("macro.") == ["macro.create", "macro.create", "macro.update", "macro.delete"]


def test_a_macro_is_all_or_nothing_on_one_ticket(org: Org) -> None:
    ticket_id = file_ticket(org, org.hardware)
    with session_scope() as session:
        # Ada is not on the hardware team: the assignment is refused, so the reply is not sent either.
        macro_id = macros.create_macro(session, org.actor(org.root), macro_draft(
            "Give to Ada", personal=False, assignee=str(org.ada), reply="Ada will help you.")).id
    with pytest.raises(ValidationFailed), session_scope() as session:
        macros.apply_macro(session, org.actor(org.hank), macro_id, ticket_id)
    with session_scope() as session:
        assert session.exec(select(Comment).where(Comment.ticket_id == ticket_id)).all() == []
        assert session.get(Ticket, ticket_id).assignee_id is None


def test_a_macro_on_many_tickets_says_what_changed_and_why_some_were_skipped(org: Org) -> None:
    first, second = file_ticket(org, org.hardware), file_ticket(org, org.laptops)
    closed, unseen = file_ticket(org, org.hardware), file_ticket(org, org.access)
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), closed, TicketChanges(status="closed"))
        tickets.update_ticket(session, org.actor(org.hank), second, TicketChanges(priority="high"))
        macro_id = macros.create_macro(session, org.actor(org.hank), macro_draft(
            "Urgent hardware", priority="high", add_tags=["urgent"])).id
    with session_scope() as session:
        result = macros.apply_to_many(session, org.actor(org.hank), macro_id, [first, second, closed, unseen])
    assert result.updated == [first, second]  # the second already was high, but gained the tag
    assert result.failed == {closed: "closed", unseen: "not found"}
    with session_scope() as session:
        result = macros.apply_to_many(session, org.actor(org.hank), macro_id, [first, second])
    assert (result.updated, result.unchanged) == ([], [first, second])
    with session_scope() as session:
        assert session.get(Ticket, first).priority == "high"
        assert session.get(Ticket, closed).priority == "medium"
    assert audit_actions("macro.bulk_apply") == ["macro.bulk_apply"] * 2
