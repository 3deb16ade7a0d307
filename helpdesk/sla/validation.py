"""Input models of SLA policies and business calendars."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from helpdesk.core.bounds import SINGLE_LINE, Id
from helpdesk.models import Priority

Name = Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class SlaPolicyDraft(BaseModel):
    """A new SLA policy; targets are minutes of business time."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    priority: Priority
    category_id: Id | None = None
    team_id: Id | None = None
    first_response_minutes: int = Field(gt=0, le=60 * 24 * 365)
    resolution_minutes: int = Field(gt=0, le=60 * 24 * 365)
    calendar_id: Id | None = None  # None: the default calendar
    is_active: bool = True


class SlaPolicyChanges(BaseModel):
    """A partial change to a policy: only the fields present are changed."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    priority: Priority | None = None
    category_id: Id | None = None
    team_id: Id | None = None
    first_response_minutes: int | None = Field(default=None, gt=0, le=60 * 24 * 365)
    resolution_minutes: int | None = Field(default=None, gt=0, le=60 * 24 * 365)
    calendar_id: Id | None = None
    is_active: bool | None = None


class BusinessCalendarDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    timezone: Annotated[str, SINGLE_LINE, StringConstraints(max_length=64)] = "Asia/Karachi"
    working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], max_length=7)
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    holiday_country: Annotated[str, SINGLE_LINE, StringConstraints(max_length=8)] | None = "PK"
    extra_holidays: list[date] = Field(default_factory=list, max_length=366)
    is_default: bool = False


class BusinessCalendarChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    timezone: Annotated[str, SINGLE_LINE, StringConstraints(max_length=64)] | None = None
    working_days: list[int] | None = Field(default=None, max_length=7)
    opens: time | None = None
    closes: time | None = None
    holiday_country: Annotated[str, SINGLE_LINE, StringConstraints(max_length=8)] | None = None
    extra_holidays: list[date] | None = Field(default=None, max_length=366)
    is_default: bool | None = None
