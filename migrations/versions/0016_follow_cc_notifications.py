"""Follow / CC and the notification centre (issue #18): why someone reads a ticket they did not file (merged or CC)
and who copied them in, IT people following tickets, and each person's in-app notifications

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('ticket_followers', sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=8),
                                                server_default='merged', nullable=False))
    op.add_column('ticket_followers', sa.Column('added_by_id', sa.Integer(), nullable=True))
    op.create_foreign_key('ticket_followers_added_by_id_fkey', 'ticket_followers', 'users', ['added_by_id'], ['id'],
                          ondelete='SET NULL')
    op.create_check_constraint('ck_ticket_followers_reason', 'ticket_followers', "reason IN ('merged','cc')")
    op.create_table('ticket_watchers',
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'user_id')
    )
    op.create_index(op.f('ix_ticket_watchers_user_id'), 'ticket_watchers', ['user_id'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('excerpt', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_notifications_user_created', 'notifications',
                    ['user_id', sa.text('created_at DESC'), sa.text('id DESC')], unique=False)
    op.create_index('idx_notifications_user_unread', 'notifications', ['user_id'], unique=False,
                    postgresql_where=sa.text('read_at IS NULL'))


def downgrade() -> None:
    op.drop_index('idx_notifications_user_unread', table_name='notifications')
    op.drop_index('idx_notifications_user_created', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index(op.f('ix_ticket_watchers_user_id'), table_name='ticket_watchers')
    op.drop_table('ticket_watchers')
    op.drop_constraint('ck_ticket_followers_reason', 'ticket_followers', type_='check')
    op.drop_constraint('ticket_followers_added_by_id_fkey', 'ticket_followers', type_='foreignkey')
    op.drop_column('ticket_followers', 'added_by_id')
    op.drop_column('ticket_followers', 'reason')
