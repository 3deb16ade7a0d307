"""Input models of tickets, comments and canned responses, shared by every door."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from helpdesk.core.bounds import MULTI_LINE, SINGLE_LINE, Id
from helpdesk.core.i18n import NF_
from helpdesk.models import Level, Priority, Status

Title = Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, min_length=5, max_length=200)]
Body = Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Description = Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, min_length=10, max_length=20000)]

class TicketDraft(BaseModel):
    """A new ticket. The priority comes from `impact` x `urgency` (helpdesk/tickets/priority.py); `priority` is
    for staff, and for requesters up to "high" (a client that sends it is taken at its word, never "critical")."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description
    impact: Level | None = Field(default=None, description="How many people are affected: low (just me), "
                                 "medium (my team), high (many people or a whole office).")
    urgency: Level | None = Field(default=None, description="How soon it hurts: low (it can wait), medium (it "
                                  "slows my work), high (I can't work).")
    priority: Priority | None = Field(default=None, description="Staff only; requesters up to high. Left out, "
                                      "it comes from impact and urgency (medium when neither is given).")
    category_id: Id | None = None


class TicketChanges(BaseModel):
    """A partial update: only the fields present are changed."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    status: Status | None = None
    priority: Priority | None = None
    category_id: Id | None = Field(default=None)
    team_id: Id | None = Field(default=None)
    assignee_id: Id | None = Field(default=None)


class CommentDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body
    internal: bool = False

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Write a message first.")
        return value


CannedTitle = Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]
CannedBody = Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]


class CannedResponseDraft(BaseModel):
    """A new canned response; `team_id` None makes it available to every agent (administrators only)."""

    model_config = ConfigDict(extra="forbid")

    title: CannedTitle
    body: CannedBody
    team_id: Id | None = None
    personal: bool = False  # only its author sees and uses it


class CannedResponseChanges(BaseModel):
    """A partial change: only the fields present are changed (`team_id` None moves it to everyone)."""

    model_config = ConfigDict(extra="forbid")

    title: CannedTitle | None = None
    body: CannedBody | None = None
    team_id: Id | None = None


# ---------------------------------------------------------------- tags, saved views, macros

MAX_TAG_LENGTH = 40
MAX_TAGS_PER_TICKET = 20
_TAG_PATTERN = re.compile(r"[\w][\w.+#-]*")


def tag_name(raw: str) -> str:
    """The stored form of a tag: lower case, spaces become dashes ("Printer Jam" -> "printer-jam").

    Raises ValueError with a message a person can act on when the name can't be a tag.
    """
    name = "-".join(str(raw).strip().lower().split())
    if not name:
        raise ValueError("Write a tag first.")
    if len(name) > MAX_TAG_LENGTH:
        raise ValueError(NF_("A tag has at most {count} characters.", count=MAX_TAG_LENGTH))
    if not _TAG_PATTERN.fullmatch(name):
        raise ValueError("A tag is letters and digits, optionally joined by - _ . + or #.")
    return name


TagName = Annotated[str, AfterValidator(tag_name)]


class TagsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    names: list[TagName] = Field(min_length=1, max_length=MAX_TAGS_PER_TICKET)


# The queue's status tabs as a saved view stores them: every unresolved ticket, every ticket, or one status.
VIEW_TABS = ("unresolved", "all", *(s.value for s in Status))
VIEW_SORTS = ("newest", "oldest", "updated", "priority")


class ViewFilters(BaseModel):
    """What a queue view shows. `assignee` is "me" (whoever opens the view), "unassigned", an agent's id or ""."""

    model_config = ConfigDict(extra="forbid")

    tab: str = "unresolved"
    priority: Priority | None = None
    team_id: Id | None = None
    assignee: str = ""
    category_id: Id | None = None
    query: Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    sla_state: str = ""
    tag: str = ""
    sort: str = "newest"

    @field_validator("tab")
    @classmethod
    def _known_tab(cls, value: str) -> str:
        if value not in VIEW_TABS:
            raise ValueError(f"Choose one of: {', '.join(VIEW_TABS)}.")
        return value

    @field_validator("assignee")
    @classmethod
    def _known_assignee(cls, value: str) -> str:
        if value not in ("", "me", "unassigned") and not value.isdigit():
            raise ValueError("Choose me, unassigned or an agent's id.")
        return value

    @field_validator("sla_state")
    @classmethod
    def _known_sla_state(cls, value: str) -> str:
        if value not in ("", "at_risk", "breached"):
            raise ValueError("Choose at_risk or breached.")
        return value

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        return tag_name(value) if value.strip() else ""

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str) -> str:
        if value not in VIEW_SORTS:
            raise ValueError(f"Sort by one of: {', '.join(VIEW_SORTS)}.")
        return value


ViewName = Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]


class SavedViewDraft(BaseModel):
    """A new view. `shared` with the team `team_id`, or with all of IT when `team_id` is None."""

    model_config = ConfigDict(extra="forbid")

    name: ViewName
    filters: ViewFilters
    shared: bool = False
    team_id: Id | None = None


class SavedViewChanges(BaseModel):
    """A partial change: only the fields present are changed."""

    model_config = ConfigDict(extra="forbid")

    name: ViewName | None = None
    filters: ViewFilters | None = None
    shared: bool | None = None
    team_id: Id | None = None


class MacroActions(BaseModel):
    """What a macro does. `assignee` is "me" (whoever applies it), "nobody", an agent's id, or "" (leave it).

    `reply` is posted after the field changes are checked, as a public reply or (`reply_internal`) an internal note;
    it may use the canned-response placeholders.
    """

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    priority: Priority | None = None
    team_id: Id | None = None
    assignee: str = ""
    add_tags: list[TagName] = Field(default_factory=list, max_length=MAX_TAGS_PER_TICKET)
    remove_tags: list[TagName] = Field(default_factory=list, max_length=MAX_TAGS_PER_TICKET)
    reply: Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, max_length=10000)] = ""
    reply_internal: bool = False

    @field_validator("assignee")
    @classmethod
    def _known_assignee(cls, value: str) -> str:
        value = value.strip()
        if value not in ("", "me", "nobody") and not value.isdigit():
            raise ValueError("Choose me, nobody or an agent.")
        return value

    @model_validator(mode="after")
    def _does_something(self) -> MacroActions:
        if not (self.status or self.priority or self.team_id is not None or self.assignee or self.add_tags
                or self.remove_tags or self.reply):
            raise ValueError("A macro must change at least one field, tag or add a reply.")
        both = set(self.add_tags) & set(self.remove_tags)
        if both:
            raise ValueError(NF_("A tag can't be both added and removed: {tags}.", tags=", ".join(sorted(both))))
        return self


MacroName = Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, min_length=3, max_length=80)]


class MacroDraft(BaseModel):
    """A new macro: personal (only its author uses it), or shared with a team (`team_id`) or everyone."""

    model_config = ConfigDict(extra="forbid")

    name: MacroName
    description: Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    actions: MacroActions
    personal: bool = True
    team_id: Id | None = None


class MacroChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: MacroName | None = None
    description: Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    actions: MacroActions | None = None
    team_id: Id | None = None
