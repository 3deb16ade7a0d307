"""Knowledge-base writing: the article editor (with live preview, files and history), the writers' list of drafts
and archived articles, and the category panel. Every handler asks the service layer, which checks the role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from helpdesk.core import i18n
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.core.validation import parse
from helpdesk.kb import articles as kb
from helpdesk.kb import attachments as kb_attachments
from helpdesk.kb import categories as kb_categories
from helpdesk.kb import rendering as kb_rendering
from helpdesk.kb.articles import ArticleChanges, ArticleDraft, ArticleStatus
from helpdesk.routes import kb_edit_url
from helpdesk.state.formatting import local_time
from helpdesk.state.session import SessionState
from helpdesk.tickets import limits

NO_CATEGORY = "none"
MAX_UPLOAD_FILES = 10  # files one upload may carry (the server refuses a bigger request before reading it)
STATUS_LABELS = {"draft": N_("Draft"), "published": N_("Published"), "archived": N_("Archived")}


def _status_label(status: str, language: str) -> str:
    return i18n.translate(language, STATUS_LABELS.get(status, status))


def _history_row(entry: dict[str, Any], language: str) -> dict[str, str]:
    """One line of an article's history; "what" is an English msgid from the KB context ("Edited", "Published")."""
    what = entry["what"]
    return {"when": local_time(entry["at"], language), "who": entry["who"], "what": i18n.translate(language, what),
            "status": _status_label(entry["status"], language)}


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 1024:.0f} KB" if size_bytes < 1024 * 1024 else f"{size_bytes / (1024 * 1024):.1f} MB"


def _category_choices(session: Any, actor: Any, keep_id: int | None = None) -> list[dict[str, str]]:
    rows = kb_categories.category_options(session, actor, include_inactive=True)
    return [{"id": str(r["id"]), "label": ("\u2003" * r["depth"]) + r["name"] + ("" if r["active"] else " (inactive)")}
            for r in rows if r["active"] or r["id"] == keep_id]


class KbEditorState(SessionState):
    """/kb/new and /kb/edit/[article_id]."""

    article_id: str = ""
    slug: str = ""
    status: str = "draft"
    title: str = ""
    body: str = ""
    summary: str = ""
    category_id: str = NO_CATEGORY
    tags: str = ""
    featured: bool = False
    preview_html: str = ""
    categories: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    attachments: list[dict[str, str]] = []
    field_errors: dict[str, str] = {}
    error: str = ""
    denied: bool = False
    not_found: bool = False
    saving: bool = False

    def _reset_form(self) -> None:
        self.article_id = self.slug = self.title = self.body = self.summary = self.tags = ""
        self.status, self.category_id, self.featured, self.preview_html = "draft", NO_CATEGORY, False, ""
        self.history, self.attachments, self.field_errors, self.error = [], [], {}, ""
        self.denied = self.not_found = False

    def _route_article_id(self) -> int | None:
        raw = str(self.router.page.params.get("article_id", ""))
        return as_id(raw)

    @rx.event
    def load_new(self) -> rx.event.EventSpec | None:
        self._reset_form()
        with self._on_failure() as failure, self._service() as (session, actor):
            if not kb.may_write(actor):
                self.denied = True
                return None
            self.categories = _category_choices(session, actor)
        return failure.event

    @rx.event
    def load_edit(self) -> rx.event.EventSpec | None:
        self._reset_form()
        article_id = self._route_article_id()
        with self._on_failure(on={DomainError: self._missing}) as failure, self._service() as (session, actor):
            if not kb.may_write(actor):
                self.denied = True
                return None
            if article_id is None:
                raise NotFound(N_("Article not found."))
            article = kb.get_by_id(session, actor, article_id)
            self._show(session, actor, article)
            self.title, self.body, self.summary = article.title, article.body_markdown, article.summary
            self.tags = ", ".join(article.tags or [])
            self.featured = article.featured
            self.preview_html = article.body_html
        return failure.event

    def _missing(self, _exc: DomainError) -> None:
        self.not_found = True

    def _show(self, session: Any, actor: Any, article: Any) -> None:
        """The parts of the page that follow a save: ids, status, category list, history, files."""
        self.article_id, self.slug, self.status = str(article.id), article.slug, article.status
        self.category_id = str(article.category_id) if article.category_id else NO_CATEGORY
        self.categories = _category_choices(session, actor, article.category_id)
        self.history = [_history_row(h, self._lang()) for h in kb.history(session, actor, article.id)]
        self._load_files(session, actor, article.id)

    def _load_files(self, session: Any, actor: Any, article_id: int) -> None:
        self.attachments = [{"id": str(f["id"]), "name": f["filename"], "url": f["url"], "size": _size(f["size_bytes"]),
                             "image": "yes" if f["is_image"] else ""}
                            for f in kb_attachments.list_attachments(session, actor, article_id)]

    # ------------------------------------------------------------ fields

    @rx.event
    def set_title(self, value: str) -> None:
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != "title"}
        self.title = value[:300]

    @rx.event
    def set_summary(self, value: str) -> None:
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != "summary"}
        self.summary = value[:600]

    @rx.event
    def set_tags(self, value: str) -> None:
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != "tags"}
        self.tags = value[:1000]

    @rx.event
    def set_category(self, value: str) -> None:
        self.category_id = value if as_id(value) or value == NO_CATEGORY else NO_CATEGORY

    @rx.event
    def set_featured(self, value: bool) -> None:
        self.featured = bool(value)

    @rx.event
    def set_body(self, value: str) -> rx.event.EventSpec | None:
        """The Markdown and its preview, rendered by the same safe renderer as the article page."""
        self.body = value[: kb.ARTICLE_BODY_LIMIT + 1]
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != "body_markdown"}
        with self._on_failure() as failure, self._service() as (_session, actor):
            if not kb.may_write(actor):
                self.denied = True
                return None
        if failure:
            return failure.event
        self.preview_html = kb_rendering.render_markdown(self.body)
        return None

    def _fields(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "body_markdown": self.body,
            "summary": self.summary,
            "category_id": as_id(self.category_id),
            "tags": [tag for tag in (part.strip() for part in self.tags.split(",")) if tag],
            "featured": self.featured,
        }

    # ------------------------------------------------------------ saving and status

    @rx.event
    def save(self, target: str) -> rx.event.EventSpec | None:
        """Save draft / Publish / Archive: saves the fields, then moves the article to `target`."""
        if target not in STATUS_LABELS:
            return None
        self.field_errors, self.error = {}, ""
        creating = not self.article_id
        with (self._on_failure("error", fields="field_errors") as failure,
              self._service() as (session, actor)):
            if creating:
                article = kb.create_article(session, actor, parse(ArticleDraft, self._fields()))
            else:
                article = kb.update_article(session, actor, int(self.article_id),
                                            parse(ArticleChanges, self._fields()))
            article = kb.set_status(session, actor, article.id, ArticleStatus(target))
            session.flush()
            self._show(session, actor, article)
            self.preview_html = article.body_html
        if failure:
            return failure.event
        done = {"draft": N_("Draft saved."), "published": N_("Published: everyone signed in can read it now."),
                "archived": N_("Archived: hidden from readers and search.")}[target]
        message = self._t(done)
        if creating:
            return [rx.toast.success(message), rx.redirect(kb_edit_url(self.article_id))]
        return rx.toast.success(message)

    # ------------------------------------------------------------ files

    @rx.event
    async def upload(self, files: list[rx.UploadFile]) -> AsyncIterator[rx.event.EventSpec]:
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != "attachments"}
        if not self.article_id:
            self.field_errors = self.field_errors | {"attachments": self._t("Save the draft first, then add files.")}
            return
        limit = kb_attachments.max_bytes()
        # Who may, and how fast, before a file is read (the server refused anyone else before receiving them).
        with (self._on_failure("error", on={ValidationFailed: self._file_errors}) as failure,
              self._service() as (session, actor)):
            kb.check_may_write(actor)
            limits.check_rate(session, actor, limits.Action.UPLOAD, len(files[:MAX_UPLOAD_FILES]))
        if failure:
            if failure.event is not None:
                yield failure.event
            return
        uploads = [(f.name or "attachment", await f.read(limit + 1)) for f in files[:MAX_UPLOAD_FILES]]
        with (self._on_failure("error", on={ValidationFailed: self._file_errors}) as failure,
              self._service() as (session, actor)):
            for name, data in uploads:
                kb_attachments.add_attachment(session, actor, int(self.article_id), name, data)
            self._load_files(session, actor, int(self.article_id))
        if failure:
            if failure.event is not None:
                yield failure.event
            return
        yield rx.clear_selected_files("kb-files")
        yield rx.toast.success(self._t("{count} file(s) added.", count=len(uploads)))

    def _file_errors(self, exc: ValidationFailed) -> None:
        self.field_errors = self.field_errors | {field: self._t(problem) for field, problem in exc.field_errors.items()}

    @rx.event
    def remove_file(self, attachment_id: str) -> rx.event.EventSpec | None:
        attachment = as_id(attachment_id, big=True)
        if attachment is None or not self.article_id:
            return None
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            kb_attachments.delete_attachment(session, actor, attachment)
            self._load_files(session, actor, int(self.article_id))
        return failure.event

    @rx.event
    def insert_image(self, attachment_id: str) -> rx.event.EventSpec | None:
        """Adds the image to the end of the body as Markdown (it is served from our own URL)."""
        match = next((f for f in self.attachments if f["id"] == attachment_id and f["image"]), None)
        if match is None:
            return None
        return KbEditorState.set_body(f"{self.body.rstrip()}\n\n![{match['name']}]({match['url']})\n")


class KbWritersState(SessionState):
    """/kb/drafts: drafts and archived articles for the people who write them."""

    rows: list[dict[str, str]] = []
    show: str = "unpublished"  # "unpublished" | "draft" | "archived" | "published"
    denied: bool = False

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        return self._load()

    @rx.event
    def set_show(self, value: str | list[str]) -> rx.event.EventSpec | None:
        value = value if isinstance(value, str) else (value[0] if value else "")
        if value in ("unpublished", "draft", "archived", "published"):
            self.show = value
        return self._load()

    def _refused(self, _exc: PermissionDenied) -> None:
        self.denied, self.rows = True, []

    def _load(self) -> rx.event.EventSpec | None:
        statuses = {"unpublished": None, "draft": ["draft"], "archived": ["archived"],
                    "published": ["published"]}[self.show]
        with self._on_failure(on={PermissionDenied: self._refused}) as failure:
            rows = self._run(lambda session, actor: kb.list_for_writers(session, actor, statuses))
        if failure:
            return failure.event
        self.denied = False
        self.rows = [{"id": str(r["id"]), "title": r["title"], "slug": r["slug"], "status": r["status"],
                      "status_label": _status_label(r["status"], self._lang()), "author": r["author"],
                      "updated": local_time(r["updated_at"]), "edit_url": kb_edit_url(r["id"])} for r in rows]
        return None


class KbCategoryState(SessionState):
    """/kb/categories: managers and administrators create, rename, nest and deactivate categories."""

    rows: list[dict[str, str]] = []
    denied: bool = False
    new_name: str = ""
    new_parent: str = NO_CATEGORY
    selected: str = ""
    edit_name: str = ""
    edit_parent: str = NO_CATEGORY
    field_errors: dict[str, str] = {}

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        self.field_errors, self.selected = {}, ""
        return self._load()

    def _load(self) -> rx.event.EventSpec | None:
        with self._on_failure() as failure, self._service() as (session, actor):
            if not kb_categories.may_manage_categories(actor):
                self.denied, self.rows = True, []
                return None
            rows = kb_categories.category_options(session, actor, include_inactive=True)
        if failure:
            return failure.event
        self.denied = False
        self.rows = [{"id": str(r["id"]), "name": r["name"], "path": r["path"], "depth": str(r["depth"]),
                      "indent": f"{r['depth'] * 22}px", "parent": str(r["parent_id"] or NO_CATEGORY),
                      "active": "yes" if r["own_active"] else "",
                      "state": "Active" if r["active"] else ("Inactive" if not r["own_active"]
                                                             else "Hidden (parent inactive)"),
                      "state_label": self._t("Active") if r["active"] else (
                          self._t("Inactive") if not r["own_active"] else self._t("Hidden (parent inactive)"))}
                     for r in rows]
        return None

    @rx.event
    def set_new_name(self, value: str) -> None:
        self.new_name = value[:200]

    @rx.event
    def set_new_parent(self, value: str) -> None:
        self.new_parent = value

    @rx.event
    def set_edit_name(self, value: str) -> None:
        self.edit_name = value[:200]

    @rx.event
    def set_edit_parent(self, value: str) -> None:
        self.edit_parent = value

    @rx.event
    def select(self, category_id: str) -> None:
        row = next((r for r in self.rows if r["id"] == category_id), None)
        if row is None:
            return
        self.selected, self.edit_name, self.edit_parent, self.field_errors = row["id"], row["name"], row["parent"], {}

    def _change(self, work: Any, success: str) -> rx.event.EventSpec | None:
        self.field_errors = {}
        with self._on_failure(fields="field_errors", toast=True) as failure:
            self._run(work)
        if failure:
            return failure.event
        self._load()
        return rx.toast.success(success)

    @staticmethod
    def _parent(value: str) -> int | None:
        return as_id(value)

    @rx.event
    def create(self) -> rx.event.EventSpec | None:
        name, parent = self.new_name, self._parent(self.new_parent)

        def work(session: Any, actor: Any) -> None:
            if not kb_categories.may_manage_categories(actor):
                raise PermissionDenied(N_("Only managers and administrators can change knowledge-base categories."))
            kb_categories.create_category(session, actor, name, parent)

        result = self._change(work, self._t("Category created."))
        if not self.field_errors:
            self.new_name, self.new_parent = "", NO_CATEGORY
        return result

    @rx.event
    def save_selected(self) -> rx.event.EventSpec | None:
        if as_id(self.selected) is None:
            return None
        category_id, name, parent = as_id(self.selected), self.edit_name, self._parent(self.edit_parent)

        def work(session: Any, actor: Any) -> None:
            kb_categories.rename_category(session, actor, category_id, name)
            kb_categories.move_category(session, actor, category_id, parent)

        return self._change(work, self._t("Category saved."))

    @rx.event
    def toggle_active(self, category_id: str) -> rx.event.EventSpec | None:
        row = next((r for r in self.rows if r["id"] == category_id), None)
        if row is None:
            return None
        make_active = not row["active"]
        return self._change(lambda session, actor: kb_categories.set_category_active(session, actor, int(category_id),
                                                                                     make_active),
                            self._t("Category activated.") if make_active else self._t("Category deactivated."))
