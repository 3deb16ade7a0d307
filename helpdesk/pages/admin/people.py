"""Admin pages: users, teams, categories."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.admin import (
    ROLE_COLOURS,
    STATUS_COLOURS,
    admin_page,
    coloured,
    dialog,
    field_error,
    select_field,
    table,
    text_area,
    text_field,
)
from helpdesk.components.i18n import t, tf
from helpdesk.components.icons import icon_cond
from helpdesk.components.layout import card
from helpdesk.core.i18n import N_
from helpdesk.identity.accounts import CSV_COLUMNS
from helpdesk.identity.organisation import ASSIGNMENT_MODES
from helpdesk.pages.template import template
from helpdesk.routes import ADMIN_CATEGORIES, ADMIN_TEAMS, ADMIN_USERS
from helpdesk.state.admin_people import NONE, ROLE_CHOICES, CategoriesState, TeamsState, UsersState

ROLE_LABELS = {"requester": N_("Requester"), "agent": N_("Agent"), "manager": N_("Manager"), "admin": N_("Admin")}

# ---------------------------------------------------------------- users


def _role_items() -> list[rx.Component]:
    return [rx.select.item(t(ROLE_LABELS[r]), value=r) for r in ROLE_CHOICES]


def _team_checkboxes() -> rx.Component:
    return rx.vstack(
        rx.text(t("Teams"), size="2", weight="medium"),
        rx.cond(
            UsersState.team_choices.length() > 0,
            rx.flex(rx.foreach(UsersState.team_choices, lambda t: rx.checkbox(
                t["label"], checked=UsersState.chosen_teams.contains(t["id"]),
                on_change=lambda checked: UsersState.toggle_team(t["id"], checked),
                data_testid="team-" + t["label"])), wrap="wrap", gap="12px"),
            rx.text(t("No teams yet."), size="1", color_scheme="gray"),
        ),
        field_error(UsersState.field_errors, "team_ids"),
        spacing="1",
        width="100%",
    )


def _user_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(rx.text(row["full_name"], weight="medium"),
                                           rx.text(row["email"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(coloured(row["role"], ROLE_COLOURS, "user-role")),
        rx.table.cell(rx.text(row["teams"], size="2")),
        rx.table.cell(coloured(row["status"], STATUS_COLOURS, "user-status")),
        rx.table.cell(rx.text(row["last_login"], size="1", color_scheme="gray"), white_space="nowrap"),
        rx.table.cell(rx.button(t("Edit"), size="1", variant="soft", on_click=UsersState.open_edit(row["id"]),
                                data_testid="edit-" + row["email"])),
        data_testid="user-row",
    )


def _invite_dialog() -> rx.Component:
    return dialog(
        UsersState, "invite", t("Invite a person"),
        rx.vstack(
            rx.text(t("They get an e-mail with a link to choose their password (valid for 7 days)."), size="2",
                    color_scheme="gray"),
            text_field(UsersState, t("E-mail"), "email", kind="email", placeholder="name@company.com"),
            text_field(UsersState, t("Full name"), "full_name"),
            select_field(UsersState, t("Role"), "role", _role_items()),
            text_field(UsersState, t("Department"), "department"),
            _team_checkboxes(),
            spacing="3", width="100%",
        ),
        rx.button(t("Send invitation"), on_click=UsersState.invite, data_testid="send-invitation"),
    )


def _edit_dialog() -> rx.Component:
    editing = UsersState.editing
    return dialog(
        UsersState, "edit", tf("Edit {name}", name=editing["full_name"].to(str)),
        rx.vstack(
            rx.hstack(rx.text(editing["email"], size="2", color_scheme="gray"),
                      coloured(editing["status"], STATUS_COLOURS), spacing="2", align="center"),
            text_field(UsersState, t("Full name"), "full_name"),
            select_field(UsersState, t("Role"), "role", _role_items()),
            text_field(UsersState, t("Department"), "department"),
            _team_checkboxes(),
            spacing="3", width="100%",
        ),
        rx.cond(editing["status"] == "invited",
                rx.button(t("Resend invitation"), variant="soft", on_click=UsersState.resend_invitation,
                          data_testid="resend-invitation")),
        rx.cond(editing["status"] == "deactivated",
                rx.button(t("Reactivate"), variant="soft", color_scheme="green", on_click=UsersState.set_active(True),
                          data_testid="reactivate"),
                rx.button(t("Deactivate"), variant="soft", color_scheme="red", on_click=UsersState.set_active(False),
                          data_testid="deactivate")),
        rx.button(t("Save"), on_click=UsersState.save_edit, data_testid="save-user"),
    )


def _preview_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["line"]),
        rx.table.cell(row["email"]),
        rx.table.cell(row["full_name"]),
        rx.table.cell(row["role"]),
        rx.table.cell(row["teams"]),
        rx.table.cell(rx.match(row["action"], ("create", rx.badge(t("create"), color_scheme="green")),
                               ("skip", rx.badge(t("skip"), color_scheme="gray")),
                               rx.badge(t("error"), color_scheme="red")),
                      rx.text(row["problem"], size="1", color_scheme="red")),
        data_testid="preview-row",
    )


def _import_dialog() -> rx.Component:
    return dialog(
        UsersState, "import", t("Import people from CSV"),
        rx.vstack(
            rx.text(t("Paste the CSV (or open the file and copy it). First line:"), " ", rx.code(",".join(CSV_COLUMNS)),
                    ". ", t("Teams separated by “;”. Role defaults to requester. Preview first: nothing changes until "
                           "you import, and nothing is imported while a line has an error."),
                    size="2", color_scheme="gray"),
            text_area(UsersState, t("CSV"), "csv", rows="8",
                      placeholder="email,full_name,role,teams,department\nsara@corp.example,Sara Lee,agent,"
                                  "Hardware,IT", font_family="monospace"),
            rx.cond(UsersState.preview_summary != "",
                    rx.text(UsersState.preview_summary, size="2", weight="medium", data_testid="import-summary")),
            rx.cond(UsersState.preview.length() > 0,
                    rx.box(table([t("Line"), t("E-mail"), t("Name"), t("Role"), t("Teams"), t("Result")],
                                 UsersState.preview,
                                 _preview_row, "import-preview", ""), max_height="260px", overflow_y="auto",
                           width="100%")),
            spacing="3", width="100%",
        ),
        rx.button(t("Preview"), variant="soft", on_click=UsersState.preview_import, data_testid="preview-import"),
        rx.button(t("Import"), on_click=UsersState.apply_import, data_testid="apply-import"),
        width="860px",
    )


def _user_filters() -> rx.Component:
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(name="query", placeholder=t("Search name or e-mail"), width="260px", max_width="60vw",
                         data_testid="user-search"),
                rx.button(rx.icon("search", size=14), t("Search"), type="submit", variant="soft"),
                spacing="2",
            ),
            on_submit=UsersState.search,
            reset_on_submit=False,
        ),
        rx.select.root(rx.select.trigger(width="150px", aria_label=t("Role")),
                       rx.select.content(rx.select.item(t("Any role"), value="any"), *_role_items()),
                       value=UsersState.role_filter, on_change=UsersState.set_role_filter),
        rx.select.root(rx.select.trigger(width="150px", aria_label=t("Status")),
                       rx.select.content(rx.select.item(t("Any status"), value="any"),
                                         rx.select.item(t("Active"), value="active"),
                                         rx.select.item(t("Invited"), value="invited"),
                                         rx.select.item(t("Deactivated"), value="inactive")),
                       value=UsersState.status_filter, on_change=UsersState.set_status_filter),
        gap="8px",
        wrap="wrap",
        margin_bottom="12px",
    )


@template(ADMIN_USERS, "Users", on_load=UsersState.on_load)
def users_page() -> rx.Component:
    return admin_page(
        ADMIN_USERS, t("Users"), t("Invite people, set their role and teams, deactivate leavers."),
        UsersState.error, UsersState.notice,
        card(
            _user_filters(),
            table([t("Person"), t("Role"), t("Teams"), t("Status"), t("Last sign-in"), ""], UsersState.users, _user_row,
                  "users-table", t("No people match.")),
            rx.hstack(
                rx.text(UsersState.page_label, size="2", color_scheme="gray", data_testid="users-page-label"),
                rx.spacer(),
                rx.button(t("Previous"), variant="soft", size="1", disabled=UsersState.cursor_stack.length() == 0,
                          on_click=UsersState.previous_page),
                rx.button(t("Next"), variant="soft", size="1", disabled=UsersState.next_cursor == "",
                          on_click=UsersState.next_page, data_testid="users-next"),
                width="100%", align="center", margin_top="12px",
            ),
        ),
        _invite_dialog(),
        _edit_dialog(),
        _import_dialog(),
        actions=(rx.hstack(
            rx.button(rx.icon("upload", size=14), t("Import CSV"), variant="soft", on_click=UsersState.open_import,
                      data_testid="open-import"),
            rx.button(rx.icon("user-plus", size=14), t("Invite person"), on_click=UsersState.open_invite,
                      data_testid="open-invite"),
            spacing="2", wrap="wrap"),),
    )


# ---------------------------------------------------------------- teams


def _team_row(row: rx.Var) -> rx.Component:
    selected = TeamsState.selected_id.to_string() == row["id"]
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row["name"], on_click=TeamsState.select_team(row["id"]), cursor="pointer",
                                         weight=rx.cond(selected, "bold", "regular"))),
        rx.table.cell(row["lead"]),
        rx.table.cell(row["mode"]),
        rx.table.cell(row["members"], white_space="nowrap"),
        rx.table.cell(rx.button(t("Edit"), size="1", variant="soft", on_click=TeamsState.open_edit(row["id"]),
                                data_testid="edit-team-" + row["name"])),
        background=rx.cond(selected, "var(--accent-a2)", "transparent"),
        data_testid="team-row",
    )


def _member_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(rx.text(row["full_name"], weight="medium"),
                                           rx.text(row["email"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(coloured(row["role"], ROLE_COLOURS)),
        rx.table.cell(rx.hstack(
            rx.switch(checked=row["available"] == "yes",
                      on_change=lambda on: TeamsState.set_available(row["id"], on),
                      aria_label=tf("Available for new tickets: {name}", name=row["full_name"].to(str)),
                      data_testid="available-" + row["email"]),
            rx.text(rx.cond(row["available"] == "yes", t("Available"), t("Away")), size="1"), align="center")),
        rx.table.cell(rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="red",
                                     on_click=TeamsState.remove_member(row["id"]), aria_label=t("Remove from team"),
                                     data_testid="remove-" + row["email"])),
        data_testid="member-row",
    )


def _team_dialog() -> rx.Component:
    return dialog(
        TeamsState, "team", rx.cond(TeamsState.editing_id == 0, t("New team"), t("Edit team")),
        rx.vstack(
            text_field(TeamsState, t("Name"), "name"),
            text_area(TeamsState, t("Description"), "description", rows="2"),
            select_field(TeamsState, t("Lead"), "lead_id", [
                rx.select.item(t("No lead"), value=NONE),
                rx.foreach(TeamsState.members, lambda m: rx.select.item(m["full_name"], value=m["id"]))],
                hint=t("The lead gets SLA escalations. Pick from this team's members.")),
            select_field(TeamsState, t("Assignment"), "assignment_mode",
                         [rx.select.item(t(label), value=mode) for mode, label in ASSIGNMENT_MODES.items()]),
            spacing="3", width="100%",
        ),
        rx.button(t("Save team"), on_click=TeamsState.save_team, data_testid="save-team"),
    )


@template(ADMIN_TEAMS, "Teams", on_load=TeamsState.on_load)
def teams_page() -> rx.Component:
    return admin_page(
        ADMIN_TEAMS, t("Teams"), t("Who works which queue, who leads it, and how new tickets are assigned."),
        TeamsState.error, TeamsState.notice,
        rx.grid(
            card(rx.heading(t("Teams"), size="4", margin_bottom="8px"),
                 table([t("Team"), t("Lead"), t("Assignment"), t("Members"), ""], TeamsState.teams, _team_row,
                       "teams-table",
                       t("No teams yet."))),
            card(
                rx.heading(tf("Members of {team}", team=TeamsState.selected_name), size="4", margin_bottom="8px"),
                table([t("Person"), t("Role"), t("Availability"), ""], TeamsState.members, _member_row, "members-table",
                      t("No members yet.")),
                rx.cond(TeamsState.selected_id > 0, rx.vstack(
                    rx.hstack(
                        rx.select.root(
                            rx.select.trigger(placeholder=t("Add a member…"), width="260px", max_width="60vw",
                                              aria_label=t("Add a member"), data_testid="select-member"),
                            rx.select.content(rx.foreach(TeamsState.staff_choices,
                                                         lambda c: rx.select.item(c["label"], value=c["id"]))),
                            value=TeamsState.form["member_id"].to(str),
                            on_change=lambda v: TeamsState.set_field("member_id", v)),
                        rx.button(t("Add"), variant="soft", on_click=TeamsState.add_member, data_testid="add-member"),
                        spacing="2", margin_top="12px"),
                    field_error(TeamsState.field_errors, "member_id"),
                    field_error(TeamsState.field_errors, "user_id"),
                    spacing="1")),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _team_dialog(),
        actions=(rx.button(rx.icon("plus", size=14), t("New team"), on_click=TeamsState.open_new,
                           data_testid="new-team"),),
    )


# ---------------------------------------------------------------- categories


def _category_row(row: rx.Var) -> rx.Component:
    active = row["active"] == "yes"
    return rx.table.row(
        rx.table.row_header_cell(rx.hstack(
            rx.box(width=row["indent"]),
            icon_cond(row["depth"] == "0", "folder", "corner-down-right", size=14, color="var(--gray-10)"),
            rx.text(row["name"], weight=rx.cond(row["depth"] == "0", "bold", "regular"),
                    color_scheme=rx.cond(active, "gray", "gray"), high_contrast=active),
            rx.cond(active, rx.fragment(), rx.badge(t("archived"), color_scheme="gray", variant="soft")),
            spacing="2", align="center")),
        rx.table.cell(row["team"]),
        rx.table.cell(rx.text(row["description"], size="1", color_scheme="gray")),
        rx.table.cell(rx.hstack(
            rx.button(t("Edit"), size="1", variant="soft", on_click=CategoriesState.open_edit(row["id"]),
                      data_testid="edit-category-" + row["path"]),
            rx.cond(active,
                    rx.button(t("Archive"), size="1", variant="ghost", color_scheme="red",
                              on_click=CategoriesState.set_archived(row["id"], True),
                              data_testid="archive-category-" + row["path"]),
                    rx.button(t("Restore"), size="1", variant="ghost", color_scheme="green",
                              on_click=CategoriesState.set_archived(row["id"], False),
                              data_testid="restore-category-" + row["path"])),
            spacing="2")),
        opacity=rx.cond(active, "1", "0.6"),
        data_testid="category-row",
    )


def _category_dialog() -> rx.Component:
    return dialog(
        CategoriesState, "category", rx.cond(CategoriesState.editing_id == 0, t("New category"), t("Edit category")),
        rx.vstack(
            text_field(CategoriesState, t("Name"), "name"),
            select_field(CategoriesState, t("Parent"), "parent_id", [
                rx.select.item(t("None (top level)"), value=NONE),
                rx.foreach(CategoriesState.parent_choices, lambda c: rx.select.item(c["label"], value=c["id"]))],
                hint=t("Changing the parent moves the category, with its children.")),
            select_field(CategoriesState, t("Default team"), "default_team_id", [
                rx.select.item(t("No team (general queue)"), value=NONE),
                rx.foreach(CategoriesState.team_choices, lambda c: rx.select.item(c["label"], value=c["id"]))],
                hint=t("New tickets in this category go to this team's queue.")),
            text_area(CategoriesState, t("Description"), "description", rows="2"),
            spacing="3", width="100%",
        ),
        rx.button(t("Save category"), on_click=CategoriesState.save_category, data_testid="save-category"),
    )


@template(ADMIN_CATEGORIES, "Categories", on_load=CategoriesState.on_load)
def categories_page() -> rx.Component:
    return admin_page(
        ADMIN_CATEGORIES, t("Categories"),
        t("The category tree people file tickets under, and each one's default team."),
        CategoriesState.error, CategoriesState.notice,
        card(table([t("Category"), t("Default team"), t("Description"), ""], CategoriesState.categories, _category_row,
                   "categories-table", t("No categories yet."))),
        _category_dialog(),
        actions=(rx.button(rx.icon("plus", size=14), t("New category"), on_click=CategoriesState.open_new,
                           data_testid="new-category"),),
    )
