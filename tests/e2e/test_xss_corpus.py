"""XSS corpus (issue #13, suite 7c): hostile markup through every way people's text reaches a page, checked in
Chromium as each role.

The corpus (script tags, event-handler attributes, javascript: and data: URLs, SVG, mXSS, CSS, template
injection, Markdown link and image tricks, a link that would phish) goes into ticket titles and descriptions,
comments, a knowledge-base article (Markdown), a canned response, an HTML e-mail through the e-mail intake, and
the names of a category, a team and an agent, which the reports draw as Plotly chart labels. Then every page
where they appear is loaded as the requester, an agent, a manager and an administrator.

Each payload that ran would call `__xss(id)`; each element it would smuggle in carries `data-xss`. The browser
runs with the Content-Security-Policy switched off (`bypass_csp`): the policy is the second line of defence, and
this suite checks the first one, that people's text is shown as text. Nothing may run (no `__xss` call, no
dialog), no smuggled element or `javascript:` link may be in the page, and no link to the attacker's host may
appear outside a knowledge-base article (whose authors may link anywhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.email import intake
from helpdesk.kb import articles
from helpdesk.models import Category, Team, TeamMembership, User
from helpdesk.models.base import utcnow
from helpdesk.reports import rollups
from helpdesk.tickets import canned_responses, conversation, tickets
from helpdesk.tickets.validation import CannedResponseDraft, CommentDraft
from tests.e2e.conftest import open_page
from tests.factories import PASSWORD, Org, draft, password_hash

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
EVIL_HOST = "xss.invalid"
# Every payload: {id} becomes where it was put, so a hit says which door let it through.
HTML_CORPUS = [
    "<script data-xss>__xss('{id}')</script>",
    "<img data-xss src=x onerror=\"__xss('{id}')\">",
    "<svg data-xss onload=\"__xss('{id}')\"><circle r=5></circle></svg>",
    "<a data-xss href=\"javascript:__xss('{id}')\">open the file</a>",
    "<iframe data-xss srcdoc=\"<script>parent.__xss('{id}')</script>\"></iframe>",
    "<details data-xss open ontoggle=\"__xss('{id}')\">more</details>",
    "<div data-xss style=\"background:url(javascript:__xss('{id}'))\">styled</div>",
    "\"><img data-xss src=x onerror=__xss('{id}')>",
    "<math><mtext></form><form><mglyph><style></math><img data-xss src onerror=__xss('{id}')>",
    f"<a data-xss href=\"https://{EVIL_HOST}/login\">Your session expired, sign in again</a>",
    f"<style data-xss>@import url(https://{EVIL_HOST}/x.css); body {{ display: none }}</style>",
    "javascript:__xss('{id}')",
    "{{constructor.constructor('__xss(\"{id}\")')()}}",
]
MARKDOWN_CORPUS = [
    "[click me](javascript:__xss('{id}'))",
    "[click me too](JaVaScRiPt:__xss('{id}'))",
    "![diagram](x\" onerror=\"__xss('{id}'))",
    "[data link](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MoJ21kJyk8L3NjcmlwdD4=)",
    "[vb](vbscript:msgbox('{id}'))",
    "<img data-xss src=x onerror=__xss('{id}')>",
    "<a data-xss href=\"javascript:__xss('{id}')\">raw html link</a>",
]
# Short ones for names (80 characters at most).
CATEGORY_NAME = "<img data-xss src=x onerror=__xss('category')>"
TEAM_NAME = f"<a data-xss href=\"https://{EVIL_HOST}/t\">Team</a>"
AGENT_NAME = "<svg data-xss onload=__xss('agent')>Xavier</svg>"

WATCH = """
window.__xssHits = [];
window.__xss = (id) => { window.__xssHits.push(String(id)); console.error('XSS EXECUTED ' + id); };
"""
PROBE = f"""() => {{
  const hits = window.__xssHits || [];
  const smuggled = [...document.querySelectorAll('[data-xss]')].map(e => e.outerHTML.slice(0, 120));
  const scriptLinks = [...document.querySelectorAll('a, area')]
    .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
    .filter(href => /^\\s*(javascript|vbscript|data):/i.test(href));
  const evilLinks = [...document.querySelectorAll('a')]
    .filter(a => !a.closest('.kb-article'))
    .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
    .filter(href => href.includes('{EVIL_HOST}'));
  const frames = document.querySelectorAll('iframe').length;
  return {{hits, smuggled, scriptLinks, evilLinks, frames}};
}}"""


def corpus(place: str, payloads: list[str] = HTML_CORPUS) -> list[str]:
    return [payload.replace("{id}", f"{place}-{index}") for index, payload in enumerate(payloads)]


@dataclass
class Seeded:
    first_ticket: int = 0
    email_ticket: int = 0
    ticket_ids: list[int] = field(default_factory=list)
    article_slug: str = ""
    article_id: int = 0


def _seed(org: Org) -> Seeded:
    seeded = Seeded()
    with session_scope() as session:
        team = Team(name=TEAM_NAME)
        session.add(team)
        session.flush()
        category = Category(name=CATEGORY_NAME, default_team_id=team.id)
        xavier = User(email="xavier@example.org", full_name=AGENT_NAME, password_hash=password_hash(), role="agent")
        session.add_all([category, xavier])
        session.flush()
        session.add_all([TeamMembership(team_id=team.id, user_id=xavier.id),
                         TeamMembership(team_id=team.id, user_id=org.hank)])
        category_id, xavier_id = category.id, xavier.id
    description = "Steps to reproduce:\n" + "\n".join(corpus("description"))
    with session_scope() as session:
        alice = org.actor(org.alice)
        for index, title in enumerate(corpus("title")):
            title = title if len(title) >= 5 else f"{title} here"
            ticket = tickets.create_ticket(session, alice, draft(title=title[:200], description=description,
                                                                 category_id=category_id))
            seeded.ticket_ids.append(ticket.id)
            if index < 6:  # resolved by Xavier, some late: the reports draw them
                session.execute(text(
                    "UPDATE tickets SET status = 'resolved', assignee_id = :agent, first_responded_at = now(), "
                    "resolved_at = now(), sla_first_response_due = :due, sla_first_response_breached_at = :due, "
                    "updated_at = now() WHERE id = :id"),
                    {"agent": xavier_id, "due": utcnow() - timedelta(hours=1), "id": ticket.id})
        seeded.first_ticket = seeded.ticket_ids[-1]  # still open: replies and canned responses apply
    with session_scope() as session:
        for who, place in ((org.alice, "requester-comment"), (org.hank, "agent-comment")):
            conversation.add_comment(session, org.actor(who), seeded.first_ticket,
                                     CommentDraft(body="\n".join(corpus(place))))
        conversation.add_comment(session, org.actor(org.hank), seeded.first_ticket,
                                 CommentDraft(body="\n".join(corpus("note")), internal=True))
        canned_responses.create(session, org.actor(org.root), CannedResponseDraft(
            title="<img data-xss src=x onerror=__xss('canned-title')>",
            body="\n".join(p for p in corpus("canned") if "{{" not in p and "constructor" not in p)))
        article = articles.create_article(session, org.actor(org.root), articles.ArticleDraft(
            title="<svg data-xss onload=__xss('kb-title')> VPN guide",
            summary="<img data-xss src=x onerror=__xss('kb-summary')>",
            body_markdown="# Connecting to the VPN\n\n" + "\n\n".join(
                corpus("kb-md", MARKDOWN_CORPUS) + corpus("kb-html")),
            featured=True, tags=["vpn"]))
        articles.publish_article(session, org.actor(org.root), article.id)
        seeded.article_slug, seeded.article_id = article.slug, article.id
    # As markup (the converter must drop it) and as entities (which decode to the payload's text).
    as_markup = "".join(f"<p>{p}</p>" for p in corpus("mail-html"))
    as_entities = "".join(p.replace("<", "&lt;").replace(">", "&gt;") for p in corpus("mail-entity"))
    html_body = f"<html><body><p>Hello IT,</p>{as_markup}<p>{as_entities}</p></body></html>"
    raw = ("Authentication-Results: mx.test; dmarc=pass header.from=example.org\r\n"
           "From: Alice Requester <alice@example.org>\r\nTo: helpdesk@example.org\r\n"
           "Subject: <img data-xss src=x onerror=__xss('mail-subject')> printer\r\n"
           "Message-ID: <xss-corpus@example.org>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n" + html_body + "\r\n")
    with session_scope() as session:
        result = intake.ingest(session, raw)
        seeded.email_ticket = result.ticket_id
    rollups.refresh_changed()
    return seeded


@pytest.fixture
def seeded(org: Org) -> Seeded:
    return _seed(org)


@pytest.fixture
def hostile_browser(browser, web_app: str) -> Iterator:  # noqa: ANN001
    """Signs people in, in contexts with the CSP switched off, a dialog trap and the `__xss` recorder."""
    contexts = []
    dialogs: list[str] = []

    def open_as(email: str) -> Page:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=web_app, bypass_csp=True)
        context.set_default_timeout(30000)
        context.add_init_script(WATCH)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        open_page(page, "/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("[data-testid=sign-in]")
        page.wait_for_url(lambda url: "/login" not in url and "/api/" not in url)
        page.wait_for_selector("[data-testid=hydrated]", state="attached")
        return page

    open_as.dialogs = dialogs  # type: ignore[attr-defined]
    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


def _assert_inert(page: Page, where: str, dialogs: list[str]) -> None:
    found = page.evaluate(PROBE)
    assert found["hits"] == [], f"{where}: payloads ran: {found['hits']}"
    assert dialogs == [], f"{where}: dialogs opened: {dialogs}"
    assert found["smuggled"] == [], f"{where}: markup became elements: {found['smuggled']}"
    assert found["scriptLinks"] == [], f"{where}: script links: {found['scriptLinks']}"
    assert found["evilLinks"] == [], f"{where}: links to the attacker's site: {found['evilLinks']}"
    assert found["frames"] == 0, f"{where}: a frame was injected"


def _visit(page: Page, path: str, dialogs: list[str], *, shows: str | None = "__xss(",
           ready: str | None = None, screenshot: str = "") -> None:
    open_page(page, path)
    if ready:
        expect(page.locator(ready).first).to_be_attached()
    if shows:  # the payload is on the page, as text
        expect(page.locator("body")).to_contain_text(shows)
    page.wait_for_timeout(300)  # late renders (charts, markdown) have had their chance
    _assert_inert(page, path, dialogs)
    if screenshot:  # how hostile text looks where it is shown as text
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"xss-{screenshot}-1366.png"), full_page=True)


def test_nothing_runs_for_the_requester(seeded: Seeded, hostile_browser) -> None:  # noqa: ANN001
    page = hostile_browser("alice@example.org")
    dialogs = hostile_browser.dialogs
    _visit(page, "/portal", dialogs, ready="[data-testid=my-ticket-row]")
    _visit(page, f"/tickets/{seeded.first_ticket}", dialogs, ready="[data-testid=comment]",
           screenshot="ticket-requester")
    _visit(page, f"/tickets/{seeded.email_ticket}", dialogs, shows="mail-entity")
    _visit(page, "/kb", dialogs, shows="kb-title")
    _visit(page, f"/kb/{seeded.article_slug}", dialogs, ready="[data-testid=kb-body]", shows="kb-html",
           screenshot="kb-article")
    open_page(page, "/kb")
    page.get_by_test_id("kb-search").fill("VPN guide")
    expect(page.get_by_test_id("kb-result").first).to_be_visible()
    _assert_inert(page, "kb search", dialogs)
    # The portal's own new-ticket page suggests articles while the title is typed.
    _visit(page, "/portal/new", dialogs, shows=None)
    page.fill("#title", "VPN guide connecting")
    page.wait_for_timeout(1500)
    _assert_inert(page, "/portal/new suggestions", dialogs)


def test_nothing_runs_for_an_agent(seeded: Seeded, hostile_browser) -> None:  # noqa: ANN001
    page = hostile_browser("hank@example.org")
    dialogs = hostile_browser.dialogs
    _visit(page, "/queue", dialogs, ready="[data-testid=queue-row]", screenshot="queue")
    _visit(page, f"/tickets/{seeded.first_ticket}", dialogs, ready="[data-testid=comment]")
    expect(page.get_by_text("note-0", exact=False).first).to_be_attached()
    # A canned response put into the reply box, and the similar tickets panel.
    if page.get_by_test_id("canned-select").count():
        page.get_by_test_id("canned-select").click()
        page.wait_for_timeout(500)
        _assert_inert(page, "canned menu", dialogs)
        page.keyboard.press("Escape")
    _visit(page, f"/tickets/{seeded.ticket_ids[0]}", dialogs, shows=None, ready="[data-testid=ticket-title]")
    _visit(page, f"/tickets/{seeded.email_ticket}", dialogs, shows="mail-html")
    _visit(page, f"/kb/edit/{seeded.article_id}", dialogs, shows=None, ready="[data-testid=kb-editor]")


def _draw_every_chart(page: Page) -> None:
    """Charts are drawn when scrolled near (helpdesk/components/when_visible.py): bring each one into view."""
    plots = page.get_by_test_id("chart-plot")
    for n in range(plots.count()):
        plots.nth(n).scroll_into_view_if_needed()
        expect(plots.nth(n).locator(".main-svg").first).to_be_attached(timeout=15_000)


def test_nothing_runs_for_a_manager_reading_reports(seeded: Seeded, hostile_browser) -> None:  # noqa: ANN001
    page = hostile_browser("mona@example.org")
    dialogs = hostile_browser.dialogs
    for name in ("volume", "sla", "times", "agents"):
        _visit(page, f"/reports/{name}", dialogs, shows=None, ready="[data-testid=chart-plot] .main-svg")
    # The labels are drawn as the characters they are (Plotly reads tags in any text it draws).
    _visit(page, "/reports/times", dialogs, shows=None, ready="[data-testid=chart-plot] .main-svg",
           screenshot="report-times")
    _draw_every_chart(page)
    labels = page.locator("[data-testid=chart-plot] .main-svg").all_text_contents()
    assert any(CATEGORY_NAME in label for label in labels), labels
    _visit(page, "/reports/agents", dialogs, shows=None, ready="[data-testid=chart-plot] .main-svg")
    _draw_every_chart(page)
    labels = page.locator("[data-testid=chart-plot] .main-svg").all_text_contents()
    assert any("Xavier" in label and "<svg" in label for label in labels), labels
    _visit(page, "/reports/sla", dialogs, ready="[data-testid=chart-table]")
    _visit(page, "/queue", dialogs, ready="[data-testid=queue-row]")


def test_nothing_runs_for_an_administrator(seeded: Seeded, hostile_browser) -> None:  # noqa: ANN001
    page = hostile_browser("root@example.org")
    dialogs = hostile_browser.dialogs
    _visit(page, "/admin/categories", dialogs, shows="__xss('category')")
    _visit(page, "/admin/teams", dialogs, shows=EVIL_HOST)
    _visit(page, "/admin/users", dialogs, shows="Xavier")
    _visit(page, "/admin/canned-responses", dialogs, shows="canned-title")
    _visit(page, f"/tickets/{seeded.first_ticket}", dialogs, ready="[data-testid=comment]")


def test_the_corpus_is_stored_as_written(seeded: Seeded) -> None:
    """The defence is in the output, not in mangling what people wrote: the text is kept as it was typed."""
    with session_scope() as session:
        titles = set(session.exec(select(text("title")).select_from(text("tickets"))).all())
        assert "<script data-xss>__xss('title-0')</script>" in titles
        assert session.exec(select(Category.name).where(Category.name == CATEGORY_NAME)).one() == CATEGORY_NAME
    assert re.match(r"^[a-z0-9-]+$", seeded.article_slug)
