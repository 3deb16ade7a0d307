"""Report pages: one filter bar for every chart on the page, exports with progress, scheduled e-mails."""

from __future__ import annotations

import asyncio
import math
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import reflex as rx
from babel.dates import format_date

from helpdesk.core import i18n
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError, PermissionDenied
from helpdesk.identity import directory
from helpdesk.models import Priority
from helpdesk.reports import data, exports, labels, schedules
from helpdesk.reports.filters import default_filters, parse_filters
from helpdesk.reports.rollups import local_today
from helpdesk.state.session import SessionState

MAX_CHARTS = 5  # the CSAT report has five (trend, team, agent, category, comments)
EXPORT_POLL_SECONDS = 0.5
EXPORT_POLL_LIMIT = 1200  # ten minutes; the job keeps going, the page just stops watching


def plotly_text(value: Any) -> Any:
    """A label as Plotly shows it, letter for letter: Plotly reads `<a href>`, `<b>`, `<br>` and `<span style>` in
    any text it draws (tick labels, legends, hover), so a category, team or person named `<a href="https://...">`
    would become a live link in a manager's chart. Escaped, it is shown as the characters it is."""
    if not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The figures are built on the server, which does not know whether the browser shows the app light or dark. So they
# carry no colour of their own behind the data: transparent backgrounds (the card's colour shows through), a grey
# grid that reads on either, and a neutral text colour. assets/app.css then draws the text, grid and hover box in
# the theme's own tokens (var(--gray-11) ...), which follow the colour mode without a rebuild of the figure.
CLEAR = "rgba(0,0,0,0)"
NEUTRAL_TEXT = "#80838d"
GRID = "rgba(128,128,140,0.22)"
ZERO_LINE = "rgba(128,128,140,0.45)"
# The app's Urdu face (assets/app.css) too: the system fonts here lack some Urdu letters (ہ, ے), drawn as boxes.
FONT = {"family": 'Inter, system-ui, "Noto Naskh Arabic UI", sans-serif', "size": 12, "color": NEUTRAL_TEXT}
HOVER_LABEL = {"font": {"color": NEUTRAL_TEXT}}


# At most this many date ticks written on the server: five fit a 390 px phone without overlapping.
MAX_DATE_TICKS = 5


def date_ticks(days: list[str], language: str) -> dict[str, Any]:
    """A date axis's ticks in `language` ("6 ستمبر", the year under the first and at each new year), for a page not
    in English: Plotly writes its own tick labels with English month names, and the Urdu locale that plotly.js ships
    names months by number ("9"). The hover header keeps to digits for the same reason."""
    if i18n.normalise(language) == i18n.DEFAULT_LANGUAGE or not days:
        return {}
    step = math.ceil(len(days) / MAX_DATE_TICKS)
    picked = days[::step]
    texts, year = [], None
    for text in picked:
        day = date.fromisoformat(str(text)[:10])
        label = format_date(day, "d MMM", locale=i18n.locale(language))
        texts.append(label if day.year == year else f"{label}<br>{day.year}")
        year = day.year
    return {"tickmode": "array", "tickvals": picked, "ticktext": texts, "hoverformat": "%d/%m/%Y"}


def build_figure(chart: dict[str, Any], language: str = "en") -> go.Figure:
    """A Plotly figure from a report chart: units on the axis, readable text when there is nothing to show."""
    # No Plotly template: the figure sets every colour it uses (below), and the browser does not have to apply
    # Plotly's default template - about 10 KB per figure, merged and resolved for every chart it draws.
    figure = go.Figure(layout={"template": "none", "colorway": PALETTE})
    # Category, team and agent names are people's text (plotly_text); dates and numbers pass as they are.
    chart = {**chart, "x": [plotly_text(x) for x in chart["x"]]}
    series = [{**item, "name": plotly_text(item["name"])} for item in data.plotted_series(chart)]
    # Many long names (categories, agents) read better down the side than slanted along the bottom.
    longest = max((len(str(x)) for x in chart["x"]), default=0)
    sideways = chart["kind"] == "bar" and chart.get("x_type") == "category" and (
        len(chart["x"]) > 8 or (len(chart["x"]) > 3 and longest > 18))
    # Bars take their colours from the layout's colorway (PALETTE), in series order, as lines do.
    for item in series:
        if chart["kind"] == "line":
            figure.add_trace(go.Scatter(x=chart["x"], y=item["values"], name=item["name"], mode="lines+markers",
                                        connectgaps=False, marker={"size": 5}))
        elif sideways:
            figure.add_trace(go.Bar(y=chart["x"], x=item["values"], name=item["name"], orientation="h"))
        else:
            figure.add_trace(go.Bar(x=chart["x"], y=item["values"], name=item["name"]))
    percent = chart.get("axis_unit", chart["unit"]) in ("%", "% met")
    value_axis = {"title": {"text": chart["unit"]}, "rangemode": "tozero", "gridcolor": GRID,
                  "zerolinecolor": ZERO_LINE, **({"range": [0, 105]} if percent else {})}
    label_axis = {"title": {"text": chart["x_title"]}, "type": chart.get("x_type", "category"), "gridcolor": GRID,
                  "automargin": True}
    if chart.get("x_type") == "date":
        label_axis |= date_ticks(chart["x"], language)
    figure.update_layout(plot_bgcolor=CLEAR, paper_bgcolor=CLEAR, barmode="stack" if chart["stacked"] else "group",
                         legend=LEGEND_ON_TOP, font=FONT, hoverlabel=HOVER_LABEL)
    if sideways:
        figure.update_layout(height=max(330, 90 + 26 * len(chart["x"])), xaxis=value_axis,
                             yaxis={**label_axis, "autorange": "reversed", "title": {"text": ""}},
                             margin={"l": 16, "r": 16, "t": 40, "b": 56}, hovermode="y unified")
    else:
        figure.update_layout(height=330, xaxis=label_axis, yaxis=value_axis,
                             margin={"l": 56, "r": 16, "t": 40, "b": 56}, hovermode="x unified")
    return _with_empty_note(figure, chart, language)


def _with_empty_note(figure: go.Figure, chart: dict[str, Any], language: str) -> go.Figure:
    if chart["empty"]:
        figure.add_annotation(text=labels.label(language, "No data for these filters"), showarrow=False,
                              font={"size": 14, "color": NEUTRAL_TEXT}, xref="paper", yref="paper", x=0.5, y=0.5)
    return figure


# Above the plot: below it, a phone's rotated date ticks and the axis title ran into the legend (Urdu at 390 px).
LEGEND_ON_TOP = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}

PALETTE = ["#3e63dd", "#30a46c", "#e5484d", "#f76b15", "#8e4ec6", "#12a594", "#ffc53d", "#6e56cf"]


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{value:,.0f}"
    return str(value)


def _problems(exc: DomainError) -> str:
    problems = list(getattr(exc, "field_errors", {}).values())
    # One problem stays what the domain raised (a translatable Message); several are joined as they are.
    return problems[0] if len(problems) == 1 else " ".join(problems) or exc.message


class ReportsState(SessionState):
    report_name: str = "volume"
    start: str = ""
    end: str = ""
    team: str = ""
    category: str = ""
    priority: str = ""
    field_errors: dict[str, str] = {}
    error: str = ""
    denied: bool = False
    loading: bool = False

    title: str = ""
    figures: list[dict[str, str]] = []
    charts: list[dict[str, Any]] = []
    # A factory, not a default instance: Reflex deep-copies a mutable default for every new tab's state tree (every
    # tab on every page hydrates this substate too), and copying a Figure re-validates its whole template (~25 ms
    # each, more than half of a queue tab's hydrate in a profile); a fresh empty Figure costs ~1 ms.
    fig0: go.Figure = rx.field(default_factory=go.Figure)
    fig1: go.Figure = rx.field(default_factory=go.Figure)
    fig2: go.Figure = rx.field(default_factory=go.Figure)
    fig3: go.Figure = rx.field(default_factory=go.Figure)
    fig4: go.Figure = rx.field(default_factory=go.Figure)
    shown_tables: list[str] = []

    team_choices: list[dict[str, str]] = []
    category_choices: list[dict[str, str]] = []

    export: dict[str, Any] = {}
    export_error: str = ""

    def _filter_input(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "team_ids": self.team, "category_ids": self.category,
                "priorities": self.priority}

    def _load(self) -> rx.event.EventSpec | None:
        self.error, self.field_errors = "", {}
        with (self._on_failure("error", fields="field_errors", on={PermissionDenied: self._refused}) as failure,
              self._reading() as (session, actor)):
            data.ensure_can_view_reports(actor)
            filters = parse_filters(self._filter_input(), local_today())
            report = data.build_report(session, actor, self.report_name, filters)
            if not self.team_choices:
                self.team_choices = [{"id": str(t["id"]), "label": t["label"]}
                                     for t in directory.team_options(session)]
                self.category_choices = [{"id": str(c["id"]), "label": c["label"]}
                                         for c in directory.category_options(session)]
        if failure:
            return failure.event
        self.denied = False
        self._show(report)
        return None

    def _refused(self, _exc: PermissionDenied) -> None:
        self.denied = True

    def _show(self, report: data.Report) -> None:
        report = labels.localise(report, self._lang())
        self.title = report["title"]
        self.figures = report["figures"]
        charts = report["charts"][:MAX_CHARTS]
        figures = [build_figure(chart, self._lang()) if chart["kind"] != "table" else go.Figure() for chart in charts]
        # The plot's height is reserved before Plotly (loaded on demand) draws it, so the cards below never move.
        self.charts = [{"key": c["key"], "title": c["title"], "note": c["note"], "unit": c["unit"],
                        "kind": c["kind"], "empty": c["empty"], "columns": c["columns"],
                        "height": f"{figure.layout.height or 0}px",
                        "rows": [[_cell(v) for v in row] for row in c["rows"]]}
                       for c, figure in zip(charts, figures, strict=True)]
        for index in range(MAX_CHARTS):
            setattr(self, f"fig{index}", figures[index] if index < len(figures) else go.Figure())

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        path = self.router.url.path.rstrip("/")
        name = path.rsplit("/", 1)[-1]
        self.report_name = name if name in data.REPORTS else "volume"
        if not self.start:
            defaults = default_filters(local_today())
            self.start, self.end = defaults.start.isoformat(), defaults.end.isoformat()
        self.export, self.export_error, self.shown_tables = {}, "", []
        return self._load()

    @rx.event
    def set_range(self, field: str, value: str) -> rx.event.EventSpec | None:
        if field not in ("start", "end"):
            return None
        setattr(self, field, value[:10])
        return self._load()

    @rx.event
    def preset(self, days: str) -> rx.event.EventSpec | None:
        if not days.isdigit() or not 1 <= int(days) <= 1830:
            return None
        today = local_today()
        self.start, self.end = (today - timedelta(days=int(days) - 1)).isoformat(), today.isoformat()
        return self._load()

    @rx.event
    def set_choice(self, field: str, value: str) -> rx.event.EventSpec | None:
        if field not in ("team", "category", "priority"):
            return None
        value = "" if value == "any" else value[:40]
        setattr(self, field, value)
        return self._load()

    @rx.event
    def clear_filters(self) -> rx.event.EventSpec | None:
        self.team = self.category = self.priority = ""
        return self._load()

    @rx.event
    def toggle_table(self, key: str) -> None:
        key = key[:40]
        self.shown_tables = [k for k in self.shown_tables if k != key] if key in self.shown_tables \
            else [*self.shown_tables, key]

    @rx.event
    def start_export(self, fmt: str) -> rx.event.EventSpec | None:
        self.export_error = ""
        with self._on_failure("export_error", describe=_problems) as failure, self._service() as (session, actor):
            filters = parse_filters(self._filter_input(), local_today())
            record = exports.request_export(session, actor, self.report_name, fmt, filters)
            session.flush()
            self.export = exports.export_to_dict(record)
        if failure:
            return failure.event
        return ReportsState.watch_export

    @rx.event(background=True)
    async def watch_export(self) -> None:
        for _ in range(EXPORT_POLL_LIMIT):
            await asyncio.sleep(EXPORT_POLL_SECONDS)
            async with self:
                export_id = self.export.get("id")
                if not export_id:
                    return
                try:
                    with self._service() as (session, actor):
                        self.export = exports.export_to_dict(exports.get_export(session, actor, int(export_id)))
                except DomainError as problem:
                    self.export_error = str(problem)
                    return
                if self.export["status"] in ("done", "failed"):
                    return


class ScheduleState(SessionState):
    rows: list[dict[str, Any]] = []
    is_admin: bool = False
    denied: bool = False
    message: str = ""
    error: str = ""
    editing: dict[str, str] = {}
    field_errors: dict[str, str] = {}

    def _refresh(self) -> rx.event.EventSpec | None:
        with self._on_failure(on={PermissionDenied: self._refused}) as failure, self._service() as (session, actor):
            self.rows = [self._in_language(row) for row in schedules.list_schedules(session, actor)]
            self.is_admin = actor.role == "admin"
            self.denied = False
        return failure.event

    def _refused(self, _exc: PermissionDenied) -> None:
        self.denied = True

    def _in_language(self, row: dict[str, Any]) -> dict[str, Any]:
        """The schedule's name and time in the page's language (the row's numbers stay as they are)."""
        at = f"{row['hour']:02d}:{row['minute']:02d} {row['timezone']}"
        weekday = row["weekday"]
        when = (self._t("Every {day} at {time}", day=self._t(schedules.WEEKDAYS[weekday]), time=at)
                if weekday is not None else self._t("Every day at {time}", time=at))
        return {**row, "title": self._t(row["title"]), "when": when,
                "next_run": row["next_run"] if row["enabled"] else self._t("Paused")}

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        self.message = self.error = ""
        self.editing, self.field_errors = {}, {}
        return self._refresh()

    @rx.event
    def toggle_subscription(self, schedule_id: int, subscribed: bool) -> rx.event.EventSpec | None:
        with self._on_failure("error") as failure, self._service() as (session, actor):
            schedules.set_subscription(session, actor, as_id(schedule_id) or 0, bool(subscribed))
        if failure:
            return failure.event
        self.message = self._t("You will receive this report by e-mail.") if subscribed else self._t("Unsubscribed.")
        return self._refresh()

    @rx.event
    def edit(self, schedule_id: int) -> None:
        row = next((r for r in self.rows if r["id"] == schedule_id), None)
        if row is None or not self.is_admin:
            return
        self.field_errors = {}
        self.editing = {"id": str(row["id"]), "hour": str(row["hour"]), "minute": str(row["minute"]),
                        "weekday": "" if row["weekday"] is None else str(row["weekday"]),
                        "timezone": row["timezone"], "enabled": "yes" if row["enabled"] else "no",
                        "weekly": "yes" if row["weekday"] is not None else "no"}

    @rx.event
    def set_edit_field(self, field: str, value: str) -> None:
        if field in ("hour", "minute", "weekday", "timezone", "enabled") and self.editing:
            self.editing = {**self.editing, field: str(value)[:64]}

    @rx.event
    def cancel_edit(self) -> None:
        self.editing, self.field_errors = {}, {}

    @rx.event
    def save_edit(self) -> rx.event.EventSpec | None:
        if not self.editing:
            return None
        form = self.editing
        with self._on_failure("error", fields="field_errors") as failure, self._service() as (session, actor):
            schedules.update_schedule(
                session, actor, as_id(form.get("id")) or 0, enabled=form["enabled"] == "yes", hour=form["hour"],
                minute=form["minute"], weekday=form["weekday"] or None, timezone=form["timezone"])
        if failure:
            return failure.event
        self.editing, self.field_errors, self.message = {}, {}, self._t("Schedule saved.")
        return self._refresh()


PRIORITY_CHOICES = [p.value for p in Priority]
