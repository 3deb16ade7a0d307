"""An agent files a ticket for someone who phoned or walked up to the desk."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import card, error_callout, page_header
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import FILE_FOR_SOMEONE, QUEUE
from helpdesk.state.live import LiveState
from helpdesk.state.on_behalf import FileForState


def _error(field: str) -> rx.Component:
    return rx.cond(
        FileForState.field_errors.contains(field),
        rx.text(FileForState.field_errors[field], color_scheme="red", size="1", role="alert",
                data_testid=f"error-{field}"),
    )


def _label(text: rx.Var | str, html_for: str) -> rx.Component:
    return rx.text(text, size="2", weight="medium", as_="label", html_for=html_for)


def _person_picker() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Who is it for?"), size="3", as_="h2"),
        rx.cond(
            FileForState.person.contains("id"),
            rx.hstack(
                rx.icon("user-check", size=18, color="var(--green-9)"),
                rx.vstack(rx.text(FileForState.person["name"], weight="bold", size="2"),
                          rx.text(FileForState.person["email"], size="1", color_scheme="gray"),
                          spacing="0", min_width="0"),
                rx.spacer(),
                rx.button(t("Change"), variant="soft", size="1", on_click=FileForState.clear_person,
                          data_testid="change-person"),
                align="center", width="100%", padding="10px", border="1px solid var(--green-a6)",
                border_radius="8px", data_testid="chosen-person",
            ),
            rx.cond(
                ~FileForState.new_person,
                rx.vstack(
                    _label(t("Find the person by name or e-mail"), "person-search"),
                    rx.input(rx.input.slot(rx.icon("search", size=16)), id="person-search",
                             value=FileForState.search, on_change=FileForState.set_search.debounce(300),
                             placeholder=t("e.g. Sara or sara.ahmed@"), width="100%", size="3",
                             aria_label=t("Find the person by name or e-mail"), data_testid="person-search"),
                    rx.vstack(
                        rx.foreach(FileForState.matches, lambda m: rx.button(
                            rx.vstack(rx.text(m["name"], weight="medium", size="2"),
                                      rx.text(m["email"], " ", m["department"], size="1", color_scheme="gray"),
                                      spacing="0", align="start"),
                            variant="surface", color_scheme="gray", width="100%", height="auto", padding="8px 12px",
                            style={"justify_content": "flex-start", "text_align": "start"},
                            on_click=FileForState.choose(m["id"]), data_testid="person-match")),
                        spacing="1", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
            ),
        ),
        rx.cond(
            ~FileForState.person.contains("id"),
            rx.hstack(rx.switch(id="new-person", checked=FileForState.new_person,
                                on_change=FileForState.set_new_person, aria_label=t("Not in the list: a new requester"),
                                data_testid="new-person"),
                      _label(t("Not in the list: a new requester"), "new-person"), spacing="2", align="center"),
        ),
        rx.cond(
            FileForState.new_person,
            rx.grid(
                rx.vstack(_label(t("Name"), "new-name"),
                          rx.input(id="new-name", value=FileForState.new_name, on_change=FileForState.set_new_name,
                                   width="100%", size="3", aria_label=t("Name"), data_testid="new-name"),
                          _error("requester_full_name"), spacing="1", width="100%"),
                rx.vstack(_label(t("E-mail"), "new-email"),
                          rx.input(id="new-email", type="email", value=FileForState.new_email,
                                   on_change=FileForState.set_new_email, width="100%", size="3",
                                   aria_label=t("E-mail"), data_testid="new-email"),
                          _error("requester_email"), spacing="1", width="100%"),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="4", width="100%",
            ),
        ),
        rx.cond(FileForState.new_person,
                rx.text(t("An account without a password is made for them; they sign in with single sign-on or "
                        "\"Forgot password\"."), size="1", color_scheme="gray")),
        _error("requester"),
        spacing="3",
        width="100%",
    )


def _channel() -> rx.Component:
    return rx.vstack(
        rx.text(t("How did they reach you?"), size="2", weight="medium", id="channel-label"),
        rx.radio_group.root(
            rx.hstack(
                rx.text(rx.radio_group.item(value="phone", data_testid="channel-phone"), t(" Phone call"),
                        as_="label",
                        size="2"),
                rx.text(rx.radio_group.item(value="walk_in", data_testid="channel-walk_in"),
                        t(" Walked up to the desk"),
                        as_="label", size="2"),
                spacing="5", wrap="wrap",
            ),
            value=FileForState.channel,
            on_change=FileForState.set_channel,
            aria_labelledby="channel-label",
        ),
        _error("channel"),
        spacing="2",
        width="100%",
    )


def _problem() -> rx.Component:
    return rx.vstack(
        rx.heading(t("The problem"), size="3", as_="h2"),
        rx.vstack(_label(t("Title"), "title"),
                  rx.input(id="title", value=FileForState.title, on_change=FileForState.set_title, size="3",
                           width="100%", max_length=200, aria_label=t("Title"), data_testid="title"),
                  _error("title"), spacing="1", width="100%"),
        rx.vstack(_label(t("Description"), "description"),
                  rx.text_area(id="description", value=FileForState.description,
                               on_change=FileForState.set_description, rows="6", size="3", width="100%",
                               placeholder=t("What they told you, in their words."), aria_label=t("Description"),
                               data_testid="description"),
                  _error("description"), spacing="1", width="100%"),
        rx.grid(
            rx.vstack(
                _label(t("Priority"), "priority"),
                rx.select.root(
                    rx.select.trigger(id="priority", width="100%", aria_label=t("Priority")),
                    rx.select.content(rx.select.item(t("Low"), value="low"),
                                      rx.select.item(t("Medium"), value="medium"),
                                      rx.select.item(t("High"), value="high"),
                                      rx.select.item(t("Critical"), value="critical")),
                    value=FileForState.priority, on_change=FileForState.set_priority, size="3"),
                spacing="1", width="100%"),
            rx.vstack(
                _label(t("Category"), "category"),
                rx.select.root(
                    rx.select.trigger(id="category", placeholder=t("Not sure"), width="100%",
                                      aria_label=t("Category")),
                    rx.select.content(rx.foreach(FileForState.category_choices,
                                                 lambda c: rx.select.item(c["label"], value=c["id"]))),
                    value=FileForState.category_id, on_change=FileForState.set_category, size="3"),
                _error("category_id"), spacing="1", width="100%"),
            columns=rx.breakpoints(initial="1", sm="2"), spacing="4", width="100%",
        ),
        spacing="3",
        width="100%",
    )


@template(FILE_FOR_SOMEONE, N_("File for someone"), on_load=[FileForState.on_load, LiveState.stop_watching],
          max_width="820px")
def file_for_page() -> rx.Component:
    return rx.fragment(
        page_header(t("File a ticket for someone"), t("For a person who phoned or walked up: the ticket is theirs, "
                                                 "and the history says you filed it.")),
        error_callout(FileForState.error),
        card(rx.vstack(
            _person_picker(),
            rx.divider(),
            _channel(),
            rx.divider(),
            _problem(),
            rx.hstack(
                rx.link(rx.button(t("Cancel"), variant="soft", color_scheme="gray", size="3"), href=QUEUE),
                rx.button(t("File ticket"), size="3", on_click=FileForState.submit, data_testid="file-for-submit"),
                justify="end", width="100%", spacing="3",
            ),
            spacing="5",
            width="100%",
        )),
    )
