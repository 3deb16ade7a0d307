"""Outbox jobs record when they finished, so jobs lost with a killed worker are sent again

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('job_outbox', sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
    # Jobs already sent before this migration are taken as finished: nothing would tell a lost one from a done one.
    op.execute("UPDATE job_outbox SET finished_at = sent_at WHERE sent_at IS NOT NULL")
    op.create_index('idx_job_outbox_unfinished', 'job_outbox', ['sent_at'], unique=False,
                    postgresql_where=sa.text('sent_at IS NOT NULL AND finished_at IS NULL'))


def downgrade() -> None:
    op.drop_index('idx_job_outbox_unfinished', table_name='job_outbox')
    op.drop_column('job_outbox', 'finished_at')
