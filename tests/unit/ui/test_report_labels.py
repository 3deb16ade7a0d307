"""Chart labels are people's text (category, team and agent names): Plotly must draw them letter for letter."""

from __future__ import annotations

from helpdesk.state.reports import build_figure, plotly_text

LINK = '<a href="https://xss.invalid/login">Hardware</a>'


def test_tags_in_a_label_are_escaped_for_plotly() -> None:
    assert plotly_text(LINK) == '&lt;a href="https://xss.invalid/login"&gt;Hardware&lt;/a&gt;'
    assert plotly_text("R&D <b>") == "R&amp;D &lt;b&gt;"
    assert plotly_text(3) == 3 and plotly_text("2026-03-01") == "2026-03-01"


def test_every_trace_of_a_figure_gets_escaped_labels_and_names() -> None:
    chart = {"key": "times_by_team", "title": "t", "unit": "hours", "x_title": "Team", "x_type": "category",
             "x": [LINK, "Access"], "kind": "bar", "stacked": False, "empty": False,
             "series": [{"name": "Resolution (h)", "values": [1.0, 2.0]},
                        {"name": "<b>Resolved</b>", "values": [3, 4]}]}
    figure = build_figure(chart)
    assert all("<a" not in str(x) for trace in figure.data for x in (trace.x if trace.orientation != "h" else trace.y))
    assert {trace.name for trace in figure.data} == {"Resolution (h)"}  # only the series in the chart's unit
    assert figure.data[0].x[0].startswith("&lt;a href=")
