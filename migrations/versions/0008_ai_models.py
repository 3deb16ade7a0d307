"""AI triage learning: model versions (the shipped one is 'default', active) and retraining runs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 20:50:00
"""

import json
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHIPPED_METADATA = Path(__file__).resolve().parents[2] / "helpdesk" / "ai" / "artifacts" / "category-default.json"


def _shipped_figures() -> tuple[int, dict]:
    """The shipped model's own held-out figures, so the versions table has something to compare against."""
    try:
        metadata = json.loads(SHIPPED_METADATA.read_text())
    except (OSError, ValueError):
        return 0, {}
    metrics = metadata.get("metrics", {})
    keep = ("n", "accuracy", "macro_f1", "threshold", "auto_precision", "auto_coverage", "per_category")
    return int(metadata.get("training_rows", 0)), {k: metrics[k] for k in keep if k in metrics} | {
        "evaluated_on": "the shipped data's held-out 20 %"}


def upgrade() -> None:
    op.create_table('ai_training_runs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('eligible_tickets', sa.Integer(), nullable=False),
    sa.Column('holdout_tickets', sa.Integer(), nullable=False),
    sa.Column('baseline_version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('candidate_version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('baseline_metrics', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('candidate_metrics', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('duration_seconds', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_ai_training_runs_started', 'ai_training_runs', [sa.text('started_at DESC')], unique=False)
    op.create_table('ai_model_versions',
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('training_ticket_count', sa.Integer(), nullable=False),
    sa.Column('training_rows', sa.Integer(), nullable=False),
    sa.Column('metrics', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('artifact_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('training_run_id', sa.BigInteger(), nullable=True),
    sa.Column('promoted_by', sa.Integer(), nullable=True),
    sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['promoted_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['training_run_id'], ['ai_training_runs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('version')
    )
    op.create_index('uq_ai_model_versions_one_active', 'ai_model_versions', ['status'], unique=True,
                    postgresql_where=sa.text("status = 'active'"))
    op.create_index('idx_ai_model_versions_created', 'ai_model_versions', ['created_at'], unique=False)
    rows, metrics = _shipped_figures()
    op.get_bind().execute(
        sa.text("INSERT INTO ai_model_versions (version, created_at, source, status, training_ticket_count, "
                "training_rows, metrics, promoted_at) VALUES ('default', now(), 'shipped', 'active', 0, :rows, "
                "CAST(:metrics AS jsonb), now())"),
        {"rows": rows, "metrics": json.dumps(metrics)},
    )


def downgrade() -> None:
    op.drop_index('idx_ai_model_versions_created', table_name='ai_model_versions')
    op.drop_index('uq_ai_model_versions_one_active', table_name='ai_model_versions',
                  postgresql_where=sa.text("status = 'active'"))
    op.drop_table('ai_model_versions')
    op.drop_index('idx_ai_training_runs_started', table_name='ai_training_runs')
    op.drop_table('ai_training_runs')
