"""Knowledge base: embeddings for semantic search (pgvector when available), category deactivation, files, ...

Also: kb_categories.active, kb_attachments (files on articles), kb_article_revisions.status.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 20:50:00

Where the server offers `vector` (pg_available_extensions) and we may create it, kb_articles gets
`embedding vector(256)` with an HNSW cosine index, and existing articles get their embeddings here (new and changed
articles get theirs on write, services/kb.py). Where it does not (PostgreSQL 15 without pgvector), the column is
simply not there: the SQLModel model never declares it, and services/kb_semantic.py checks for it once per process.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSIONS = 256  # services/kb_semantic.DIMENSIONS
BACKFILL_BATCH = 500


def _create_vector_extension() -> bool:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first() is None:
        return False
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa.exc.DBAPIError:  # e.g. insufficient privilege: search stays lexical
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _backfill_embeddings() -> None:
    from helpdesk.kb import semantic as kb_semantic

    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(sa.text(
            "SELECT id, title, tags, body_markdown FROM kb_articles WHERE id > :last AND embedding IS NULL"
            " ORDER BY id LIMIT :batch"), {"last": last_id, "batch": BACKFILL_BATCH}).all()
        if not rows:
            return
        vectors = kb_semantic.embed_many([kb_semantic.article_text(r.title, list(r.tags or []), r.body_markdown)
                                          for r in rows])
        updates = [{"id": r.id, "vector": kb_semantic.vector_literal(v)} for r, v in zip(rows, vectors, strict=True)]
        bind.execute(sa.text("UPDATE kb_articles SET embedding = CAST(:vector AS vector) WHERE id = :id"), updates)
        last_id = rows[-1].id


def upgrade() -> None:
    if _create_vector_extension():
        op.execute(f"ALTER TABLE kb_articles ADD COLUMN IF NOT EXISTS embedding vector({DIMENSIONS})")
        op.execute("CREATE INDEX IF NOT EXISTS idx_kb_articles_embedding ON kb_articles"
                   " USING hnsw (embedding vector_cosine_ops)")
        _backfill_embeddings()

    # A deactivated category is kept (its articles keep it) but offered no more for new articles.
    op.add_column('kb_categories', sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.text('true')))

    op.add_column('kb_article_revisions', sa.Column('status', sa.String(length=16), nullable=True))

    op.create_table(
        'kb_attachments',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('article_id', sa.Integer(), sa.ForeignKey('kb_articles.id', ondelete='CASCADE'), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('idx_kb_attachments_article', 'kb_attachments', ['article_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('idx_kb_attachments_article', table_name='kb_attachments')
    op.drop_table('kb_attachments')
    op.drop_column('kb_article_revisions', 'status')
    op.drop_column('kb_categories', 'active')
    op.execute("DROP INDEX IF EXISTS idx_kb_articles_embedding")
    op.execute("ALTER TABLE kb_articles DROP COLUMN IF EXISTS embedding")
