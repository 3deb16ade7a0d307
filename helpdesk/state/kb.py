"""Knowledge-base pages: search as you type, featured articles, reading and voting."""

from __future__ import annotations

import reflex as rx

from helpdesk.core.errors import DomainError
from helpdesk.kb import articles as kb
from helpdesk.kb import attachments as kb_attachments
from helpdesk.kb import categories as kb_categories
from helpdesk.kb import feedback as kb_feedback
from helpdesk.routes import kb_edit_url
from helpdesk.state.formatting import local_time
from helpdesk.state.session import SessionState


def result_card(result: kb.kb_search.SearchResult) -> dict[str, str]:
    return {"id": str(result.id), "title": result.title, "slug": result.slug, "summary": result.summary,
            "snippet": result.snippet, "status": result.status}


class KbHomeState(SessionState):
    query: str = ""
    results: list[dict[str, str]] = []
    featured: list[dict[str, str]] = []
    searched: bool = False
    can_write: bool = False
    can_manage_categories: bool = False

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        with self._on_failure() as failure, self._service() as (session, actor):
            rows = kb.featured_articles(session)
            self.can_write = kb.may_write(actor)
            self.can_manage_categories = kb_categories.may_manage_categories(actor)
        if failure:
            return failure.event
        self.featured = [{"title": r["title"], "slug": r["slug"], "summary": r["summary"] or ""} for r in rows]
        # A search kept from an earlier visit is run again: articles may have been published or withdrawn since.
        return self.search(self.query) if self.searched else None

    @rx.event
    def search(self, value: str) -> rx.event.EventSpec | None:
        self.query = value[:200]
        if len(self.query.strip()) < 2:
            self.results, self.searched = [], False
            return None
        found = []  # a search that fails shows no results
        with self._on_failure(on={DomainError: lambda exc: None}) as failure, self._reading() as (session, actor):
            found = kb.search(session, actor, self.query, limit=10)
        if failure.signed_out:
            return failure.event
        self.results, self.searched = [result_card(r) for r in found], True
        return None


class KbArticleState(SessionState):
    article: dict[str, str] = {}
    not_found: bool = False
    my_vote: str = ""  # "yes", "no" or ""
    can_write: bool = False
    files: list[dict[str, str]] = []

    def _slug(self) -> str:
        return str(self.router.page.params.get("slug", ""))[:120]

    def _missing(self, _exc: DomainError) -> None:
        self.not_found, self.article, self.files, self.can_write = True, {}, [], False

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        with self._on_failure(on={DomainError: self._missing}) as failure, self._service() as (session, actor):
            article = kb.get_by_slug(session, actor, self._slug())
            kb_feedback.record_view(session, actor, article.id)
            vote = kb_feedback.vote_of(session, actor, article.id)
            self.can_write = kb.may_write(actor)
            self.files = [{"name": f["filename"], "url": f["url"], "image": "yes" if f["is_image"] else "",
                           "size": f"{max(1, f['size_bytes'] // 1024)} KB"}
                          for f in kb_attachments.list_attachments(session, actor, article.id)]
        if failure:
            return failure.event
        self.not_found = False
        self.my_vote = "" if vote is None else ("yes" if vote else "no")
        self.article = {
            "id": str(article.id), "title": article.title, "html": article.body_html, "summary": article.summary,
            "status": article.status, "updated": local_time(article.updated_at, self._lang()),
            "tags": ", ".join(article.tags or []), "helpful": str(article.helpful_yes),
            "edit_url": kb_edit_url(article.id),
        }
        return None

    @rx.event
    def vote(self, helpful: bool) -> rx.event.EventSpec | None:
        if not self.article:
            return None
        article_id = int(self.article["id"])
        with self._on_failure(toast=True) as failure:
            self._run(lambda session, actor: kb_feedback.vote(session, actor, article_id, bool(helpful)))
        if failure:
            return failure.event
        self.my_vote = "yes" if helpful else "no"
        return rx.toast.success(self._t("Thanks for the feedback!"))
