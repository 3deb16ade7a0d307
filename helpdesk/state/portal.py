"""The requester portal: my tickets and the new-ticket form."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from helpdesk.core import live_bus as live
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError
from helpdesk.core.validation import parse
from helpdesk.identity import directory
from helpdesk.kb import deflection as kb
from helpdesk.models import Level
from helpdesk.routes import ticket_url
from helpdesk.state.formatting import ticket_rows
from helpdesk.state.live import versions_ahead, watchers
from helpdesk.state.paging import KeysetPaging
from helpdesk.state.session import SessionState
from helpdesk.tickets import attachments, limits, tickets
from helpdesk.tickets import priority as priority_rules
from helpdesk.tickets.validation import TicketDraft

PORTAL_VIEWS = {
    "open": ["new", "open", "in_progress", "waiting_on_customer"],
    "resolved": ["resolved", "closed"],
    "all": [],
}


class MyTicketsState(KeysetPaging, SessionState):
    view: str = "open"
    rows: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""
    seen_version: int = -1

    def _load(self, cursor: str | None = None, *, fresh: bool = False) -> rx.event.EventSpec | None:
        self.error = ""
        with self._on_failure("error") as failure, self._reading(fresh=fresh) as (session, actor):
            filters = tickets.TicketFilters(statuses=PORTAL_VIEWS[self.view], involving_user_id=actor.user_id)
            page = tickets.list_tickets(session, actor, filters, cursor=cursor, limit=20)
            watchers.watch_requester(self.router.session.client_token, actor.user_id)
            me = actor.user_id
        if failure:
            return failure.event
        # A followed ticket is someone else's request that one of mine was merged into.
        self.rows = [row | {"followed_from": r["requester"] if r["requester_id"] != me else ""}
                     for r, row in zip(page.rows, ticket_rows(page.rows, staff=False, language=self._lang()),
                                       strict=True)]
        self.next_cursor = page.next_cursor or ""
        self.loaded = True
        return None

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        self.cursor_stack = []
        self.seen_version = live.current_version()
        return self._load()

    @rx.event
    def apply_change(self, version: int, ticket_id: int) -> rx.event.EventSpec | None:
        """One of my tickets changed somewhere: show the current page as it is now."""
        ahead = versions_ahead(self.seen_version, version)
        self.seen_version = max(self.seen_version, version)
        return self._load(self._current_cursor(), fresh=True) if ahead else None

    @rx.event
    def show(self, view: str) -> rx.event.EventSpec | None:
        if view not in PORTAL_VIEWS:
            return None
        self.view = view
        self.cursor_stack = []
        return self._load()



LEVELS = ("low", "medium", "high")


class NewTicketState(SessionState):
    title: str = ""
    description: str = ""
    impact: str = "medium"
    urgency: str = "medium"
    category_id: str = ""
    category_choices: list[dict[str, str]] = []
    field_errors: dict[str, str] = {}
    error: str = ""
    submitting: bool = False
    suggestions: list[dict[str, str]] = []
    _shown_article_ids: list[int] = []
    _suggested_for: str = ""

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        self.field_errors, self.error = {}, ""
        self.suggestions, self._shown_article_ids, self._suggested_for = [], [], ""
        with self._on_failure() as failure:
            options = self._run(lambda session, actor: directory.category_options(session))
        if failure:
            return failure.event
        self.category_choices = [{"id": str(o["id"]), "label": o["label"]} for o in options]
        return None

    @rx.event
    def set_title(self, value: str) -> rx.event.EventSpec | None:
        self.title = value[:200]
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != "title"}
        return self._suggest_articles()

    @rx.event
    def set_description(self, value: str) -> rx.event.EventSpec | None:
        self.description = value[:20000]
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != "description"}
        return self._suggest_articles()

    def _suggest_articles(self) -> rx.event.EventSpec | None:
        """Deflection: articles that may solve the problem, refreshed when a word is completed."""
        words = " ".join(f"{self.title} {self.description[:2000]}".split()[:-1] or [])
        if words == self._suggested_for:
            return None
        self._suggested_for = words
        if len(words) < 6:
            self.suggestions = []
            return None
        with self._on_failure(on={DomainError: lambda exc: None}) as failure:
            found = self._run(lambda session, actor: kb.suggest_for_ticket_draft(
                session, actor, self.title, self.description[:2000], limit=3))
        if failure:
            return failure.event
        self.suggestions = [{"id": str(r.id), "title": r.title, "slug": r.slug, "summary": r.summary}
                            for r in found]
        self._shown_article_ids = list(dict.fromkeys([*self._shown_article_ids, *(r.id for r in found)]))
        return None

    def _draft_text(self) -> str:
        return f"{self.title}\n{self.description}".strip()[:2000] or "(empty draft)"

    @rx.event
    def solved_by(self, article_id: str) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """The requester found the answer: record the deflection and drop the draft."""
        match = next((s for s in self.suggestions if s["id"] == article_id), None)
        if match is None:
            return None
        with self._on_failure(toast=True) as failure:
            self._run(lambda session, actor: kb.record_deflection(
                session, actor, self._draft_text(), int(article_id), "solved", self._shown_article_ids))
        if failure:
            return failure.event
        self.title, self.description, self.suggestions, self._shown_article_ids = "", "", [], []
        self._suggested_for = ""
        return [rx.toast.success(self._t("Glad that helped! No ticket was filed.")),
                rx.redirect(f"/kb/{match['slug']}")]

    @rx.event
    def set_impact(self, value: str) -> None:
        if value in LEVELS:
            self.impact = value

    @rx.event
    def set_urgency(self, value: str) -> None:
        if value in LEVELS:
            self.urgency = value

    @rx.var
    def priority(self) -> str:
        """The priority the ticket will get (helpdesk/tickets/priority.py), shown as the requester chooses."""
        return priority_rules.from_impact_and_urgency(Level(self.impact), Level(self.urgency)).value

    @rx.event
    def set_category(self, value: str) -> None:
        self.category_id = value if as_id(value) else ""

    @rx.event
    async def submit(self, files: list[rx.UploadFile]) -> AsyncIterator[rx.event.EventSpec]:
        """Files the ticket with its attachments. The server let this request in only for a signed-in person and
        within the size limit (helpdesk/api/body_limits.py); here the sign-in, the rate limits and the quotas are
        checked before any file is read, and files go to storage in chunks, never whole into memory."""
        self.field_errors, self.error = {}, ""
        if len(files) > attachments.MAX_FILES_PER_UPLOAD:
            self.field_errors = {"attachments": self._t("Attach at most {count} files.",
                                                            count=attachments.MAX_FILES_PER_UPLOAD)}
            return
        with self._on_failure("error", fields="field_errors") as failure:
            draft = parse(TicketDraft, {
                "title": self.title, "description": self.description, "impact": self.impact,
                "urgency": self.urgency, "category_id": as_id(self.category_id),
            })
            with self._service() as (session, actor):
                tickets.check_may_file(actor)
                limits.check_rate(session, actor, limits.Action.TICKET)
                limits.check_rate(session, actor, limits.Action.UPLOAD, len(files))
                ticket = tickets.create_ticket(session, actor, draft, source="portal")
                for upload in files:
                    attachments.add_attachment(session, actor, ticket.id, upload.name or "attachment",
                                               upload.content_type or "", upload.file)
                ticket_id = ticket.id
                if self._shown_article_ids:
                    kb.record_deflection(session, actor, self._draft_text(), None, "filed_anyway",
                                         self._shown_article_ids, ticket_id=ticket_id)
        if failure:
            if failure.event is not None:
                yield failure.event
            return
        self.title, self.description, self.impact, self.urgency, self.category_id = "", "", "medium", "medium", ""
        self.suggestions, self._shown_article_ids, self._suggested_for = [], [], ""
        yield rx.clear_selected_files("attachments")
        yield rx.toast.success(self._t("Your ticket was submitted. We'll keep you posted by e-mail."))
        yield rx.redirect(ticket_url(ticket_id))
