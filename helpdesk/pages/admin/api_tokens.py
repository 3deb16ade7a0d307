"""API tokens: service accounts (admins, /admin/api-tokens) and your own tokens (everyone, /settings)."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.admin import FOLLOW_PAGE_DIRECTION, admin_page, field_error, table
from helpdesk.components.i18n import t, tf
from helpdesk.components.layout import card, error_callout, page_header
from helpdesk.core.i18n import N_
from helpdesk.identity.tokens import SCOPES
from helpdesk.pages.template import template
from helpdesk.routes import ADMIN_API, MY_SETTINGS
from helpdesk.state.api_tokens import MyTokensState, ServiceAccountsState

EXPIRIES = [("30", N_("30 days")), ("90", N_("90 days")), ("365", N_("1 year")), ("never", N_("Never"))]


def _token_table(rows: rx.Var, revoke: object) -> rx.Component:
    def row(token: rx.Var) -> rx.Component:
        revoked = token["revoked"] == "yes"
        return rx.table.row(
            rx.table.row_header_cell(rx.vstack(rx.text(token["name"], weight="medium"),
                                               rx.code(token["prefix"], variant="ghost", size="1"), spacing="0")),
            rx.table.cell(rx.text(token["scopes"], size="1")),
            rx.table.cell(rx.text(token["last_used"], size="1"), white_space="nowrap"),
            rx.table.cell(rx.text(token["expires"], size="1"), white_space="nowrap"),
            rx.table.cell(rx.cond(revoked, rx.badge(t("revoked"), color_scheme="gray", variant="soft"),
                                  rx.button(t("Revoke"), size="1", variant="soft", color_scheme="red",
                                            on_click=revoke(token["id"]), data_testid="revoke-" + token["name"]))),
            opacity=rx.cond(revoked, "0.6", "1"),
            data_testid="token-row",
        )

    return table([t("Token"), t("Scopes"), t("Last used"), t("Expires"), ""], rows, row, "tokens-table",
                 t("No tokens yet."))


def _scope_box(state: type, scope: str) -> rx.Component:
    return rx.checkbox(scope, checked=state.scopes.contains(scope), on_change=lambda on: state.toggle_scope(scope, on),
                       data_testid=f"scope-{scope}")


def _new_token_form(state: type) -> rx.Component:
    return rx.vstack(
        rx.heading(t("New token"), size="3"),
        rx.flex(
            rx.input(placeholder=t("What will use it?"), value=state.form["token_name"].to(str),
                     on_change=lambda v: state.set_field("token_name", v), width="240px", max_width="100%",
                     id="field-token_name"),
            rx.select.root(rx.select.trigger(width="120px", aria_label=t("Expires")),
                           rx.select.content(*[rx.select.item(t(label), value=v) for v, label in EXPIRIES]),
                           value=state.form["expires"].to(str), on_change=lambda v: state.set_field("expires", v)),
            gap="8px", wrap="wrap"),
        field_error(state.field_errors, "token_name"),
        rx.flex(*[_scope_box(state, scope) for scope in SCOPES], gap="14px", wrap="wrap"),
        field_error(state.field_errors, "scopes"),
        rx.button(rx.icon("key-round", size=14), t("Create token"), on_click=state.create_token,
                  data_testid="create-token"),
        rx.cond(state.new_token != "", rx.callout(
            rx.vstack(rx.text(t("Copy it now: it is shown only this once."), weight="bold"),
                      rx.code(state.new_token, data_testid="new-token", word_break="break-all"), spacing="1"),
            icon="key-round", color_scheme="amber", width="100%")),
        spacing="2", width="100%", margin_top="16px",
    )


def _account_row(row: rx.Var) -> rx.Component:
    selected = ServiceAccountsState.selected_id.to_string() == row["id"]
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row["name"], on_click=ServiceAccountsState.select_account(row["id"]),
                                         cursor="pointer", weight=rx.cond(selected, "bold", "regular"))),
        rx.table.cell(row["role"]),
        rx.table.cell(row["tokens"]),
        background=rx.cond(selected, "var(--accent-a2)", "transparent"),
        data_testid="account-row",
    )


@template(ADMIN_API, "API tokens", on_load=ServiceAccountsState.on_load)
def service_accounts_page() -> rx.Component:
    state = ServiceAccountsState
    return admin_page(
        ADMIN_API, t("API tokens"),
        t("Service accounts for integrations (monitoring, HR feeds, scripts) and their tokens. "
          "People make their own tokens under “Your API tokens”."),
        state.error, state.notice,
        rx.grid(
            card(rx.heading(t("Service accounts"), size="4", margin_bottom="8px"),
                 table([t("Account"), t("Role"), t("Live tokens")], state.accounts, _account_row, "accounts-table",
                       t("No service accounts yet.")),
                 rx.vstack(
                     rx.heading(t("New service account"), size="3"),
                     rx.flex(rx.input(placeholder=t("Name, e.g. Monitoring"), value=state.form["name"].to(str),
                                      on_change=lambda v: state.set_field("name", v), width="220px",
                                      id="field-name"),
                             rx.select.root(rx.select.trigger(width="190px", aria_label=t("Role")),
                                            rx.select.content(rx.select.item(t("Agent (works tickets)"), value="agent"),
                                                              rx.select.item(t("Manager (reads reports)"),
                                                                             value="manager")),
                                            value=state.form["role"].to(str),
                                            on_change=lambda v: state.set_field("role", v)),
                             rx.button(t("Create"), variant="soft", on_click=state.create_account,
                                       data_testid="create-account"),
                             gap="8px", wrap="wrap"),
                     field_error(state.field_errors, "name"),
                     field_error(state.field_errors, "role"),
                     spacing="2", margin_top="16px", width="100%")),
            card(rx.heading(rx.cond(state.selected_name != "", tf("Tokens of {account}", account=state.selected_name),
                                    t("Tokens")),
                            size="4", margin_bottom="8px"),
                 rx.cond(state.selected_id > 0,
                         rx.fragment(_token_table(state.account_tokens, state.revoke), _new_token_form(state)),
                         rx.text(t("Create a service account first."), size="2", color_scheme="gray"))),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
    )


@template(MY_SETTINGS, "Your API tokens", on_load=MyTokensState.on_load, max_width="960px")
def my_tokens_page() -> rx.Component:
    return rx.box(
        page_header(t("Your API tokens"), rx.text(
            t("Personal access tokens act as you in the REST API, limited to their scopes. "
              "Send them as “Authorization: Bearer …”."), color_scheme="gray", size="2")),
        error_callout(MyTokensState.error),
        card(_token_table(MyTokensState.my_tokens, MyTokensState.revoke), _new_token_form(MyTokensState)),
        style=FOLLOW_PAGE_DIRECTION,
    )
