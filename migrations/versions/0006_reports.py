"""Reporting: daily rollups, the monthly metrics materialized view, exports and report schedules

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 20:50:00

Reports read the rollups (kept current by a beat job from `tickets.updated_at`) and the spec's monthly
materialized view (section 4.3.4), never ticket rows. The partial indexes let the rollup job find the tickets
resolved, answered or breached on a given day without scanning the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from helpdesk.core.settings import get_settings

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUCKETS = 6


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in names]


def _seconds(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.BigInteger(), nullable=False, server_default="0") for name in names]


MONTHLY_VIEW = """
CREATE MATERIALIZED VIEW monthly_ticket_metrics AS
SELECT
    date_trunc('month', created_at AT TIME ZONE '{tz}')::date AS month,
    status,
    priority,
    COALESCE(category_id, 0) AS category_id,
    COALESCE(team_id, 0) AS team_id,
    COUNT(*)::int AS ticket_count,
    COUNT(resolved_at)::int AS resolved_count,
    COALESCE(SUM(EXTRACT(EPOCH FROM (resolved_at - created_at))), 0)::bigint AS resolution_seconds_sum,
    AVG(EXTRACT(EPOCH FROM (resolved_at - created_at)))::float AS avg_resolution_seconds
FROM tickets
WHERE deleted_at IS NULL
GROUP BY 1, 2, 3, 4, 5
"""


def upgrade() -> None:
    op.create_table(
        "report_daily_metrics",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("ai_category_id", sa.Integer(), nullable=False),
        *_counts("created", "resolved", "first_responses"),
        *_seconds("first_response_seconds"),
        *_counts("first_response_sla", "first_response_met"),
        *_seconds("resolution_seconds"),
        *_counts("resolution_sla", "resolution_met"),
        *_counts(*(f"fr_b{i}" for i in range(BUCKETS)), *(f"res_b{i}" for i in range(BUCKETS))),
        *_counts("ai_suggested", "ai_suggestion_correct", "ai_confident", "ai_confident_correct", "ai_decisions",
                 "ai_accepted"),
        sa.PrimaryKeyConstraint("day", "team_id", "category_id", "priority", "ai_category_id"),
    )
    op.create_table(
        "report_daily_agent_metrics",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        *_counts("resolved"),
        *_seconds("resolution_seconds"),
        *_counts("resolution_sla", "resolution_met", "first_responses"),
        *_seconds("first_response_seconds"),
        sa.PrimaryKeyConstraint("day", "assignee_id", "team_id", "category_id", "priority"),
    )
    op.create_table(
        "report_rollup_state",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("watermark", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "report_exports",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("report", sa.String(40), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("filters", postgresql.JSONB(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("idx_report_exports_requested_by", "report_exports", ["requested_by_id", "created_at"])
    schedules = op.create_table(
        "report_schedules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False, unique=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.bulk_insert(schedules, [
        # The spec (4.5.3): the daily SLA compliance report at 06:00 Asia/Karachi.
        {"kind": "sla_daily", "title": "Daily SLA compliance", "enabled": True, "hour": 6, "minute": 0,
         "weekday": None, "timezone": "Asia/Karachi"},
        {"kind": "weekly_summary", "title": "Weekly summary", "enabled": True, "hour": 8, "minute": 0,
         "weekday": 0, "timezone": "Asia/Karachi"},
    ])
    op.create_table(
        "report_subscriptions",
        sa.Column("schedule_id", sa.Integer(), sa.ForeignKey("report_schedules.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("resolved_at", "first_responded_at"):
        op.create_index(f"idx_tickets_{column}", "tickets", [column],
                        postgresql_where=sa.text(f"{column} IS NOT NULL"))
    # The breach list reads these newest first (moment, then id) and counts them with the report's filters
    # from the index alone: at a million tickets a year holds ~60k breaches, too many to fetch from the heap.
    for column in ("sla_first_response_breached_at", "sla_resolution_breached_at"):
        op.create_index(f"idx_tickets_{column}", "tickets", [column, "id"],
                        postgresql_include=["team_id", "category_id", "priority", "deleted_at"],
                        postgresql_where=sa.text(f"{column} IS NOT NULL"))
    # Months are the helpdesk's local months, like every report.
    # The rollup job finds tickets whose AI feedback changed since its last run.
    op.create_index("idx_ai_feedback_created", "ai_feedback", ["created_at"])
    op.execute(MONTHLY_VIEW.format(tz=get_settings().timezone.replace("'", "")))
    # REFRESH ... CONCURRENTLY needs a unique index on plain columns covering every row.
    op.execute("CREATE UNIQUE INDEX uq_monthly_ticket_metrics ON monthly_ticket_metrics "
               "(month, status, priority, category_id, team_id)")


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW IF EXISTS monthly_ticket_metrics")
    for column in ("resolved_at", "first_responded_at", "sla_first_response_breached_at",
                   "sla_resolution_breached_at"):
        op.drop_index(f"idx_tickets_{column}", table_name="tickets")
    op.drop_index("idx_ai_feedback_created", table_name="ai_feedback")
    op.drop_table("report_subscriptions")
    op.drop_table("report_schedules")
    op.drop_table("report_exports")
    op.drop_table("report_rollup_state")
    op.drop_table("report_daily_agent_metrics")
    op.drop_table("report_daily_metrics")
