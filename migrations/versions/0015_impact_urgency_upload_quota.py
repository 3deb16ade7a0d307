"""Requesters' impact and urgency on tickets (the priority comes from them), and an index for the per-person
upload quota (issue #13)

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('impact', sa.String(length=16), nullable=True))
    op.add_column('tickets', sa.Column('urgency', sa.String(length=16), nullable=True))
    op.create_check_constraint('ck_tickets_impact', 'tickets', "impact IN ('low','medium','high')")
    op.create_check_constraint('ck_tickets_urgency', 'tickets', "urgency IN ('low','medium','high')")
    op.create_index('idx_attachments_uploader_created', 'attachments', ['uploaded_by_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('idx_attachments_uploader_created', table_name='attachments')
    op.drop_constraint('ck_tickets_urgency', 'tickets', type_='check')
    op.drop_constraint('ck_tickets_impact', 'tickets', type_='check')
    op.drop_column('tickets', 'urgency')
    op.drop_column('tickets', 'impact')
