"""An agent files a ticket for someone who phoned or walked up: find the person (or enter a new one), the channel,
and the problem."""

from __future__ import annotations

import reflex as rx

from helpdesk.core.bounds import as_id
from helpdesk.core.errors import ValidationFailed
from helpdesk.core.validation import parse
from helpdesk.identity import accounts, directory
from helpdesk.models import Role
from helpdesk.routes import HOME_FOR_ROLE, ticket_url
from helpdesk.state.session import SessionState
from helpdesk.tickets import on_behalf
from helpdesk.tickets.validation import TicketDraft


class FileForState(SessionState):
    search: str = ""
    matches: list[dict[str, str]] = []
    # The chosen person (id, name, email); empty until one is picked.
    person: dict[str, str] = {}
    new_person: bool = False
    new_name: str = ""
    new_email: str = ""
    channel: str = "phone"
    title: str = ""
    description: str = ""
    priority: str = "medium"
    category_id: str = ""
    category_choices: list[dict[str, str]] = []
    field_errors: dict[str, str] = {}
    error: str = ""

    def _clear(self, *names: str) -> None:
        self.field_errors = {k: v for k, v in self.field_errors.items() if k not in names}

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        with self._on_failure() as failure, self._service() as (session, actor):
            options = directory.category_options(session)
            staff = actor.is_staff
        if failure:
            return failure.event
        if not staff:
            return rx.redirect(HOME_FOR_ROLE.get(Role(self.user_role), "/"))
        self.category_choices = [{"id": str(o["id"]), "label": o["label"]} for o in options]
        self.search, self.matches, self.person, self.new_person = "", [], {}, False
        self.new_name = self.new_email = self.title = self.description = self.category_id = self.error = ""
        self.channel, self.priority, self.field_errors = "phone", "medium", {}
        return None

    @rx.event
    def set_search(self, value: str) -> rx.event.EventSpec | None:
        self.search = value[:120]
        if len(self.search.strip()) < 2:
            self.matches = []
            return None
        with self._on_failure("error") as failure, self._service() as (session, actor):
            rows = accounts.find_people(session, actor, self.search)
        if failure:
            return failure.event
        self.matches = [{"id": str(r["id"]), "name": r["full_name"], "email": r["email"],
                         "department": r["department"]} for r in rows]
        return None

    @rx.event
    def choose(self, person_id: str) -> None:
        # Only someone the server itself just found: the browser cannot name an arbitrary account.
        match = next((m for m in self.matches if m["id"] == person_id), None)
        if match is not None:
            self.person, self.new_person, self.matches, self.search = match, False, [], ""
            self._clear("requester")

    @rx.event
    def clear_person(self) -> None:
        self.person = {}

    @rx.event
    def set_new_person(self, value: bool) -> None:
        self.new_person = bool(value)
        if self.new_person:
            self.person = {}
        self._clear("requester", "requester_email", "requester_full_name")

    @rx.event
    def set_new_name(self, value: str) -> None:
        self.new_name = value[:120]
        self._clear("requester_full_name")

    @rx.event
    def set_new_email(self, value: str) -> None:
        self.new_email = value.strip()[:254]
        self._clear("requester_email")

    @rx.event
    def set_channel(self, value: str) -> None:
        if value in on_behalf.CHANNELS:
            self.channel = value

    @rx.event
    def set_title(self, value: str) -> None:
        self.title = value[:200]
        self._clear("title")

    @rx.event
    def set_description(self, value: str) -> None:
        self.description = value[:20000]
        self._clear("description")

    @rx.event
    def set_priority(self, value: str) -> None:
        if value in ("low", "medium", "high", "critical"):
            self.priority = value

    @rx.event
    def set_category(self, value: str) -> None:
        self.category_id = value if as_id(value) else ""

    @rx.event
    def submit(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        self.field_errors, self.error = {}, ""
        new = on_behalf.NewRequester(self.new_name, self.new_email) if self.new_person else None
        requester_id = int(self.person["id"]) if self.person and not self.new_person else None
        with self._on_failure("error", fields="field_errors") as failure:
            # Every problem of the form at once: the person's and the problem's own fields.
            errors: dict[str, str] = {}
            try:
                draft = parse(TicketDraft, {"title": self.title, "description": self.description,
                                            "priority": self.priority,
                                            "category_id": as_id(self.category_id)})
            except ValidationFailed as invalid:
                errors |= invalid.field_errors
            with self._service() as (session, actor):
                errors = on_behalf.problems(session, actor, channel=self.channel, requester_id=requester_id,
                                            new_requester=new) | errors
                if errors:
                    raise ValidationFailed(errors)
                ticket = on_behalf.file_on_behalf(session, actor, draft, channel=self.channel,
                                                  requester_id=requester_id, new_requester=new)
                ticket_id, name = ticket.id, session.get(on_behalf.User, ticket.requester_id).full_name
        if failure:
            return failure.event
        return [rx.toast.success(self._t("Ticket filed for {name}. They get the usual e-mail with its link.",
                                          name=name)),
                rx.redirect(ticket_url(ticket_id))]
