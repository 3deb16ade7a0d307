"""Requester portal: the new-ticket form with field-level validation and attachments."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import card, error_callout, page_header
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import FILE_FOR_SOMEONE, NEW_TICKET, PORTAL
from helpdesk.state.live import LiveState
from helpdesk.state.portal import NewTicketState


def _error(field: str) -> rx.Component:
    return rx.cond(
        NewTicketState.field_errors.contains(field),
        rx.text(NewTicketState.field_errors[field], color_scheme="red", size="1", data_testid=f"error-{field}"),
    )


def _label(text: rx.Var | str, html_for: str, hint: rx.Var | str = "") -> rx.Component:
    return rx.hstack(
        rx.text(text, size="2", weight="medium", as_="label", html_for=html_for),
        rx.fragment() if isinstance(hint, str) and not hint else rx.text(hint, size="1", color_scheme="gray"),
        align="baseline",
        spacing="2",
    )


def _level_select(label: rx.Var | str, name: str, value: rx.Var, on_change: rx.EventHandler, hint: rx.Var | str,
                  choices: list[tuple[str, rx.Var | str]]) -> rx.Component:
    return rx.vstack(
        _label(label, name),
        rx.select.root(
            rx.select.trigger(id=name, width="100%", aria_label=label),
            rx.select.content(*[rx.select.item(text, value=level) for level, text in choices]),
            value=value,
            on_change=on_change,
            size="3",
        ),
        rx.text(hint, size="1", color_scheme="gray"),
        _error(name),
        spacing="1",
        width="100%",
    )


def _priority_line() -> rx.Component:
    """The priority impact and urgency give (helpdesk/tickets/priority.py): requesters see it before filing."""
    return rx.hstack(
        rx.text(t("Priority:"), size="2", weight="medium"),
        rx.badge(rx.match(NewTicketState.priority, ("low", t("LOW")), ("medium", t("MEDIUM")), ("high", t("HIGH")),
                          ("critical", t("CRITICAL")), NewTicketState.priority.upper()),
                 variant="soft", size="2", data_testid="priority-preview",
                 color_scheme=rx.match(NewTicketState.priority, ("high", "orange"), ("medium", "blue"), "gray")),
        rx.text(t("from who is affected and how soon. The IT team raises it to critical when many people are stopped."),
                size="1", color_scheme="gray"),
        align="center",
        spacing="2",
        wrap="wrap",
        width="100%",
    )


def _deflection_panel() -> rx.Component:
    return rx.cond(
        NewTicketState.suggestions.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("lightbulb")),
            rx.vstack(
                rx.text(t("These articles may solve it right away:"), weight="bold", size="2"),
                rx.foreach(
                    NewTicketState.suggestions,
                    lambda s: rx.hstack(
                        rx.vstack(
                            rx.link(s["title"], href="/kb/" + s["slug"], is_external=True, weight="medium",
                                    size="2"),
                            rx.cond(s["summary"] != "", rx.text(s["summary"], size="1", color_scheme="gray")),
                            spacing="0",
                            align="start",
                        ),
                        rx.spacer(),
                        rx.button(t("This solved my problem"), size="1", variant="soft", color_scheme="green",
                                  on_click=NewTicketState.solved_by(s["id"]), data_testid="deflect-solved"),
                        width="100%",
                        align="center",
                        wrap="wrap",
                        data_testid="deflection-suggestion",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="blue",
            width="100%",
            margin_bottom="16px",
            data_testid="deflection-panel",
        ),
    )


@template(NEW_TICKET, N_("New ticket"), on_load=[NewTicketState.on_load, LiveState.stop_watching], max_width="820px")
def new_ticket_page() -> rx.Component:
    return rx.fragment(
        page_header(t("Report a problem or ask for something"), t("The IT team gets it right away.")),
        # IT staff filing for a caller or a walk-up: the ticket should be that person's, not theirs.
        rx.cond(NewTicketState.user_role != "requester",
                rx.callout(rx.text(t("Someone phoned or walked up? "),
                                   rx.link(t("File the ticket for them"), href=FILE_FOR_SOMEONE, high_contrast=True,
                                           underline="always", weight="bold", data_testid="file-for-link"),
                                   t(" so it is theirs.")),
                           icon="phone", color_scheme="blue", high_contrast=True, width="100%",
                           margin_bottom="16px")),
        error_callout(NewTicketState.error),
        card(
            rx.vstack(
                rx.vstack(
                    _label(t("Title"), "title", t("a short summary")),
                    rx.input(id="title", value=NewTicketState.title, on_change=NewTicketState.set_title,
                             placeholder=t("e.g. Laptop will not connect to the office Wi-Fi"), size="3", width="100%",
                             max_length=200),
                    _error("title"),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    _label(t("Description"), "description", t("what happened, since when, what you tried")),
                    rx.text_area(id="description", value=NewTicketState.description,
                                 on_change=NewTicketState.set_description, rows="8", size="3", width="100%",
                                 placeholder=t("Describe the problem in your own words. Include any error message.")),
                    _error("description"),
                    spacing="1",
                    width="100%",
                ),
                _deflection_panel(),
                rx.grid(
                    _level_select(t("Who is affected?"), "impact", NewTicketState.impact, NewTicketState.set_impact,
                                  t("How many people it stops or slows down."),
                                  [("low", t("Just me")), ("medium", t("My team or a few people")),
                                   ("high", t("Many people or a whole office"))]),
                    _level_select(t("How soon does it hurt?"), "urgency", NewTicketState.urgency,
                                  NewTicketState.set_urgency, t("How much it gets in the way of your work now."),
                                  [("low", t("It can wait")), ("medium", t("It slows me down")),
                                   ("high", t("I can't work"))]),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="5",
                    width="100%",
                ),
                _priority_line(),
                _error("priority"),
                rx.vstack(
                    _label(t("Category"), "category", t("optional: we sort it if unsure")),
                    rx.select.root(
                        rx.select.trigger(id="category", placeholder=t("Not sure"), width="100%",
                                          aria_label=t("Category")),
                        rx.select.content(
                            rx.foreach(NewTicketState.category_choices,
                                       lambda c: rx.select.item(c["label"], value=c["id"])),
                        ),
                        value=NewTicketState.category_id,
                        on_change=NewTicketState.set_category,
                        size="3",
                    ),
                    _error("category_id"),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    _label(t("Attachments"), "attachments", t("screenshots or files, up to 5 files of 10 MB")),
                    # Wrapped in a label: the file input inside gets the drop zone's words as its name.
                    rx.el.label(
                        rx.upload.root(
                            rx.vstack(
                                rx.icon("paperclip", size=20, color="var(--gray-10)"),
                                rx.text(t("Drop files here or click to choose"), size="2", color_scheme="gray"),
                                align="center",
                                spacing="1",
                            ),
                            id="attachments",
                            multiple=True,
                            max_files=5,
                            max_size=10 * 1024 * 1024,
                            border="1px dashed var(--gray-a7)",
                            border_radius="10px",
                            padding="18px",
                            width="100%",
                            cursor="pointer",
                        ),
                        display="block", width="100%",
                    ),
                    rx.hstack(
                        rx.foreach(rx.selected_files("attachments"),
                                   lambda name: rx.badge(rx.icon("file", size=12), name, variant="surface")),
                        wrap="wrap",
                        spacing="2",
                    ),
                    _error("attachments"),
                    spacing="1",
                    width="100%",
                ),
                rx.hstack(
                    rx.link(rx.button(t("Cancel"), variant="soft", color_scheme="gray", size="3"), href=PORTAL),
                    rx.button(
                        t("Submit ticket"),
                        size="3",
                        on_click=NewTicketState.submit(rx.upload_files(upload_id="attachments")),
                        data_testid="submit-ticket",
                    ),
                    justify="end",
                    width="100%",
                    spacing="3",
                ),
                spacing="5",
                width="100%",
            ),
        ),
    )
