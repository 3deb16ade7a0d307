"""Tickets and everything that hangs off one: comments, events, attachments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    SmallInteger,
    text,
)
from sqlmodel import Field, SQLModel

from helpdesk.models.base import jsonb_field, timestamp_field


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Level(StrEnum):
    """A requester's impact (how many people are affected) or urgency (how soon it hurts): low, medium or high."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER)
PRIORITY_RANK_SQL = (
    "CASE priority WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END"
)
ticket_number_seq = Sequence("ticket_number_seq", start=1001)

# Predicates of the partial indexes the SLA scan reads (services/sla_watch.py queries with the same text, so the
# planner can prove the index applies): the clocks are running and the ticket has not been flagged yet.
SLA_CLOCK_RUNNING_SQL = "status IN ('new','open','in_progress') AND deleted_at IS NULL AND sla_paused_at IS NULL"
SLA_FIRST_RESPONSE_UNFLAGGED_SQL = (
    SLA_CLOCK_RUNNING_SQL + " AND first_responded_at IS NULL AND sla_first_response_breached_at IS NULL"
)
SLA_RESOLUTION_UNFLAGGED_SQL = SLA_CLOCK_RUNNING_SQL + " AND sla_resolution_breached_at IS NULL"
SLA_AT_RISK_UNFLAGGED_SQL = (
    SLA_CLOCK_RUNNING_SQL + " AND sla_warned_at IS NULL AND sla_resolution_breached_at IS NULL"
)


class Category(SQLModel, table=True):
    __tablename__ = "categories"
    __table_args__ = (Index("uq_categories_parent_name", "parent_id", "name", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    parent_id: int | None = Field(default=None, foreign_key="categories.id", index=True)
    default_team_id: int | None = Field(default=None, foreign_key="teams.id")
    description: str = Field(default="", max_length=300)
    is_active: bool = Field(default=True)


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    # The INSERT returns what the database fills in (number, priority_rank): no SELECT to read them back.
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        CheckConstraint(
            "status IN ('new','open','in_progress','waiting_on_customer','resolved','closed')",
            name="ck_tickets_status",
        ),
        CheckConstraint("priority IN ('low','medium','high','critical')", name="ck_tickets_priority"),
        CheckConstraint("impact IN ('low','medium','high')", name="ck_tickets_impact"),
        CheckConstraint("urgency IN ('low','medium','high')", name="ck_tickets_urgency"),
        # Spec 4.4.1 indexes, adapted to the queries in services/tickets.py.
        Index("idx_tickets_status", "status", postgresql_where=text("deleted_at IS NULL")),
        Index(
            "idx_tickets_assignee_open",
            "assignee_id",
            "created_at",
            postgresql_where=text("status IN ('new','open','in_progress','waiting_on_customer')"),
        ),
        Index("idx_tickets_team_status", "team_id", "status"),
        Index("idx_tickets_created_at_desc", text("created_at DESC"), text("id DESC")),
        Index("idx_tickets_updated_at_desc", text("updated_at DESC"), text("id DESC")),
        Index("idx_tickets_requester_status_created", "requester_id", "status", text("created_at DESC")),
        Index("idx_tickets_requester_created", "requester_id", text("created_at DESC"), text("id DESC")),
        Index(
            "idx_tickets_open",
            "team_id",
            text("created_at DESC"),
            postgresql_where=text("status IN ('new','open','in_progress')"),
        ),
        Index(
            "idx_tickets_sla_resolution_due",
            "sla_resolution_due",
            postgresql_where=text("resolved_at IS NULL AND deleted_at IS NULL"),
        ),
        Index("idx_tickets_category", "category_id"),
        # The SLA scan reads only these partial indexes: clocks running, not yet flagged.
        Index(
            "idx_tickets_sla_first_response_scan",
            "sla_first_response_due",
            postgresql_where=text(SLA_FIRST_RESPONSE_UNFLAGGED_SQL),
        ),
        Index(
            "idx_tickets_sla_resolution_scan",
            "sla_resolution_due",
            postgresql_where=text(SLA_RESOLUTION_UNFLAGGED_SQL),
        ),
        Index(
            "idx_tickets_sla_warn_scan",
            "sla_resolution_warn_at",
            postgresql_where=text(SLA_AT_RISK_UNFLAGGED_SQL),
        ),
        # Policy changes recompute the open tickets a policy governs.
        Index(
            "idx_tickets_sla_policy_open",
            "sla_policy_id",
            postgresql_where=text("status IN ('new','open','in_progress','waiting_on_customer')"),
        ),
        # The daily auto-close job.
        Index(
            "idx_tickets_resolved_to_close",
            "resolved_at",
            postgresql_where=text("status = 'resolved' AND deleted_at IS NULL"),
        ),
        Index(
            "idx_tickets_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
        Index(
            "idx_tickets_ai_confidence",
            "ai_confidence",
            postgresql_where=text("ai_confidence IS NOT NULL"),
        ),
        # The duplicates merged into a ticket (few tickets are duplicates, so only those rows are indexed).
        Index("idx_tickets_merged_into", "merged_into_id", postgresql_where=text("merged_into_id IS NOT NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    number: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger, ticket_number_seq, server_default=ticket_number_seq.next_value(), unique=True, nullable=False
        ),
    )
    title: str = Field(max_length=200)
    description: str = Field(max_length=20000)
    status: str = Field(default=Status.NEW.value, max_length=24)
    priority: str = Field(default=Priority.MEDIUM.value, max_length=16)
    priority_rank: int | None = Field(
        default=None, sa_column=Column(SmallInteger, Computed(PRIORITY_RANK_SQL, persisted=True))
    )
    # What the requester said when filing (helpdesk/tickets/priority.py maps them to the priority); None for
    # tickets filed before there was a choice, by e-mail, or by staff who set the priority themselves.
    impact: str | None = Field(default=None, max_length=16)
    urgency: str | None = Field(default=None, max_length=16)
    source: str = Field(default="portal", max_length=16)
    category_id: int | None = Field(default=None, foreign_key="categories.id")
    team_id: int | None = Field(default=None, foreign_key="teams.id")
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    requester_id: int = Field(foreign_key="users.id")
    sla_first_response_due: datetime | None = timestamp_field()
    sla_resolution_due: datetime | None = timestamp_field()
    sla_policy_id: int | None = Field(default=None, foreign_key="sla_policies.id", ondelete="SET NULL")
    # Set while the status is waiting_on_customer: the SLA clocks are stopped and the deadlines unknown.
    sla_paused_at: datetime | None = timestamp_field()
    # When 80% of the resolution target's business time is used up (the ticket is "at risk").
    sla_resolution_warn_at: datetime | None = timestamp_field()
    # Set once by the SLA scan, so each warning and breach is reported exactly once.
    sla_warned_at: datetime | None = timestamp_field()
    sla_first_response_breached_at: datetime | None = timestamp_field()
    sla_resolution_breached_at: datetime | None = timestamp_field()
    ai_suggested_category_id: int | None = Field(default=None, foreign_key="categories.id")
    ai_confidence: float | None = Field(default=None)
    ai_metadata: dict[str, Any] | None = jsonb_field()
    first_responded_at: datetime | None = timestamp_field()
    resolved_at: datetime | None = timestamp_field()
    closed_at: datetime | None = timestamp_field()
    # Set when this ticket was merged into another as a duplicate (it is then closed; services/merging.py).
    merged_into_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)
    deleted_at: datetime | None = timestamp_field()


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    __table_args__ = (Index("idx_comments_ticket_created", "ticket_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    ticket_id: int = Field(sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False))
    author_id: int = Field(foreign_key="users.id")
    body: str = Field(max_length=20000)
    is_internal: bool = Field(default=False)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class TicketEvent(SQLModel, table=True):
    __tablename__ = "ticket_events"
    __table_args__ = (Index("idx_ticket_events_ticket_created", "ticket_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    ticket_id: int = Field(sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    kind: str = Field(max_length=32)
    field: str = Field(default="", max_length=32)
    old_value: str | None = Field(default=None, max_length=500)
    new_value: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"
    # The per-person 24-hour upload quota sums one person's recent files (helpdesk/tickets/limits.py).
    __table_args__ = (Index("idx_attachments_uploader_created", "uploaded_by_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    ticket_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    comment_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("comments.id", ondelete="SET NULL"))
    )
    uploaded_by_id: int = Field(foreign_key="users.id")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size_bytes: int = Field(sa_column=Column(Integer, nullable=False))
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=300)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class FollowerReason(StrEnum):
    MERGED = "merged"  # their own request was merged into this ticket as a duplicate
    CC = "cc"  # the requester or an agent copied them in


class TicketFollower(SQLModel, table=True):
    """Someone who may read a ticket they did not file, as a requester would (public conversation only): a CC.

    Merging a duplicate makes its requester one (reason "merged"); the requester or an agent can copy in a colleague
    (reason "cc"). Either way they read the public conversation, get its public updates and may reply.
    """

    __tablename__ = "ticket_followers"
    __table_args__ = (CheckConstraint("reason IN ('merged','cc')", name="ck_ticket_followers_reason"),)

    ticket_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    reason: str = Field(default=FollowerReason.MERGED.value, max_length=8,
                        sa_column_kwargs={"server_default": FollowerReason.MERGED.value})
    added_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class TicketWatcher(SQLModel, table=True):
    """An IT person following a ticket: told (in the app, and by e-mail if they want) when it changes.

    Following grants no access: a watcher hears only about tickets they may read, and only what their role may see.
    """

    __tablename__ = "ticket_watchers"

    ticket_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class Notification(SQLModel, table=True):
    """One entry of a person's notification centre (the bell), written by the same domain events as the e-mails."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("idx_notifications_user_created", "user_id", text("created_at DESC"), text("id DESC")),
        Index("idx_notifications_user_unread", "user_id", postgresql_where=text("read_at IS NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    ticket_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True)
    )
    kind: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    title: str = Field(max_length=300)
    excerpt: str = Field(default="", max_length=300)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    read_at: datetime | None = timestamp_field()


class TicketLink(SQLModel, table=True):
    """Two related tickets. The link has no direction, so it is stored once, lower ticket id first."""

    __tablename__ = "ticket_links"
    __table_args__ = (
        CheckConstraint("ticket_id < related_ticket_id", name="ck_ticket_links_ordered"),
        # Reverse look-ups: the tickets related to one with a higher id.
        Index("idx_ticket_links_related", "related_ticket_id"),
    )

    ticket_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    )
    related_ticket_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    )
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
