"""Knowledge base: categories, articles (with their revisions), helpful votes and ticket deflections."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlmodel import Field, SQLModel

from helpdesk.models.base import timestamp_field


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class DeflectionOutcome(StrEnum):
    SOLVED = "solved"  # an article answered the question; no ticket was filed
    FILED_ANYWAY = "filed_anyway"


class KbCategory(SQLModel, table=True):
    """A node of the knowledge-base category tree (`parent_id` None is a top-level category)."""

    __tablename__ = "kb_categories"
    __table_args__ = (Index("uq_kb_categories_parent_name", text("coalesce(parent_id, 0)"), "name", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    parent_id: int | None = Field(default=None, foreign_key="kb_categories.id", ondelete="CASCADE", index=True)
    # Deactivated categories keep their articles but are offered no more for new ones (migration 0007).
    active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})


class KbArticle(SQLModel, table=True):
    """An article; `body_html` and `search_vector` are derived from the other columns on every write
    (services/kb.py), so readers never render Markdown and search never sees stale text."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        CheckConstraint("status IN ('draft','published','archived')", name="ck_kb_articles_status"),
        Index("idx_kb_articles_search", "search_vector", postgresql_using="gin"),
        Index("idx_kb_articles_title_trgm", "title", postgresql_using="gin",
              postgresql_ops={"title": "gin_trgm_ops"}),
        Index("idx_kb_articles_featured", "published_at",
              postgresql_where=text("featured AND status = 'published'")),
        Index("idx_kb_articles_category_status", "category_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    slug: str = Field(max_length=120, unique=True)
    body_markdown: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    summary: str = Field(default="", max_length=500)
    category_id: int | None = Field(default=None, foreign_key="kb_categories.id", ondelete="SET NULL")
    tags: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(String(40)), nullable=False, server_default=text("'{}'"))
    )
    status: str = Field(default=ArticleStatus.DRAFT.value, max_length=16)
    featured: bool = Field(default=False)
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)
    published_at: datetime | None = timestamp_field()
    view_count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0")))
    helpful_yes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    helpful_no: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    # Weighted title (A), tags (B), body (C); written by services/kb.py in the same UPDATE/INSERT as the text.
    search_vector: str | None = Field(default=None, sa_column=Column(TSVECTOR, nullable=True))
    # `embedding vector(256)` exists only where the server has pgvector (migration 0007), so it is not declared
    # here: services/kb_semantic.py reads and writes it with SQL when it is there.


class KbArticleRevision(SQLModel, table=True):
    """The text of an article as one save left it (one row per create, per edit and per status change)."""

    __tablename__ = "kb_article_revisions"
    __table_args__ = (Index("idx_kb_article_revisions_article", "article_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    article_id: int = Field(sa_column=Column(Integer, ForeignKey("kb_articles.id", ondelete="CASCADE"),
                                             nullable=False))
    title: str = Field(max_length=200)
    body_markdown: str = Field(sa_column=Column(Text, nullable=False))
    editor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    # The article's status after this save or status change (None on rows older than migration 0007).
    status: str | None = Field(default=None, max_length=16)


class KbVote(SQLModel, table=True):
    """One person's current answer to "was this helpful?" (changing it updates the row)."""

    __tablename__ = "kb_votes"

    article_id: int = Field(foreign_key="kb_articles.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE", index=True)
    helpful: bool
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)


class KbDeflection(SQLModel, table=True):
    """What the ticket form's suggestion panel showed someone, and whether it spared a ticket."""

    __tablename__ = "kb_deflections"
    __table_args__ = (
        CheckConstraint("outcome IN ('solved','filed_anyway')", name="ck_kb_deflections_outcome"),
        Index("idx_kb_deflections_created", "created_at"),
        Index("idx_kb_deflections_article", "article_id", postgresql_where=text("article_id IS NOT NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL", index=True)
    query: str = Field(sa_column=Column(Text, nullable=False))
    article_id: int | None = Field(default=None, foreign_key="kb_articles.id", ondelete="SET NULL")
    outcome: str = Field(max_length=16)
    ticket_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True)
    )
    shown_article_ids: list[int] = Field(
        default_factory=list, sa_column=Column(ARRAY(Integer), nullable=False, server_default=text("'{}'"))
    )
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class KbAttachment(SQLModel, table=True):
    """A file (image, PDF, ...) attached to an article: metadata here, bytes in the storage backend."""

    __tablename__ = "kb_attachments"
    __table_args__ = (Index("idx_kb_attachments_article", "article_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    article_id: int = Field(sa_column=Column(Integer, ForeignKey("kb_articles.id", ondelete="CASCADE"),
                                             nullable=False))
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size_bytes: int = Field(sa_column=Column(Integer, nullable=False))
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=300)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
