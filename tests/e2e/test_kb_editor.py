"""Knowledge-base writing in Chromium: an agent drafts, requesters can't see drafts, publishing shows them; the
editor's live preview and history, and the managers' category panel. Set KB_SCREENSHOT_DIR to keep screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import KbArticle, KbCategory
from tests.e2e.conftest import open_page
from tests.factories import Org

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TITLE = "Calibrate the badge printer kiosk"
BODY = "## Steps\n\n1. Open the **kiosk** menu\n2. Choose *Calibrate*\n\n| tray | paper |\n|---|---|\n| 1 | cards |"


def shot(page, name: str) -> None:  # noqa: ANN001
    folder = os.environ.get("KB_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def search(page, words: str) -> None:  # noqa: ANN001
    open_page(page, "/kb")
    page.get_by_test_id("kb-search").fill(words)


def test_draft_is_hidden_from_requesters_until_published(sign_in, org: Org) -> None:  # noqa: ANN001
    agent = sign_in("hank@example.org")
    open_page(agent, "/kb")
    agent.get_by_test_id("kb-new-article").click()
    agent.wait_for_url(re.compile(r"/kb/new$"))
    agent.wait_for_selector("[data-testid=kb-editor]")

    # Field errors are shown inline and nothing is saved.
    agent.fill("#kb-title-input", "Hi")
    agent.get_by_test_id("kb-save-draft").click()
    expect(agent.get_by_test_id("error-title")).to_be_visible()
    expect(agent.get_by_test_id("error-body_markdown")).to_be_visible()

    agent.fill("#kb-title-input", TITLE)
    agent.fill("#kb-tags", "printer, badges")
    agent.get_by_test_id("kb-body-input").fill(BODY + "\n\n<script>alert(1)</script>")
    preview = agent.get_by_test_id("kb-preview")
    expect(preview.locator("strong")).to_have_text("kiosk")  # the live preview renders the Markdown
    expect(preview.locator("table")).to_be_visible()
    expect(preview.locator("script")).to_have_count(0)  # with the article page's safe renderer
    shot(agent, "kb-editor-new-with-preview")
    agent.get_by_test_id("kb-save-draft").click()
    agent.wait_for_url(re.compile(r"/kb/edit/\d+$"))
    expect(agent.get_by_test_id("kb-history-row")).to_have_count(1)
    with session_scope() as session:
        article = session.exec(select(KbArticle)).one()
        assert (article.title, article.status, article.author_id) == (TITLE, "draft", org.hank)
        slug, article_id = article.slug, article.id

    requester = sign_in("alice@example.org")
    search(requester, "badge kiosk")
    expect(requester.get_by_test_id("empty-state")).to_be_visible()
    expect(requester.get_by_test_id("kb-result")).to_have_count(0)
    open_page(requester, f"/kb/{slug}")
    expect(requester.get_by_text("Article not found")).to_be_visible()
    expect(requester.get_by_test_id("kb-body")).to_have_count(0)
    open_page(requester, f"/kb/edit/{article_id}")
    expect(requester.get_by_test_id("kb-refused")).to_be_visible()
    open_page(requester, "/kb/drafts")
    expect(requester.get_by_test_id("kb-refused")).to_be_visible()
    expect(requester.get_by_text(TITLE)).to_have_count(0)

    # The agent's list of unpublished articles has it; the agent publishes from the editor.
    open_page(agent, "/kb/drafts")
    expect(agent.get_by_test_id("kb-writer-row").filter(has_text=TITLE)).to_be_visible()
    agent.get_by_test_id("kb-writer-row").filter(has_text=TITLE).get_by_role("link").click()
    agent.wait_for_url(re.compile(rf"/kb/edit/{article_id}$"))
    agent.get_by_test_id("kb-publish").click()
    expect(agent.get_by_test_id("kb-history-row")).to_have_count(2)
    expect(agent.get_by_test_id("kb-history-row").first).to_contain_text("Published")
    shot(agent, "kb-editor-edit-history")
    with session_scope() as session:
        assert session.get(KbArticle, article_id).status == "published"

    search(requester, "badge kiosk")
    result = requester.get_by_test_id("kb-result").filter(has_text=TITLE)
    expect(result).to_be_visible()
    result.click()
    requester.wait_for_url(re.compile(rf"/kb/{slug}$"))
    expect(requester.get_by_test_id("kb-title")).to_have_text(TITLE)
    expect(requester.get_by_test_id("kb-edit")).to_have_count(0)  # readers get no Edit button

    open_page(agent, f"/kb/{slug}")
    expect(agent.get_by_test_id("kb-edit")).to_be_visible()
    shot(agent, "kb-article-with-edit-button")


def test_a_requester_opening_the_editor_is_refused(sign_in, org: Org) -> None:  # noqa: ANN001
    requester = sign_in("alice@example.org")
    open_page(requester, "/kb")
    expect(requester.get_by_test_id("kb-new-article")).to_have_count(0)
    open_page(requester, "/kb/new")
    expect(requester.get_by_test_id("kb-refused")).to_be_visible()
    expect(requester.get_by_test_id("kb-editor")).to_have_count(0)
    expect(requester.locator("#kb-title-input")).to_have_count(0)


def test_managers_create_nest_and_deactivate_categories(sign_in, org: Org) -> None:  # noqa: ANN001
    agent = sign_in("hank@example.org")
    open_page(agent, "/kb/categories")
    expect(agent.get_by_test_id("kb-refused")).to_be_visible()

    manager = sign_in("mona@example.org")
    open_page(manager, "/kb/categories")
    for name in ("Hardware", "Printers", "Old scanners"):
        manager.get_by_test_id("kb-category-name").fill(name)
        manager.get_by_test_id("kb-category-create").click()
        expect(manager.get_by_test_id("kb-category-row").filter(has_text=name)).to_be_visible()
    # Nest "Printers" under "Hardware" and rename it.
    manager.get_by_test_id("kb-category-row").filter(has_text="Printers").get_by_role("button", name="Edit").click()
    manager.get_by_test_id("kb-category-edit-name").fill("Printers & copiers")
    manager.get_by_role("combobox").last.click()
    manager.get_by_role("option", name="Hardware", exact=True).click()
    manager.get_by_test_id("kb-category-save").click()
    expect(manager.get_by_test_id("kb-category-row").filter(has_text="Printers & copiers")).to_be_visible()
    manager.get_by_test_id("kb-category-row").filter(has_text="Old scanners").get_by_test_id(
        "kb-category-toggle").click()
    expect(manager.get_by_test_id("kb-category-row").filter(has_text="Old scanners")).to_contain_text("Inactive")
    shot(manager, "kb-category-panel")
    with session_scope() as session:
        rows = {c.name: c for c in session.exec(select(KbCategory)).all()}
        assert rows["Printers & copiers"].parent_id == rows["Hardware"].id
        assert rows["Old scanners"].active is False
