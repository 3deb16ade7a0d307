"""The RBAC matrix: for every Reflex event handler and every HTTP route, what each role may do.

Every entry is tried by every role against OTHER people's things (tests/security/world.py): Bob's tickets (in the
Hardware queue: another team's for Ada, the agent; and in the Access queue, Ada's team), Hank's draft article and
personal canned response, Bob's API token, Max's report export, a service account's token.

What a role may do, per entry:
- DENY:  refused. The call changes nothing in the database, and nothing the role may not see reaches it
         (nothing in the state sent to the browser, nothing in the HTTP answer; HTTP answers 401/403/404).
- ALLOW: allowed on other people's things of this kind (`shows`: the answer must show the target's text;
         `writes`: the database must change; HTTP: the `ok` status).
- OWN:   allowed only on the role's own things: tried with other people's, it is a refusal (as DENY).
- TEAM:  agents: allowed on their team's tickets (tried with Bob's Access ticket, as ALLOW), refused on another
         team's (Bob's Hardware ticket, as DENY).
- LOCAL: changes only what this browser tab shows (form fields, dialogs, filters kept in the tab): for every role,
         nothing is stored and nothing the role may not see comes back.
Whatever the verdict, no call may raise (a handler's exception is a server error) and nothing the role may never
see (world.secrets_for) may reach it.

Placeholders in pages, arguments and paths ("{ticket}", "{kb_draft}", ...) are filled from the world for the
role (see `World.placeholders`). A new handler or route fails `test_every_*_is_declared` until it is added here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DENY, ALLOW, OWN, TEAM, LOCAL = "deny", "allow", "own", "team", "local"
ROLES = ("anonymous", "requester", "agent", "manager", "admin")


def who(anonymous: str = DENY, requester: str = DENY, agent: str = DENY, manager: str = DENY,
        admin: str = DENY) -> dict[str, str]:
    return {"anonymous": anonymous, "requester": requester, "agent": agent, "manager": manager, "admin": admin}


NOBODY = who()
EVERYONE = who(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)
TAB_ONLY = who(LOCAL, LOCAL, LOCAL, LOCAL, LOCAL)
SIGNED_IN = who(requester=ALLOW, agent=ALLOW, manager=ALLOW, admin=ALLOW)
IT_STAFF = who(agent=ALLOW, manager=ALLOW, admin=ALLOW)  # everyone in IT: also who writes the knowledge base
WORKS_OWN_TICKETS = who(agent=ALLOW, admin=ALLOW)  # things about oneself that only ticket workers have
REPORT_READERS = who(manager=ALLOW, admin=ALLOW)
ADMINS = who(admin=ALLOW)
# One ticket: its requester reads and replies; agents on its team read and work it; managers read every ticket and
# change none; admins do everything.
TICKET_READERS = who(requester=OWN, agent=TEAM, manager=ALLOW, admin=ALLOW)
TICKET_STAFF_READERS = who(agent=TEAM, manager=ALLOW, admin=ALLOW)  # the staff side of a ticket
TICKET_WORKERS = who(agent=TEAM, admin=ALLOW)
TICKET_REPLIERS = who(requester=OWN, agent=TEAM, admin=ALLOW)


@dataclass(frozen=True)
class Num:
    """A number argument: the placeholder's value as an int."""

    template: str


@dataclass(frozen=True)
class On:
    """A Reflex event handler: how a browser calls it, and who may."""

    access: dict[str, str]
    page: str = "/"  # where the browser is; "/tickets/{ticket}" gives the handler the ticket's page params
    args: dict[str, Any] = field(default_factory=dict)
    before: tuple[tuple[str, dict[str, Any]], ...] = ()  # events the same tab sends first ("Class.handler", args)
    shows: str = ""  # for allowed callers: which target text must come back ("ticket", "note", "kb", ...)
    writes: bool = False  # for allowed callers: the database changes
    refusal_writes: tuple[str, ...] = ()  # tables a refusal may still write (e.g. the audit log of a failed login)
    own_session: bool = False  # ends the session it runs in (sign-out): gets a session of its own
    why: str = ""


@dataclass(frozen=True)
class Http:
    """An HTTP route: one request, and who may make it."""

    access: dict[str, str]
    path: str = ""  # "" = the route's own path with its {placeholders} filled from the world
    json: Any = None
    query: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookie: bool = False  # the role's session as the pages' cookie (hd_session) instead of a bearer token
    ok: int = 200  # the status of an allowed call
    refused: tuple[int, ...] = (401, 403, 404)  # the statuses a refusal may have
    shows: str = ""
    writes: bool = False
    refusal_writes: tuple[str, ...] = ()
    own_session: bool = False
    why: str = ""


# A bulk change is audited even when every ticket in it was refused: who tried what, and why each failed.
BULK_AUDIT = ("audit_logs",)

TICKET_PAGE = "/tickets/{ticket}"
OTHER_TICKET_PAGE = "/tickets/{other_ticket}"

# ------------------------------------------------------------------------------------------- Reflex handlers

HANDLERS: dict[str, On] = {
    # -- the notification bell (each person's own notifications), filing for someone, solving, following, CCs
    "BellState.refresh": On(SIGNED_IN),
    "BellState.set_open": On(TAB_ONLY, args={"is_open": True}),
    "BellState.open_item": On(who(requester=OWN, agent=OWN, manager=OWN, admin=OWN),
                              args={"notification_id": "{ticket}"},
                              why="a notification id that is not the caller's marks nothing read"),
    "BellState.mark_all_read": On(SIGNED_IN),
    # -- the full list of one's own notifications (/notifications)
    "NotificationsState.on_load": On(SIGNED_IN, page="/notifications"),
    "NotificationsState.show": On(SIGNED_IN, page="/notifications", args={"view": "all"}),
    "NotificationsState.next_page": On(SIGNED_IN, page="/notifications"),
    "NotificationsState.previous_page": On(SIGNED_IN, page="/notifications"),
    "NotificationsState.refresh": On(SIGNED_IN, page="/notifications", args={"ping": 3}),
    "NotificationsState.mark_read": On(who(requester=OWN, agent=OWN, manager=OWN, admin=OWN), page="/notifications",
                                       args={"notification_id": "{ticket}"},
                                       why="a notification id that is not the caller's marks nothing read"),
    "NotificationsState.mark_all_read": On(SIGNED_IN, page="/notifications"),
    "FileForState.on_load": On(WORKS_OWN_TICKETS, page="/queue/new"),
    "FileForState.set_search": On(WORKS_OWN_TICKETS, page="/queue/new", args={"value": "Bob"}),
    "FileForState.choose": On(WORKS_OWN_TICKETS, page="/queue/new", args={"person_id": "{bob}"}),
    "FileForState.clear_person": On(TAB_ONLY, page="/queue/new"),
    "FileForState.set_new_person": On(TAB_ONLY, page="/queue/new", args={"value": True}),
    "FileForState.set_new_name": On(TAB_ONLY, page="/queue/new", args={"value": "Walk Up"}),
    "FileForState.set_new_email": On(TAB_ONLY, page="/queue/new", args={"value": "walk.up@example.org"}),
    "FileForState.set_channel": On(TAB_ONLY, page="/queue/new", args={"value": "phone"}),
    "FileForState.set_title": On(TAB_ONLY, page="/queue/new", args={"value": "Phoned in: printer"}),
    "FileForState.set_description": On(TAB_ONLY, page="/queue/new", args={"value": "The printer shows an error."}),
    "FileForState.set_priority": On(TAB_ONLY, page="/queue/new", args={"value": "low"}),
    "FileForState.set_category": On(TAB_ONLY, page="/queue/new", args={"value": "{laptops}"}),
    "FileForState.submit": On(WORKS_OWN_TICKETS, page="/queue/new",
                              why="with no person chosen it refuses at the form; filing itself is tried over REST"),
    "TicketState.set_solve_note": On(TAB_ONLY, page=TICKET_PAGE, args={"value": "Works now"}),
    "TicketState.mark_solved": On(who(requester=OWN), page=TICKET_PAGE),
    "TicketState.toggle_follow": On(who(agent=TEAM, manager=ALLOW, admin=ALLOW), page=TICKET_PAGE, writes=True,
                                    before=(("TicketState.on_load", {}),)),
    "TicketState.set_cc_email": On(TAB_ONLY, page=TICKET_PAGE, args={"value": "vic@example.org"}),
    "TicketState.add_cc": On(TICKET_REPLIERS, page=TICKET_PAGE),
    "TicketState.remove_cc": On(TICKET_REPLIERS, page=TICKET_PAGE, args={"user_id": "{victim}"}),
    # -- sign-in, sign-out, password links, the home redirect, not found
    "SessionState.require_signed_in": On(TAB_ONLY),
    "SessionState.require_staff_or_manager": On(TAB_ONLY),
    "SessionState.sign_out": On(TAB_ONLY, own_session=True, why="ends only the caller's own session (in Redis)"),
    # (Not `writes`: PATCH /api/v1/auth/me below has already set each role's language to Urdu when this runs, so
    # the same choice changes nothing; tests/e2e/test_urdu.py checks that the choice is saved.)
    "SessionState.choose_language": On(who(LOCAL, ALLOW, ALLOW, ALLOW, ALLOW), args={"language": "ur"},
                                       why="signed in: the caller's own language, saved with their account; signed "
                                           "out: only the tab's cookie"),
    "HomeRedirectState.go_home": On(TAB_ONLY),
    "NotFoundState.on_load": On(TAB_ONLY),
    "LoginState.redirect_if_signed_in": On(TAB_ONLY, page="/login"),
    "LoginState.submit": On(NOBODY, page="/login", args={"form_data": {"email": "{bob_email}",
                                                                        "password": "not Bob's password"}},
                            refusal_writes=("audit_logs",), why="signing in as Bob without his password"),
    "ForgotPasswordState.on_load": On(TAB_ONLY, page="/forgot-password"),
    "ForgotPasswordState.submit": On(EVERYONE, page="/forgot-password", args={"form_data": {"email": "{bob_email}"}},
                                     why="anyone may ask for a reset link; it goes to Bob's own mailbox"),
    "ResetPasswordState.on_load": On(NOBODY, page="/reset-password/{forged_link}"),
    "ResetPasswordState.submit": On(NOBODY, page="/reset-password/{forged_link}",
                                    args={"form_data": {"password": "a new password 123", "confirm":
                                                        "a new password 123"}}),
    "SatisfactionState.on_load": On(NOBODY, page="/satisfaction?ticket={ticket}&rating=good&sig=forged",
                                    why="a rating link with a forged signature"),
    "SatisfactionState.save_comment": On(NOBODY, page="/satisfaction?ticket={ticket}&rating=bad&sig=forged",
                                         args={"form": {"comment": "forged"}}),
    # -- live updates and presence
    "LiveState.watch_queue": On(IT_STAFF, page="/queue"),
    "LiveState.watch_my_tickets": On(SIGNED_IN, page="/portal"),
    "LiveState.watch_ticket": On(TICKET_READERS, page=TICKET_PAGE),
    "LiveState.stop_watching": On(TAB_ONLY),
    "TicketRoom.enter": On(TICKET_READERS, page=TICKET_PAGE),
    "TicketRoom.heartbeat": On(TAB_ONLY, page=TICKET_PAGE),
    "TicketRoom.typing": On(TAB_ONLY, page=TICKET_PAGE),
    "TicketRoom.leave": On(TAB_ONLY, page=TICKET_PAGE),
    # -- the portal
    "MyTicketsState.on_load": On(SIGNED_IN, page="/portal"),
    "MyTicketsState.show": On(SIGNED_IN, page="/portal", args={"view": "all"}),
    "MyTicketsState.next_page": On(SIGNED_IN, page="/portal"),
    "MyTicketsState.previous_page": On(SIGNED_IN, page="/portal"),
    "MyTicketsState.apply_change": On(SIGNED_IN, page="/portal",
                                      args={"version": 9_999_999_999, "ticket_id": Num("{ticket}")}),
    "NewTicketState.on_load": On(SIGNED_IN, page="/portal/new"),
    "NewTicketState.set_title": On(SIGNED_IN, page="/portal/new", args={"value": "Unreleased dock firmware "},
                                   why="deflection searches the KB as the person types: drafts must stay hidden"),
    "NewTicketState.set_description": On(SIGNED_IN, page="/portal/new",
                                         args={"value": "Unreleased dock firmware steps "}),
    "NewTicketState.set_impact": On(TAB_ONLY, page="/portal/new", args={"value": "high"}),
    "NewTicketState.set_urgency": On(TAB_ONLY, page="/portal/new", args={"value": "high"}),
    "NewTicketState.set_category": On(TAB_ONLY, page="/portal/new", args={"value": "{hardware}"}),
    "NewTicketState.solved_by": On(SIGNED_IN, page="/portal/new", args={"article_id": "{kb_draft}"},
                                   before=(("NewTicketState.set_title", {"value": "Connecting a dock please "}),)),
    "NewTicketState.submit": On(who(requester=ALLOW, agent=ALLOW, admin=ALLOW), page="/portal/new",
                                args={"files": []}, writes=True,
                                before=(("NewTicketState.set_title", {"value": "Monitor flickers in room 4"}),
                                        ("NewTicketState.set_description",
                                         {"value": "The monitor flickers every few seconds since this morning."}))),
    # -- the agent queue (lists are scoped by the domain: a requester's come back with their own tickets only)
    "QueueState.on_load": On(IT_STAFF, page="/queue"),
    "QueueState.set_status": On(SIGNED_IN, page="/queue", args={"value": "all"}),
    "QueueState.set_priority": On(SIGNED_IN, page="/queue", args={"value": "high"}),
    "QueueState.set_team": On(SIGNED_IN, page="/queue", args={"value": "{hardware_team}"}),
    "QueueState.set_assignee": On(SIGNED_IN, page="/queue", args={"value": "{hank}"}),
    "QueueState.set_category": On(SIGNED_IN, page="/queue", args={"value": "{hardware}"}),
    "QueueState.set_sla_state": On(SIGNED_IN, page="/queue", args={"value": "at_risk"}),
    "QueueState.set_query": On(SIGNED_IN, page="/queue", args={"value": "#{ticket_number}"}),
    "QueueState.set_sort": On(SIGNED_IN, page="/queue", args={"value": "oldest"}),
    "QueueState.clear_filters": On(SIGNED_IN, page="/queue"),
    "QueueState.refresh": On(SIGNED_IN, page="/queue"),
    "QueueState.next_page": On(SIGNED_IN, page="/queue"),
    "QueueState.previous_page": On(SIGNED_IN, page="/queue"),
    "QueueState.select_page": On(SIGNED_IN, page="/queue", args={"checked": True}),
    "QueueState.apply_change": On(SIGNED_IN, page="/queue",
                                  args={"version": 9_999_999_999, "ticket_id": Num("{ticket}")}),
    "QueueState.toggle_selected": On(TAB_ONLY, page="/queue", args={"ticket_id": "{ticket}"}),
    "QueueState.bulk_status": On(TICKET_WORKERS, page="/queue", args={"value": "waiting_on_customer"}, writes=True,
                                 refusal_writes=BULK_AUDIT,
                                 before=(("QueueState.toggle_selected", {"ticket_id": "{ticket}"}),)),
    "QueueState.bulk_assign": On(TICKET_WORKERS, page="/queue", args={"value": "me"}, writes=True,
                                 refusal_writes=BULK_AUDIT,
                                 before=(("QueueState.toggle_selected", {"ticket_id": "{ticket}"}),)),
    "QueueState.set_tag": On(SIGNED_IN, page="/queue", args={"value": "dock"}),
    "QueueState.filter_by_tag": On(SIGNED_IN, page="/queue", args={"value": "dock"}),
    "QueueState.bulk_priority": On(TICKET_WORKERS, page="/queue", args={"value": "critical"}, writes=True,
                                   refusal_writes=BULK_AUDIT,
                                   before=(("QueueState.toggle_selected", {"ticket_id": "{ticket}"}),)),
    "QueueState.bulk_team": On(TICKET_WORKERS, page="/queue", args={"value": "{elsewhere_team}"}, writes=True,
                               refusal_writes=BULK_AUDIT,
                               before=(("QueueState.toggle_selected", {"ticket_id": "{bulk_moving}"}),)),
    "QueueState.set_bulk_tag": On(TAB_ONLY, page="/queue", args={"value": "dock"}),
    "QueueState.bulk_add_tag": On(TICKET_WORKERS, page="/queue", writes=True, refusal_writes=BULK_AUDIT,
                                  before=(("QueueState.toggle_selected", {"ticket_id": "{ticket}"}),
                                          ("QueueState.set_bulk_tag", {"value": "matrix-{role}"}))),
    "QueueState.bulk_macro": On(NOBODY, page="/queue", args={"macro_id": "{macro_personal}"},
                                refusal_writes=BULK_AUDIT,
                                before=(("QueueState.toggle_selected", {"ticket_id": "{ticket}"}),),
                                why="Hank's personal macro is his alone"),
    "QueueState.assign_row_to_me": On(TICKET_WORKERS, page="/queue", args={"ticket_id": "{other_ticket}"},
                                      writes=True),
    "QueueState.apply_view": On(NOBODY, page="/queue", args={"view_id": "{view_personal}"},
                                why="Hank's personal saved view is his alone"),
    "QueueState.open_save_view": On(TAB_ONLY, page="/queue"),
    "QueueState.open_edit_view": On(TAB_ONLY, page="/queue"),
    "QueueState.close_view_dialog": On(TAB_ONLY, page="/queue", args={"open_": False}),
    "QueueState.set_view_name": On(TAB_ONLY, page="/queue", args={"value": "Mine"}),
    "QueueState.set_view_scope": On(TAB_ONLY, page="/queue", args={"value": "personal"}),
    "QueueState.save_view": On(IT_STAFF, page="/queue", writes=True,
                               before=(("QueueState.open_save_view", {}),
                                       ("QueueState.set_view_name", {"value": "Docks of the {role}"}),
                                       ("QueueState.set_view_scope", {"value": "personal"}))),
    "QueueState.update_active_view": On(NOBODY, page="/queue",
                                        before=(("QueueState.apply_view", {"view_id": "{view_personal}"}),),
                                        why="a view becomes the tab's active one only when its reader may open it"),
    "QueueState.delete_view": On(NOBODY, page="/queue",
                                 before=(("QueueState.apply_view", {"view_id": "{view_personal}"}),)),
    "QueueState.set_available": On(WORKS_OWN_TICKETS, page="/queue", args={"available": True}, writes=True,
                                   why="one's own availability (PUT /me/availability made them away)"),
    # -- one ticket
    "TicketState.on_load": On(TICKET_READERS, page=TICKET_PAGE, shows="ticket"),
    "TicketState.apply_change": On(TICKET_READERS, page=TICKET_PAGE, args={"version": 9_999_999_999},
                                   before=(("TicketState.tick", {}),)),
    "TicketState.tick": On(TAB_ONLY, page=TICKET_PAGE),
    "TicketState.set_reply": On(TAB_ONLY, page=TICKET_PAGE, args={"value": "Any news?"}),
    "TicketState.send_reply": On(TICKET_REPLIERS, page=TICKET_PAGE, writes=True, args={"files": []},
                                 before=(("TicketState.set_reply", {"value": "Any news on this?"}),)),
    "TicketState.add_note": On(TICKET_WORKERS, page=TICKET_PAGE, writes=True, args={"files": []},
                               before=(("TicketState.set_reply", {"value": "Checked the dock firmware."}),)),
    "TicketState.change_status": On(TICKET_WORKERS, page=TICKET_PAGE, args={"value": "in_progress"}, writes=True),
    "TicketState.change_priority": On(TICKET_WORKERS, page=TICKET_PAGE, args={"value": "medium"}, writes=True),
    "TicketState.change_category": On(TICKET_WORKERS, page=TICKET_PAGE, args={"value": "{laptops}"}),
    "TicketState.change_team": On(TICKET_WORKERS, page="/tickets/{moving}", args={"value": "{elsewhere_team}"},
                                  writes=True),
    "TicketState.change_assignee": On(TICKET_WORKERS, page=TICKET_PAGE, args={"value": "{me}"}),
    "TicketState.assign_to_me": On(TICKET_WORKERS, page=TICKET_PAGE),
    "TicketState.reopen": On(TICKET_REPLIERS, page=TICKET_PAGE),
    "TicketState.insert_canned": On(NOBODY, page=TICKET_PAGE, args={"response_id": "{canned_personal}"},
                                    why="Hank's personal canned response is his alone"),
    "TicketState.insert_article_link": On(TAB_ONLY, page=TICKET_PAGE, args={"article_id": "{kb_draft}"}),
    "TicketState.make_article": On(TICKET_WORKERS, page="/tickets/{resolving}", writes=True,
                                   before=(("TicketState.change_status", {"value": "resolved"}),),
                                   why="a draft article from a resolved ticket its worker may read"),
    "TicketState.set_link_number": On(TAB_ONLY, page=TICKET_PAGE, args={"value": "{other_ticket_number}"}),
    "TicketState.link_ticket": On(TICKET_WORKERS, page=TICKET_PAGE, writes=True,
                                  before=(("TicketState.set_link_number", {"value": "{other_ticket_number}"}),)),
    "TicketState.unlink_ticket": On(TICKET_WORKERS, page=TICKET_PAGE, args={"other_id": "{other_ticket}"}),
    "TicketState.set_merge_number": On(TAB_ONLY, page=TICKET_PAGE, args={"value": "{ticket_number}"}),
    "TicketState.merge_into": On(TICKET_WORKERS, page="/tickets/{merged_in_tab}", writes=True,
                                 before=(("TicketState.set_merge_number", {"value": "{ticket_number}"}),)),
    "TicketState.accept_ai": On(TICKET_WORKERS, page=TICKET_PAGE, args={"field": "category"}),
    "TicketState.dismiss_ai": On(TICKET_WORKERS, page=TICKET_PAGE, args={"field": "priority"}),
    "TicketState.rate": On(NOBODY, page=TICKET_PAGE, args={"rating": "bad"}, why="only the requester rates"),
    "TicketState.set_csat_comment": On(TAB_ONLY, page=TICKET_PAGE, args={"value": "slow"}),
    "TicketState.save_csat_comment": On(NOBODY, page=TICKET_PAGE,
                                        before=(("TicketState.set_csat_comment", {"value": "slow"}),)),
    # the ticket page's tags and macros
    "TicketToolsState.on_load": On(TICKET_STAFF_READERS, page=TICKET_PAGE),
    "TicketToolsState.apply_change": On(TICKET_STAFF_READERS, page=TICKET_PAGE, args={"version": 9_999_999_999},
                                        before=(("TicketToolsState.set_tag_input", {"value": "d"}),)),
    "TicketToolsState.set_tag_input": On(TAB_ONLY, page=TICKET_PAGE, args={"value": "do"}),
    "TicketToolsState.add_tag": On(TICKET_WORKERS, page=TICKET_PAGE, args={"name": "tools-{role}"}, writes=True),
    "TicketToolsState.submit_tag": On(TICKET_WORKERS, page=TICKET_PAGE, args={"form": {"tag": "form-{role}"}},
                                      writes=True),
    "TicketToolsState.remove_tag": On(TICKET_WORKERS, page=TICKET_PAGE, args={"name": "dock"}),
    "TicketToolsState.apply_macro": On(NOBODY, page=TICKET_PAGE, args={"macro_id": "{macro_personal}"},
                                       why="Hank's personal macro is his alone"),
    "SimilarState.load": On(TICKET_STAFF_READERS, page=TICKET_PAGE),
    "SimilarState.merge_duplicate": On(TICKET_WORKERS, page=TICKET_PAGE, before=(("SimilarState.load", {}),)),
    "AssistState.load": On(TICKET_WORKERS, page=TICKET_PAGE),
    "AssistState.summarise": On(TICKET_WORKERS, page=TICKET_PAGE, why="no LLM is configured in the tests"),
    "AssistState.suggest_reply": On(TICKET_WORKERS, page=TICKET_PAGE),
    # -- the knowledge base
    "KbHomeState.on_load": On(SIGNED_IN, page="/kb"),
    "KbHomeState.search": On(SIGNED_IN, page="/kb", args={"value": "unreleased dock firmware"}),
    "KbArticleState.on_load": On(IT_STAFF, page="/kb/{kb_draft_slug}", shows="kb",
                                 why="a draft: only the people who write the KB read it"),
    "KbArticleState.vote": On(SIGNED_IN, page="/kb/{kb_published_slug}", writes=True,
                              before=(("KbArticleState.on_load", {}),), args={"helpful": True}),
    "KbEditorState.load_new": On(IT_STAFF, page="/kb/new"),
    "KbEditorState.load_edit": On(IT_STAFF, page="/kb/edit/{kb_draft}", shows="kb"),
    "KbEditorState.set_title": On(TAB_ONLY, page="/kb/edit/{kb_draft}", args={"value": "New title"}),
    "KbEditorState.set_summary": On(TAB_ONLY, page="/kb/edit/{kb_draft}", args={"value": "New summary"}),
    "KbEditorState.set_tags": On(TAB_ONLY, page="/kb/edit/{kb_draft}", args={"value": "dock, usb"}),
    "KbEditorState.set_category": On(TAB_ONLY, page="/kb/edit/{kb_draft}", args={"value": "{kb_category}"}),
    "KbEditorState.set_featured": On(TAB_ONLY, page="/kb/edit/{kb_draft}", args={"value": True}),
    "KbEditorState.set_body": On(TAB_ONLY, page="/kb/edit/{kb_draft}", args={"value": "# Steps\n\nReset it."}),
    "KbEditorState.save": On(IT_STAFF, page="/kb/edit/{kb_spare}", args={"target": "draft"}, writes=True,
                             before=(("KbEditorState.load_edit", {}),
                                     ("KbEditorState.set_summary", {"value": "Edited by the {role}"}))),
    "KbEditorState.upload": On(IT_STAFF, page="/kb/edit/{kb_spare}", args={"files": []},
                               before=(("KbEditorState.load_edit", {}),)),
    "KbEditorState.remove_file": On(IT_STAFF, page="/kb/edit/{kb_spare}", args={"attachment_id": "{kb_draft_file}"},
                                    before=(("KbEditorState.load_edit", {}),),
                                    why="the KB is written together: any writer may remove a file"),
    "KbEditorState.insert_image": On(TAB_ONLY, page="/kb/edit/{kb_draft}", args={"attachment_id": "{kb_draft_file}"}),
    "KbWritersState.on_load": On(IT_STAFF, page="/kb/drafts", shows="kb"),
    "KbWritersState.set_show": On(IT_STAFF, page="/kb/drafts", args={"value": "archived"}),
    "KbCategoryState.on_load": On(REPORT_READERS, page="/kb/categories"),
    "KbCategoryState.set_new_name": On(TAB_ONLY, page="/kb/categories", args={"value": "Phones"}),
    "KbCategoryState.set_new_parent": On(TAB_ONLY, page="/kb/categories", args={"value": "{kb_category}"}),
    "KbCategoryState.set_edit_name": On(TAB_ONLY, page="/kb/categories", args={"value": "Renamed"}),
    "KbCategoryState.set_edit_parent": On(TAB_ONLY, page="/kb/categories", args={"value": "none"}),
    "KbCategoryState.select": On(TAB_ONLY, page="/kb/categories", args={"category_id": "{kb_category}"}),
    "KbCategoryState.create": On(REPORT_READERS, page="/kb/categories", writes=True,
                                 before=(("KbCategoryState.set_new_name", {"value": "Phones {role}"}),),
                                 why="managers and admins keep the KB's categories"),
    "KbCategoryState.save_selected": On(REPORT_READERS, page="/kb/categories",
                                        before=(("KbCategoryState.on_load", {}),
                                                ("KbCategoryState.select", {"category_id": "{kb_category}"}),
                                                ("KbCategoryState.set_edit_name", {"value": "Printers {role}"}))),
    "KbCategoryState.toggle_active": On(REPORT_READERS, page="/kb/categories", args={"category_id": "{kb_category}"},
                                        before=(("KbCategoryState.on_load", {}),)),
    # -- reports and schedules
    "ReportsState.on_load": On(REPORT_READERS, page="/reports/volume"),
    "ReportsState.set_range": On(REPORT_READERS, page="/reports/volume",
                                 args={"field": "start", "value": "2024-01-01"}),
    "ReportsState.preset": On(REPORT_READERS, page="/reports/volume", args={"days": "90"}),
    "ReportsState.set_choice": On(REPORT_READERS, page="/reports/volume", args={"field": "team",
                                                                                "value": "{hardware_team}"}),
    "ReportsState.clear_filters": On(REPORT_READERS, page="/reports/volume"),
    "ReportsState.toggle_table": On(TAB_ONLY, page="/reports/volume", args={"key": "volume"}),
    "ReportsState.start_export": On(REPORT_READERS, page="/reports/volume", args={"fmt": "csv"}, writes=True),
    "ReportsState.watch_export": On(TAB_ONLY, page="/reports/volume",
                                    why="follows only the export this tab started (its id stays in the tab)"),
    "ScheduleState.on_load": On(REPORT_READERS, page="/reports/schedules"),
    "ScheduleState.toggle_subscription": On(REPORT_READERS, page="/reports/schedules", writes=True,
                                            args={"schedule_id": Num("{schedule}"), "subscribed": False},
                                            why="PUT .../subscription subscribed them first"),
    "ScheduleState.edit": On(TAB_ONLY, page="/reports/schedules", args={"schedule_id": Num("{schedule}")}),
    "ScheduleState.set_edit_field": On(TAB_ONLY, page="/reports/schedules", args={"field": "hour", "value": "5"}),
    "ScheduleState.cancel_edit": On(TAB_ONLY, page="/reports/schedules"),
    "ScheduleState.save_edit": On(ADMINS, page="/reports/schedules", writes=True,
                                  before=(("ScheduleState.on_load", {}),
                                          ("ScheduleState.edit", {"schedule_id": Num("{schedule}")}),
                                          ("ScheduleState.set_edit_field", {"field": "hour", "value": "5"}))),
    # -- the AI page
    "AiAdminState.on_load": On(REPORT_READERS, page="/admin/ai"),
    "AiAdminState.set_range": On(REPORT_READERS, page="/admin/ai", args={"days": "7"}),
    "AiAdminState.retrain_now": On(ADMINS, page="/admin/ai", writes=True),
    "AiAdminState.activate": On(ADMINS, page="/admin/ai", args={"version": "no-such-version"}),
    "AiAdminState.set_override": On(ADMINS, page="/admin/ai", args={"key": "{hardware}:category", "value": "suggest"},
                                    writes=True),
    # -- one's own settings: notifications, API tokens
    # Everyone has switches about their own requests; a requester asking for a staff-only kind is refused.
    "NotificationSettingsState.on_load": On(SIGNED_IN, page="/settings/notifications"),
    "NotificationSettingsState.toggle": On(IT_STAFF, page="/settings/notifications",
                                           args={"kind": "assigned", "enabled": True}, writes=True,
                                           why="switches back on what PATCH /me/notification-preferences turned off"),
    "MyTokensState.on_load": On(SIGNED_IN, page="/settings"),
    "MyTokensState.set_field": On(TAB_ONLY, page="/settings", args={"name": "token_name", "value": "cli"}),
    "MyTokensState.toggle_scope": On(TAB_ONLY, page="/settings", args={"scope": "tickets:write", "on": True}),
    "MyTokensState.create_token": On(SIGNED_IN, page="/settings", writes=True,
                                     before=(("MyTokensState.on_load", {}),
                                             ("MyTokensState.set_field", {"name": "token_name", "value": "cli"}))),
    "MyTokensState.revoke": On(who(requester=OWN, agent=OWN, manager=OWN, admin=ALLOW), page="/settings",
                               args={"token_id": "{bob_token}"},
                               why="everyone revokes their own tokens; admins anyone's"),
    # -- macros (agents and admins; personal ones are their author's)
    "MacrosState.on_load": On(WORKS_OWN_TICKETS, page="/macros"),
    "MacrosState.open_new": On(TAB_ONLY, page="/macros"),
    "MacrosState.open_edit": On(TAB_ONLY, page="/macros", args={"macro_id": "{macro_personal}"},
                                why="fills the form from the macros this tab was shown"),
    "MacrosState.close_dialog": On(TAB_ONLY, page="/macros", args={"open_": False}),
    "MacrosState.set_field": On(TAB_ONLY, page="/macros", args={"name": "name", "value": "Mine"}),
    "MacrosState.save": On(WORKS_OWN_TICKETS, page="/macros", writes=True,
                           before=(("MacrosState.open_new", {}),
                                   ("MacrosState.set_field", {"name": "name", "value": "Close it {role}"}),
                                   ("MacrosState.set_field", {"name": "status", "value": "resolved"}),
                                   ("MacrosState.set_field", {"name": "scope", "value": "personal"}))),
    "MacrosState.delete": On(NOBODY, page="/macros", args={"macro_id": "{macro_personal}"},
                             why="Hank's personal macro: not even an admin deletes it"),
    # -- the admin console
    "AdminOverviewState.on_load": On(ADMINS, page="/admin"),
    "AuditState.on_load": On(ADMINS, page="/admin/audit?action=api_token.create", shows="service"),
    "AuditState.apply_filters": On(ADMINS, page="/admin/audit"),
    "AuditState.set_action": On(ADMINS, page="/admin/audit", args={"value": "api_token.create"}),
    "AuditState.next_page": On(ADMINS, page="/admin/audit"),
    "AuditState.previous_page": On(ADMINS, page="/admin/audit"),
    "AuditState.download_csv": On(ADMINS, page="/admin/audit", before=(("AuditState.on_load", {}),)),
    "UsersState.on_load": On(ADMINS, page="/admin/users"),
    "UsersState.search": On(ADMINS, page="/admin/users", args={"form_data": {"query": "bob"}}),
    "UsersState.set_role_filter": On(ADMINS, page="/admin/users", args={"value": "requester"}),
    "UsersState.set_status_filter": On(ADMINS, page="/admin/users", args={"value": "active"}),
    "UsersState.next_page": On(ADMINS, page="/admin/users"),
    "UsersState.previous_page": On(ADMINS, page="/admin/users"),
    "UsersState.toggle_team": On(TAB_ONLY, page="/admin/users", args={"team_id": "{hardware_team}", "checked": True}),
    "UsersState.open_invite": On(TAB_ONLY, page="/admin/users"),
    "UsersState.invite": On(ADMINS, page="/admin/users", writes=True,
                            before=(("UsersState.open_invite", {}),
                                    ("UsersState.set_field", {"name": "email", "value": "new.{role}@example.org"}),
                                    ("UsersState.set_field", {"name": "full_name", "value": "New Person"}),
                                    ("UsersState.set_field", {"name": "role", "value": "admin"}))),
    "UsersState.open_edit": On(ADMINS, page="/admin/users", args={"user_id": "{victim}"}),
    "UsersState.save_edit": On(ADMINS, page="/admin/users", writes=True,
                               before=(("UsersState.open_edit", {"user_id": "{victim}"}),
                                       ("UsersState.set_field", {"name": "role", "value": "agent"}))),
    "UsersState.set_active": On(ADMINS, page="/admin/users", args={"active": False}, writes=True,
                                before=(("UsersState.open_edit", {"user_id": "{victim}"}),)),
    "UsersState.resend_invitation": On(ADMINS, page="/admin/users",
                                       before=(("UsersState.open_edit", {"user_id": "{victim}"}),)),
    "UsersState.open_import": On(TAB_ONLY, page="/admin/users"),
    "UsersState.preview_import": On(ADMINS, page="/admin/users",
                                    before=(("UsersState.set_field", {"name": "csv", "value": "{import_csv}"}),)),
    "UsersState.apply_import": On(ADMINS, page="/admin/users", writes=True,
                                  before=(("UsersState.set_field", {"name": "csv", "value": "{import_csv}"}),)),
    "TeamsState.on_load": On(ADMINS, page="/admin/teams"),
    "TeamsState.select_team": On(ADMINS, page="/admin/teams", args={"team_id": "{hardware_team}"}),
    "TeamsState.open_new": On(TAB_ONLY, page="/admin/teams"),
    "TeamsState.open_edit": On(TAB_ONLY, page="/admin/teams", args={"team_id": "{hardware_team}"}),
    "TeamsState.save_team": On(ADMINS, page="/admin/teams", writes=True,
                               before=(("TeamsState.open_new", {}),
                                       ("TeamsState.set_field", {"name": "name", "value": "Team {role}"}))),
    "TeamsState.add_member": On(ADMINS, page="/admin/teams", writes=True,
                                before=(("TeamsState.select_team", {"team_id": "{hardware_team}"}),
                                        ("TeamsState.set_field", {"name": "member_id", "value": "{max}"}))),
    "TeamsState.remove_member": On(ADMINS, page="/admin/teams", args={"user_id": "{hank}"}, writes=True,
                                   before=(("TeamsState.select_team", {"team_id": "{hardware_team}"}),)),
    "TeamsState.set_available": On(ADMINS, page="/admin/teams", args={"user_id": "{hank}", "available": False}),
    "CategoriesState.on_load": On(ADMINS, page="/admin/categories"),
    "CategoriesState.open_new": On(TAB_ONLY, page="/admin/categories"),
    "CategoriesState.open_edit": On(TAB_ONLY, page="/admin/categories", args={"category_id": "{hardware}"}),
    "CategoriesState.save_category": On(ADMINS, page="/admin/categories", writes=True,
                                        before=(("CategoriesState.open_new", {}),
                                                ("CategoriesState.set_field", {"name": "name",
                                                                               "value": "Phones {role}"}))),
    "CategoriesState.set_archived": On(ADMINS, page="/admin/categories", writes=True,
                                       args={"category_id": "{laptops}", "archived": True}),
    "SlaState.on_load": On(ADMINS, page="/admin/sla"),
    "SlaState.open_policy": On(TAB_ONLY, page="/admin/sla", args={"policy_id": "0"}),
    "SlaState.open_calendar": On(TAB_ONLY, page="/admin/sla", args={"calendar_id": "0"}),
    "SlaState.toggle_day": On(TAB_ONLY, page="/admin/sla", args={"day": "5", "checked": True}),
    "SlaState.run_preview": On(ADMINS, page="/admin/sla"),
    "SlaState.set_preview": On(ADMINS, page="/admin/sla", args={"name": "preview_priority", "value": "low"}),
    "SlaState.save_policy": On(ADMINS, page="/admin/sla", writes=True,
                               before=(("SlaState.on_load", {}), ("SlaState.open_policy", {"policy_id": "0"}),
                                       ("SlaState.set_field", {"name": "name", "value": "Policy {role}"}))),
    "SlaState.save_calendar": On(ADMINS, page="/admin/sla", writes=True,
                                 before=(("SlaState.on_load", {}), ("SlaState.open_calendar", {"calendar_id": "0"}),
                                         ("SlaState.set_field", {"name": "name", "value": "Hours {role}"}),
                                         ("SlaState.set_field", {"name": "timezone", "value": "Europe/Paris"}))),
    "CannedState.on_load": On(ADMINS, page="/admin/canned-responses"),
    "CannedState.open_response": On(ADMINS, page="/admin/canned-responses", args={"response_id": "0"},
                                    why="opens the form and previews its body (the preview renders as the admin)"),
    "CannedState.preview_body": On(ADMINS, page="/admin/canned-responses"),
    "CannedState.save_response": On(ADMINS, page="/admin/canned-responses", writes=True,
                                    before=(("CannedState.open_response", {"response_id": "0"}),
                                            ("CannedState.set_field", {"name": "title", "value": "Hi {role}"}))),
    "CannedState.deactivate": On(NOBODY, page="/admin/canned-responses", args={"response_id": "{canned_personal}"},
                                 why="Hank's personal response: not even an admin manages it"),
    "SettingsState.on_load": On(ADMINS, page="/admin/settings"),
    "SettingsState.toggle": On(TAB_ONLY, page="/admin/settings", args={"name": "sso_only_staff", "on": True}),
    "SettingsState.save": On(ADMINS, page="/admin/settings", writes=True,
                             before=(("SettingsState.on_load", {}),
                                     ("SettingsState.set_field", {"name": "organisation_name",
                                                                  "value": "Acme {role}"}))),
    "MailboxesState.on_load": On(ADMINS, page="/admin/mailboxes"),
    "MailboxesState.open_new": On(TAB_ONLY, page="/admin/mailboxes"),
    "MailboxesState.open_edit": On(TAB_ONLY, page="/admin/mailboxes", args={"mailbox_id": "1"}),
    "MailboxesState.save": On(ADMINS, page="/admin/mailboxes",
                              before=(("MailboxesState.open_new", {}),
                                      ("MailboxesState.set_field", {"name": "name", "value": "Support {role}"}))),
    "MailboxesState.set_active": On(ADMINS, page="/admin/mailboxes", args={"mailbox_id": "1", "active": False}),
    "MailboxesState.test_connection": On(ADMINS, page="/admin/mailboxes", args={"mailbox_id": "1"}),
    "HeldMailState.on_load": On(ADMINS, page="/admin/held-mail"),
    "HeldMailState.view": On(ADMINS, page="/admin/held-mail", args={"record_id": "1"}),
    "HeldMailState.accept": On(ADMINS, page="/admin/held-mail", args={"record_id": "1"}),
    "HeldMailState.discard": On(ADMINS, page="/admin/held-mail", args={"record_id": "1"}),
    "HeldMailState.next_page": On(ADMINS, page="/admin/held-mail"),
    "HeldMailState.previous_page": On(ADMINS, page="/admin/held-mail"),
    "ServiceAccountsState.on_load": On(ADMINS, page="/admin/api-tokens", shows="service"),
    "ServiceAccountsState.select_account": On(ADMINS, page="/admin/api-tokens", args={"account_id":
                                                                                      "{service_account}"},
                                              shows="service"),
    "ServiceAccountsState.toggle_scope": On(TAB_ONLY, page="/admin/api-tokens", args={"scope": "tickets:write",
                                                                                      "on": True}),
    "ServiceAccountsState.create_account": On(ADMINS, page="/admin/api-tokens", writes=True,
                                              before=(("ServiceAccountsState.set_field",
                                                       {"name": "name", "value": "Sync {role}"}),
                                                      ("ServiceAccountsState.set_field",
                                                       {"name": "role", "value": "agent"}))),
    "ServiceAccountsState.create_token": On(ADMINS, page="/admin/api-tokens", writes=True,
                                            before=(("ServiceAccountsState.on_load", {}),
                                                    ("ServiceAccountsState.select_account",
                                                     {"account_id": "{service_account}"}),
                                                    ("ServiceAccountsState.set_field",
                                                     {"name": "token_name", "value": "t {role}"}))),
    "ServiceAccountsState.revoke": On(ADMINS, page="/admin/api-tokens", args={"token_id": "{service_token}"}),
}

# Every admin page shares these three form handlers (AdminPage): they only change the tab's form.
for _page in ("AuditState", "CannedState", "SettingsState", "SlaState", "AdminOverviewState", "CategoriesState",
              "TeamsState", "UsersState", "ServiceAccountsState", "MailboxesState", "HeldMailState"):
    HANDLERS[f"{_page}.set_field"] = On(TAB_ONLY, args={"name": "name", "value": "Typed"})
    HANDLERS[f"{_page}.set_flag"] = On(TAB_ONLY, args={"name": "is_active", "on": True})
    HANDLERS[f"{_page}.close_dialog"] = On(TAB_ONLY, args={"open_": False})


# --------------------------------------------------------------------------------------------- HTTP routes

A = "/api/v1"
TICKET = A + "/tickets/{ticket}"

ROUTES: dict[str, Http] = {
    # -- the CSRF token and the sign-in cookie's handoff (a browser navigation), notifications, people, collaboration
    "GET /api/v1/auth/csrf": Http(SIGNED_IN, cookie=True),
    "GET /api/v1/auth/handoff": Http(NOBODY, query={"code": "forged"}, refused=(303, 400, 401, 403, 404),
                                     why="a forged or used code signs nobody in"),
    "GET /api/v1/auth/signed-out": Http(EVERYONE, ok=303, why="clears the cookie and goes to the sign-in page"),
    "GET /api/v1/me/notifications": Http(SIGNED_IN),
    "POST /api/v1/me/notifications/read-all": Http(SIGNED_IN),
    "GET /api/v1/me/notifications/unread-count": Http(SIGNED_IN),
    "GET /api/v1/me/notification-preferences": Http(SIGNED_IN),
    # Only the caller's own switches; a requester naming a staff-only kind changes nothing (422).
    "PATCH /api/v1/me/notification-preferences": Http(IT_STAFF, json={"choices": {"assigned": False}}, writes=True,
                                                       refused=(401, 403, 404, 422)),
    "POST /api/v1/me/notifications/{notification_id}/read": Http(
        who(requester=OWN, agent=OWN, manager=OWN, admin=OWN), path="/api/v1/me/notifications/{ticket}/read"),
    "GET /api/v1/people": Http(WORKS_OWN_TICKETS, query={"q": "Bob"}),
    "POST /api/v1/tickets/on-behalf": Http(WORKS_OWN_TICKETS, ok=201, writes=True,
                                           json={"title": "Phoned in: printer jam",
                                                 "description": "Printer jams on tray 2.",
                                                 "requester_id": "{bob}", "channel": "phone"}),
    "GET /api/v1/tickets/{ticket_id}/cc": Http(TICKET_READERS, path=TICKET + "/cc"),
    "POST /api/v1/tickets/{ticket_id}/cc": Http(TICKET_REPLIERS, path=TICKET + "/cc", ok=201, writes=True,
                                                json={"email": "vic@example.org"}),
    "DELETE /api/v1/tickets/{ticket_id}/cc/{user_id}": Http(TICKET_REPLIERS, path=TICKET + "/cc/{victim}", ok=204,
                                                            why="takes off the CC the POST above added"),
    "POST /api/v1/tickets/{ticket_id}/comments/with-files": Http(
        TICKET_REPLIERS, path=TICKET + "/comments/with-files", ok=201, writes=True,
        files={"body": (None, b"Dock log attached.", "text/plain"),  # a form field: no file name
               "files": ("note.txt", b"the dock log", "text/plain")}),
    "DELETE /api/v1/tickets/{ticket_id}/follow": Http(who(agent=TEAM, manager=ALLOW, admin=ALLOW),
                                                      path=TICKET + "/follow"),
    "PUT /api/v1/tickets/{ticket_id}/follow": Http(who(agent=TEAM, manager=ALLOW, admin=ALLOW), path=TICKET + "/follow",
                                                   writes=True),
    "POST /api/v1/tickets/{ticket_id}/solve": Http(who(requester=OWN), path=TICKET + "/solve", json={"note": ""}),
    # -- the server itself
    "GET /health": Http(EVERYONE),
    "GET /ready": Http(EVERYONE),
    "GET /metrics": Http(EVERYONE, why="public today; issue #13 item 5 puts it behind a token (update this then)"),
    "GET /api/openapi.json": Http(EVERYONE),
    "GET /api/docs": Http(EVERYONE),
    "GET /docs/oauth2-redirect": Http(EVERYONE),
    "GET /ping": Http(EVERYONE),
    "GET /_health": Http(EVERYONE),
    "GET /_event": Http(EVERYONE, path="/_event/?EIO=4&transport=polling", ok=400,
                        why="Reflex's socket: websocket only (its events are the HANDLERS above)"),
    "POST /_upload": Http(NOBODY, files={"files": ("a.txt", b"hello", "text/plain")}, cookie=True,
                          headers={"reflex-event-handler": "{kb_upload_handler}"}, refused=(400, 401, 403, 404),
                          why="Reflex's upload endpoint: who may upload is checked before the body is read "
                              "(api/body_limits.py: 401/403); a writer's request without a tab's token stores nothing"),
    "GET /_upload/{path}": Http(NOBODY, path="/_upload/tickets", refused=(404,),
                                why="Reflex's upload folder: nothing of ours is stored there"),
    # -- signing in
    "POST /api/v1/auth/login": Http(NOBODY, json={"email": "{bob_email}", "password": "not Bob's password"},
                                    refusal_writes=("audit_logs",)),
    "POST /api/v1/auth/logout": Http(SIGNED_IN, ok=204, own_session=True),
    "GET /api/v1/auth/me": Http(SIGNED_IN),
    "PATCH /api/v1/auth/me": Http(SIGNED_IN, json={"language": "ur"}, writes=True,
                                  why="the caller's own preferences, nobody else's"),
    "GET /api/v1/auth/sso/start": Http(EVERYONE, ok=303, why="to the identity provider"),
    "GET /api/v1/auth/sso/callback": Http(NOBODY, query={"state": "forged", "code": "forged"}, refused=(303,),
                                          refusal_writes=("audit_logs",),
                                          why="a forged callback goes back to the sign-in page, signed in as nobody"),
    # -- tickets
    "GET /api/v1/tickets": Http(SIGNED_IN, query={"q": "dock"}),
    "POST /api/v1/tickets": Http(who(agent=ALLOW, admin=ALLOW), ok=201, writes=True,
                                 json={"title": "Filed for Bob", "description": "Bob's keyboard is missing keys.",
                                       "priority": "low", "requester_id": "{bob}"},
                                 why="filing in someone else's name: agents and admins only"),
    "GET /api/v1/tickets/{ticket_id}": Http(TICKET_READERS, path=TICKET, shows="ticket"),
    "PATCH /api/v1/tickets/{ticket_id}": Http(TICKET_WORKERS, path=TICKET, json={"priority": "low"}, writes=True),
    "GET /api/v1/tickets/{ticket_id}/comments": Http(TICKET_READERS, path=TICKET + "/comments", shows="comment"),
    "POST /api/v1/tickets/{ticket_id}/comments": Http(TICKET_WORKERS, path=TICKET + "/comments", ok=201, writes=True,
                                                      json={"body": "Internal: dock swapped", "internal": True}),
    "GET /api/v1/tickets/{ticket_id}/attachments": Http(TICKET_READERS, path=TICKET + "/attachments",
                                                        shows="attachment"),
    "POST /api/v1/tickets/{ticket_id}/attachments": Http(TICKET_REPLIERS, path=TICKET + "/attachments", ok=201,
                                                         writes=True,
                                                         files={"file": ("log.txt", b"log", "text/plain")}),
    "GET /api/v1/attachments/{attachment_id}": Http(TICKET_READERS, path=A + "/attachments/{attachment}",
                                                    shows="file"),
    "GET /api/v1/tickets/{ticket_id}/canned-responses": Http(TICKET_WORKERS, path=TICKET + "/canned-responses"),
    "POST /api/v1/tickets/{ticket_id}/canned-responses/{response_id}/render": Http(
        NOBODY, path=TICKET + "/canned-responses/{canned_personal}/render", why="Hank's personal response"),
    "POST /api/v1/tickets/{ticket_id}/merge": Http(TICKET_WORKERS, path=A + "/tickets/{merged_by_api}/merge",
                                                   json={"into": "{ticket}"}, writes=True),
    "GET /api/v1/tickets/{ticket_id}/links": Http(TICKET_READERS, path=TICKET + "/links"),
    "POST /api/v1/tickets/{ticket_id}/links": Http(TICKET_WORKERS, path=TICKET + "/links", ok=201, writes=True,
                                                   json={"related_ticket_id": "{other_ticket}"}),
    "DELETE /api/v1/tickets/{ticket_id}/links/{related_ticket_id}": Http(
        TICKET_WORKERS, path=TICKET + "/links/{other_ticket}", ok=204),
    "POST /api/v1/tickets/bulk": Http(TICKET_WORKERS, json={"ticket_ids": ["{ticket}"], "changes": {"priority": "low"}},
                                      refused=(200, 401, 403), writes=True, refusal_writes=BULK_AUDIT,
                                      why="a refusal per ticket comes back in the answer's `failed`"),
    "PUT /api/v1/me/availability": Http(WORKS_OWN_TICKETS, json={"available": False}),
    "GET /api/v1/tickets/{ticket_id}/ai": Http(TICKET_STAFF_READERS, path=TICKET + "/ai"),
    "POST /api/v1/tickets/{ticket_id}/ai/accept": Http(TICKET_WORKERS, path=TICKET + "/ai/accept",
                                                       json={"field": "category"}, refused=(401, 403, 404, 422),
                                                       ok=422, why="no AI suggestion exists in the tests"),
    "POST /api/v1/tickets/{ticket_id}/ai/reject": Http(TICKET_WORKERS, path=TICKET + "/ai/reject",
                                                       json={"field": "category"}, refused=(401, 403, 404, 422),
                                                       ok=422),
    "POST /api/v1/tickets/{ticket_id}/ai/rerun": Http(TICKET_WORKERS, path=TICKET + "/ai/rerun", ok=202, writes=True),
    "GET /api/v1/ai/metrics": Http(REPORT_READERS),
    "GET /api/v1/tickets/{ticket_id}/similar": Http(TICKET_STAFF_READERS, path=TICKET + "/similar"),
    "POST /api/v1/tickets/{ticket_id}/ai/summary": Http(TICKET_WORKERS, path=TICKET + "/ai/summary", ok=404,
                                                        why="no LLM is configured in the tests: 404 for everyone"),
    "POST /api/v1/tickets/{ticket_id}/ai/suggested-reply": Http(TICKET_WORKERS, path=TICKET + "/ai/suggested-reply",
                                                                ok=404),
    # -- tags, saved views, macros
    "GET /api/v1/tags": Http(IT_STAFF, query={"q": "do"}),
    "GET /api/v1/tickets/{ticket_id}/tags": Http(TICKET_STAFF_READERS, path=TICKET + "/tags"),
    "POST /api/v1/tickets/{ticket_id}/tags": Http(TICKET_WORKERS, path=TICKET + "/tags", writes=True,
                                                  json={"names": ["api-{role}"]}),
    "DELETE /api/v1/tickets/{ticket_id}/tags/{name}": Http(TICKET_WORKERS, path=TICKET + "/tags/api-{role}",
                                                           writes=True),
    "POST /api/v1/tickets/bulk/tags": Http(TICKET_WORKERS, json={"ticket_ids": ["{ticket}"], "names": ["bulk-{role}"]},
                                           refused=(200, 401, 403), writes=True, refusal_writes=BULK_AUDIT),
    "GET /api/v1/views": Http(IT_STAFF),
    "POST /api/v1/views": Http(IT_STAFF, ok=201, writes=True,
                               json={"name": "Docks {role}", "filters": {"query": "dock"}}),
    "GET /api/v1/views/{view_id}": Http(NOBODY, path=A + "/views/{view_personal}", why="Hank's personal view"),
    "PATCH /api/v1/views/{view_id}": Http(NOBODY, path=A + "/views/{view_personal}", json={"name": "Mine now"}),
    "DELETE /api/v1/views/{view_id}": Http(NOBODY, path=A + "/views/{view_personal}"),
    "GET /api/v1/views/{view_id}/tickets": Http(NOBODY, path=A + "/views/{view_personal}/tickets"),
    "GET /api/v1/macros": Http(WORKS_OWN_TICKETS),
    "POST /api/v1/macros": Http(WORKS_OWN_TICKETS, ok=201, writes=True,
                                json={"name": "Resolve {role}", "actions": {"status": "resolved"}}),
    "GET /api/v1/macros/{macro_id}": Http(NOBODY, path=A + "/macros/{macro_personal}", why="Hank's personal macro"),
    "PATCH /api/v1/macros/{macro_id}": Http(NOBODY, path=A + "/macros/{macro_personal}", json={"name": "Mine now"}),
    "DELETE /api/v1/macros/{macro_id}": Http(NOBODY, path=A + "/macros/{macro_personal}"),
    "POST /api/v1/macros/{macro_id}/apply": Http(NOBODY, path=A + "/macros/{macro_personal}/apply",
                                                 json={"ticket_ids": ["{ticket}"]}, refused=(200, 401, 403, 404),
                                                 refusal_writes=BULK_AUDIT),
    "POST /api/v1/tickets/{ticket_id}/apply-macro": Http(NOBODY, path=TICKET + "/apply-macro",
                                                         json={"macro_id": "{macro_personal}"}),
    # -- e-mail administration (no mailbox or held message exists in the world: the refusals are what count)
    "GET /api/v1/admin/mailboxes": Http(ADMINS),
    "POST /api/v1/admin/mailboxes": Http(ADMINS, ok=201, writes=True,
                                         json={"name": "Support {role}", "address": "support-{role}@example.org",
                                               "imap_host": "imap.example.org", "username": "support",
                                               "secret": "imap password"}),
    "GET /api/v1/admin/mailboxes/{mailbox_id}": Http(ADMINS, path=A + "/admin/mailboxes/999999", ok=404),
    "PATCH /api/v1/admin/mailboxes/{mailbox_id}": Http(ADMINS, path=A + "/admin/mailboxes/999999", ok=404,
                                                       json={"name": "Renamed"}),
    "POST /api/v1/admin/mailboxes/{mailbox_id}/test": Http(ADMINS, path=A + "/admin/mailboxes/999999/test", ok=404),
    "GET /api/v1/admin/held-mail": Http(ADMINS),
    "GET /api/v1/admin/held-mail/{record_id}": Http(ADMINS, path=A + "/admin/held-mail/999999", ok=404),
    "POST /api/v1/admin/held-mail/{record_id}/accept": Http(ADMINS, path=A + "/admin/held-mail/999999/accept",
                                                            ok=404),
    "POST /api/v1/admin/held-mail/{record_id}/discard": Http(ADMINS, path=A + "/admin/held-mail/999999/discard",
                                                             ok=404),
    # -- the knowledge base
    "GET /api/v1/kb/search": Http(SIGNED_IN, query={"q": "unreleased dock firmware"}),
    "GET /api/v1/kb/articles/{slug}": Http(IT_STAFF, path=A + "/kb/articles/{kb_draft_slug}", shows="kb"),
    "POST /api/v1/kb/articles": Http(IT_STAFF, ok=201, writes=True,
                                     json={"title": "Dock reset steps", "body_markdown": "Hold the button."}),
    "PATCH /api/v1/kb/articles/{article_id}": Http(IT_STAFF, path=A + "/kb/articles/{kb_spare}", writes=True,
                                                   json={"summary": "Edited over the API by the {role}"}),
    "POST /api/v1/kb/articles/{article_id}/publish": Http(IT_STAFF, path=A + "/kb/articles/{kb_spare}/publish"),
    "POST /api/v1/kb/articles/{article_id}/archive": Http(IT_STAFF, path=A + "/kb/articles/{kb_spare}/archive"),
    "POST /api/v1/kb/articles/{article_id}/vote": Http(SIGNED_IN, path=A + "/kb/articles/{kb_published}/vote",
                                                       json={"helpful": False}, writes=True),
    "POST /api/v1/kb/deflections": Http(SIGNED_IN, ok=201, writes=True,
                                        json={"query": "dock", "outcome": "solved", "article_id": "{kb_published}",
                                              "shown_article_ids": ["{kb_published}"]}),
    "GET /api/v1/kb/articles/{article_id}/attachments": Http(IT_STAFF, path=A + "/kb/articles/{kb_draft}/attachments",
                                                             shows="kb"),
    "POST /api/v1/kb/articles/{article_id}/attachments": Http(IT_STAFF, path=A + "/kb/articles/{kb_spare}/attachments",
                                                              ok=201, writes=True,
                                                              files={"file": ("steps.txt", b"steps", "text/plain")}),
    "GET /api/v1/kb/attachments/{attachment_id}": Http(IT_STAFF, path=A + "/kb/attachments/{kb_draft_file}"),
    "DELETE /api/v1/kb/attachments/{attachment_id}": Http(IT_STAFF, path=A + "/kb/attachments/{kb_spare_file}",
                                                          ok=204),
    # -- reports
    "GET /api/v1/reports": Http(REPORT_READERS),
    "GET /api/v1/reports/schedules": Http(REPORT_READERS),
    "PUT /api/v1/reports/schedules/{schedule_id}": Http(ADMINS, path=A + "/reports/schedules/{schedule}", writes=True,
                                                        json={"enabled": True, "hour": 6, "minute": 30}),
    "PUT /api/v1/reports/schedules/{schedule_id}/subscription": Http(
        REPORT_READERS, path=A + "/reports/schedules/{schedule}/subscription", json={"subscribed": True}),
    "GET /api/v1/reports/exports/{export_id}": Http(NOBODY, path=A + "/reports/exports/{export}",
                                                    why="Max's export: only its owner sees it"),
    "GET /api/v1/reports/exports/{export_id}/download": Http(NOBODY, path=A + "/reports/exports/{export}/download"),
    "GET /api/v1/reports/{name}": Http(REPORT_READERS, path=A + "/reports/volume"),
    "POST /api/v1/reports/{name}/exports": Http(REPORT_READERS, path=A + "/reports/volume/exports", ok=202,
                                                writes=True, json={"format": "csv"}),
    # -- e-mail in by HTTP: its own token, never a person's
    "POST /api/v1/email/inbound": Http(NOBODY, refused=(401, 404), why="only with EMAIL_INGEST_TOKEN"),
    # -- API tokens
    "GET /api/v1/tokens": Http(SIGNED_IN),
    "POST /api/v1/tokens": Http(SIGNED_IN, ok=201, writes=True, json={"name": "cli", "scopes": ["tickets:read"]}),
    "DELETE /api/v1/tokens/{token_id}": Http(who(requester=OWN, agent=OWN, manager=OWN, admin=ALLOW),
                                             path=A + "/tokens/{bob_token}", ok=204),
    "GET /api/v1/admin/service-accounts": Http(ADMINS),
    "POST /api/v1/admin/service-accounts": Http(ADMINS, ok=201, writes=True, json={"name": "Sync", "role": "agent"}),
    "POST /api/v1/admin/service-accounts/{user_id}/tokens": Http(
        ADMINS, path=A + "/admin/service-accounts/{service_account}/tokens", ok=201, writes=True,
        json={"name": "sync 2", "scopes": ["tickets:read"]}),
    # -- the admin console
    "GET /api/v1/admin/audit-log": Http(ADMINS, query={"start": "{month_ago}", "end": "{today}",
                                                       "action": "api_token.create"}, shows="service"),
    "GET /api/v1/admin/audit-log.csv": Http(ADMINS, query={"start": "{month_ago}", "end": "{today}",
                                                           "action": "api_token.create"}, shows="service"),
    "GET /api/v1/admin/users": Http(ADMINS),
}
