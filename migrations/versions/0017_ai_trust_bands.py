"""Earned auto-apply per confidence band (issue #16): each (category, field) keeps its evidence and earned mode per
band of the prediction's confidence

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('ai_auto_apply_states',
                  sa.Column('bands', postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column('ai_auto_apply_states', 'bands')
