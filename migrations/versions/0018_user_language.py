"""Each person's language (issue #18): 'en' or 'ur', English by default

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('users', sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
    op.create_check_constraint('ck_users_language', 'users', "language IN ('en','ur')")


def downgrade() -> None:
    op.drop_constraint('ck_users_language', 'users', type_='check')
    op.drop_column('users', 'language')
