"""A report as a PDF: headline figures, each chart drawn with ReportLab's own chart library, and its table.

ReportLab draws the charts itself, so exports need no browser, no image service and no network.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from helpdesk.reports.data import plotted_series

PALETTE = [colors.HexColor(c) for c in ("#3e63dd", "#30a46c", "#e5484d", "#f76b15", "#8e4ec6", "#12a594",
                                        "#ffc53d", "#6e56cf")]
PAGE = landscape(A4)
CHART_WIDTH, CHART_HEIGHT = PAGE[0] - 40 * mm, 70 * mm
MAX_CATEGORY_LABELS = 24


def _number(value: Any) -> float | None:
    """None (no tickets to judge) leaves a gap in a line rather than a drop to zero."""
    return float(value) if isinstance(value, int | float) else None


def _chart_drawing(chart: dict[str, Any]) -> Drawing | None:
    """Bar or line chart of the plotted series (percent and count series are not mixed on one axis)."""
    series = plotted_series(chart)
    if not series or chart["empty"]:
        return None
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    plot = HorizontalLineChart() if chart["kind"] == "line" else VerticalBarChart()
    plot.x, plot.y = 40, 45
    plot.width, plot.height = CHART_WIDTH - 200, CHART_HEIGHT - 60
    plot.data = [[_number(v) for v in s["values"]] for s in series]
    labels = [str(x) for x in chart["x"]]
    step = max(1, len(labels) // MAX_CATEGORY_LABELS)
    plot.categoryAxis.categoryNames = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    plot.categoryAxis.labels.angle = 45 if len(labels) > 8 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 8 else "n"
    plot.categoryAxis.labels.fontSize = 6
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    if isinstance(plot, VerticalBarChart):
        plot.data = [[v or 0.0 for v in row] for row in plot.data]
    top = max((v for row in plot.data for v in row if v is not None), default=0)
    if chart.get("stacked") and isinstance(plot, VerticalBarChart):
        plot.categoryAxis.style = "stacked"
        top = max((sum(col) for col in zip(*plot.data, strict=True)), default=0)
    plot.valueAxis.valueMax = top * 1.1 if top else 1
    for index in range(len(series)):
        color = PALETTE[index % len(PALETTE)]
        if isinstance(plot, VerticalBarChart):
            plot.bars[index].fillColor = color
            plot.bars[index].strokeColor = None
        else:
            plot.lines[index].strokeColor = color
            plot.lines[index].strokeWidth = 1.5
            # A day with one value and gaps around it would otherwise not show at all.
            plot.lines[index].symbol = makeMarker("FilledCircle", size=3, fillColor=color, strokeColor=color)
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y = CHART_WIDTH - 150, CHART_HEIGHT - 20
    legend.fontSize, legend.boxAnchor = 7, "nw"
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], s["name"]) for i, s in enumerate(series)]
    drawing.add(legend)
    drawing.add(String(0, CHART_HEIGHT - 10, chart["unit"], fontSize=7, fillColor=colors.grey))
    return drawing


def _table(columns: list[str], rows: list[list[Any]] | Iterator[list[Any]]) -> tuple[LongTable, int]:
    body = [[_cell(v) for v in row] for row in rows]
    table = LongTable([columns, *body], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1fb")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d5e0")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f8f9fc")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table, len(body)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{value:,.0f}"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def write_pdf(content: dict[str, Any], path: Path, breach_rows: Iterator[list[Any]] | None) -> int:
    styles = getSampleStyleSheet()
    filters = content["filters"]
    story: list[Any] = [
        Paragraph(f"{content['title']}", styles["Title"]),
        Paragraph(f"{filters['start']} to {filters['end']}", styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    figures = Table([[f["label"] for f in content["figures"]], [f["value"] for f in content["figures"]]],
                    hAlign="LEFT")
    figures.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, 0), 8), ("TEXTCOLOR", (0, 0), (-1, 0), colors.grey),
                                 ("FONTSIZE", (0, 1), (-1, 1), 14), ("FONTNAME", (0, 1), (-1, 1), "Helvetica-Bold"),
                                 ("BOTTOMPADDING", (0, 1), (-1, 1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 18)]))
    story += [figures, Spacer(1, 6 * mm)]
    written = 0
    for chart in content["charts"]:
        story.append(Paragraph(chart["title"] + (f" ({chart['unit']})" if chart["unit"] else ""), styles["Heading3"]))
        if chart["note"]:
            story.append(Paragraph(chart["note"], styles["Italic"]))
        rows = breach_rows if chart["key"] == "breaches" and breach_rows is not None else chart["rows"]
        if chart["empty"] and chart["kind"] != "table":
            story.append(Paragraph("No data for these filters.", styles["Normal"]))
            continue
        drawing = _chart_drawing(chart)
        if drawing is not None:
            story.append(drawing)
        table, count = _table(chart["columns"], rows)
        if count:
            story.append(table)
        else:
            story.append(Paragraph("No data for these filters.", styles["Normal"]))
        written += count
        story.append(Spacer(1, 6 * mm))
    SimpleDocTemplate(str(path), pagesize=PAGE, title=content["title"], leftMargin=20 * mm, rightMargin=20 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm).build(story)
    return written
