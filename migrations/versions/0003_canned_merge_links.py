"""Canned responses, merging duplicate tickets (followers), related-ticket links

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:47:30.690648
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('canned_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_canned_responses_team_id'), 'canned_responses', ['team_id'], unique=False)
    op.create_table('ticket_followers',
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'user_id')
    )
    op.create_index(op.f('ix_ticket_followers_user_id'), 'ticket_followers', ['user_id'], unique=False)
    op.create_table('ticket_links',
    sa.Column('ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('related_ticket_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ticket_id < related_ticket_id', name='ck_ticket_links_ordered'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['related_ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'related_ticket_id')
    )
    op.create_index('idx_ticket_links_related', 'ticket_links', ['related_ticket_id'], unique=False)
    op.add_column('tickets', sa.Column('merged_into_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key('fk_tickets_merged_into_id_tickets', 'tickets', 'tickets', ['merged_into_id'], ['id'],
                          ondelete='SET NULL')
    op.create_index('idx_tickets_merged_into', 'tickets', ['merged_into_id'], unique=False,
                    postgresql_where=sa.text('merged_into_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('idx_tickets_merged_into', table_name='tickets', postgresql_where=sa.text('merged_into_id IS NOT NULL'))
    op.drop_constraint('fk_tickets_merged_into_id_tickets', 'tickets', type_='foreignkey')
    op.drop_column('tickets', 'merged_into_id')
    op.drop_index('idx_ticket_links_related', table_name='ticket_links')
    op.drop_table('ticket_links')
    op.drop_index(op.f('ix_ticket_followers_user_id'), table_name='ticket_followers')
    op.drop_table('ticket_followers')
    op.drop_index(op.f('ix_canned_responses_team_id'), table_name='canned_responses')
    op.drop_table('canned_responses')
