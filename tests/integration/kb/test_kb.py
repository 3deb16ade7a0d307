"""Knowledge base on real PostgreSQL and Redis: permissions, rendering, revisions, votes, search, deflection."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import text
from sqlmodel import select

from helpdesk.core import cache
from helpdesk.core.db import session_scope
from helpdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from helpdesk.kb import articles as kb
from helpdesk.kb import categories as kb_categories
from helpdesk.kb import deflection as kb_deflection
from helpdesk.kb import feedback as kb_feedback
from helpdesk.kb.articles import ArticleChanges, ArticleDraft
from helpdesk.kb.rendering import ALLOWED_TAGS, render_markdown
from helpdesk.models import AuditLog, KbArticle, KbArticleRevision, KbDeflection, KbVote
from helpdesk.tickets import tickets
from tests.factories import Org, draft


@pytest.fixture
def kb_org(org: Org) -> Org:
    """The test organisation with an empty knowledge base (categories survive the users truncation)."""
    with session_scope() as session:
        session.execute(text("TRUNCATE kb_categories, kb_articles, kb_article_revisions, kb_votes, kb_deflections "
                             "RESTART IDENTITY CASCADE"))
    return org


def write(org: Org, title: str, body: str, *, by: int | None = None, publish: bool = True, **fields) -> int:
    with session_scope() as session:
        article = kb.create_article(session, org.actor(by or org.hank),
                                    ArticleDraft(title=title, body_markdown=body, **fields))
        if publish:
            kb.publish_article(session, org.actor(by or org.hank), article.id)
        return article.id


def search_titles(org: Org, user_id: int, query: str) -> list[str]:
    with session_scope() as session:
        return [result.title for result in kb.search(session, org.actor(user_id), query)]


# ---------------------------------------------------------------- rendering


class _ElementCollector(HTMLParser):
    """Every element and attribute a browser would build from the HTML (escaped text builds none)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def elements_of(html: str) -> list[tuple[str, dict[str, str]]]:
    collector = _ElementCollector()
    collector.feed(html)
    return collector.elements


@pytest.mark.parametrize("markdown", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "![pic](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src=https://evil.example></iframe>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">hi</div>',
])
def test_xss_attempts_are_neutralised(markdown: str) -> None:
    for tag, attributes in elements_of(render_markdown(markdown)):
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") or name == "style" and tag not in ("td", "th") for name in attributes)
        for name in ("href", "src"):
            assert not attributes.get(name, "").strip().lower().startswith(("javascript:", "data:", "vbscript:"))


def test_sanitiser_drops_what_markdown_would_never_write() -> None:
    from helpdesk.kb.rendering import sanitise_html

    cleaned = sanitise_html('<p onclick="x()">a</p><script>bad()</script><img src="javascript:x" onerror="y">'
                            '<img src="mailto:a@b"><a href="javascript:x">l</a><svg><g/></svg>')
    assert cleaned == '<p>a</p><img><img><a rel="noopener noreferrer">l</a>'


def test_safe_markdown_keeps_its_formatting() -> None:
    rendered = render_markdown("# Title\n\n*em* **strong** `code`\n\n> quote\n\n- one\n- two\n\n"
                               "[docs](https://example.org/x) ![logo](/static/logo.png)\n\n"
                               "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx < y\n```")
    for fragment in ("<h1>Title</h1>", "<em>em</em>", "<strong>strong</strong>", "<code>code</code>",
                     "<blockquote>", "<li>one</li>", '<a href="https://example.org/x" rel="noopener noreferrer">',
                     '<img src="/static/logo.png" alt="logo">', "<table>", "<td>1</td>", "x &lt; y"):
        assert fragment in rendered


def test_article_html_is_rendered_and_sanitised_on_write(kb_org: Org) -> None:
    article_id = write(kb_org, "Printer setup guide", "Hello <script>alert(1)</script> **world**")
    with session_scope() as session:
        article = session.get(KbArticle, article_id)
        assert "<strong>world</strong>" in article.body_html and "<script" not in article.body_html
        kb.update_article(session, kb_org.actor(kb_org.hank), article_id,
                          ArticleChanges(body_markdown="[x](javascript:alert(1)) _fine_"))
    with session_scope() as session:
        article = session.get(KbArticle, article_id)
        assert "<em>fine</em>" in article.body_html and "javascript" not in article.body_html.split("<p>")[0]
        assert 'href="javascript' not in article.body_html


# ---------------------------------------------------------------- writing, permissions and revisions


def test_requesters_cannot_write_and_staff_can(kb_org: Org) -> None:
    alice = kb_org.actor(kb_org.alice)
    with session_scope() as session, pytest.raises(PermissionDenied):
        kb.create_article(session, alice, ArticleDraft(title="My own article", body_markdown="text"))
    for writer in (kb_org.hank, kb_org.mona, kb_org.root):
        write(kb_org, f"Article by {writer} person", "Body", by=writer, publish=False)
    article_id = write(kb_org, "Staff article", "Body")
    with session_scope() as session:
        for change in (
            lambda: kb.update_article(session, alice, article_id, ArticleChanges(title="Hijacked title")),
            lambda: kb.publish_article(session, alice, article_id),
            lambda: kb.archive_article(session, alice, article_id),
            lambda: kb_categories.create_category(session, alice, "Mine"),
        ):
            with pytest.raises(PermissionDenied):
                change()
        assert session.get(KbArticle, article_id).title == "Staff article"


def test_bad_input_raises_field_messages_and_changes_nothing(kb_org: Org) -> None:
    article_id = write(kb_org, "Original title", "Body")
    with session_scope() as session:
        with pytest.raises(ValidationFailed) as bad_category:
            kb.create_article(session, kb_org.actor(kb_org.hank),
                              ArticleDraft(title="Valid title", body_markdown="x", category_id=999999))
        assert "category_id" in bad_category.value.field_errors
        with pytest.raises(ValidationFailed) as null_title:
            kb.update_article(session, kb_org.actor(kb_org.hank), article_id, ArticleChanges(title=None))
        assert "title" in null_title.value.field_errors
    from helpdesk.core.validation import parse

    with pytest.raises(ValidationFailed) as short:
        parse(ArticleDraft, {"title": "Hi", "body_markdown": "", "slug": "Not A Slug"})
    assert set(short.value.field_errors) == {"title", "body_markdown", "slug"}
    with session_scope() as session:
        assert session.exec(select(KbArticle)).all()[0].title == "Original title"
        assert len(session.exec(select(KbArticle)).all()) == 1


def test_slugs_are_made_from_titles_and_stay_unique(kb_org: Org) -> None:
    first = write(kb_org, "Réinitialiser le mot de passe!", "Body")
    second = write(kb_org, "Réinitialiser le mot de passe!", "Other body")
    with session_scope() as session:
        assert session.get(KbArticle, first).slug == "reinitialiser-le-mot-de-passe"
        assert session.get(KbArticle, second).slug == "reinitialiser-le-mot-de-passe-2"
        with pytest.raises(ValidationFailed) as taken:
            kb.create_article(session, kb_org.actor(kb_org.hank), ArticleDraft(
                title="Another one", body_markdown="x", slug="reinitialiser-le-mot-de-passe"))
        assert "slug" in taken.value.field_errors


def test_every_save_records_a_revision_and_an_audit_entry(kb_org: Org) -> None:
    article_id = write(kb_org, "VPN setup", "Version one", publish=False)
    with session_scope() as session:
        kb.update_article(session, kb_org.actor(kb_org.ada), article_id, ArticleChanges(body_markdown="Version two"))
        kb.update_article(session, kb_org.actor(kb_org.root), article_id,
                          ArticleChanges(title="VPN setup on Windows", body_markdown="Version three"))
        # Nothing changes, so no revision.
        kb.update_article(session, kb_org.actor(kb_org.root), article_id, ArticleChanges(title="VPN setup on Windows"))
    with session_scope() as session:
        history = kb.revisions(session, kb_org.actor(kb_org.mona), article_id)
        assert [(r.title, r.body_markdown, r.editor_id) for r in history] == [
            ("VPN setup", "Version one", kb_org.hank),
            ("VPN setup", "Version two", kb_org.ada),
            ("VPN setup on Windows", "Version three", kb_org.root),
        ]
        actions = session.exec(select(AuditLog.action).where(AuditLog.entity_type == "kb_article")).all()
        assert sorted(actions) == ["kb_article.create", "kb_article.update", "kb_article.update"]
        with pytest.raises(PermissionDenied):
            kb.revisions(session, kb_org.actor(kb_org.alice), article_id)


def test_drafts_and_archived_articles_are_hidden_from_requesters(kb_org: Org) -> None:
    draft_id = write(kb_org, "Secret draft about printers", "printer internals", publish=False)
    archived_id = write(kb_org, "Old printer guide", "printer history")
    with session_scope() as session:
        kb.archive_article(session, kb_org.actor(kb_org.hank), archived_id)
    published_id = write(kb_org, "Printer troubleshooting", "printer basics")
    with session_scope() as session:
        slugs = {i: session.get(KbArticle, i).slug for i in (draft_id, archived_id, published_id)}
        alice, hank = kb_org.actor(kb_org.alice), kb_org.actor(kb_org.hank)
        for hidden in (draft_id, archived_id):
            with pytest.raises(NotFound):
                kb.get_by_slug(session, alice, slugs[hidden])
            with pytest.raises(NotFound):
                kb.get_by_id(session, alice, hidden)
            assert kb.get_by_slug(session, hank, slugs[hidden]).id == hidden
        assert kb.get_by_slug(session, alice, slugs[published_id]).id == published_id
    assert search_titles(kb_org, kb_org.alice, "printer") == ["Printer troubleshooting"]
    assert set(search_titles(kb_org, kb_org.hank, "printer")) == {"Printer troubleshooting",
                                                                  "Secret draft about printers"}
    with session_scope() as session:
        suggestions = kb_deflection.suggest_for_ticket_draft(session, kb_org.actor(kb_org.hank), "Printer broken",
                                                             "The printer does not print")
        assert [s.title for s in suggestions] == ["Printer troubleshooting"]


# ---------------------------------------------------------------- views and votes


def test_views_are_counted_for_published_articles_only(kb_org: Org) -> None:
    published = write(kb_org, "Wifi guide", "Connect")
    unpublished = write(kb_org, "Wifi draft", "Connect", publish=False)
    with session_scope() as session:
        for _ in range(3):
            kb_feedback.record_view(session, kb_org.actor(kb_org.alice), published)
        kb_feedback.record_view(session, kb_org.actor(kb_org.hank), unpublished)
        with pytest.raises(NotFound):
            kb_feedback.record_view(session, kb_org.actor(kb_org.alice), unpublished)
    with session_scope() as session:
        assert session.get(KbArticle, published).view_count == 3
        assert session.get(KbArticle, unpublished).view_count == 0


def test_one_vote_per_person_which_they_can_change(kb_org: Org) -> None:
    article_id = write(kb_org, "Reset your password", "Steps")
    with session_scope() as session:
        kb_feedback.vote(session, kb_org.actor(kb_org.alice), article_id, True)
        kb_feedback.vote(session, kb_org.actor(kb_org.alice), article_id, True)
        kb_feedback.vote(session, kb_org.actor(kb_org.bob), article_id, True)
    with session_scope() as session:
        article = kb_feedback.vote(session, kb_org.actor(kb_org.alice), article_id, False)
        assert (article.helpful_yes, article.helpful_no) == (1, 1)
    with session_scope() as session:
        assert len(session.exec(select(KbVote).where(KbVote.article_id == article_id)).all()) == 2
        assert kb_feedback.vote_of(session, kb_org.actor(kb_org.alice), article_id) is False
        article = session.get(KbArticle, article_id)
        assert (article.helpful_yes, article.helpful_no) == (1, 1)
    draft_id = write(kb_org, "Unfinished", "x", publish=False)
    with session_scope() as session:
        with pytest.raises(NotFound):
            kb_feedback.vote(session, kb_org.actor(kb_org.alice), draft_id, True)
        with pytest.raises(Conflict):
            kb_feedback.vote(session, kb_org.actor(kb_org.hank), draft_id, True)


# ---------------------------------------------------------------- search


def test_a_title_match_outranks_a_body_only_match(kb_org: Org) -> None:
    write(kb_org, "Laptop battery drains fast", "Check the VPN client, it keeps the CPU busy all day.")
    write(kb_org, "VPN connection drops", "Reconnect and check your network.")
    assert search_titles(kb_org, kb_org.alice, "vpn") == ["VPN connection drops", "Laptop battery drains fast"]


def test_tags_outrank_the_body(kb_org: Org) -> None:
    write(kb_org, "Mailbox full", "Archive old mail; outlook shows a warning first.")
    write(kb_org, "Mail quota", "Ask for a larger mailbox.", tags=["Outlook"])
    assert search_titles(kb_org, kb_org.alice, "outlook") == ["Mail quota", "Mailbox full"]


def test_a_typo_still_finds_the_title(kb_org: Org) -> None:
    write(kb_org, "Password reset", "Use the self-service portal to choose a new one.")
    write(kb_org, "Printer jams", "Open tray two.")
    assert search_titles(kb_org, kb_org.alice, "pasword reset") == ["Password reset"]


def test_stemming_and_prefixes_match(kb_org: Org) -> None:
    write(kb_org, "Add a printer", "Open settings and choose the printer on your floor.")
    write(kb_org, "Monitor cables", "HDMI or DisplayPort.")
    assert search_titles(kb_org, kb_org.alice, "printers") == ["Add a printer"]
    assert search_titles(kb_org, kb_org.alice, "adding printers") == ["Add a printer"]
    assert search_titles(kb_org, kb_org.alice, "displayp") == ["Monitor cables"]  # search as you type
    assert search_titles(kb_org, kb_org.alice, "zebra") == []
    assert search_titles(kb_org, kb_org.alice, "  !!! ") == []


def test_accents_are_folded_when_unaccent_is_installed(kb_org: Org) -> None:
    write(kb_org, "Café wifi access", "The café network needs a voucher.")
    assert search_titles(kb_org, kb_org.alice, "cafe") == ["Café wifi access"]


def test_any_word_finds_and_more_shared_words_rank_higher(kb_org: Org) -> None:
    write(kb_org, "Wi-Fi keeps dropping in the warehouse", "The wireless signal drops near the racks.")
    write(kb_org, "Cannot connect to Wi-Fi in the warehouse", "Forget the network and join it again.")
    write(kb_org, "Printer jams", "Open tray two.")
    # Filler words ("how", "fix") and a word no article has ("intermittently") do not hide the answer.
    assert search_titles(kb_org, kb_org.alice, "how do I fix wifi dropping intermittently in the warehouse") == [
        "Wi-Fi keeps dropping in the warehouse", "Cannot connect to Wi-Fi in the warehouse"]


def test_hyphens_and_common_spellings_are_folded(kb_org: Org) -> None:
    write(kb_org, "Set up an e-mail signature", "Open the settings of your mail app.")
    write(kb_org, "Guest Wi-Fi for visitors", "Ask reception for a voucher.")
    write(kb_org, "Request a Visio license", "Raise a purchase request.")
    assert search_titles(kb_org, kb_org.alice, "email signature setup") == ["Set up an e-mail signature"]
    assert search_titles(kb_org, kb_org.alice, "wifi visitors") == ["Guest Wi-Fi for visitors"]
    assert search_titles(kb_org, kb_org.alice, "guest wi-fi") == ["Guest Wi-Fi for visitors"]
    assert search_titles(kb_org, kb_org.alice, "visio licence") == ["Request a Visio license"]


def test_one_misspelt_word_among_others_is_corrected(kb_org: Org) -> None:
    write(kb_org, "Password expired warning on Windows", "Change it before it runs out.")
    write(kb_org, "Reset a forgotten password on macOS", "Use the self-service portal.")
    write(kb_org, "Slow VPN on Windows", "Switch to TCP mode.")
    assert search_titles(kb_org, kb_org.alice, "pasword expird windows")[0] == "Password expired warning on Windows"
    assert search_titles(kb_org, kb_org.alice, "macos pasword")[0] == "Reset a forgotten password on macOS"


def test_drafts_stay_hidden_from_requesters_when_any_word_matches(kb_org: Org) -> None:
    write(kb_org, "VPN setup for contractors", "Internal draft.", publish=False)
    write(kb_org, "VPN keeps disconnecting", "Switch the VPN client to TCP mode.")
    assert search_titles(kb_org, kb_org.alice, "vpn setup contractors") == ["VPN keeps disconnecting"]
    assert set(search_titles(kb_org, kb_org.hank, "vpn setup contractors")) == {
        "VPN setup for contractors", "VPN keeps disconnecting"}
    assert search_titles(kb_org, kb_org.alice, "contractrs") == []  # no correction from a draft's title


def test_results_carry_a_safe_highlighted_snippet_and_a_score(kb_org: Org) -> None:
    body = "Replace the <b>toner</b> cartridge when the printer says 5 < 6 & warns you."
    article_id = write(kb_org, "Printer toner", body, summary="Toner replacement")
    with session_scope() as session:
        [result] = kb.search(session, kb_org.actor(kb_org.alice), "cartridge")
    assert (result.id, result.slug, result.summary, result.status) == (article_id, "printer-toner",
                                                                       "Toner replacement", "published")
    assert "<mark>cartridge</mark>" in result.snippet and "&lt; 6 &amp;" in result.snippet
    assert [tag for tag, _ in elements_of(result.snippet)] == ["mark"] and result.score > 0


def test_search_within_a_category_includes_its_subcategories(kb_org: Org) -> None:
    with session_scope() as session:
        hardware = kb_categories.create_category(session, kb_org.actor(kb_org.hank), "Hardware")
        printers = kb_categories.create_category(session, kb_org.actor(kb_org.hank), "Printers", hardware.id)
        software = kb_categories.create_category(session, kb_org.actor(kb_org.hank), "Software")
        ids = (hardware.id, printers.id, software.id)
    write(kb_org, "Printer driver install", "driver", category_id=ids[1])
    write(kb_org, "Office driver updates", "driver", category_id=ids[2])
    with session_scope() as session:
        found = kb.search(session, kb_org.actor(kb_org.alice), "driver", category_id=ids[0])
        assert [r.title for r in found] == ["Printer driver install"]


# ---------------------------------------------------------------- caches


def test_featured_articles_and_category_tree_are_cached_and_invalidated(kb_org: Org) -> None:
    article_id = write(kb_org, "Welcome to IT", "Start here", featured=True, publish=False)
    with session_scope() as session:
        assert kb.featured_articles(session) == []
        assert cache.get_redis().get(kb.featured_cache_key()) == "[]"
        kb.publish_article(session, kb_org.actor(kb_org.hank), article_id)
    with session_scope() as session:
        assert [a["title"] for a in kb.featured_articles(session)] == ["Welcome to IT"]
        kb.update_article(session, kb_org.actor(kb_org.hank), article_id,
                          ArticleChanges(title="Welcome to the IT desk"))
    with session_scope() as session:
        assert [a["title"] for a in kb.featured_articles(session)] == ["Welcome to the IT desk"]
        assert 0 < cache.get_redis().ttl(kb.featured_cache_key()) <= kb.FEATURED_CACHE_TTL_SECONDS

    with session_scope() as session:
        assert kb_categories.category_tree(session) == []
        root = kb_categories.create_category(session, kb_org.actor(kb_org.hank), "Hardware")
    with session_scope() as session:
        child = kb_categories.create_category(session, kb_org.actor(kb_org.hank), "Laptops", root.id)
        with pytest.raises(ValidationFailed):
            kb_categories.create_category(session, kb_org.actor(kb_org.hank), "Laptops", root.id)
    with session_scope() as session:
        assert kb_categories.category_tree(session) == [
            {"id": root.id, "name": "Hardware", "children": [{"id": child.id, "name": "Laptops", "children": []}]}
        ]
        assert 0 < cache.get_redis().ttl(kb_categories.category_tree_cache_key()) <= (
            kb_categories.CATEGORY_TREE_CACHE_TTL_SECONDS)


# ---------------------------------------------------------------- deflection


def test_suggestions_and_deflections_are_recorded(kb_org: Org) -> None:
    vpn = write(kb_org, "VPN keeps disconnecting", "Switch the VPN client to TCP mode.")
    write(kb_org, "Printer jams", "Open tray two.")
    alice = kb_org.actor(kb_org.alice)
    with session_scope() as session:
        shown = kb_deflection.suggest_for_ticket_draft(session, alice, "VPN disconnects",
                                                       "My VPN disconnects every ten minutes when working from home")
        assert [s.id for s in shown] == [vpn]
        kb_deflection.record_deflection(session, alice, "VPN disconnects", vpn, "solved", [vpn])
        ticket = tickets.create_ticket(session, alice, draft(title="VPN still broken"))
        kb_deflection.record_deflection(session, alice, "VPN still broken", None, "filed_anyway", [vpn, vpn], ticket.id)
    with session_scope() as session:
        rows = session.exec(select(KbDeflection).order_by(KbDeflection.id)).all()
        assert [(r.user_id, r.outcome, r.article_id, r.shown_article_ids, r.ticket_id is not None) for r in rows] == [
            (kb_org.alice, "solved", vpn, [vpn], False),
            (kb_org.alice, "filed_anyway", None, [vpn], True),
        ]


def test_bad_deflections_are_refused(kb_org: Org) -> None:
    draft_id = write(kb_org, "Hidden draft", "x", publish=False)
    with session_scope() as session:
        bobs_ticket = tickets.create_ticket(session, kb_org.actor(kb_org.bob), draft()).id
    alice = kb_org.actor(kb_org.alice)
    cases = [
        (("q", None, "solved", []), {}, "article_id"),
        (("q", draft_id, "filed_anyway", []), {}, "article_id"),
        (("q", None, "filed_anyway", []), {"ticket_id": bobs_ticket}, "ticket_id"),
        (("q", None, "gave_up", []), {}, "outcome"),
        (("   ", None, "filed_anyway", []), {}, "query"),
    ]
    for args, kwargs, field in cases:
        with session_scope() as session, pytest.raises(ValidationFailed) as failed:
            kb_deflection.record_deflection(session, alice, *args, **kwargs)
        assert field in failed.value.field_errors
    with session_scope() as session:
        assert session.exec(select(KbDeflection)).all() == []
        assert session.exec(select(KbArticleRevision)).all() != []



def test_snippets_read_as_plain_text(kb_org: Org) -> None:
    write(kb_org, "Reset the router", "## Steps\n\nHold the **reset** button for `10` seconds.")
    with session_scope() as session:
        found = kb.search(session, kb_org.actor(kb_org.alice), "reset button")
    snippet = next(r.snippet for r in found if r.title == "Reset the router")
    assert "<mark>" in snippet and "**" not in snippet and "##" not in snippet and "`" not in snippet
