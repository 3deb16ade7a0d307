"""Administration console and identity: API tokens, set-password links, admin-edited settings, service accounts,
single sign-on subjects, personal canned responses

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('users', sa.Column('is_service_account', sa.Boolean(), server_default='false', nullable=False))
    op.add_column('users', sa.Column('sso_subject', sa.String(length=400), nullable=True))
    op.create_unique_constraint('uq_users_sso_subject', 'users', ['sso_subject'])
    # Admin user search: by name or e-mail, paged by name (50,000 people stay fast).
    op.create_index('idx_users_name_id', 'users', ['full_name', 'id'])

    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('scopes', postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_api_tokens_user_id', 'api_tokens', ['user_id'])

    op.create_table(
        'password_resets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('idx_password_resets_user', 'password_resets', ['user_id', 'created_at'])

    op.create_table(
        'app_settings',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', postgresql.JSONB(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('key'),
    )

    op.add_column('canned_responses', sa.Column('owner_id', sa.Integer(), nullable=True))
    op.create_foreign_key('fk_canned_responses_owner_id_users', 'canned_responses', 'users', ['owner_id'], ['id'],
                          ondelete='CASCADE')
    op.create_index('ix_canned_responses_owner_id', 'canned_responses', ['owner_id'])

    # The audit viewer pages by (occurred_at, id) within a date range and filters by action.
    op.create_index('idx_audit_logs_occurred', 'audit_logs', ['occurred_at', 'id'])
    op.create_index('idx_audit_logs_action', 'audit_logs', ['action', 'occurred_at'])


def downgrade() -> None:
    op.drop_index('idx_audit_logs_action', table_name='audit_logs')
    op.drop_index('idx_audit_logs_occurred', table_name='audit_logs')
    op.drop_index('ix_canned_responses_owner_id', table_name='canned_responses')
    op.drop_constraint('fk_canned_responses_owner_id_users', 'canned_responses', type_='foreignkey')
    op.drop_column('canned_responses', 'owner_id')
    op.drop_table('app_settings')
    op.drop_index('idx_password_resets_user', table_name='password_resets')
    op.drop_table('password_resets')
    op.drop_index('ix_api_tokens_user_id', table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_index('idx_users_name_id', table_name='users')
    op.drop_constraint('uq_users_sso_subject', 'users', type_='unique')
    op.drop_column('users', 'sso_subject')
    op.drop_column('users', 'is_service_account')
