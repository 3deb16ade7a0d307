"""Manager report pages: one filter bar for every chart, Plotly charts with their numbers, exports, schedules."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import card, empty_state, error_callout, page_header
from helpdesk.components.when_visible import when_visible
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.reports.data import REPORTS as REPORT_BUILDERS
from helpdesk.reports.schedules import WEEKDAYS
from helpdesk.routes import QUEUE, REPORT_SCHEDULES, REPORTS
from helpdesk.state.reports import MAX_CHARTS, PRIORITY_CHOICES, ReportsState, ScheduleState

PRESETS = (("7", t("Last 7 days")), ("30", t("Last 30 days")), ("90", t("Last 90 days")), ("365", t("Last 12 months")),
           ("1095", t("Last 3 years")))


def _report_nav(current: str) -> rx.Component:
    links = [(name, title, f"{REPORTS}/{name}") for name, (title, _builder) in REPORT_BUILDERS.items()]
    links.append(("schedules", N_("Scheduled e-mails"), REPORT_SCHEDULES))
    return rx.hstack(
        *[rx.link(
            rx.button(t(title), variant="solid" if name == current else "soft",
                      color_scheme="indigo" if name == current else "gray", size="2"),
            href=href, underline="none", data_testid=f"report-nav-{name}",
        ) for name, title, href in links],
        spacing="2", wrap="wrap", margin_bottom="16px",
    )


def _field_error(field: str) -> rx.Component:
    return rx.cond(ReportsState.field_errors.contains(field),
                   rx.text(ReportsState.field_errors[field], color_scheme="red", size="1", role="alert"))


def _choice(label: rx.Var | str, all_label: rx.Var | str, field: str, value: rx.Var, items: list[rx.Component],
            width: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.select.root(
            rx.select.trigger(width=width, aria_label=label),
            rx.select.content(rx.select.item(all_label, value="any"), *items),
            value=rx.cond(value == "", "any", value),
            on_change=lambda v: ReportsState.set_choice(field, v),
        ),
        spacing="1",
    )


def _date_input(label: rx.Var | str, field: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.input(type="date", value=value, on_change=lambda v: ReportsState.set_range(field, v).debounce(400),
                 width="150px", aria_label=label, data_testid=f"filter-{field}"),
        _field_error(field),
        spacing="1",
    )


def _filters() -> rx.Component:
    return card(rx.hstack(
        _date_input(t("From"), "start", ReportsState.start),
        _date_input(t("To"), "end", ReportsState.end),
        rx.vstack(
            rx.text(t("Range"), size="1", color_scheme="gray", weight="medium"),
            rx.select.root(
                rx.select.trigger(placeholder=t("Quick range"), width="150px", aria_label=t("Quick range")),
                rx.select.content(*[rx.select.item(label, value=days) for days, label in PRESETS]),
                on_change=ReportsState.preset,
            ),
            spacing="1",
        ),
        _choice(t("Team"), t("All teams"), "team", ReportsState.team,
                [rx.foreach(ReportsState.team_choices, lambda c: rx.select.item(c["label"], value=c["id"]))], "170px"),
        _choice(t("Category"), t("All categories"), "category", ReportsState.category,
                [rx.foreach(ReportsState.category_choices,
                            lambda c: rx.select.item(c["label"], value=c["id"]))], "220px"),
        _choice(t("Priority"), t("All priorities"), "priority", ReportsState.priority,
                [rx.select.item(t(p.capitalize()), value=p) for p in PRIORITY_CHOICES], "130px"),
        rx.spacer(),
        rx.cond((ReportsState.team != "") | (ReportsState.category != "") | (ReportsState.priority != ""),
                rx.button(rx.icon("x", size=14), t("Clear filters"), variant="ghost",
                          on_click=ReportsState.clear_filters,
                          data_testid="clear-filters")),
        align="end", spacing="4", wrap="wrap", width="100%",
    ), data_testid="report-filters")


def _figures() -> rx.Component:
    return rx.grid(
        rx.foreach(ReportsState.figures, lambda f: rx.card(
            rx.text(f["label"], size="2", color_scheme="gray"),
            rx.heading(f["value"], size="7", weight="bold", data_testid="figure-value"),
            size="2", data_testid="report-figure",
        )),
        # Two to a row on a phone: four in 390 px broke "Resolution" and "Created" in the middle of the word.
        columns=rx.breakpoints(initial="2", sm="4"), spacing="3", width="100%",
    )


def _numbers_table(index: int) -> rx.Component:
    chart = ReportsState.charts[index]
    # Plain table elements styled in assets/app.css, not Radix's Table: a breach list is up to 100 rows, and as
    # Radix components its cells cost the report page about 150 ms of main-thread time on first draw (Lighthouse
    # total blocking time, SLA report), for the same look.
    return rx.box(
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.foreach(chart["columns"].to(list[str]),
                                            lambda c: rx.el.th(c, scope="col")))),
            rx.el.tbody(rx.foreach(chart["rows"].to(list[list[str]]), lambda row: rx.el.tr(
                rx.foreach(row, lambda value: rx.el.td(value))))),
            class_name="hd-numbers",
        ),
        # It scrolls: keyboard users reach it (axe: scrollable-region-focusable), named after its chart.
        max_height="420px", overflow_y="auto", width="100%", tab_index=0, role="region",
        aria_label=chart["title"].to(str), data_testid="chart-table",
    )


def _chart_card(index: int) -> rx.Component:
    chart = ReportsState.charts[index]
    key = chart["key"].to(str)
    is_table = chart["kind"] == "table"
    return rx.cond(
        ReportsState.charts.length() > index,
        card(
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        rx.heading(chart["title"].to(str), size="4", data_testid="chart-title"),
                        rx.cond(chart["note"].to(str) != "", rx.text(chart["note"].to(str), size="1",
                                                                     color_scheme="gray")),
                        spacing="1", align="start",
                    ),
                    rx.spacer(),
                    rx.cond(~is_table, rx.button(
                        rx.icon("table", size=14),
                        rx.cond(ReportsState.shown_tables.contains(key), t("Hide numbers"), t("Show numbers")),
                        variant="soft", size="1", color_scheme="gray", on_click=ReportsState.toggle_table(key),
                        data_testid="toggle-table")),
                    width="100%", align="start",
                ),
                rx.cond(
                    is_table,
                    rx.cond(chart["empty"].to(bool),
                            rx.text(t("Nothing in this range."), color_scheme="gray", size="2"),
                            _numbers_table(index)),
                    # template=None: Reflex would otherwise merge Plotly's whole light or dark template into
                    # every figure in the browser; the server's figures carry their own colours.
                    when_visible(rx.plotly.basic(data=getattr(ReportsState, f"fig{index}"), template=None,
                                                 width="100%", use_resize_handler=True), width="100%",
                                 min_height=chart["height"].to(str), data_testid="chart-plot"),
                ),
                rx.cond(~is_table & ReportsState.shown_tables.contains(key), _numbers_table(index)),
                spacing="3", width="100%",
            ),
            data_testid=f"chart-{index}",
        ),
    )


def _export_bar() -> rx.Component:
    export = ReportsState.export
    return rx.hstack(
        rx.button(rx.icon("file-spreadsheet", size=14), t("Export CSV"), variant="soft",
                  on_click=ReportsState.start_export("csv"), data_testid="export-csv"),
        rx.button(rx.icon("file-text", size=14), t("Export PDF"), variant="soft",
                  on_click=ReportsState.start_export("pdf"), data_testid="export-pdf"),
        rx.cond(
            export.contains("id"),
            rx.hstack(
                rx.cond(export["status"].to(str) == "done",
                        rx.link(rx.button(rx.icon("download", size=14), t("Download "),
                                          export["format"].to(str).upper(), color_scheme="green"),
                                href=export["download_url"].to(str), is_external=True, data_testid="export-download"),
                        rx.cond(export["status"].to(str) == "failed",
                                rx.text(t("Export failed: "), export["error"].to(str), color_scheme="red", size="2"),
                                rx.hstack(rx.progress(value=export["progress"].to(int), max=100, width="160px",
                                                      data_testid="export-progress"),
                                          rx.text(export["progress"].to(str), "%", size="1", color_scheme="gray"),
                                          align="center"))),
                align="center", data_testid="export-status",
            ),
        ),
        rx.cond(ReportsState.export_error != "", rx.text(ReportsState.export_error, color_scheme="red", size="2")),
        spacing="3", align="center",
    )


def _denied() -> rx.Component:
    return card(empty_state("lock", t("Reports are for managers"),
                            t("Ask an admin if you need access to the helpdesk's reports."),
                            rx.link(rx.button(t("Back to the queue"), variant="soft"), href=QUEUE)),
                data_testid="reports-denied")


def report_page(name: str, title: str) -> rx.Component:
    return rx.cond(
        ReportsState.denied,
        _denied(),
        rx.vstack(
            page_header(t(title), t("Managers' view of the helpdesk. Filters apply to every chart on the page."),
                        _export_bar()),
            _report_nav(name),
            _filters(),
            error_callout(ReportsState.error),
            _figures(),
            *[_chart_card(i) for i in range(MAX_CHARTS)],
            spacing="4", width="100%",
        ),
    )


def _register(name: str, title: str) -> None:
    template(f"{REPORTS}/{name}", f"{title} · Reports", on_load=ReportsState.on_load)(
        lambda: report_page(name, title))


for _name, (_title, _builder) in REPORT_BUILDERS.items():
    _register(_name, _title)


@template(REPORTS, N_("Reports"), on_load=rx.redirect(f"{REPORTS}/volume"), shell=False)
def reports_home() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")


# ---------------------------------------------------------------- scheduled e-mails


def _schedule_editor() -> rx.Component:
    form = ScheduleState.editing

    def error(field: str) -> rx.Component:
        return rx.cond(ScheduleState.field_errors.contains(field),
                       rx.text(ScheduleState.field_errors[field], color_scheme="red", size="1", role="alert"))

    return rx.cond(form.contains("id"), card(rx.vstack(
        rx.heading(t("Change schedule"), size="3"),
        rx.hstack(
            rx.vstack(rx.text(t("Hour"), size="1"), rx.input(value=form["hour"], width="70px",
                      on_change=lambda v: ScheduleState.set_edit_field("hour", v), data_testid="schedule-hour"),
                      error("hour"), spacing="1"),
            rx.vstack(rx.text(t("Minute"), size="1"), rx.input(value=form["minute"], width="70px",
                      on_change=lambda v: ScheduleState.set_edit_field("minute", v), data_testid="schedule-minute"),
                      error("minute"), spacing="1"),
            rx.cond(form["weekly"] == "yes", rx.vstack(
                rx.text(t("Day"), size="1"),
                rx.select.root(rx.select.trigger(width="140px", aria_label=t("Day")),
                               rx.select.content(*[rx.select.item(t(day), value=str(i))
                                                   for i, day in enumerate(WEEKDAYS)]),
                               value=form["weekday"], on_change=lambda v: ScheduleState.set_edit_field("weekday", v)),
                error("weekday"), spacing="1")),
            rx.vstack(rx.text(t("Time zone"), size="1"), rx.input(value=form["timezone"], width="180px",
                      on_change=lambda v: ScheduleState.set_edit_field("timezone", v)), error("timezone"), spacing="1"),
            rx.vstack(rx.text(t("Sending"), size="1"),
                      rx.select.root(rx.select.trigger(width="120px", aria_label=t("Sending")),
                                     rx.select.content(rx.select.item(t("On"), value="yes"),
                                                       rx.select.item(t("Paused"), value="no")),
                                     value=form["enabled"],
                                     on_change=lambda v: ScheduleState.set_edit_field("enabled", v)),
                      spacing="1"),
            spacing="3", align="start",
        ),
        rx.hstack(rx.button(t("Save"), on_click=ScheduleState.save_edit, data_testid="schedule-save"),
                  rx.button(t("Cancel"), variant="soft", color_scheme="gray", on_click=ScheduleState.cancel_edit)),
        spacing="3",
    )))


def _schedule_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["title"], weight="medium")),
        rx.table.cell(row["when"]),
        rx.table.cell(rx.cond(row["enabled"], row["next_run"], rx.badge(t("Paused"), color_scheme="gray"))),
        rx.table.cell(row["subscribers"]),
        rx.table.cell(rx.switch(checked=row["subscribed"].to(bool), aria_label=t("E-mail me ") + row["title"].to(str),
                                on_change=lambda v: ScheduleState.toggle_subscription(row["id"].to(int), v),
                                data_testid="schedule-subscribe")),
        rx.table.cell(rx.cond(ScheduleState.is_admin,
                              rx.button(t("Change"), size="1", variant="soft",
                                        on_click=ScheduleState.edit(row["id"].to(int)), data_testid="schedule-edit"))),
        data_testid="schedule-row",
    )


@template(REPORT_SCHEDULES, N_("Scheduled reports"), on_load=ScheduleState.on_load)
def schedules_page() -> rx.Component:
    return rx.cond(
        ScheduleState.denied,
        _denied(),
        rx.vstack(
            page_header(t("Scheduled e-mails"),
                        t("Reports sent by e-mail, with the PDF attached, to everyone subscribed.")),
            _report_nav("schedules"),
            rx.cond(ScheduleState.message != "", rx.callout(ScheduleState.message, icon="check", color_scheme="green",
                                                             width="100%")),
            error_callout(ScheduleState.error),
            card(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                    t("Report"), t("When"), t("Next e-mail"), t("Subscribers"), t("E-mail me"), "")])),
                rx.table.body(rx.foreach(ScheduleState.rows, _schedule_row)),
                width="100%",
            )),
            _schedule_editor(),
            spacing="4", width="100%",
        ),
    )
