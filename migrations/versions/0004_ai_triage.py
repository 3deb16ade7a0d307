"""AI triage: predictions per ticket (ai_predictions) and people's decisions on them (ai_feedback)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ai_predictions',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('model_version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('predicted_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('predicted_category_id', sa.Integer(), nullable=True),
    sa.Column('category_confidence', sa.Float(), nullable=True),
    sa.Column('predicted_team_id', sa.Integer(), nullable=True),
    sa.Column('team_confidence', sa.Float(), nullable=True),
    sa.Column('predicted_priority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('priority_confidence', sa.Float(), nullable=True),
    sa.Column('scores', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('applied_fields', postgresql.ARRAY(sa.String(length=16)), server_default=sa.text("'{}'"),
              nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['predicted_category_id'], ['categories.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['predicted_team_id'], ['teams.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_ai_predictions_ticket_created', 'ai_predictions', ['ticket_id', sa.text('created_at DESC')],
                    unique=False)
    op.create_index('idx_ai_predictions_created', 'ai_predictions', ['created_at'], unique=False)
    op.create_table('ai_feedback',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('prediction_id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('suggested_value', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('final_value', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['prediction_id'], ['ai_predictions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_ai_feedback_prediction_field', 'ai_feedback', ['prediction_id', 'field', 'created_at'],
                    unique=False)
    op.create_index('idx_ai_feedback_ticket', 'ai_feedback', ['ticket_id'], unique=False)


def downgrade() -> None:
    op.drop_index('idx_ai_feedback_ticket', table_name='ai_feedback')
    op.drop_index('idx_ai_feedback_prediction_field', table_name='ai_feedback')
    op.drop_table('ai_feedback')
    op.drop_index('idx_ai_predictions_created', table_name='ai_predictions')
    op.drop_index('idx_ai_predictions_ticket_created', table_name='ai_predictions')
    op.drop_table('ai_predictions')
