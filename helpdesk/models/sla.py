"""SLA configuration: business-hours calendars and the policies that give a ticket its targets."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Column, Date, Index, SmallInteger, Time, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from helpdesk.models.base import timestamp_field

WEEKDAYS_MONDAY_TO_FRIDAY = [0, 1, 2, 3, 4]


class BusinessCalendarConfig(SQLModel, table=True):
    """When the desk is open; services/sla.py turns a row into a `business_hours.BusinessCalendar`."""

    __tablename__ = "business_calendars"
    __table_args__ = (
        CheckConstraint("opens < closes", name="ck_business_calendars_hours"),
        # At most one calendar is the fallback for policies and for tickets no policy matches.
        Index("uq_business_calendars_default", "is_default", unique=True, postgresql_where=text("is_default")),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    timezone: str = Field(default="Asia/Karachi", max_length=64)
    # Weekday numbers as date.weekday(): Monday = 0.
    working_days: list[int] = Field(
        default_factory=lambda: list(WEEKDAYS_MONDAY_TO_FRIDAY),
        sa_column=Column(ARRAY(SmallInteger), nullable=False),
    )
    opens: time = Field(default=time(9, 0), sa_column=Column(Time, nullable=False))
    closes: time = Field(default=time(17, 0), sa_column=Column(Time, nullable=False))
    # ISO country code for the `holidays` package; None means no public holidays.
    holiday_country: str | None = Field(default="PK", max_length=8)
    extra_holidays: list[date] = Field(default_factory=list, sa_column=Column(ARRAY(Date), nullable=False))
    is_default: bool = Field(default=False)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class SlaPolicy(SQLModel, table=True):
    """Targets for tickets of one priority, optionally narrowed to a category and/or a team.

    The most specific active policy wins: category+team, then category, then team, then priority only.
    """

    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint("priority IN ('low','medium','high','critical')", name="ck_sla_policies_priority"),
        CheckConstraint(
            "first_response_minutes > 0 AND resolution_minutes >= first_response_minutes",
            name="ck_sla_policies_targets",
        ),
        # Two active policies for the same scope would make matching ambiguous.
        Index(
            "uq_sla_policies_active_scope",
            "priority",
            text("coalesce(category_id, 0)"),
            text("coalesce(team_id, 0)"),
            unique=True,
            postgresql_where=text("is_active"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    priority: str = Field(max_length=16)
    category_id: int | None = Field(default=None, foreign_key="categories.id", ondelete="CASCADE", index=True)
    team_id: int | None = Field(default=None, foreign_key="teams.id", ondelete="CASCADE", index=True)
    first_response_minutes: int
    resolution_minutes: int
    calendar_id: int = Field(foreign_key="business_calendars.id", index=True)
    is_active: bool = Field(default=True)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)
