"""AI per organisation (issue #16): judgements of predictions, earned auto-apply per category and field, the
organisation's own labelled examples, and how each prediction was gated

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('ai_predictions', sa.Column('gate', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_table('ai_judgements',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('prediction_id', sa.BigInteger(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('suggested_value', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('final_value', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('confident', sa.Boolean(), nullable=False),
    sa.Column('auto_applied', sa.Boolean(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('judged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prediction_id'], ['ai_predictions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', 'field', name='uq_ai_judgements_ticket_field')
    )
    op.create_index('idx_ai_judgements_category_field', 'ai_judgements',
                    ['category_id', 'field', 'confident', sa.text('judged_at DESC')], unique=False)
    op.create_table('ai_auto_apply_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('earned_mode', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('override', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('judged', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('precision', sa.Float(), nullable=True),
    sa.Column('lower_bound', sa.Float(), nullable=True),
    sa.Column('upper_bound', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('switched_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('category_id', 'field', name='uq_ai_auto_apply_states_category_field')
    )
    op.create_table('ai_org_examples',
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('embedding', postgresql.ARRAY(sa.Float(precision=24)), nullable=False),
    sa.Column('base_scores', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('labelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.create_index('idx_ai_org_examples_labelled', 'ai_org_examples', ['labelled_at'], unique=False)


def downgrade() -> None:
    op.drop_index('idx_ai_org_examples_labelled', table_name='ai_org_examples')
    op.drop_table('ai_org_examples')
    op.drop_table('ai_auto_apply_states')
    op.drop_index('idx_ai_judgements_category_field', table_name='ai_judgements')
    op.drop_table('ai_judgements')
    op.drop_column('ai_predictions', 'gate')
