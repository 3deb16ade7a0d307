"""One ticket: conversation for everyone; fields, internal notes and history for agents."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.badges import priority_badge, status_badge
from helpdesk.components.i18n import t, tf
from helpdesk.components.icons import icon_cond
from helpdesk.components.layout import card, empty_state, live_trigger
from helpdesk.components.shortcuts import TICKET_KEYS, shortcut_scope, shortcuts_help
from helpdesk.components.similar_tickets import PANELS_ON_LOAD, assistant_panel, similar_tickets_panel
from helpdesk.components.ticket_tools import ticket_tools_panel
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import PORTAL, QUEUE, TICKET
from helpdesk.state.formatting import STAFF_STATUS_LABELS
from helpdesk.state.live import LiveState, TicketRoom
from helpdesk.state.ticket import REPLY_UPLOAD_ID, TicketState
from helpdesk.state.ticket_tools import TicketToolsState


def _file_chips(files: rx.Var, test_id: str) -> rx.Component:
    """Download links (the API checks the reading rule again for each file)."""
    return rx.hstack(
        rx.foreach(files, lambda f: rx.link(
            rx.badge(rx.icon("paperclip", size=12), f["name"], " (", f["size"], ")", variant="surface", size="2",
                     class_name="hd-wrap", white_space="normal"),
            href=f["url"], is_external=True, data_testid=test_id, aria_label=t("Download ") + f["name"].to(str))),
        wrap="wrap", spacing="2", margin_top="10px", min_width="0",
    )


def _message(comment: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=comment["initials"], size=rx.breakpoints(initial="2", md="3"), radius="full",
                  color_scheme=rx.cond(comment["staff"] == "yes", "indigo", "gray"), flex_shrink="0"),
        rx.box(
            rx.hstack(
                rx.text(comment["author"], weight="bold", size="2"),
                rx.cond(comment["staff"] == "yes", rx.badge(t("IT"), size="1", variant="soft")),
                rx.cond(comment["internal"] == "yes",
                        rx.badge(rx.icon("lock", size=10), t("Internal note"), color_scheme="amber", size="1")),
                rx.text(comment["ago"], size="1", color_scheme="gray", title=comment["when"]),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(comment["body"], size="2", white_space="pre-wrap", margin_top="6px", class_name="hd-wrap",
                    dir="auto"),
            rx.cond(comment["files"].to(list[dict[str, str]]).length() > 0,
                    _file_chips(comment["files"].to(list[dict[str, str]]), "comment-file")),
            min_width="0",
            padding=rx.breakpoints(initial="10px 12px", md="12px 16px"),
            border_radius="10px",
            width="100%",
            background=rx.cond(comment["internal"] == "yes", "var(--amber-a3)", "var(--gray-a2)"),
            border=rx.cond(comment["internal"] == "yes", "1px dashed var(--amber-a7)", "1px solid var(--gray-a4)"),
        ),
        align="start",
        spacing=rx.breakpoints(initial="2", md="3"),
        width="100%",
        data_testid="comment",
    )


def _reply_box() -> rx.Component:
    return rx.cond(
        TicketState.can_reply,
        rx.vstack(
            rx.text_area(
                value=TicketState.reply,
                on_change=TicketState.set_reply,
                placeholder=rx.cond(TicketState.can_work, t("Write a reply to the requester, or an internal note…"),
                                    t("Write a reply to the IT team…")),
                rows="4",
                width="100%",
                aria_label=rx.cond(TicketState.can_work, t("Reply or internal note"), t("Reply")),
                data_testid="reply-box",
                on_key_down=TicketRoom.typing.throttle(2000),
            ),
            # Wrapped in a label: the file input inside gets the drop zone's words as its name.
            rx.el.label(
                rx.upload.root(
                    rx.hstack(rx.icon("paperclip", size=16, color="var(--gray-10)"),
                              rx.text(t("Attach files (up to 5, 10 MB each)"), size="2", color_scheme="gray"),
                              align="center", spacing="2", justify="center"),
                    id=REPLY_UPLOAD_ID,
                    multiple=True,
                    max_files=5,
                    max_size=10 * 1024 * 1024,
                    border="1px dashed var(--gray-a7)",
                    border_radius="8px",
                    padding="10px",
                    width="100%",
                    cursor="pointer",
                    data_testid="reply-files",
                ),
                display="block", width="100%",
            ),
            rx.hstack(
                rx.foreach(rx.selected_files(REPLY_UPLOAD_ID),
                           lambda name: rx.badge(rx.icon("file", size=12), name, variant="surface",
                                                 class_name="hd-wrap", white_space="normal",
                                                 data_testid="reply-file-chosen")),
                wrap="wrap",
                spacing="2",
            ),
            rx.cond(TicketState.reply_error != "",
                    rx.text(TicketState.reply_error, color_scheme="red", size="1", role="alert",
                            data_testid="reply-error")),
            rx.hstack(
                rx.cond(
                    TicketState.can_work & (TicketState.canned.length() > 0),
                    rx.select.root(
                        rx.select.trigger(placeholder=t("Insert a canned response…"),
                                          width=rx.breakpoints(initial="100%", sm="240px"),
                                          aria_label=t("Insert a canned response"), data_testid="canned-select"),
                        rx.select.content(rx.foreach(TicketState.canned,
                                                     lambda c: rx.select.item(c["title"], value=c["id"]))),
                        value="",
                        on_change=TicketState.insert_canned,
                    ),
                ),
                rx.spacer(),
                rx.cond(TicketState.can_work,
                        rx.button(rx.icon("lock", size=14), t("Add internal note"), variant="soft",
                                  color_scheme="amber",
                                  on_click=TicketState.add_note(rx.upload_files(upload_id=REPLY_UPLOAD_ID)),
                                  data_testid="add-note")),
                rx.button(rx.icon("send", size=14), t("Send reply"),
                          on_click=TicketState.send_reply(rx.upload_files(upload_id=REPLY_UPLOAD_ID)),
                          data_testid="send-reply"),
                justify="end",
                width="100%",
                spacing="2",
                wrap="wrap",
            ),
            width="100%",
            spacing="2",
        ),
        rx.cond(
            TicketState.ticket["merged_into_id"] != "",
            rx.callout(
                rx.text(t("This request was merged into "),
                        rx.link(TicketState.ticket["merged_into_number"],
                                href="/tickets/" + TicketState.ticket["merged_into_id"], weight="medium"),
                        t(", the same problem reported by someone else. Its conversation moved there; "
                          "follow and reply on that ticket.")),
                icon="git-merge", color_scheme="blue", width="100%", data_testid="merged-into",
            ),
            rx.callout(TicketState.reply_note, icon="info", color_scheme="gray", width="100%",
                       data_testid="reply-note"),
        ),
    )


def _rating_button(rating: str, label: rx.Var | str, icon: str, color: str) -> rx.Component:
    chosen = TicketState.csat_rating == rating
    return rx.button(
        rx.icon(icon, size=18), label,
        on_click=TicketState.rate(rating),
        variant=rx.cond(chosen, "solid", "outline"),
        color_scheme=color,
        size="3",
        aria_pressed=rx.cond(chosen, "true", "false"),
        data_testid=f"csat-{rating}",
        # Two equal buttons side by side, never wrapping their label; not stretched across a wide screen.
        flex="1 1 0",
        max_width="200px",
        white_space="nowrap",
    )


def _satisfaction_prompt() -> rx.Component:
    """The requester's one-click rating of a resolved ticket, with an optional comment (tickets/csat.py)."""
    return card(
        rx.vstack(
            rx.hstack(
                rx.icon("message-circle-heart", size=22, color="var(--accent-9)", flex_shrink="0"),
                rx.vstack(
                    rx.heading(t("How did we do?"), size="4"),
                    rx.text(t("Your request is resolved. How was the help you got?"), size="2", color_scheme="gray"),
                    spacing="1",
                ),
                align="start",
                spacing="3",
            ),
            rx.hstack(
                _rating_button("good", t("Good"), "thumbs-up", "green"),
                _rating_button("bad", t("Bad"), "thumbs-down", "red"),
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                TicketState.csat_rating != "",
                rx.vstack(
                    rx.text(t("Thank you, your rating is saved. Anything you want to tell us? (optional)"), size="2",
                            data_testid="csat-thanks"),
                    rx.text_area(value=TicketState.csat_comment, on_change=TicketState.set_csat_comment,
                                 placeholder=t("What went well, or what could have gone better"), rows="3",
                                 width="100%", max_length=2000, data_testid="csat-comment"),
                    rx.hstack(
                        rx.cond(TicketState.csat_comment_saved,
                                rx.text(t("Comment saved."), color_scheme="green", size="2",
                                        data_testid="csat-comment-saved")),
                        rx.spacer(),
                        rx.button(t("Send comment"), variant="soft", on_click=TicketState.save_csat_comment,
                                  data_testid="csat-send"),
                        align="center",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            rx.cond(TicketState.csat_error != "",
                    rx.text(TicketState.csat_error, color_scheme="red", size="2", role="alert",
                            data_testid="csat-error")),
            spacing="4",
            width="100%",
        ),
        data_testid="csat-prompt",
    )


def _conversation() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.avatar(fallback=TicketState.ticket["requester_initials"], size=rx.breakpoints(initial="2", md="3"),
                          radius="full", color_scheme="gray", flex_shrink="0"),
                rx.box(
                    rx.hstack(rx.text(TicketState.ticket["requester"], weight="bold", size="2"),
                              rx.text(TicketState.ticket["created_ago"], size="1", color_scheme="gray"),
                              spacing="2", align="center"),
                    rx.text(TicketState.ticket["description"], size="2", white_space="pre-wrap", margin_top="6px",
                            class_name="hd-wrap", dir="auto"),
                    rx.cond(TicketState.files.length() > 0, _file_chips(TicketState.files, "ticket-file")),
                    padding=rx.breakpoints(initial="10px 12px", md="12px 16px"),
                    border_radius="10px",
                    border="1px solid var(--gray-a4)",
                    width="100%",
                    min_width="0",
                ),
                align="start",
                spacing=rx.breakpoints(initial="2", md="3"),
                width="100%",
            ),
            rx.foreach(TicketState.comments, _message),
            rx.divider(),
            _reply_box(),
            spacing="4",
            width="100%",
        )
    )


def _field_row(label: rx.Var | str, value: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray", weight="medium"), value, spacing="1",
                     width="100%")


def _picker(value: rx.Var, on_change, items: rx.Component, none_label: rx.Var | str, test_id: str,
            label: rx.Var | str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", aria_label=label, data_testid=test_id),
        rx.select.content(rx.select.item(none_label, value="none"), items),
        value=rx.cond(value == "", "none", value),
        on_change=on_change,
        size="2",
    )


def _staff_fields() -> rx.Component:
    choice = lambda c: rx.select.item(c["label"], value=c["id"])  # noqa: E731
    return rx.vstack(
        _field_row(t("Status"), rx.select.root(
            rx.select.trigger(width="100%", aria_label=t("Status"), data_testid="status-select"),
            rx.select.content(*[rx.select.item(t(label), value=value) for value, label in STAFF_STATUS_LABELS.items()]),
            value=TicketState.ticket["status"], on_change=TicketState.change_status)),
        _field_row(t("Priority"), rx.select.root(
            rx.select.trigger(width="100%", aria_label=t("Priority"), data_testid="priority-select"),
            rx.select.content(rx.select.item(t("Low"), value="low"), rx.select.item(t("Medium"), value="medium"),
                              rx.select.item(t("High"), value="high"), rx.select.item(t("Critical"), value="critical")),
            value=TicketState.ticket["priority"], on_change=TicketState.change_priority)),
        _field_row(t("Category"), _picker(TicketState.ticket["category_id"], TicketState.change_category,
                                       rx.foreach(TicketState.category_choices, choice), t("Uncategorised"),
                                       "category-select", t("Category"))),
        _field_row(t("Team"), _picker(TicketState.ticket["team_id"], TicketState.change_team,
                                   rx.foreach(TicketState.team_choices, choice), t("Unrouted"), "team-select",
                                   t("Team"))),
        _field_row(t("Assignee"), rx.hstack(
            rx.box(_picker(TicketState.ticket["assignee_id"], TicketState.change_assignee,
                           rx.foreach(TicketState.agent_choices, choice), t("Unassigned"), "assignee-select",
                           t("Assignee")),
                   flex="1", min_width="0"),
            rx.button(t("Me"), variant="soft", size="2", on_click=TicketState.assign_to_me, data_testid="assign-me",
                      flex_shrink="0"),
            width="100%", spacing="2")),
        spacing="4",
        width="100%",
    )


def _read_only_fields() -> rx.Component:
    return rx.vstack(
        _field_row(t("Status"), status_badge(TicketState.ticket["status"], TicketState.ticket["status_label"])),
        _field_row(t("Priority"), priority_badge(TicketState.ticket["priority"], TicketState.ticket["priority_label"])),
        _field_row(t("Category"), rx.text(TicketState.ticket["category"], size="2")),
        _field_row(t("Team"), rx.text(TicketState.ticket["team"], size="2")),
        _field_row(t("Assigned to"), rx.text(TicketState.ticket["assignee"], size="2")),
        spacing="4",
        width="100%",
    )


def _ai_panel() -> rx.Component:
    """The model's suggestions with their confidence; applied ones are marked, others take one click."""
    return card(
        rx.hstack(rx.icon("sparkles", size=16, color="var(--accent-9)"), rx.heading(t("AI triage"), size="3"),
                  rx.spacer(), rx.text(TicketState.ai_model, size="1", color_scheme="gray"), align="center"),
        rx.vstack(
            rx.foreach(
                TicketState.ai_suggestions,
                lambda s: rx.hstack(
                    rx.vstack(
                        rx.text(s["field"].to(str).capitalize(), size="1", color_scheme="gray"),
                        rx.text(s["label"], " ", rx.text.span(s["confidence"], color="var(--gray-10)"), size="2",
                                weight="medium"),
                        spacing="0",
                    ),
                    rx.spacer(),
                    rx.match(
                        s["status"],
                        ("applied", rx.badge(t("Applied"), color_scheme="green", variant="soft")),
                        ("accepted", rx.badge(t("Accepted"), color_scheme="green", variant="soft")),
                        ("rejected", rx.badge(t("Dismissed"), color_scheme="gray", variant="soft")),
                        ("unchanged", rx.badge(t("Same as now"), color_scheme="gray", variant="soft")),
                        ("kept_human_choice", rx.badge(t("Kept agent's choice"), color_scheme="gray", variant="soft")),
                        ("suggested", rx.cond(TicketState.can_work, rx.hstack(
                            rx.button(t("Apply"), size="1", on_click=TicketState.accept_ai(s["field"]),
                                      data_testid="ai-accept"),
                            rx.button(t("Dismiss"), size="1", variant="ghost", color_scheme="gray",
                                      on_click=TicketState.dismiss_ai(s["field"])),
                            spacing="1"),
                            rx.badge(t("Suggested"), variant="soft"))),
                        rx.badge(s["status"], variant="soft"),
                    ),
                    width="100%", align="center", data_testid="ai-suggestion",
                ),
            ),
            spacing="3", width="100%", margin_top="10px",
        ),
    )


def _article_from_ticket() -> rx.Component:
    return rx.cond(
        TicketState.can_work & ((TicketState.ticket["status"] == "resolved")
                                | (TicketState.ticket["status"] == "closed")),
        card(
            # Stacked rather than side by side: the sidebar is too narrow for text and button in one row.
            rx.vstack(
                rx.text(t("Solved something others will ask about?"), size="2", weight="medium"),
                rx.text(t("Start a help article from this ticket's problem and answers."), size="1",
                        color_scheme="gray"),
                rx.button(rx.icon("file-plus", size=14), t("Draft article"), size="2", variant="soft",
                          on_click=TicketState.make_article, data_testid="make-article"),
                spacing="2",
                width="100%",
            ),
        ),
    )


def _suggested_articles() -> rx.Component:
    return card(
        rx.hstack(rx.icon("book-open", size=16, color="var(--accent-9)"), rx.heading(t("Help articles"), size="3"),
                  align="center"),
        rx.vstack(
            rx.foreach(
                TicketState.articles,
                lambda a: rx.hstack(
                    rx.link(a["title"], href="/kb/" + a["slug"], is_external=True, size="2"),
                    rx.spacer(),
                    rx.button(t("Insert link"), size="1", variant="soft",
                              on_click=TicketState.insert_article_link(a["id"]), data_testid="insert-article"),
                    width="100%", align="center",
                ),
            ),
            spacing="2", width="100%", margin_top="10px",
        ),
    )


def _details() -> rx.Component:
    return rx.vstack(
        card(
            rx.cond(TicketState.can_work, _staff_fields(), _read_only_fields()),
            rx.divider(margin_y="16px"),
            rx.vstack(
                _field_row(t("Requester"), rx.vstack(
                    rx.text(TicketState.ticket["requester"], size="2"),
                    rx.cond(SessionState_is_staff(), rx.text(TicketState.ticket["requester_email"], size="1",
                                                             color_scheme="gray")),
                    spacing="0")),
                rx.cond(TicketState.ticket["followers"] != "",
                        _field_row(t("Also reported by"), rx.text(TicketState.ticket["followers"], size="2",
                                                               data_testid="followers"))),
                rx.cond(TicketState.ticket["filed_by"] != "",
                        _field_row(t("Filed by"), rx.text(TicketState.ticket["filed_by"], " · ",
                                                       TicketState.ticket["source_label"], size="2",
                                                       data_testid="filed-by"))),
                _field_row(t("Opened"), rx.text(TicketState.ticket["created"], size="2")),
                rx.cond(TicketState.ticket["resolution_due"] != "",
                        _field_row(t("Resolve by"), rx.text(TicketState.ticket["resolution_due"], " (",
                                                         TicketState.ticket["resolution_due_in"], ")", size="2"))),
                rx.cond(TicketState.ticket["resolved"] != "",
                        _field_row(t("Resolved"), rx.text(TicketState.ticket["resolved"], size="2"))),
                spacing="3",
                width="100%",
            ),
        ),
        ticket_tools_panel(),
        _people_panel(),
        rx.cond(TicketState.ai_suggestions.length() > 0, _ai_panel()),
        assistant_panel(),
        similar_tickets_panel(),
        rx.cond(TicketState.articles.length() > 0, _suggested_articles()),
        _article_from_ticket(),
        rx.cond(TicketState.can_work | (TicketState.related.length() > 0), _related()),
        rx.cond(TicketState.events.length() > 0, _history()),
        width="100%",
        spacing="4",
    )


def _cc_row(person: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=person["name"].to(str)[0:1], size="1", radius="full", color_scheme="gray"),
        rx.vstack(
            rx.text(person["name"], size="2", class_name="hd-wrap"),
            # Addresses only ever reach IT's browsers (the domain leaves them out for everyone else).
            rx.cond(person["email"] != "", rx.text(person["email"], size="1", color_scheme="gray",
                                                   class_name="hd-wrap")),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.cond(person["removable"] == "yes",
                rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray",
                               on_click=TicketState.remove_cc(person["id"]),
                               aria_label=tf("Remove {name} from CC", name=person["name"].to(str)),
                               data_testid="remove-cc")),
        align="center",
        width="100%",
        data_testid="cc-person",
    )


def _people_panel() -> rx.Component:
    """CC (everyone reading the ticket sees who else is copied in) and, for IT, following the ticket."""
    return rx.cond(
        TicketState.can_follow | TicketState.can_manage_cc | (TicketState.cc_people.length() > 0),
        card(
            rx.cond(
                TicketState.can_follow,
                rx.vstack(
                    rx.button(
                        icon_cond(TicketState.following, "bell-off", "bell-plus", size=14),
                        rx.cond(TicketState.following, t("Stop following"), t("Follow this ticket")),
                        variant=rx.cond(TicketState.following, "soft", "outline"),
                        size="2",
                        width="100%",
                        on_click=TicketState.toggle_follow,
                        aria_pressed=rx.cond(TicketState.following, "true", "false"),
                        data_testid="follow-button",
                    ),
                    rx.text(t("Followers are notified of replies, notes and changes."), size="1", color_scheme="gray"),
                    spacing="1",
                    width="100%",
                    margin_bottom="14px",
                ),
            ),
            rx.heading(t("CC"), size="3", as_="h2", margin_bottom="4px"),
            rx.text(t("Colleagues copied in can read the conversation and get its updates (never internal notes)."),
                    size="1", color_scheme="gray", margin_bottom="8px"),
            rx.vstack(rx.foreach(TicketState.cc_people, _cc_row), spacing="2", width="100%"),
            rx.cond(
                TicketState.can_manage_cc,
                rx.vstack(
                    rx.hstack(
                        rx.input(placeholder="colleague@company.com", value=TicketState.cc_email,
                                 on_change=TicketState.set_cc_email, type="email", flex="1", min_width="0",
                                 aria_label=t("E-mail address to copy in"), data_testid="cc-email"),
                        rx.button(t("Add"), variant="soft", size="2", on_click=TicketState.add_cc,
                                  data_testid="add-cc"),
                        spacing="2",
                        width="100%",
                    ),
                    rx.cond(TicketState.cc_error != "",
                            rx.text(TicketState.cc_error, color_scheme="red", size="1", role="alert",
                                    data_testid="cc-error")),
                    spacing="1",
                    width="100%",
                    margin_top="10px",
                ),
            ),
            data_testid="people-panel",
        ),
    )


def _solve_button() -> rx.Component:
    """The requester closes the loop themselves, with an optional note; replying later reopens the ticket."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(rx.icon("circle-check", size=16), t("Mark as solved"), color_scheme="green", variant="soft",
                      high_contrast=True, size="2", data_testid="mark-solved"),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Is your problem solved?")),
            rx.alert_dialog.description(
                t("The IT team sees that you marked it solved. If it comes back, reply on this ticket and it reopens."),
                size="2",
            ),
            rx.text(t("Anything to tell the IT team? (optional)"), as_="label", html_for="solve-note", size="2",
                    weight="medium", margin_top="12px", display="block"),
            rx.text_area(id="solve-note", value=TicketState.solve_note, on_change=TicketState.set_solve_note,
                         rows="3", width="100%", margin_top="4px", max_length=2000,
                         aria_label=t("Anything to tell the IT team? (optional)"), data_testid="solve-note"),
            rx.cond(TicketState.solve_error != "",
                    rx.text(TicketState.solve_error, color_scheme="red", size="1", role="alert")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Not yet"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t("Mark as solved"), color_scheme="green", high_contrast=True,
                                                 on_click=TicketState.mark_solved, data_testid="confirm-solved")),
                justify="end", spacing="3", margin_top="16px", wrap="wrap",
            ),
            max_width="min(460px, 92vw)",
        ),
    )


def SessionState_is_staff() -> rx.Var:  # noqa: N802
    return TicketState.user_role != "requester"


def _related() -> rx.Component:
    return card(
        rx.heading(t("Related tickets"), size="3", margin_bottom="10px"),
        rx.vstack(
            rx.foreach(
                TicketState.related,
                lambda r: rx.hstack(
                    rx.link(r["number"], " ", r["title"], href="/tickets/" + r["id"], size="2"),
                    rx.spacer(),
                    rx.text(r["status"], size="1", color_scheme="gray"),
                    rx.cond(TicketState.can_work,
                            rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray",
                                           on_click=TicketState.unlink_ticket(r["id"]), aria_label=t("Unlink"))),
                    width="100%", align="center", data_testid="related-ticket",
                ),
            ),
            rx.cond(
                TicketState.can_work,
                rx.vstack(
                    rx.hstack(
                        rx.input(placeholder=t("Ticket #"), value=TicketState.link_number,
                                 on_change=TicketState.set_link_number, width="110px", data_testid="link-number"),
                        rx.button(t("Link"), variant="soft", size="2", on_click=TicketState.link_ticket,
                                  data_testid="link-button"),
                        spacing="2",
                    ),
                    rx.hstack(
                        rx.input(placeholder=t("Ticket #"), value=TicketState.merge_number,
                                 on_change=TicketState.set_merge_number, width="110px", data_testid="merge-number"),
                        rx.alert_dialog.root(
                            rx.alert_dialog.trigger(rx.button(t("Merge into…"), variant="soft", color_scheme="orange",
                                                              size="2", data_testid="merge-button")),
                            rx.alert_dialog.content(
                                rx.alert_dialog.title(t("Merge this ticket?")),
                                rx.alert_dialog.description(
                                    t("This ticket is closed as a duplicate of #"), TicketState.merge_number,
                                    t("; its conversation and files move there and its requester is told by e-mail."),
                                ),
                                rx.hstack(
                                    rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                                    rx.alert_dialog.action(rx.button(t("Merge"), color_scheme="orange",
                                                                     on_click=TicketState.merge_into,
                                                                     data_testid="confirm-merge")),
                                    justify="end", spacing="3", margin_top="16px",
                                ),
                            ),
                        ),
                        spacing="2",
                    ),
                    rx.cond(TicketState.tools_error != "",
                            rx.text(TicketState.tools_error, color_scheme="red", size="1", data_testid="tools-error")),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )


def _history() -> rx.Component:
    return card(
        rx.heading(t("History"), size="3", margin_bottom="10px"),
        rx.vstack(
            rx.foreach(
                TicketState.events,
                lambda e: rx.hstack(
                    rx.box(width="8px", height="8px", border_radius="999px", background="var(--accent-8)",
                           margin_top="6px", flex_shrink="0"),
                    rx.vstack(
                        rx.text(rx.text.strong(e["actor"]), " ", e["text"], size="2"),
                        rx.text(e["when"], size="1", color_scheme="gray"),
                        spacing="0",
                    ),
                    spacing="2",
                    align="start",
                ),
            ),
            spacing="3",
            max_height="360px",
            overflow_y="auto",
            tab_index=0,  # a keyboard can scroll it
            role="region",
            aria_label=t("History"),
            data_testid="history",
        ),
    )


def _presence() -> rx.Component:
    """Other IT people on this ticket right now (collision detection)."""
    return rx.hstack(
        rx.foreach(
            TicketRoom.viewers,
            lambda v: rx.cond(
                v["id"] != TicketState.my_viewer_id,
                rx.badge(
                    rx.icon("eye", size=12),
                    v["name"],
                    rx.cond(v["typing_until"].to(float) > TicketState.clock, t(" is typing…"), t(" is viewing")),
                    color_scheme=rx.cond(v["typing_until"].to(float) > TicketState.clock, "amber", "gray"),
                    variant="soft",
                    size="2",
                    data_testid="presence",
                ),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


@template(TICKET, N_("Ticket"), on_load=[TicketState.on_load, TicketToolsState.on_load, TicketRoom.enter,
                                     *PANELS_ON_LOAD])
def ticket_page() -> rx.Component:
    return rx.fragment(
        live_trigger(LiveState.version, TicketState.apply_change(LiveState.version)),
        rx.moment(interval=10_000, on_change=[TicketRoom.heartbeat, TicketState.tick], display="none"),
        rx.box(on_unmount=TicketRoom.leave, display="none"),
        rx.window_event_listener(on_before_unload=TicketRoom.leave),
        rx.cond(
            TicketState.not_found,
            card(empty_state("search-x", t("Ticket not found"),
                             t("It may have been removed, or it belongs to someone else."),
                             rx.cond(SessionState_is_staff(),
                                     rx.link(rx.button(t("Back to the queue"), variant="soft"), href=QUEUE),
                                     rx.link(rx.button(t("Back to my tickets"), variant="soft"), href=PORTAL)))),
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        rx.hstack(
                            rx.text(TicketState.ticket["number"], color_scheme="gray", size="4", weight="medium"),
                            status_badge(TicketState.ticket["status"], TicketState.ticket["status_label"]),
                            priority_badge(TicketState.ticket["priority"], TicketState.ticket["priority_label"]),
                            spacing="2",
                            align="center",
                            wrap="wrap",
                        ),
                        rx.heading(TicketState.ticket["title"], size=rx.breakpoints(initial="5", md="6"), as_="h1",
                                   dir="auto",
                                   class_name="hd-wrap", data_testid="ticket-title"),
                        spacing="2",
                        align="start",
                        flex="1 1 280px",
                        min_width="0",
                    ),
                    rx.cond(TicketState.can_work, _presence()),
                    rx.cond(TicketState.can_work, rx.fragment(shortcut_scope("ticket"), shortcuts_help(TICKET_KEYS))),
                    rx.cond(TicketState.can_mark_solved, _solve_button()),
                    width="100%",
                    wrap="wrap",
                    margin_bottom="8px",
                ),
                rx.cond(TicketState.csat_open, _satisfaction_prompt()),
                # One column on a phone (the conversation and reply box first), the details beside it from a tablet.
                rx.grid(
                    _conversation(),
                    _details(),
                    columns=rx.breakpoints(initial="minmax(0, 1fr)", md="minmax(0, 1fr) 280px",
                                           lg="minmax(0, 1fr) 320px"),
                    spacing=rx.breakpoints(initial="4", md="5"),
                    align="start",
                    width="100%",
                ),
                width="100%",
                spacing="4",
            ),
        ),
    )
