"""Knowledge base: categories, articles (full-text and trigram search), revisions, votes, deflections

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 19:35:00

`unaccent` and `pg_trgm` are created when the server offers them (and we may); nothing here needs `vector`.
services/kb.py checks at run time whether `unaccent` is installed and folds accents only then.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A missing extension or missing privilege must not fail the migration: search then works without accent folding.
CREATE_EXTENSION_IF_AVAILABLE = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = '{name}') THEN
        CREATE EXTENSION IF NOT EXISTS {name};
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'extension {name} not created: insufficient privilege';
END $$;
"""


def upgrade() -> None:
    for extension in ('unaccent', 'pg_trgm'):
        op.execute(CREATE_EXTENSION_IF_AVAILABLE.format(name=extension))

    op.create_table('kb_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['kb_categories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_kb_categories_parent_id'), 'kb_categories', ['parent_id'], unique=False)
    op.create_index('uq_kb_categories_parent_name', 'kb_categories', [sa.text('coalesce(parent_id, 0)'), 'name'],
                    unique=True)

    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=40)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('featured', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('view_count', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('helpful_yes', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('helpful_no', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('search_vector', postgresql.TSVECTOR(), nullable=True),
    sa.CheckConstraint("status IN ('draft','published','archived')", name='ck_kb_articles_status'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['kb_categories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_index('idx_kb_articles_search', 'kb_articles', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_index('idx_kb_articles_title_trgm', 'kb_articles', ['title'], unique=False, postgresql_using='gin',
                    postgresql_ops={'title': 'gin_trgm_ops'})
    op.create_index('idx_kb_articles_featured', 'kb_articles', ['published_at'], unique=False,
                    postgresql_where=sa.text("featured AND status = 'published'"))
    op.create_index('idx_kb_articles_category_status', 'kb_articles', ['category_id', 'status'], unique=False)

    op.create_table('kb_article_revisions',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_kb_article_revisions_article', 'kb_article_revisions', ['article_id', 'created_at'],
                    unique=False)

    op.create_table('kb_votes',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'user_id')
    )
    op.create_index(op.f('ix_kb_votes_user_id'), 'kb_votes', ['user_id'], unique=False)

    op.create_table('kb_deflections',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('shown_article_ids', postgresql.ARRAY(sa.Integer()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('solved','filed_anyway')", name='ck_kb_deflections_outcome'),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_kb_deflections_user_id'), 'kb_deflections', ['user_id'], unique=False)
    op.create_index('idx_kb_deflections_created', 'kb_deflections', ['created_at'], unique=False)
    op.create_index('idx_kb_deflections_article', 'kb_deflections', ['article_id'], unique=False,
                    postgresql_where=sa.text('article_id IS NOT NULL'))


def downgrade() -> None:
    # The extensions stay: other tables (tickets' trigram index) or other installs may use them.
    op.drop_table('kb_deflections')
    op.drop_table('kb_votes')
    op.drop_table('kb_article_revisions')
    op.drop_table('kb_articles')
    op.drop_table('kb_categories')
