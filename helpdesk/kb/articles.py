"""Knowledge-base articles: writing, publishing, revisions, reading and search, and who may do which.

Who may do what lives here: agents, managers and administrators write and see every article; requesters read
published articles only (anything else is "not found" to them, through every door). The category tree
(categories.py), readers' views and votes (feedback.py) and ticket deflection (deflection.py) build on these checks;
article bodies are rendered by rendering.py.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import text
from sqlalchemy.sql.elements import TextClause
from sqlmodel import Session, select

from helpdesk.core import audit, cache, on_commit
from helpdesk.core.bounds import MULTI_LINE, SINGLE_LINE, Id
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.identity.actor import Actor
from helpdesk.kb import search as kb_search
from helpdesk.kb import semantic as kb_semantic
from helpdesk.kb.rendering import render_markdown
from helpdesk.kb.search import SearchResult
from helpdesk.models import ArticleStatus, AuditLog, KbArticle, KbArticleRevision, KbCategory, Role, User
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets

FEATURED_CACHE_TTL_SECONDS = 60 * 60  # spec 4.3.3: featured articles, 1 hour
FEATURED_LIMIT = 10
MAX_SLUG_LENGTH = 100  # leaves room in the 120-character column for a "-2" style suffix

ArticleTitle = Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, min_length=5, max_length=200)]
ARTICLE_BODY_LIMIT = 100_000
ArticleBody = Annotated[str, MULTI_LINE,
                        StringConstraints(strip_whitespace=True, min_length=1, max_length=ARTICLE_BODY_LIMIT)]
ArticleSummary = Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, max_length=500)]
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
    category_id: Id | None = None
    tags: list[Annotated[str, SINGLE_LINE]] = Field(default_factory=list, max_length=100)
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
    category_id: Id | None = None
    tags: list[Annotated[str, SINGLE_LINE]] | None = Field(default=None, max_length=100)
    featured: bool | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _normalise_tags(value)


# ---------------------------------------------------------------- permissions


def may_write(actor: Actor) -> bool:
    """Agents, managers and administrators keep the knowledge base; requesters only read it."""
    return actor.role in (Role.AGENT, Role.MANAGER, Role.ADMIN)


def readable_statuses(actor: Actor) -> tuple[str, ...]:
    if may_write(actor):
        return (ArticleStatus.DRAFT.value, ArticleStatus.PUBLISHED.value, ArticleStatus.ARCHIVED.value)
    return (ArticleStatus.PUBLISHED.value,)


def check_may_write(actor: Actor) -> None:
    """PermissionDenied unless `actor` may write the knowledge base (articles, categories, attachments)."""
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
    check_may_write(actor)
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
    check_may_write(actor)
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
    check_may_write(actor)
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
    check_may_write(actor)
    get_by_id(session, actor, article_id)
    return list(session.exec(select(KbArticleRevision).where(KbArticleRevision.article_id == article_id)
                             .order_by(KbArticleRevision.created_at, KbArticleRevision.id)).all())


# English msgids: the writers' page shows them in the reader's language.
STATUS_ACTION_LABELS = {"kb_article.publish": N_("Published"), "kb_article.archive": N_("Archived"),
                        "kb_article.unpublish": N_("Back to draft")}


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
                       "what": N_("Created") if number == 1 else N_("Edited"), "status": revision.status or "",
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
    check_may_write(actor)
    wanted = statuses or [ArticleStatus.DRAFT.value, ArticleStatus.ARCHIVED.value]
    rows = session.exec(select(KbArticle, User.full_name)
                        .join(User, User.id == KbArticle.author_id, isouter=True)
                        .where(KbArticle.status.in_(wanted))
                        .order_by(KbArticle.updated_at.desc(), KbArticle.id.desc()).limit(limit)).all()
    return [{"id": a.id, "title": a.title, "slug": a.slug, "status": a.status, "updated_at": a.updated_at,
             "author": author or ""} for a, author in rows]


# ---------------------------------------------------------------- reading: search and featured articles


def search(session: Session, actor: Actor, query: str, category_id: int | None = None,
           limit: int = 10) -> list[SearchResult]:
    """Ranked articles for a search box (typed-so-far words count as prefixes; typos in titles still match).

    Requesters find published articles only; staff also find drafts (archived articles are never listed).
    """
    statuses = [s for s in readable_statuses(actor) if s != ArticleStatus.ARCHIVED]
    return kb_search.search(session, query, statuses, category_id=category_id, limit=max(1, min(limit, 50)))


def featured_cache_key() -> str:
    return cache.key("kb", "featured", "articles")


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
