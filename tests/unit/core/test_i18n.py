"""The languages: translations, the shipped Urdu catalog covering every extracted string, dates and numbers by
Babel, server-made page text and e-mails in the person's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from helpdesk.core import i18n
from helpdesk.state import formatting
from helpdesk.tickets import notifications

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s|<[^>]+>")


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """babel.cfg read the way `pybabel extract -F babel.cfg` reads it."""
    method_map, options_map = [], {}
    section = None
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            method, pattern = line[1:-1].split(":", 1)
            section = pattern.strip()
            method_map.append((section, method.strip()))
            options_map[section] = {}
        else:
            key, value = (part.strip() for part in line.split("=", 1))
            options_map[section][key] = value
    return method_map, options_map


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    method_map, options_map = _method_map()
    # As `pybabel extract` does: its default keywords (gettext, ngettext: what the e-mail templates use) and ours.
    keywords = {**DEFAULT_KEYWORDS, **i18n.EXTRACT_KEYWORDS}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, comment_tags=()):
        msgids = message if isinstance(message, tuple) else (message,)
        found.update(m for m in msgids if m)
    return found


def test_the_urdu_catalog_translates_every_string_the_code_marks(extracted: set[str]) -> None:
    urdu = i18n.translations("ur")
    assert len(extracted) > 300  # the extraction did find the pages, states and e-mails
    missing = sorted(extracted - urdu.keys())
    assert missing == [], f"untranslated (run the pybabel commands in helpdesk/core/i18n.py): {missing}"
    for msgid in extracted:
        assert urdu[msgid].strip() or not msgid.strip(), msgid
        # Placeholders and markup survive translation, or the page/e-mail would lose (or break on) a value.
        assert sorted(PLACEHOLDER.findall(urdu[msgid])) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_translations_fall_back_to_english() -> None:
    assert i18n.translate("ur", "My tickets") == "میرے ٹکٹ"
    assert i18n.translate("en", "My tickets") == "My tickets"
    assert i18n.translate("ur", "A sentence nobody marked") == "A sentence nobody marked"
    # A tampered cookie or request is English, never an error.
    assert i18n.normalise("xx") == "en" and i18n.normalise(None) == "en"
    assert i18n.translate("../../etc", "Open") == "Open"
    assert i18n.translate_format("ur", "Page {number}", number=3) == "صفحہ 3"
    assert i18n.is_rtl("ur") and not i18n.is_rtl("en")


def test_dates_and_numbers_in_the_persons_language() -> None:
    moment = datetime(2026, 12, 6, 15, 17, tzinfo=UTC)
    assert i18n.format_moment(moment, "en", "Asia/Karachi") == "06 Dec 2026, 20:17"
    assert i18n.format_moment(moment, "ur", "Asia/Karachi") == "06 دسمبر 2026, 20:17"
    assert i18n.format_relative(timedelta(hours=3), "ur") == "3 گھنٹے پہلے"
    assert i18n.format_relative(timedelta(days=-2), "ur") == "2 دنوں میں"
    assert i18n.format_number(12345.5, "en") == "12,345.5"


def test_page_rows_are_made_in_the_page_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formatting.app_settings, "value", lambda session, key: "Asia/Karachi")
    now = datetime.now(UTC)
    row = {"id": 7, "number": 1042, "title": "VPN", "status": "waiting_on_customer", "priority": "high",
           "category": None, "team": None, "assignee": None, "requester": "Alice",
           "created_at": now - timedelta(hours=3), "updated_at": now - timedelta(minutes=5),
           "sla_resolution_due": now + timedelta(hours=5)}
    english = formatting.ticket_row(row, staff=False)
    urdu = formatting.ticket_row(row, staff=False, language="ur")
    assert (english["status_label"], english["priority_label"], english["created_ago"]) == (
        "Waiting on you", "High", "3h ago")
    assert (urdu["status_label"], urdu["priority_label"], urdu["created_ago"]) == (
        "آپ کے جواب کا انتظار", "زیادہ", "3 گھنٹے پہلے")
    assert urdu["assignee"] == "کسی کو تفویض نہیں" and urdu["unassigned"] == "yes"
    assert urdu["sla_label"] == "موقوف"  # waiting on the requester pauses the clock


def test_an_urdu_email_is_urdu_right_to_left_and_still_escapes_what_people_wrote() -> None:
    ticket = SimpleNamespace(number=1042, title="<script>alert(1)</script> Wi-Fi", priority="high")
    context = {"requester_name": "Ayesha", "ticket": ticket, "priority_label": "زیادہ", "category": None,
               "first_response_due": "پیر 07 دسمبر 2026, 10:00 Asia/Karachi", "ticket_url": "http://x/tickets/1",
               "organisation": "Example"}
    text, html = notifications.render("ticket_acknowledgement", "ur", **context)
    assert "السلام علیکم Ayesha،" in text and "ہمیں آپ کی درخواست موصول ہو گئی ہے" in text
    assert "ابھی طے نہیں" in text  # the category not set yet, in Urdu
    assert '<html lang="ur" dir="rtl">' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="http://x/tickets/1">ٹکٹ آن لائن فالو کریں</a>' in html
    english_text, english_html = notifications.render("ticket_acknowledgement", **context)
    assert "Hello Ayesha," in english_text and "We have received your request" in english_text
    assert '<html lang="en" dir="ltr">' in english_html


def test_a_page_of_rows_reads_the_time_zone_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each read is a Redis round trip; a live push renders one page for hundreds of tabs.
    reads: list[str] = []
    monkeypatch.setattr(formatting.app_settings, "value", lambda session, key: reads.append(key) or "Asia/Karachi")
    moment = datetime(2026, 12, 6, 15, 17, tzinfo=UTC)
    rows = [{"id": n, "number": 1000 + n, "title": "VPN", "status": "open", "priority": "low", "category": None,
             "team": None, "assignee": None, "requester": "Alice", "created_at": moment, "updated_at": moment,
             "sla_resolution_due": None} for n in range(25)]
    shown = formatting.ticket_rows(rows, staff=True, language="en")
    assert reads == ["timezone"]
    assert [r["created"] for r in shown] == ["06 Dec 2026, 20:17"] * 25
    assert shown[3]["number"] == "#1003"


def test_a_report_reads_in_urdu_and_keeps_its_series_on_their_axes() -> None:
    from helpdesk.reports import data, labels
    from helpdesk.state.reports import build_figure

    chart = data.chart("sla_week", "SLA compliance per week", "% met", "Week starting", ["2026-11-30"],
                       [{"name": "First response met (%)", "values": [90.0]},
                        {"name": "Resolution targets due", "values": [3.0]}])
    times = data.chart("resolution_by_month", "Resolution time by month", "tickets resolved", "Month", ["Dec 2026"],
                       [{"name": label, "values": [1.0]} for label in data.RESOLUTION_BUCKET_LABELS], stacked=True)
    report = {"name": "sla", "title": "SLA compliance", "figures": [{"label": "Resolution met", "value": "90 %"}],
              "charts": [chart, times]}
    urdu = labels.localise(report, "ur")
    assert urdu["title"] == "SLA کی پابندی" and urdu["figures"][0]["label"] == "حل بروقت"
    sla, by_month = urdu["charts"]
    assert (sla["title"], sla["unit"], sla["x_title"]) == ("فی ہفتہ SLA کی پابندی", "% پورا", "ہفتے کا آغاز")
    assert sla["x"] == ["2026-11-30"] and sla["columns"][1] == "پہلا جواب بروقت (%)"
    # The count series stays in the table, as in English, though its Urdu name has no "(%)" to tell by.
    assert [s["name"] for s in data.plotted_series(sla)] == ["پہلا جواب بروقت (%)"]
    assert [s["name"] for s in data.plotted_series(chart)] == ["First response met (%)"]
    figure = build_figure(sla, "ur")
    assert figure.layout.yaxis.title.text == "% پورا" and figure.data[0].name == "پہلا جواب بروقت (%)"
    assert by_month["x"] == ["دسمبر 2026"]
    assert [s["name"] for s in by_month["series"]][:3] == ["4 گھنٹے سے کم", "4 گھنٹے-1 دن", "1-3 دن"]
    # Names people gave and the English report itself are left alone.
    assert labels.label("ur", "Network printers") == "Network printers"
    english = labels.localise(report, "en")
    assert (english["title"], english["charts"][0]["title"], english["charts"][1]["x"]) == (
        "SLA compliance", "SLA compliance per week", ["Dec 2026"])


def test_macro_summaries_and_bulk_messages_in_urdu() -> None:
    from helpdesk.state.queue import bulk_message
    from helpdesk.tickets import macros
    from helpdesk.tickets.validation import MacroActions

    actions = MacroActions(status="waiting_on_customer", assignee="me", add_tags=["vpn"])
    assert macros.summary(actions) == "status → waiting on customer, assign to me, tag +vpn"
    assert macros.summary(actions, language="ur") == "حالت ← صارف کے جواب کا انتظار، مجھے تفویض، ٹیگ +vpn"
    result = SimpleNamespace(updated=[1, 2], unchanged=[3], failed={})
    assert bulk_message(result) == ("success", "Updated 2 tickets; 1 already had it.")
    assert bulk_message(result, "ur") == ("success", "2 ٹکٹ اپ ڈیٹ ہوئے؛ 1 میں پہلے سے تھا۔")


def test_a_date_axis_names_its_months_in_urdu() -> None:
    """Plotly writes English month names on a date axis; an Urdu chart carries its own ticks (issue #18)."""
    from helpdesk.reports import data, labels
    from helpdesk.state.reports import MAX_DATE_TICKS, build_figure

    weeks = ["2026-11-30", "2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28", "2027-01-04", "2027-01-11",
             "2027-01-18"]
    chart = data.chart("volume_week", "Tickets created and resolved per {grain}", "tickets", "Week starting", weeks,
                       [{"name": "Created", "values": [1.0] * len(weeks)}], kind="line")
    urdu = labels.localise({"name": "volume", "title": "", "figures": [], "charts": [chart]}, "ur")["charts"][0]
    axis = build_figure(urdu, "ur").layout.xaxis
    assert list(axis.tickvals) == weeks[::2] and len(axis.tickvals) <= MAX_DATE_TICKS
    # Day and Urdu month; the year under the first tick and where it changes.
    assert list(axis.ticktext) == ["30 نومبر<br>2026", "14 دسمبر", "28 دسمبر", "11 جنوری<br>2027"]
    assert axis.hoverformat == "%d/%m/%Y"
    assert not build_figure(chart, "en").layout.xaxis.tickvals  # English keeps Plotly's own ticks


def test_server_messages_with_values_are_translated_where_shown() -> None:
    from helpdesk.core.errors import ValidationFailed
    from helpdesk.core.validation import parse
    from helpdesk.tickets.validation import MacroDraft

    limit = i18n.NF_("Choose at most {count} tickets at a time.", count=50)
    assert limit == "Choose at most 50 tickets at a time." and isinstance(limit, str)  # English as it is (REST)
    assert i18n.translate("ur", limit) == "ایک وقت میں زیادہ سے زیادہ 50 ٹکٹ منتخب کریں۔"
    assert i18n.translate("en", limit) == "Choose at most 50 tickets at a time."
    # A model validator's sentence keeps its values through pydantic.
    with pytest.raises(ValidationFailed) as caught:
        parse(MacroDraft, {"name": "VPN macro", "actions": {"add_tags": ["vpn"], "remove_tags": ["vpn"]}})
    assert i18n.translate("ur", caught.value.field_errors["actions"]) == (
        "ایک ٹیگ ایک ساتھ شامل اور ہٹایا نہیں جا سکتا: vpn۔")


def test_no_domain_error_is_an_untranslatable_f_string() -> None:
    """A field error written as an f-string reads English on an Urdu page: the domain writes NF_(template, ...)."""
    pattern = re.compile(r"(?:ValidationFailed|TooLarge)\(\{[^}]*?:\s*f\"")
    offenders = [f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}"
                 for package in ("tickets", "identity", "kb", "email", "ai", "reports", "sla", "admin",
                                 "notifications")
                 for path in sorted((ROOT / "helpdesk" / package).rglob("*.py"))
                 for text in [path.read_text()] for match in pattern.finditer(text)]
    # Messages naming a list of allowed codes answer a tampered request, not a person: they stay English.
    allowed = {"Choose one of", "Unknown status", "Unknown priority", "Sort by one of", "Unknown scope",
               "Not a kind of notification", "It could not be filed"}
    offenders = [o for o in offenders if not any(
        phrase in (ROOT / o.split(":")[0]).read_text().splitlines()[int(o.split(":")[1]) - 1] for phrase in allowed)]
    assert offenders == []


def test_ai_is_called_one_thing_in_urdu() -> None:
    """The navigation said "مصنوعی ذہانت", the AI pages "اے آئی" and some sentences "AI": one word everywhere."""
    urdu = i18n.translations("ur")
    assert urdu["AI"] == "اے آئی" and urdu["AI triage"] == "اے آئی چھانٹی"
    assert [t for t in urdu.values() if re.search(r"\bAI\b(?!_)|مصنوعی ذہانت", t)] == []
