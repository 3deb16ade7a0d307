"""The similar-tickets panel of an agent's ticket page, and the optional LLM assistant (summary, suggested reply)."""

from __future__ import annotations

import asyncio

import reflex as rx

from helpdesk.ai import llm
from helpdesk.ai import similar as similar_tickets
from helpdesk.core import i18n
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError
from helpdesk.state.formatting import STAFF_STATUS_LABELS, local_time, relative
from helpdesk.state.session import SessionState, first_problem
from helpdesk.state.ticket import TicketState
from helpdesk.tickets import merging, tickets


def _ticket_id_from(state: SessionState) -> int | None:
    raw = str(state.router.page.params.get("ticket_id", ""))
    return as_id(raw, big=True)


def _row(item: similar_tickets.SimilarTicket, language: str = i18n.DEFAULT_LANGUAGE) -> dict[str, str]:
    return {
        "id": str(item.id),
        "number": f"#{item.number}",
        "title": item.title,
        "status": item.status,
        "status_label": i18n.translate(language, STAFF_STATUS_LABELS.get(item.status, item.status)),
        "age": relative(item.created_at, language),
        "created": local_time(item.created_at, language),
        "resolved_ago": relative(item.resolved_at, language),
        "resolution": item.resolution,
        "score": f"{round(item.score * 100)}%",
    }


class SimilarState(SessionState):
    shown: bool = False  # only after the service said this person may see it (never for requesters)
    open_rows: list[dict[str, str]] = []
    resolved_rows: list[dict[str, str]] = []
    duplicate: dict[str, str] = {}
    merge_error: str = ""
    # Which ticket the flag points at stays on the server: the merge never trusts a number from the browser.
    _duplicate_id: int = 0

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self.shown, self.open_rows, self.resolved_rows, self.duplicate = False, [], [], {}
        self.merge_error, self._duplicate_id = "", 0
        ticket_id = _ticket_id_from(self)
        if ticket_id is None:
            return None
        # A requester, or a ticket this person may not read: no panel at all.
        with self._on_failure(on={DomainError: lambda exc: None}) as failure:
            found = self._run(lambda session, actor: similar_tickets.similar_tickets(session, actor, ticket_id))
        if failure:
            return failure.event
        self.shown = True
        self.open_rows = [_row(s, self._lang()) for s in found.open]
        self.resolved_rows = [_row(s, self._lang()) for s in found.resolved]
        if found.duplicate is not None:
            self._duplicate_id = found.duplicate.ticket.id
            self.duplicate = _row(found.duplicate.ticket, self._lang()) | {
                "can_merge": "yes" if found.duplicate.can_merge else "",
                "who": "the same requester" if found.duplicate.same_requester else "another requester",
            }
        return None

    @rx.event
    def merge_duplicate(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        ticket_id, target_id = _ticket_id_from(self), self._duplicate_id
        if ticket_id is None or not target_id:
            return None
        with self._on_failure("merge_error", describe=first_problem) as failure:
            number = self._run(lambda session, actor: merging.merge(session, actor, ticket_id, target_id).target.number)
        if failure:
            return failure.event
        self.duplicate, self._duplicate_id = {}, 0
        return [rx.toast.success(self._t(
            "Merged into #{number}. The requester was told where the conversation continues.", number=number)),
                rx.redirect(f"/tickets/{target_id}")]


class AssistState(SessionState):
    """LLM buttons: shown only when a provider is configured and the person may work the ticket."""

    enabled: bool = False
    summary: str = ""
    error: str = ""
    busy: str = ""  # "summary" or "reply" while a call runs

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self.summary, self.error, self.busy, self.enabled = "", "", "", False
        ticket_id = _ticket_id_from(self)
        if ticket_id is None or not llm.is_enabled():
            return None
        with self._on_failure(on={DomainError: self._disabled}) as failure:
            self.enabled = self._run(lambda session, actor: actor.is_staff and tickets.can_work(
                actor, tickets.get_for(session, actor, ticket_id)))
        return failure.event

    def _disabled(self, _exc: DomainError) -> None:
        self.enabled = False

    async def _call(self, purpose: str) -> rx.event.EventSpec | None:
        async with self:
            ticket_id = _ticket_id_from(self)
            if ticket_id is None or self.busy:
                return None
            with self._on_failure() as failure:
                actor = self._run(lambda session, actor: actor)
            if failure:
                return failure.event
            self.busy, self.error = purpose, ""
        call = llm.summarise_thread if purpose == "summary" else llm.suggest_reply
        try:
            # In a thread, outside the state lock: the page keeps working while the provider thinks.
            result = await asyncio.to_thread(call, actor, ticket_id)
        except DomainError as exc:
            async with self:
                self.busy, self.error = "", exc.message
            return None
        async with self:
            self.busy = ""
            if purpose == "summary":
                self.summary = result.text
                return None
            # Into the reply box, for the agent to edit and send; never sent from here.
            ticket_state = await self.get_state(TicketState)
            current = ticket_state.reply.rstrip()
            ticket_state.reply = f"{current}\n\n{result.text}" if current else result.text
        return rx.toast.info(self._t("Suggested reply added to the reply box. Check and edit it before sending."))

    @rx.event(background=True)
    async def summarise(self) -> rx.event.EventSpec | None:
        return await self._call("summary")

    @rx.event(background=True)
    async def suggest_reply(self) -> rx.event.EventSpec | None:
        return await self._call("reply")
