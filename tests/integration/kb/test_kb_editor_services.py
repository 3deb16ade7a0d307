"""Knowledge-base services behind the editor pages: status changes and history, the writers' list, category
management (rename, nest, deactivate) and files on articles."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.kb import articles as kb
from helpdesk.kb import attachments as kb_attachments
from helpdesk.kb import categories as kb_categories
from helpdesk.kb.articles import ArticleChanges, ArticleDraft
from tests.factories import Org

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def kb_org(org: Org) -> Org:
    with session_scope() as session:
        session.execute(text("TRUNCATE kb_categories, kb_articles, kb_article_revisions, kb_votes, kb_deflections, "
                             "kb_attachments RESTART IDENTITY CASCADE"))
    return org


def new_article(org: Org, title: str = "Printer toner replacement", **fields) -> int:
    with session_scope() as session:
        return kb.create_article(session, org.actor(org.hank),
                                 ArticleDraft(title=title, body_markdown="Open the front door.", **fields)).id


def test_history_lists_saves_and_status_changes_with_who_and_status(kb_org: Org) -> None:
    article_id = new_article(kb_org)
    with session_scope() as session:
        kb.update_article(session, kb_org.actor(kb_org.ada), article_id, ArticleChanges(body_markdown="Version 2"))
        kb.set_status(session, kb_org.actor(kb_org.mona), article_id, "published")
        kb.set_status(session, kb_org.actor(kb_org.root), article_id, "archived")
        kb.set_status(session, kb_org.actor(kb_org.hank), article_id, "draft")
        with pytest.raises(ValidationFailed):
            kb.set_status(session, kb_org.actor(kb_org.hank), article_id, "deleted")
    with session_scope() as session:
        events = kb.history(session, kb_org.actor(kb_org.hank), article_id)[::-1]
        assert [(e["what"], e["who"], e["status"]) for e in events] == [
            ("Created", "Hank Hardware", "draft"),
            ("Edited", "Ada Access", "draft"),
            ("Published", "Mona Manager", "published"),
            ("Archived", "Root Admin", "archived"),
            ("Back to draft", "Hank Hardware", "draft"),
        ]
        with pytest.raises(PermissionDenied):
            kb.history(session, kb_org.actor(kb_org.alice), article_id)
        with pytest.raises(PermissionDenied):
            kb.set_status(session, kb_org.actor(kb_org.alice), article_id, "published")


def test_writers_list_shows_unpublished_articles_to_staff_only(kb_org: Org) -> None:
    draft_id = new_article(kb_org, "Draft about scanners")
    archived_id = new_article(kb_org, "Old article about fax")
    published_id = new_article(kb_org, "Published article on VPN")
    with session_scope() as session:
        kb.archive_article(session, kb_org.actor(kb_org.hank), archived_id)
        kb.publish_article(session, kb_org.actor(kb_org.hank), published_id)
    with session_scope() as session:
        listed = kb.list_for_writers(session, kb_org.actor(kb_org.ada))
        assert {row["id"] for row in listed} == {draft_id, archived_id}
        assert all(row["author"] == "Hank Hardware" for row in listed)
        assert [r["id"] for r in kb.list_for_writers(session, kb_org.actor(kb_org.mona), ["published"])] == [
            published_id]
        with pytest.raises(PermissionDenied):
            kb.list_for_writers(session, kb_org.actor(kb_org.alice))


def test_reserved_page_names_are_never_slugs(kb_org: Org) -> None:
    article_id = new_article(kb_org, "New!!")
    with session_scope() as session:
        assert kb.get_by_id(session, kb_org.actor(kb_org.hank), article_id).slug == "new-2"
        with pytest.raises(ValidationFailed):
            kb.create_article(session, kb_org.actor(kb_org.hank),
                              ArticleDraft(title="Categories page", body_markdown="x", slug="categories"))


def test_managers_rename_nest_and_deactivate_categories(kb_org: Org) -> None:
    mona, hank = kb_org.actor(kb_org.mona), kb_org.actor(kb_org.hank)
    with session_scope() as session:
        hardware = kb_categories.create_category(session, mona, "Hardware").id
        printers = kb_categories.create_category(session, hank, "Printers").id  # agents may still add categories
        old = kb_categories.create_category(session, mona, "Old scanners", hardware).id
    with session_scope() as session:
        for change in (lambda: kb_categories.rename_category(session, hank, printers, "Print"),
                       lambda: kb_categories.move_category(session, hank, printers, hardware),
                       lambda: kb_categories.set_category_active(session, hank, printers, False)):
            with pytest.raises(PermissionDenied):
                change()
    with session_scope() as session:
        kb_categories.rename_category(session, mona, printers, "  Printers   &  copiers ")
        kb_categories.move_category(session, mona, printers, hardware)
        with pytest.raises(ValidationFailed) as cycle:
            kb_categories.move_category(session, mona, hardware, printers)
        assert "parent_id" in cycle.value.field_errors
        with pytest.raises(ValidationFailed) as duplicate:
            kb_categories.rename_category(session, mona, old, "Printers & copiers")
        assert "name" in duplicate.value.field_errors
        with pytest.raises(NotFound):
            kb_categories.rename_category(session, mona, 999999, "Nothing")
    with session_scope() as session:
        assert kb_categories.category_tree(session) == [{"id": hardware, "name": "Hardware", "children": [
            {"id": old, "name": "Old scanners", "children": []},
            {"id": printers, "name": "Printers & copiers", "children": []}]}]
        article_id = new_article(kb_org, "Scanner driver install", category_id=old)
        kb_categories.set_category_active(session, mona, old, False)
    with session_scope() as session:
        # Hidden from the tree and from new articles; the article keeps it and can still be saved.
        assert kb_categories.category_tree(session)[0]["children"] == [
            {"id": printers, "name": "Printers & copiers", "children": []}]
        options = kb_categories.category_options(session, hank)
        assert [o["path"] for o in options] == ["Hardware", "Hardware / Printers & copiers"]
        everything = kb_categories.category_options(session, mona, include_inactive=True)
        assert [(o["name"], o["active"]) for o in everything] == [
            ("Hardware", True), ("Old scanners", False), ("Printers & copiers", True)]
        with pytest.raises(ValidationFailed):
            kb.create_article(session, hank, ArticleDraft(title="Another scanner one", body_markdown="x",
                                                          category_id=old))
        kb.update_article(session, hank, article_id, ArticleChanges(title="Scanner driver setup", category_id=old))
        kb_categories.set_category_active(session, mona, old, True)
    with session_scope() as session:
        assert len(kb_categories.category_tree(session)[0]["children"]) == 2


def test_files_on_articles_respect_roles_types_and_sizes(kb_org: Org) -> None:
    article_id = new_article(kb_org)
    hank, alice = kb_org.actor(kb_org.hank), kb_org.actor(kb_org.alice)
    with session_scope() as session:
        image = kb_attachments.add_attachment(session, hank, article_id, "../../toner door.png", PNG)
        pdf = kb_attachments.add_attachment(session, hank, article_id, "manual.pdf", b"%PDF-1.7 ...")
        assert (image.filename, image.content_type) == ("toner door.png", "image/png")
        for name, data, message in (
            ("evil.svg", b"<svg onload=alert(1)>", "not accepted"),
            ("script.html", b"<script>", "not accepted"),
            ("fake.png", b"<html>not a png</html>", "not a valid png"),
            ("empty.txt", b"", "empty"),
            ("huge.zip", b"x" * (kb_attachments.max_bytes() + 1), "larger than"),
        ):
            with pytest.raises(ValidationFailed) as rejected:
                kb_attachments.add_attachment(session, hank, article_id, name, data)
            assert message in rejected.value.field_errors["attachments"]
        with pytest.raises(PermissionDenied):
            kb_attachments.add_attachment(session, alice, article_id, "mine.png", PNG)
        image_id, pdf_id = image.id, pdf.id

    # A requester sees no file of a draft, by list or by id; once published, both.
    with session_scope() as session:
        with pytest.raises(NotFound):
            kb_attachments.list_attachments(session, alice, article_id)
        with pytest.raises(NotFound):
            kb_attachments.read_attachment(session, alice, image_id)
        kb.publish_article(session, hank, article_id)
    with session_scope() as session:
        files = kb_attachments.list_attachments(session, alice, article_id)
        assert [(f["filename"], f["is_image"]) for f in files] == [("toner door.png", True), ("manual.pdf", False)]
        assert kb_attachments.read_attachment(session, alice, image_id)[1] == PNG
        with pytest.raises(PermissionDenied):
            kb_attachments.delete_attachment(session, alice, pdf_id)
        kb_attachments.delete_attachment(session, hank, pdf_id)
    with session_scope() as session:
        assert [f["id"] for f in kb_attachments.list_attachments(session, alice, article_id)] == [image_id]
        with pytest.raises(NotFound):
            kb_attachments.read_attachment(session, hank, pdf_id)
