"""Knowledge base: writing, publishing and reading articles, votes, search and ticket deflection.

Who may do what lives here: agents, managers and administrators write and see every article; requesters read
published articles only (anything else is "not found" to them, through every door).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import text
from sqlalchemy.sql.elements import TextClause
from sqlmodel import Session, select

from helpdesk.core import audit, cache, on_commit
from helpdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.validation import parse
from helpdesk.identity.actor import Actor
from helpdesk.kb import search as kb_search
from helpdesk.kb import semantic as kb_semantic
from helpdesk.kb.search import SearchResult
from helpdesk.models import (
    ArticleStatus,
    AuditLog,
    DeflectionOutcome,
    KbArticle,
    KbArticleRevision,
    KbCategory,
    KbDeflection,
    KbVote,
    Role,
    User,
)
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets

FEATURED_CACHE_TTL_SECONDS = 60 * 60  # spec 4.3.3: featured articles, 1 hour
CATEGORY_TREE_CACHE_TTL_SECONDS = 24 * 60 * 60  # spec 4.3.3: category tree, 1 day
FEATURED_LIMIT = 10
MAX_SLUG_LENGTH = 100  # leaves room in the 120-character column for a "-2" style suffix

ArticleTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=200)]
ARTICLE_BODY_LIMIT = 100_000
ArticleBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ARTICLE_BODY_LIMIT)]
ArticleSummary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SLUG_LENGTH,
                                        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]


def _normalise_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split()).lower()
        if not tag:
            continue
        if len(tag) > 40:
            raise ValueError("Each tag must be at most 40 characters.")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > 20:
        raise ValueError("Use at most 20 tags.")
    return cleaned


class ArticleDraft(BaseModel):
    """A new article; it starts as a draft. Without `slug`, one is made from the title."""

    model_config = ConfigDict(extra="forbid")

    title: ArticleTitle
    body_markdown: ArticleBody
    summary: ArticleSummary = ""
    category_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    featured: bool = False
    slug: Slug | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _normalise_tags(value)


class ArticleChanges(BaseModel):
    """A partial change: only the fields present are changed (the slug never changes, so links keep working)."""

    model_config = ConfigDict(extra="forbid")

    title: ArticleTitle | None = None
    body_markdown: ArticleBody | None = None
    summary: ArticleSummary | None = None
    category_id: int | None = None
    tags: list[str] | None = None
    featured: bool | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _normalise_tags(value)


class DeflectionReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    article_id: int | None = None
    outcome: DeflectionOutcome
    shown_article_ids: list[int] = Field(default_factory=list, max_length=50)
    ticket_id: int | None = None


# ---------------------------------------------------------------- rendering
# markdown-it runs with raw HTML off (so `<script>` in Markdown comes out as text) and its own link check (which
# drops `javascript:`/`vbscript:`/`data:` links); nh3 then allows only the tags and attributes below, as a second
# line of defence should either of those ever change.

ALLOWED_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "code", "pre", "a", "img", "table",
    "thead", "tbody", "tr", "th", "td", "blockquote", "em", "strong", "del", "s",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}
# Table cell alignment is the only inline style markdown-it writes.
ALLOWED_STYLE_PROPERTIES = frozenset({"text-align"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})


@lru_cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 has already limited every URL to LINK_SCHEMES or a relative URL; images are narrower (no mailto:).
    if tag == "img" and attribute == "src":
        scheme = urlsplit(value.strip()).scheme.lower()
        return value if scheme in IMAGE_SCHEMES or scheme == "" else None
    return value


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer",
        filter_style_properties=set(ALLOWED_STYLE_PROPERTIES),
        strip_comments=True,
    )


def render_markdown(markdown: str) -> str:
    """The article body as HTML that is safe to insert into a page."""
    return sanitise_html(_markdown().render(markdown))


# ---------------------------------------------------------------- permissions


def may_write(actor: Actor) -> bool:
    """Agents, managers and administrators keep the knowledge base; requesters only read it."""
    return actor.role in (Role.AGENT, Role.MANAGER, Role.ADMIN)


def readable_statuses(actor: Actor) -> tuple[str, ...]:
    if may_write(actor):
        return (ArticleStatus.DRAFT.value, ArticleStatus.PUBLISHED.value, ArticleStatus.ARCHIVED.value)
    return (ArticleStatus.PUBLISHED.value,)


def _check_may_write(actor: Actor) -> None:
    if not may_write(actor):
        raise PermissionDenied("Only IT staff can write knowledge-base articles.")


def _readable(actor: Actor, article: KbArticle | None) -> KbArticle:
    if article is None or article.status not in readable_statuses(actor):
        raise NotFound("Article not found.")
    return article


def get_by_slug(session: Session, actor: Actor, slug: str) -> KbArticle:
    """The article if `actor` may read it; NotFound otherwise (a requester never learns a draft exists)."""
    return _readable(actor, session.exec(select(KbArticle).where(KbArticle.slug == slug)).first())


def get_by_id(session: Session, actor: Actor, article_id: int, *, lock: bool = False) -> KbArticle:
    query = select(KbArticle).where(KbArticle.id == article_id)
    if lock:
        query = query.with_for_update()
    return _readable(actor, session.exec(query).first())


# ---------------------------------------------------------------- writing


def _search_vector(session: Session, title: str, tags: list[str], body: str) -> TextClause:
    """The weighted tsvector as a SQL expression, so it is written by the same INSERT/UPDATE as the text.

    Each part also carries its hyphenated words without hyphens ("Wi-Fi" as "WiFi"), so "wifi" finds it.
    """
    def weighted(parameter: str, weight: str) -> str:
        return f"setweight(to_tsvector('{kb_search.LANGUAGE}', {kb_search.fold_sql(session, parameter)}), '{weight}')"

    return text(
        f"{weighted(':sv_title', 'A')} || {weighted(':sv_tags', 'B')} || {weighted(':sv_body', 'C')}"
    ).bindparams(**{name: f"{value} {kb_search.hyphen_free_forms(value)}".strip() for name, value in
                    (("sv_title", title), ("sv_tags", " ".join(tags)), ("sv_body", body))})


def _refresh_derived(session: Session, article: KbArticle) -> None:
    article.body_html = render_markdown(article.body_markdown)
    article.search_vector = _search_vector(session, article.title, article.tags, article.body_markdown)


def _check_category(session: Session, category_id: int | None) -> None:
    if category_id is None:
        return
    category = session.get(KbCategory, category_id)
    if category is None or not category.active:
        raise ValidationFailed({"category_id": "Choose a knowledge-base category from the list."})


def slug_from_title(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-") or "article"


# Pages under /kb/ that an article's address must not shadow (helpdesk/routes.py).
RESERVED_SLUGS = frozenset({"new", "edit", "drafts", "categories"})


def _slug_taken(session: Session, slug: str) -> bool:
    if slug in RESERVED_SLUGS:
        return True
    return session.exec(select(KbArticle.id).where(KbArticle.slug == slug)).first() is not None


def _free_slug(session: Session, base: str) -> str:
    candidate, suffix = base, 2
    while _slug_taken(session, candidate):
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


def _record_revision(session: Session, actor: Actor, article: KbArticle) -> None:
    session.add(KbArticleRevision(article_id=article.id, title=article.title, body_markdown=article.body_markdown,
                                  editor_id=actor.user_id, created_at=article.updated_at, status=article.status))


def _store_embedding(session: Session, article: KbArticle, *, only_if_missing: bool = False) -> None:
    """The semantic-search vector, in the same transaction as the text (a no-op without pgvector)."""
    kb_semantic.store(session, article.id, article.title, list(article.tags or []), article.body_markdown,
                      only_if_missing=only_if_missing)


def _forget_cached_lists(session: Session) -> None:
    on_commit.after_commit(session, lambda: cache.invalidate(featured_cache_key()), key="kb-featured")


def create_article(session: Session, actor: Actor, draft: ArticleDraft) -> KbArticle:
    """A new draft article, with its first revision."""
    _check_may_write(actor)
    _check_category(session, draft.category_id)
    if draft.slug is not None and _slug_taken(session, draft.slug):
        raise ValidationFailed({"slug": "Another article already uses this address."})
    now = utcnow()
    article = KbArticle(
        title=draft.title, slug=draft.slug or _free_slug(session, slug_from_title(draft.title)),
        body_markdown=draft.body_markdown, body_html="", summary=draft.summary, category_id=draft.category_id,
        tags=draft.tags, featured=draft.featured, status=ArticleStatus.DRAFT.value, author_id=actor.user_id,
        created_at=now, updated_at=now,
    )
    _refresh_derived(session, article)
    session.add(article)
    session.flush()
    _store_embedding(session, article)
    _record_revision(session, actor, article)
    audit.record(session, "kb_article.create", actor_id=actor.user_id, entity_type="kb_article",
                 entity_id=str(article.id), details={"title": article.title})
    return article


def update_article(session: Session, actor: Actor, article_id: int, changes: ArticleChanges) -> KbArticle:
    """Changes the fields present in `changes`; every change that does something records a revision."""
    _check_may_write(actor)
    article = get_by_id(session, actor, article_id, lock=True)
    requested = {name: getattr(changes, name) for name in changes.model_fields_set}
    for name in ("title", "body_markdown", "summary", "tags", "featured"):
        if name in requested and requested[name] is None:
            raise ValidationFailed({name: "This field can't be empty."})
    if "category_id" in requested and requested["category_id"] != article.category_id:
        _check_category(session, requested["category_id"])
    changed = {name: value for name, value in requested.items() if getattr(article, name) != value}
    if not changed:
        return article
    for name, value in changed.items():
        setattr(article, name, value)
    article.updated_at = utcnow()
    _refresh_derived(session, article)
    session.add(article)
    session.flush()
    if changed.keys() & {"title", "tags", "body_markdown"}:
        _store_embedding(session, article)
    _record_revision(session, actor, article)
    audit.record(session, "kb_article.update", actor_id=actor.user_id, entity_type="kb_article",
                 entity_id=str(article.id), details={"fields": sorted(changed)})
    _forget_cached_lists(session)
    return article


STATUS_ACTIONS = {ArticleStatus.PUBLISHED: "publish", ArticleStatus.ARCHIVED: "archive",
                  ArticleStatus.DRAFT: "unpublish"}


def set_status(session: Session, actor: Actor, article_id: int, status: ArticleStatus | str) -> KbArticle:
    """Moves an article to draft, published or archived (audited; `history` lists it with the revisions)."""
    _check_may_write(actor)
    try:
        status = ArticleStatus(status)
    except ValueError:
        raise ValidationFailed({"status": "Choose draft, published or archived."}) from None
    article = get_by_id(session, actor, article_id, lock=True)
    if article.status == status:
        return article
    now = utcnow()
    article.status = status.value
    article.updated_at = now
    if status == ArticleStatus.PUBLISHED:
        article.published_at = now
    session.add(article)
    session.flush()
    if status == ArticleStatus.PUBLISHED:
        # Articles written before pgvector was installed get their vector when they are next published.
        _store_embedding(session, article, only_if_missing=True)
    audit.record(session, f"kb_article.{STATUS_ACTIONS[status]}",
                 actor_id=actor.user_id, entity_type="kb_article", entity_id=str(article.id))
    _forget_cached_lists(session)
    return article


def _set_status(session: Session, actor: Actor, article_id: int, status: ArticleStatus) -> KbArticle:
    return set_status(session, actor, article_id, status)


def publish_article(session: Session, actor: Actor, article_id: int) -> KbArticle:
    return _set_status(session, actor, article_id, ArticleStatus.PUBLISHED)


def archive_article(session: Session, actor: Actor, article_id: int) -> KbArticle:
    """Hidden from requesters and search; kept (with its votes and revisions) for the record."""
    return _set_status(session, actor, article_id, ArticleStatus.ARCHIVED)


def revisions(session: Session, actor: Actor, article_id: int) -> list[KbArticleRevision]:
    """The article's revisions, oldest first (staff only)."""
    _check_may_write(actor)
    get_by_id(session, actor, article_id)
    return list(session.exec(select(KbArticleRevision).where(KbArticleRevision.article_id == article_id)
                             .order_by(KbArticleRevision.created_at, KbArticleRevision.id)).all())


STATUS_ACTION_LABELS = {"kb_article.publish": "Published", "kb_article.archive": "Archived",
                        "kb_article.unpublish": "Back to draft"}


def history(session: Session, actor: Actor, article_id: int) -> list[dict[str, Any]]:
    """Every save (revisions) and status change (audit log) of an article, newest first: who, when, what, and the
    article's status afterwards (staff only)."""
    saves = revisions(session, actor, article_id)
    changes = session.exec(select(AuditLog).where(AuditLog.entity_type == "kb_article",
                                                  AuditLog.entity_id == str(article_id),
                                                  AuditLog.action.in_(list(STATUS_ACTION_LABELS)))).all()
    people = {user.id: user.full_name for user in session.exec(select(User).where(User.id.in_(
        {r.editor_id for r in saves} | {c.actor_id for c in changes}))).all()}
    events: list[dict[str, Any]] = []
    for number, revision in enumerate(saves, start=1):
        events.append({"at": revision.created_at, "who": people.get(revision.editor_id, "(deleted user)"),
                       "what": "Created" if number == 1 else "Edited", "status": revision.status or "",
                       "revision_id": revision.id, "title": revision.title})
    for change in changes:
        events.append({"at": change.occurred_at, "who": people.get(change.actor_id, "(deleted user)"),
                       "what": STATUS_ACTION_LABELS[change.action],
                       "status": {"kb_article.publish": "published", "kb_article.archive": "archived"}.get(
                           change.action, "draft"), "revision_id": None, "title": ""})
    events.sort(key=lambda event: event["at"])
    # Rows older than migration 0007 carry no status: it is the one in force before them.
    status = ArticleStatus.DRAFT.value
    for event in events:
        event["status"] = status = event["status"] or status
    return events[::-1]


def list_for_writers(session: Session, actor: Actor, statuses: list[str] | None = None,
                     limit: int = 200) -> list[dict[str, Any]]:
    """Articles for the writers' list (drafts and archived by default), last changed first (staff only)."""
    _check_may_write(actor)
    wanted = statuses or [ArticleStatus.DRAFT.value, ArticleStatus.ARCHIVED.value]
    rows = session.exec(select(KbArticle, User.full_name)
                        .join(User, User.id == KbArticle.author_id, isouter=True)
                        .where(KbArticle.status.in_(wanted))
                        .order_by(KbArticle.updated_at.desc(), KbArticle.id.desc()).limit(limit)).all()
    return [{"id": a.id, "title": a.title, "slug": a.slug, "status": a.status, "updated_at": a.updated_at,
             "author": author or ""} for a, author in rows]


# ---------------------------------------------------------------- readers: views and votes


def record_view(session: Session, actor: Actor, article_id: int) -> None:
    """Counts one reading of a published article (staff previewing a draft are not readers)."""
    article = get_by_id(session, actor, article_id)
    if article.status != ArticleStatus.PUBLISHED:
        return
    # One UPDATE, so concurrent readers never overwrite each other's count.
    session.execute(text("UPDATE kb_articles SET view_count = view_count + 1 WHERE id = :id"), {"id": article_id})
    session.expire(article, ["view_count"])


def vote(session: Session, actor: Actor, article_id: int, helpful: bool) -> KbArticle:
    """Records (or changes) the actor's one vote; the article's counters always equal its votes."""
    # The row lock orders concurrent votes on one article, so each recount sees the votes before it.
    article = get_by_id(session, actor, article_id, lock=True)
    if article.status != ArticleStatus.PUBLISHED:
        raise Conflict("Only published articles can be voted on.")
    now = utcnow()
    session.execute(
        text("INSERT INTO kb_votes (article_id, user_id, helpful, created_at, updated_at)"
             " VALUES (:article_id, :user_id, :helpful, :now, :now)"
             " ON CONFLICT (article_id, user_id)"
             " DO UPDATE SET helpful = EXCLUDED.helpful, updated_at = EXCLUDED.updated_at"
             " WHERE kb_votes.helpful IS DISTINCT FROM EXCLUDED.helpful"),
        {"article_id": article_id, "user_id": actor.user_id, "helpful": helpful, "now": now},
    )
    session.execute(
        text("UPDATE kb_articles SET"
             " helpful_yes = (SELECT count(*) FROM kb_votes WHERE article_id = :id AND helpful),"
             " helpful_no = (SELECT count(*) FROM kb_votes WHERE article_id = :id AND NOT helpful)"
             " WHERE id = :id"),
        {"id": article_id},
    )
    session.refresh(article)
    return article


def vote_of(session: Session, actor: Actor, article_id: int) -> bool | None:
    existing = session.get(KbVote, (article_id, actor.user_id))
    return existing.helpful if existing else None


# ---------------------------------------------------------------- search and deflection


def search(session: Session, actor: Actor, query: str, category_id: int | None = None,
           limit: int = 10) -> list[SearchResult]:
    """Ranked articles for a search box (typed-so-far words count as prefixes; typos in titles still match).

    Requesters find published articles only; staff also find drafts (archived articles are never listed).
    """
    statuses = [s for s in readable_statuses(actor) if s != ArticleStatus.ARCHIVED]
    return kb_search.search(session, query, statuses, category_id=category_id, limit=max(1, min(limit, 50)))


SUGGESTION_RELATIVE_CUTOFF = 0.25


def suggest_for_ticket_draft(session: Session, actor: Actor, title: str, description: str,
                             limit: int = 5) -> list[SearchResult]:
    """Published articles that may answer a ticket being written (the form's deflection panel).

    Any shared word makes an article a candidate, so weak ones (under a quarter of the best
    score) are dropped: a panel of near-misses teaches people to ignore it.
    """
    found = kb_search.suggest(session, title, description, [ArticleStatus.PUBLISHED.value], limit=limit)
    if not found:
        return []
    best = found[0].score
    return [result for result in found if result.score >= best * SUGGESTION_RELATIVE_CUTOFF]


def record_deflection(
    session: Session,
    actor: Actor,
    query: str,
    article_id: int | None,
    outcome: str,
    shown_ids: list[int],
    ticket_id: int | None = None,
) -> KbDeflection:
    """What the suggestion panel showed and whether it solved the problem ('solved') or a ticket followed."""
    report = parse(DeflectionReport, {"query": query, "article_id": article_id, "outcome": outcome,
                                      "shown_article_ids": shown_ids, "ticket_id": ticket_id})
    errors: dict[str, str] = {}
    if report.outcome == DeflectionOutcome.SOLVED:
        if report.article_id is None:
            errors["article_id"] = "Say which article solved the problem."
        if report.ticket_id is not None:
            errors["ticket_id"] = "A solved question has no ticket."
    if report.article_id is not None:
        article = session.get(KbArticle, report.article_id)
        if article is None or article.status not in readable_statuses(actor):
            errors["article_id"] = "Choose an article from the suggestions."
    if report.ticket_id is not None and "ticket_id" not in errors:
        try:
            tickets.get_for(session, actor, report.ticket_id)
        except NotFound:
            errors["ticket_id"] = "Choose one of your tickets."
    if errors:
        raise ValidationFailed(errors)
    deflection = KbDeflection(
        user_id=actor.user_id, query=report.query, article_id=report.article_id, outcome=report.outcome.value,
        ticket_id=report.ticket_id, shown_article_ids=list(dict.fromkeys(report.shown_article_ids)),
        created_at=utcnow(),
    )
    session.add(deflection)
    session.flush()
    return deflection


# ---------------------------------------------------------------- cached lists


def featured_cache_key() -> str:
    return cache.key("kb", "featured", "articles")


def category_tree_cache_key() -> str:
    return cache.key("kb", "categories", "tree")


def featured_articles(session: Session) -> list[dict[str, Any]]:
    """Published featured articles, newest first (the same for everyone, so cached once)."""

    def compute() -> list[dict[str, Any]]:
        rows = session.exec(
            select(KbArticle)
            .where(KbArticle.featured, KbArticle.status == ArticleStatus.PUBLISHED.value)
            .order_by(KbArticle.published_at.desc(), KbArticle.id.desc())
            .limit(FEATURED_LIMIT)
        ).all()
        return [{"id": a.id, "title": a.title, "slug": a.slug, "summary": a.summary,
                 "published_at": a.published_at.isoformat() if a.published_at else None} for a in rows]

    return cache.cached_json(featured_cache_key(), FEATURED_CACHE_TTL_SECONDS, compute)


def category_tree(session: Session) -> list[dict[str, Any]]:
    """Every category as nested `{id, name, children}`, siblings by name."""

    def compute() -> list[dict[str, Any]]:
        categories = session.exec(select(KbCategory).order_by(KbCategory.name, KbCategory.id)).all()
        nodes = {c.id: {"id": c.id, "name": c.name, "children": []} for c in categories}
        roots: list[dict[str, Any]] = []
        for category in categories:
            if not category.active:  # hidden with everything below it
                continue
            if category.parent_id is None:
                roots.append(nodes[category.id])
            elif category.parent_id in nodes:
                nodes[category.parent_id]["children"].append(nodes[category.id])
        return roots

    return cache.cached_json(category_tree_cache_key(), CATEGORY_TREE_CACHE_TTL_SECONDS, compute)


def create_category(session: Session, actor: Actor, name: str, parent_id: int | None = None) -> KbCategory:
    _check_may_write(actor)
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise ValidationFailed({"name": "Name must be 1 to 80 characters."})
    if parent_id is not None and session.get(KbCategory, parent_id) is None:
        raise ValidationFailed({"parent_id": "Choose a parent category from the list."})
    duplicate = session.exec(select(KbCategory.id).where(KbCategory.name == name,
                                                         KbCategory.parent_id == parent_id
                                                         if parent_id is not None
                                                         else KbCategory.parent_id.is_(None))).first()
    if duplicate is not None:
        raise ValidationFailed({"name": "A category with this name is already there."})
    category = KbCategory(name=name, parent_id=parent_id)
    session.add(category)
    session.flush()
    _forget_category_tree(session)
    return category


def _forget_category_tree(session: Session) -> None:
    on_commit.after_commit(session, lambda: cache.invalidate(category_tree_cache_key()), key="kb-category-tree")


def may_manage_categories(actor: Actor) -> bool:
    """Renaming, moving and deactivating categories is for managers and administrators."""
    return actor.role in (Role.MANAGER, Role.ADMIN)


def _check_may_manage_categories(actor: Actor) -> None:
    if not may_manage_categories(actor):
        raise PermissionDenied("Only managers and administrators can change knowledge-base categories.")


def category_options(session: Session, actor: Actor, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Categories as a flat list in tree order, each with its full path ("Hardware / Printers"), depth, parent and
    whether it is active: the editor's select (active only) and the category panel (all). Staff only."""
    _check_may_write(actor)
    categories = session.exec(select(KbCategory).order_by(KbCategory.name, KbCategory.id)).all()
    children: dict[int | None, list[KbCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[dict[str, Any]] = []

    def walk(parent_id: int | None, path: str, depth: int, active: bool) -> None:
        for category in children.get(parent_id, []):
            full = f"{path} / {category.name}" if path else category.name
            is_active = active and category.active
            if is_active or include_inactive:
                rows.append({"id": category.id, "name": category.name, "path": full, "depth": depth,
                             "parent_id": category.parent_id, "active": is_active,
                             "own_active": category.active})
            walk(category.id, full, depth + 1, is_active)

    walk(None, "", 0, True)
    return rows


def _category_for_change(session: Session, category_id: int) -> KbCategory:
    category = session.get(KbCategory, category_id, with_for_update=True)
    if category is None:
        raise NotFound("Category not found.")
    return category


def _check_sibling_name_free(session: Session, name: str, parent_id: int | None, category_id: int) -> None:
    duplicate = session.exec(select(KbCategory.id).where(
        KbCategory.name == name, KbCategory.id != category_id,
        KbCategory.parent_id == parent_id if parent_id is not None else KbCategory.parent_id.is_(None))).first()
    if duplicate is not None:
        raise ValidationFailed({"name": "A category with this name is already there."})


def rename_category(session: Session, actor: Actor, category_id: int, name: str) -> KbCategory:
    _check_may_manage_categories(actor)
    category = _category_for_change(session, category_id)
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise ValidationFailed({"name": "Name must be 1 to 80 characters."})
    if name == category.name:
        return category
    _check_sibling_name_free(session, name, category.parent_id, category.id)
    old = category.name
    category.name = name
    session.add(category)
    session.flush()
    audit.record(session, "kb_category.rename", actor_id=actor.user_id, entity_type="kb_category",
                 entity_id=str(category.id), details={"from": old, "to": name})
    _forget_category_tree(session)
    return category


def move_category(session: Session, actor: Actor, category_id: int, parent_id: int | None) -> KbCategory:
    """Nests a category under another (or makes it top-level with None); never under itself or its own subtree."""
    _check_may_manage_categories(actor)
    category = _category_for_change(session, category_id)
    if parent_id == category.parent_id:
        return category
    if parent_id is not None:
        if session.get(KbCategory, parent_id) is None:
            raise ValidationFailed({"parent_id": "Choose a parent category from the list."})
        below = session.execute(text("""
            WITH RECURSIVE subtree AS (
                SELECT id FROM kb_categories WHERE id = :id
                UNION ALL SELECT c.id FROM kb_categories c JOIN subtree s ON c.parent_id = s.id
            ) SELECT 1 FROM subtree WHERE id = :parent_id"""), {"id": category.id, "parent_id": parent_id}).first()
        if below is not None:
            raise ValidationFailed({"parent_id": "A category can't be moved under itself or one of its own."})
    _check_sibling_name_free(session, category.name, parent_id, category.id)
    old = category.parent_id
    category.parent_id = parent_id
    session.add(category)
    session.flush()
    audit.record(session, "kb_category.move", actor_id=actor.user_id, entity_type="kb_category",
                 entity_id=str(category.id), details={"from": old, "to": parent_id})
    _forget_category_tree(session)
    return category


def set_category_active(session: Session, actor: Actor, category_id: int, active: bool) -> KbCategory:
    """A deactivated category (and what is below it) is hidden from the tree and from new articles; the articles
    in it keep it, and it can be activated again."""
    _check_may_manage_categories(actor)
    category = _category_for_change(session, category_id)
    if category.active == active:
        return category
    category.active = active
    session.add(category)
    session.flush()
    audit.record(session, f"kb_category.{'activate' if active else 'deactivate'}", actor_id=actor.user_id,
                 entity_type="kb_category", entity_id=str(category.id))
    _forget_category_tree(session)
    return category


# ---------------------------------------------------------------- from tickets


def draft_from_ticket(session: Session, actor: Actor, ticket_id: int) -> KbArticle:
    """Turns a resolved ticket into a draft article: the problem, then the IT team's public answers.

    Internal notes and the requester's name stay out; the draft is for an editor to polish and publish.
    """
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.can_work(actor, ticket):
        raise PermissionDenied("Only agents working this ticket can turn it into an article.")
    if ticket.status not in ("resolved", "closed"):
        raise ValidationFailed({"status": "Resolve the ticket first: an article should describe a known fix."})
    answers = [c["body"].strip() for c in tickets.comment_rows(session, actor, ticket)
               if c["author_is_staff"] and not c["is_internal"] and c["body"].strip()]
    body = "\n\n".join([
        "## The problem", ticket.description.strip(),
        "## The solution", *(answers or ["(Describe the fix here.)"]),
    ])
    article = create_article(session, actor, ArticleDraft(
        title=ticket.title, body_markdown=body[:ARTICLE_BODY_LIMIT],
        summary=f"How ticket #{ticket.number} was solved."[:500],
    ))
    audit.record(session, "kb_article.from_ticket", actor_id=actor.user_id, entity_type="kb_article",
                 entity_id=str(article.id), details={"ticket_id": ticket.id})
    return article
