"""The e-mail channel: mailboxes polled over IMAP, every message in and out, bounced addresses, agents'
notification preferences, and requesters' satisfaction ratings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Text, text
from sqlmodel import Field, SQLModel

from helpdesk.models.base import timestamp_field


class Mailbox(SQLModel, table=True):
    """An IMAP mailbox the helpdesk reads. New mail becomes tickets of `team_id` / `category_id`."""

    __tablename__ = "mailboxes"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    # The address people write to; replies go to it plus-addressed with a signed token.
    address: str = Field(max_length=254)
    imap_host: str = Field(max_length=255)
    imap_port: int = Field(default=993)
    imap_tls: bool = Field(default=True)
    username: str = Field(max_length=254)
    # Kept as given: the IMAP server needs the password itself. Never shown by `list` or any page.
    secret: str = Field(max_length=500)
    folder: str = Field(default="INBOX", max_length=200)
    # Where ingested messages are moved; empty: they stay and get the keyword $HelpdeskIngested.
    processed_folder: str = Field(default="", max_length=200)
    team_id: int | None = Field(default=None, foreign_key="teams.id", ondelete="SET NULL")
    category_id: int | None = Field(default=None, foreign_key="categories.id", ondelete="SET NULL")
    is_active: bool = Field(default=True)
    uidvalidity: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    last_polled_at: datetime | None = timestamp_field()
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class EmailDirection:
    IN = "in"
    OUT = "out"


class EmailRecord(SQLModel, table=True):
    """One message in or out. Inbound rows are unique per `dedupe_key` (the Message-ID, or a digest of the raw
    message when it has none), written in the transaction that files the ticket or reply: a message fetched twice
    (a worker died before it was flagged on the server) is recognised and not filed again."""

    __tablename__ = "email_messages"
    __table_args__ = (
        CheckConstraint("direction IN ('in','out')", name="ck_email_messages_direction"),
        Index("uq_email_messages_inbound", "dedupe_key", unique=True, postgresql_where=text("direction = 'in'")),
        Index("idx_email_messages_message_id", "message_id"),
        Index("idx_email_messages_ticket", "ticket_id", "created_at"),
        Index("idx_email_messages_held", "created_at", postgresql_where=text("outcome = 'held'")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    direction: str = Field(max_length=3)
    dedupe_key: str = Field(max_length=300)
    message_id: str = Field(default="", max_length=300)
    in_reply_to: str = Field(default="", max_length=300)
    references: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    ticket_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True)
    )
    comment_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("comments.id", ondelete="SET NULL"), nullable=True)
    )
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    mailbox_id: int | None = Field(default=None, foreign_key="mailboxes.id", ondelete="SET NULL")
    address: str = Field(default="", max_length=254)
    subject: str = Field(default="", max_length=300)
    # in: created, replied, held, ignored, bounce, auto_reply; out: sent
    outcome: str = Field(default="", max_length=16)
    reason: str = Field(default="", max_length=300)
    # The raw message, kept in attachment storage while it is held for an administrator to accept.
    raw_key: str = Field(default="", max_length=300)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class EmailSuppression(SQLModel, table=True):
    """An address that bounced: we stop mailing it until it writes to us again."""

    __tablename__ = "email_suppressions"

    address: str = Field(primary_key=True, max_length=254)
    reason: str = Field(default="", max_length=300)
    bounces: int = Field(default=1)
    last_bounced_at: datetime = timestamp_field(nullable=False, default_now=True)


class NotificationPreference(SQLModel, table=True):
    """A person's choice for one kind of notification; no row means the default (on)."""

    __tablename__ = "notification_preferences"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(primary_key=True, max_length=32)
    enabled: bool = Field(default=True)


class CsatRating(SQLModel, table=True):
    """The requester's rating of a resolved ticket (one per ticket; a later click changes it).

    Team, agent and category are copied from the ticket when it is rated, so the report groups by who solved it
    even if the ticket moves later."""

    __tablename__ = "csat_ratings"
    __table_args__ = (
        CheckConstraint("rating IN ('good','bad')", name="ck_csat_ratings_rating"),
        Index("idx_csat_ratings_rated_at", "rated_at"),
    )

    ticket_id: int = Field(sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"),
                                            primary_key=True))
    requester_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    rating: str = Field(max_length=4)
    comment: str = Field(default="", max_length=2000)
    team_id: int | None = Field(default=None, foreign_key="teams.id", ondelete="SET NULL")
    assignee_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    category_id: int | None = Field(default=None, foreign_key="categories.id", ondelete="SET NULL")
    priority: str = Field(default="medium", max_length=16)
    rated_at: datetime = timestamp_field(nullable=False, default_now=True)
