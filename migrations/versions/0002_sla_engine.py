"""SLA engine: business calendars, SLA policies, SLA columns on tickets, auto-assignment on teams

Seeds the default calendar (Asia/Karachi, Monday to Friday 09:00-17:00, Pakistani public holidays) and one
policy per priority, in business time: critical 1h/4h, high 4h/8h, medium 8h/24h, low 16h/40h.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:28:26.981357
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (priority, first response minutes, resolution minutes) of business time; 8 business hours make a business day.
DEFAULT_POLICIES = [
    ("critical", 60, 4 * 60),
    ("high", 4 * 60, 8 * 60),
    ("medium", 8 * 60, 3 * 8 * 60),
    ("low", 16 * 60, 5 * 8 * 60),
]


def upgrade() -> None:
    op.create_table('business_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('working_days', postgresql.ARRAY(sa.SmallInteger()), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.Column('holiday_country', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('extra_holidays', postgresql.ARRAY(sa.Date()), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('opens < closes', name='ck_business_calendars_hours'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_index('uq_business_calendars_default', 'business_calendars', ['is_default'], unique=True, postgresql_where=sa.text('is_default'))
    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('first_response_minutes', sa.Integer(), nullable=False),
    sa.Column('resolution_minutes', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("priority IN ('low','medium','high','critical')", name='ck_sla_policies_priority'),
    sa.CheckConstraint('first_response_minutes > 0 AND resolution_minutes >= first_response_minutes', name='ck_sla_policies_targets'),
    sa.ForeignKeyConstraint(['calendar_id'], ['business_calendars.id'], ),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_sla_policies_calendar_id'), 'sla_policies', ['calendar_id'], unique=False)
    op.create_index(op.f('ix_sla_policies_category_id'), 'sla_policies', ['category_id'], unique=False)
    op.create_index(op.f('ix_sla_policies_team_id'), 'sla_policies', ['team_id'], unique=False)
    op.create_index('uq_sla_policies_active_scope', 'sla_policies', ['priority', sa.literal_column('coalesce(category_id, 0)'), sa.literal_column('coalesce(team_id, 0)')], unique=True, postgresql_where=sa.text('is_active'))
    op.add_column('teams', sa.Column('assignment_mode', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='manual', nullable=False))
    op.add_column('teams', sa.Column('last_assigned_user_id', sa.Integer(), nullable=True))
    op.create_foreign_key('fk_teams_last_assigned_user_id_users', 'teams', 'users', ['last_assigned_user_id'], ['id'], ondelete='SET NULL')
    op.create_check_constraint('ck_teams_assignment_mode', 'teams', "assignment_mode IN ('manual','round_robin','least_open')")
    op.add_column('team_memberships', sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('tickets', sa.Column('sla_policy_id', sa.Integer(), nullable=True))
    op.add_column('tickets', sa.Column('sla_paused_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('tickets', sa.Column('sla_resolution_warn_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('tickets', sa.Column('sla_warned_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('tickets', sa.Column('sla_first_response_breached_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('tickets', sa.Column('sla_resolution_breached_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('idx_tickets_resolved_to_close', 'tickets', ['resolved_at'], unique=False, postgresql_where=sa.text("status = 'resolved' AND deleted_at IS NULL"))
    op.create_index('idx_tickets_sla_first_response_scan', 'tickets', ['sla_first_response_due'], unique=False, postgresql_where=sa.text("status IN ('new','open','in_progress') AND deleted_at IS NULL AND sla_paused_at IS NULL AND first_responded_at IS NULL AND sla_first_response_breached_at IS NULL"))
    op.create_index('idx_tickets_sla_policy_open', 'tickets', ['sla_policy_id'], unique=False, postgresql_where=sa.text("status IN ('new','open','in_progress','waiting_on_customer')"))
    op.create_index('idx_tickets_sla_resolution_scan', 'tickets', ['sla_resolution_due'], unique=False, postgresql_where=sa.text("status IN ('new','open','in_progress') AND deleted_at IS NULL AND sla_paused_at IS NULL AND sla_resolution_breached_at IS NULL"))
    op.create_index('idx_tickets_sla_warn_scan', 'tickets', ['sla_resolution_warn_at'], unique=False, postgresql_where=sa.text("status IN ('new','open','in_progress') AND deleted_at IS NULL AND sla_paused_at IS NULL AND sla_warned_at IS NULL AND sla_resolution_breached_at IS NULL"))
    op.create_foreign_key('fk_tickets_sla_policy_id_sla_policies', 'tickets', 'sla_policies', ['sla_policy_id'], ['id'], ondelete='SET NULL')
    _seed_defaults()



def _seed_defaults() -> None:
    # Literal SQL rather than the models: a migration must keep working when the models move on.
    op.execute(
        "INSERT INTO business_calendars (name, timezone, working_days, opens, closes, holiday_country, extra_holidays,"
        " is_default, created_at)"
        " VALUES ('Standard office hours', 'Asia/Karachi', '{0,1,2,3,4}', '09:00', '17:00', 'PK', '{}', true, now())"
    )
    for priority, first_response_minutes, resolution_minutes in DEFAULT_POLICIES:
        op.execute(
            sa.text(
                "INSERT INTO sla_policies (name, priority, category_id, team_id, first_response_minutes,"
                " resolution_minutes, calendar_id, is_active, created_at, updated_at)"
                " SELECT :name, :priority, NULL, NULL, :first_response, :resolution, id, true, now(), now()"
                " FROM business_calendars WHERE is_default"
            ).bindparams(
                name=f"{priority.capitalize()} (default)", priority=priority,
                first_response=first_response_minutes, resolution=resolution_minutes,
            )
        )


def downgrade() -> None:
    op.drop_constraint('fk_tickets_sla_policy_id_sla_policies', 'tickets', type_='foreignkey')
    op.drop_index('idx_tickets_sla_warn_scan', table_name='tickets', postgresql_where=sa.text("status IN ('new','open','in_progress') AND deleted_at IS NULL AND sla_paused_at IS NULL AND sla_warned_at IS NULL AND sla_resolution_breached_at IS NULL"))
    op.drop_index('idx_tickets_sla_resolution_scan', table_name='tickets', postgresql_where=sa.text("status IN ('new','open','in_progress') AND deleted_at IS NULL AND sla_paused_at IS NULL AND sla_resolution_breached_at IS NULL"))
    op.drop_index('idx_tickets_sla_policy_open', table_name='tickets', postgresql_where=sa.text("status IN ('new','open','in_progress','waiting_on_customer')"))
    op.drop_index('idx_tickets_sla_first_response_scan', table_name='tickets', postgresql_where=sa.text("status IN ('new','open','in_progress') AND deleted_at IS NULL AND sla_paused_at IS NULL AND first_responded_at IS NULL AND sla_first_response_breached_at IS NULL"))
    op.drop_index('idx_tickets_resolved_to_close', table_name='tickets', postgresql_where=sa.text("status = 'resolved' AND deleted_at IS NULL"))
    op.drop_column('tickets', 'sla_resolution_breached_at')
    op.drop_column('tickets', 'sla_first_response_breached_at')
    op.drop_column('tickets', 'sla_warned_at')
    op.drop_column('tickets', 'sla_resolution_warn_at')
    op.drop_column('tickets', 'sla_paused_at')
    op.drop_column('tickets', 'sla_policy_id')
    op.drop_column('team_memberships', 'last_assigned_at')
    op.drop_constraint('ck_teams_assignment_mode', 'teams', type_='check')
    op.drop_constraint('fk_teams_last_assigned_user_id_users', 'teams', type_='foreignkey')
    op.drop_column('teams', 'last_assigned_user_id')
    op.drop_column('teams', 'assignment_mode')
    op.drop_index('uq_sla_policies_active_scope', table_name='sla_policies', postgresql_where=sa.text('is_active'))
    op.drop_index(op.f('ix_sla_policies_team_id'), table_name='sla_policies')
    op.drop_index(op.f('ix_sla_policies_category_id'), table_name='sla_policies')
    op.drop_index(op.f('ix_sla_policies_calendar_id'), table_name='sla_policies')
    op.drop_table('sla_policies')
    op.drop_index('uq_business_calendars_default', table_name='business_calendars', postgresql_where=sa.text('is_default'))
    op.drop_table('business_calendars')
