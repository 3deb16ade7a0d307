"""Response shapes of the REST API (request shapes are the services' own input models)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, StringConstraints


class LoginRequest(BaseModel):
    email: EmailStr
    password: Annotated[str, StringConstraints(max_length=1024)]


class LoginResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserOut


class UserOut(BaseModel):
    id: int
    full_name: str
    email: str
    role: str
    team_ids: list[int]
    language: str = "en"


class UserChanges(BaseModel):
    """What a person may change about themselves."""

    language: Literal["en", "ur"]


class TicketSummary(BaseModel):
    id: int
    number: int
    title: str
    status: str
    priority: str
    category: str | None
    team: str | None
    assignee: str | None
    requester: str
    created_at: datetime
    updated_at: datetime
    sla_first_response_due: datetime | None
    sla_resolution_due: datetime | None
    tags: list[str] = []


class TicketList(BaseModel):
    items: list[TicketSummary]
    next_cursor: str | None
    counts: dict[str, int] | None = None


class TicketOut(BaseModel):
    id: int
    number: int
    title: str
    description: str
    status: str
    priority: str
    impact: str | None = None  # what the requester said (low/medium/high); None when not asked
    urgency: str | None = None
    source: str
    category_id: int | None
    category: str | None
    team_id: int | None
    team: str | None
    assignee_id: int | None
    assignee: str | None
    requester_id: int
    requester: str | None
    sla_first_response_due: datetime | None
    sla_resolution_due: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    ai_suggested_category_id: int | None
    ai_confidence: float | None
    # Set on a duplicate merged into another ticket; the number only when the reader may open that ticket.
    merged_into_id: int | None = None
    merged_into_number: int | None = None
    tags: list[str] = []  # the IT team's labels (empty for requesters, who don't see them)
    # People copied in; their addresses only for IT (a requester or a CC gets names).
    cc: list[CcOut] = []
    following: bool = False  # whether the caller follows this ticket
    created_at: datetime
    updated_at: datetime


class CcOut(BaseModel):
    user_id: int
    name: str
    email: str | None = None


class AttachmentOut(BaseModel):
    id: int
    ticket_id: int
    comment_id: int | None = None  # the reply or note it came with; None: filed with the ticket
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime


class CommentOut(BaseModel):
    id: int
    ticket_id: int
    author_id: int
    author: str
    author_is_staff: bool
    body: str
    is_internal: bool
    created_at: datetime
    attachments: list[AttachmentOut] = []


class PersonOut(BaseModel):
    id: int
    full_name: str
    email: str
    department: str
    role: str


class NotificationOut(BaseModel):
    id: int
    kind: str
    ticket_id: int | None
    ticket_number: int | None
    title: str
    excerpt: str
    created_at: datetime
    read: bool


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread: int
    next_cursor: str | None


class UnreadOut(BaseModel):
    unread: int


class FollowOut(BaseModel):
    following: bool


class CannedResponseOut(BaseModel):
    id: int
    team_id: int | None  # None: available to every agent
    title: str
    body: str  # with its placeholders; render it for a ticket to fill them in
    updated_at: datetime


class RenderedResponseOut(BaseModel):
    body: str


class MergeOut(BaseModel):
    duplicate: TicketOut
    target: TicketOut
    moved_comments: int
    moved_attachments: int


class RelatedTicketOut(BaseModel):
    id: int
    number: int
    title: str
    status: str


class BulkFailureOut(BaseModel):
    ticket_id: int
    reason: str


class BulkUpdateOut(BaseModel):
    updated: list[int]
    failed: list[BulkFailureOut]  # skipped, each with its reason ("closed", "not found", ...)
    unchanged: list[int] = []  # allowed, but each already was as asked


class TagSuggestionOut(BaseModel):
    name: str
    uses: int  # tickets carrying it


class TicketTagsOut(BaseModel):
    tags: list[str]  # all of the ticket's tags now
    changed: list[str]  # the ones this request added (or removed)


class SavedViewOut(BaseModel):
    id: int
    name: str
    scope: str  # personal, team or everyone
    shared: bool
    team_id: int | None
    team: str
    owner_id: int
    filters: dict  # tab, priority, team_id, assignee ("me" is whoever opens it), category_id, query, sla_state, tag,
    # sort
    can_edit: bool
    updated_at: datetime


class MacroOut(BaseModel):
    id: int
    name: str
    description: str
    personal: bool
    team_id: int | None  # a shared macro for this team's tickets; None: for every ticket
    team: str
    actions: dict
    summary: str
    can_edit: bool
    updated_at: datetime


class MacroOutcomeOut(BaseModel):
    fields: list[str]
    tags_added: list[str]
    tags_removed: list[str]
    replied: bool
    ticket: TicketOut


class AvailabilityOut(BaseModel):
    available: bool


def file_response(description: str, *media_types: str) -> dict:
    """The OpenAPI answer of a route that sends a file rather than JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"description": description, "content": {media_type: binary for media_type in media_types}}


class ErrorOut(BaseModel):
    detail: str
    errors: dict[str, str] = {}


LoginResponse.model_rebuild()
TicketOut.model_rebuild()
