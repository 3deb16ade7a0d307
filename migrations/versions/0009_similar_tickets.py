"""Similar tickets and duplicates: ticket text search index; LLM usage

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 20:50:00

`tickets.search_vector` is a stored generated column (title weight A, the first 4,000 characters of the
description weight B, English stemming) with a GIN index. PostgreSQL recomputes a stored generated column only
when an UPDATE sets one of the columns it reads, so the many status, SLA and assignment updates a ticket gets
never pay for it; ranking reads the stored vector instead of re-parsing every candidate's text.
The model (helpdesk/models/ticket.py) does not map the column, so ordinary ticket queries never load it;
services/similar_tickets.py reads it by name.

`llm_calls` keeps one row per call to the optional OpenAI-compatible LLM endpoint (services/llm.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, left(coalesce(description, ''), 4000)), 'B')"
)


def upgrade() -> None:
    op.execute(f"ALTER TABLE tickets ADD COLUMN search_vector tsvector "
               f"GENERATED ALWAYS AS ({SEARCH_VECTOR_SQL}) STORED")
    op.create_index('idx_tickets_search', 'tickets', ['search_vector'], unique=False, postgresql_using='gin')

    op.create_table('llm_calls',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('completion_tokens', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('total_tokens', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('summary','reply')", name='ck_llm_calls_purpose'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_llm_calls_created', 'llm_calls', ['created_at'], unique=False)
    op.create_index('idx_llm_calls_ticket', 'llm_calls', ['ticket_id'], unique=False,
                    postgresql_where=sa.text('ticket_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_table('llm_calls')
    op.drop_index('idx_tickets_search', table_name='tickets')
    op.execute("ALTER TABLE tickets DROP COLUMN search_vector")
