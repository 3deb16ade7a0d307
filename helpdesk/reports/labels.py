"""A built report in the reader's language, for the report pages.

The reports are built in English (data.py): the CSV and PDF exports and the scheduled e-mails use those words. The
pages show the same report with its words - titles, notes, units, axis titles, legends, column headers, and the
fixed labels along an axis (statuses, age and time buckets, months) - translated; names people gave (teams,
categories, agents, ticket titles) stay as they are. Each series keeps the English unit it is plotted in, so which
series share the chart's axis does not depend on how a language writes "(h)".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from babel.dates import get_month_names

from helpdesk.core import i18n
from helpdesk.core.i18n import N_

# Texts with a value in them (English msgids; the value itself is translated when it is a word below).
TEMPLATES = (
    N_("Tickets created and resolved per {grain}"),
    N_("SLA compliance per {grain}"),
    N_("Breached tickets ({count} in the range)"),
    N_("The {limit} most recent; the CSV export has all of them."),
    N_("Average resolution and first-response time by {name}"),
    N_("Suggestion precision and coverage at confidence {threshold}, by suggested category"),
    N_("Suggestions accepted per {grain}"),
    N_("Self-service outcomes per {grain}"),
    N_("Satisfaction per {grain}"),
    N_("under {span}"),
    N_("over {span}"),
    N_("Category {id}"),
    N_("Team {id}"),
    N_("User {id}"),
)
# The words that stand in those values, and in the time buckets ("4-8 h", "1-3 d").
WORDS = (N_("day"), N_("week"), N_("month"), N_("category"), N_("team"), N_("h"), N_("d"), N_("days"))
# Report, chart, figure, series, unit and column texts written out in data.py.
TEXTS = (
    N_("Volume and backlog"), N_("SLA compliance"), N_("Resolution and response times"), N_("Resolution times"),
    N_("Agent workload and throughput"), N_("Agents"), N_("AI triage"), N_("Knowledge base deflection"),
    N_("Deflection"), N_("Customer satisfaction"), N_("Satisfaction"),
    N_("Day"), N_("Week starting"), N_("Month"), N_("Status"), N_("Age"), N_("Agent"), N_("Category"), N_("Team"),
    N_("Suggested category"), N_("Article"), N_("Ticket"), N_("Title"), N_("Priority"), N_("Target missed"),
    N_("Breached at"), N_("Rating"), N_("Comment"),
    N_("tickets"), N_("hours"), N_("requests"), N_("tickets resolved"), N_("tickets answered"), N_("% met"),
    N_("Created"), N_("Resolved"), N_("Net change"), N_("Open now"), N_("Open tickets"),
    N_("Tickets filed per month, by status today"), N_("From the monthly metrics view, refreshed every hour."),
    N_("Open tickets now, by status"), N_("A snapshot of now; the date range does not apply."),
    N_("Open tickets now, by age and status"), N_("Age is the time since the ticket was filed."),
    N_("First response met (%)"), N_("Resolution met (%)"), N_("Resolution targets due"),
    N_("A ticket counts on the day it was answered or resolved, or the day it breached while still open. Time "
       "waiting on the customer does not count against the target."),
    N_("First response met"), N_("Resolution met"), N_("First-response breaches"), N_("Resolution breaches"),
    N_("First response"), N_("Resolution"),
    N_("Resolution time by month"), N_("Calendar time from filing to resolution."),
    N_("First-response time by month"), N_("Calendar time from filing to the first public agent reply."),
    N_("Resolution (h)"), N_("First response (h)"), N_("Average resolution"), N_("Average first response"),
    N_("Answered"),
    N_("Workload and throughput per agent"), N_("Resolved in range"),
    N_("Resolved tickets count for the agent assigned when they were resolved."), N_("Average times per agent"),
    N_("Resolution SLA met (%)"), N_("Open assigned now"), N_("Resolved per agent"),
    N_("Precision above threshold (%)"), N_("Coverage above threshold (%)"), N_("Agreement, all suggestions (%)"),
    N_("Suggestions"), N_("A suggestion is right when the ticket's final category is the suggested one."),
    N_("Accepted by agents (%)"), N_("Right above threshold (%)"),
    N_("Acceptance counts agents' one-click decisions on category suggestions."),
    N_("Tickets with a suggestion"), N_("Acceptance rate"), N_("Precision above threshold"),
    N_("Coverage above threshold"),
    N_("Set by the AI"), N_("Only suggested"), N_("Categories set by the AI vs only suggested: confirmed by people"),
    N_("Right (%)"), N_("Judged tickets"),
    N_("Judged tickets: a person set, confirmed, corrected or rejected the category. Few judged tickets make a wide "
       "margin of error."),
    N_("Solved by an article"), N_("Filed anyway"), N_("Deflection rate (%)"),
    N_("Only requests where the form showed articles count. Team, category and priority filters do not apply."),
    N_("Articles that solved the most requests"), N_("Solved"), N_("Deflection rate"),
    N_("Good (%)"), N_("Ratings"), N_("Bad"), N_("Good"), N_("Satisfaction by team"), N_("Satisfaction by agent"),
    N_("Satisfaction by category"), N_("Latest comments"), N_("Uncategorised"), N_("No team"), N_("Unassigned"),
    N_("under 1 day"), N_("1-3 days"), N_("3-7 days"), N_("7-30 days"), N_("over 30 days"),
    N_("No data for these filters"),
)
_MONTH = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})$")
# "4 h", "4-8 h", "8 h-1 d": the time buckets of the resolution and first-response charts.
_SPAN = re.compile(r"^\d+(?:\.\d+)?(?: [hd])?(?:-\d+(?:\.\d+)? [hd])?$")
_UNIT = re.compile(r"(?<=\d) ([hd])\b")
# Columns holding what people wrote or named: never looked up in the catalog.
_PEOPLES_TEXT = {"Title", "Comment", "Article"}
_PRIORITIES = {"low", "medium", "high", "critical"}


@lru_cache(maxsize=64)
def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts))
    return re.compile(f"^{regex}$")


def _span(language: str, text: str) -> str | None:
    """ "4-8 h" -> "4-8 گھنٹے"."""
    if not _SPAN.match(text) or not _UNIT.search(text):
        return None
    return _UNIT.sub(lambda unit: " " + i18n.translate(language, unit.group(1)), text)


def label(language: str, text: Any) -> Any:
    """One text of a report in `language`: a catalog entry, a template with its value, a month or a time span;
    anything else (a name, a number, a date) as it is."""
    if not isinstance(text, str) or not text or i18n.normalise(language) == i18n.DEFAULT_LANGUAGE:
        return text
    translated = i18n.translate(language, text)
    if translated != text:
        return translated
    if month := _MONTH.match(text):
        names = get_month_names("abbreviated", locale=i18n.locale(language))
        number = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec").index(
            month.group(1)) + 1
        return f"{names[number]} {month.group(2)}"
    if (span := _span(language, text)) is not None:
        return span
    for template in TEMPLATES:
        if match := _template_pattern(template).match(text):
            values = {name: _span(language, value) or i18n.translate(language, value)
                      for name, value in match.groupdict().items()}
            return i18n.translate_format(language, template, **values)
    return text


def _unit_of(series_name: str) -> str:
    return "%" if "%" in series_name else "hours" if "(h)" in series_name else "count"


def _cell(language: str, column: str, value: Any) -> Any:
    if column in _PEOPLES_TEXT or not isinstance(value, str):
        return value
    if value in _PRIORITIES:
        return i18n.translate(language, value.capitalize())
    return label(language, value)


def localise(report: dict[str, Any], language: str) -> dict[str, Any]:
    """A copy of `report` in `language` (the same report in English)."""
    def say(text: Any) -> Any:
        return label(language, text)

    charts = []
    for chart in report["charts"]:
        columns = chart["columns"]
        charts.append({
            **chart,
            "axis_unit": chart.get("axis_unit", chart["unit"]),
            "title": say(chart["title"]), "note": say(chart["note"]), "unit": say(chart["unit"]),
            "x_title": say(chart["x_title"]),
            "x": chart["x"] if chart.get("x_type") == "date" else [say(x) for x in chart["x"]],
            "series": [{**s, "axis_unit": s.get("axis_unit", _unit_of(s["name"])), "name": say(s["name"])}
                       for s in chart["series"]],
            "columns": [say(c) for c in columns],
            "rows": [[_cell(language, columns[i] if i < len(columns) else "", v) for i, v in enumerate(row)]
                     for row in chart["rows"]],
        })
    return {**report, "title": say(report["title"]),
            "figures": [{**f, "label": say(f["label"])} for f in report["figures"]], "charts": charts}
