"""Live updates in the browser: shared states that every open page links to, and the task
in each web process that applies bus entries to them (exactly once across all replicas)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
import time

import redis.asyncio as aioredis
import reflex as rx
from reflex.istate.manager.token import BaseStateToken

from helpdesk import live
from helpdesk.models import Role
from helpdesk.services import tickets
from helpdesk.services.errors import DomainError
from helpdesk.settings import get_settings
from helpdesk.state.session import SessionState

log = logging.getLogger(__name__)
RECLAIM_IDLE_MS = 30_000  # entries a dead replica read but never applied are taken over after this


def _channel(*parts: object) -> str:
    # Tokens live in the shared Redis, so two installs (or test runs) on one Redis stay apart.
    prefix = get_settings().redis_prefix.replace(":", "-").replace("_", "-")
    return prefix + "-".join(str(p) for p in parts)


def queue_channel() -> str:
    return _channel("queue")


def requester_channel(user_id: int) -> str:
    return _channel("requester", user_id)


def ticket_channel(ticket_id: int) -> str:
    return _channel("ticket", ticket_id)


class QueueFeed(rx.SharedState):
    """Every ticket change, for staff queue pages. Carries only ids: each page re-reads what it may see."""

    version: int = 0
    ticket_id: int = 0

    @rx.event
    async def join(self) -> None:
        session_state = await self.get_state(SessionState)
        try:
            actor = session_state._run(lambda session, actor: actor)
        except DomainError:
            return
        if actor.role != Role.REQUESTER and self._linked_to != queue_channel():
            await self._link_to(queue_channel())


class RequesterFeed(rx.SharedState):
    """Changes to one requester's tickets, for their portal pages."""

    version: int = 0
    ticket_id: int = 0

    @rx.event
    async def join(self) -> None:
        session_state = await self.get_state(SessionState)
        try:
            actor = session_state._run(lambda session, actor: actor)
        except DomainError:
            return
        channel = requester_channel(actor.user_id)
        if self._linked_to != channel:
            await self._link_to(channel)


PRESENCE_STALE_SECONDS = 35  # heartbeats come every 10 s; three missed ones and the viewer is gone
TYPING_SECONDS = 6


def viewer_id(client_token: str) -> str:
    """A stable, non-secret id for one browser tab (the Reflex token itself must stay private)."""
    return hashlib.sha256(client_token.encode()).hexdigest()[:16]


class TicketRoom(rx.SharedState):
    """One ticket: a change counter and who of the IT team is looking at it or typing a reply."""

    version: int = 0
    viewers: list[dict[str, str]] = []

    def _ticket_id(self) -> int | None:
        raw = str(self.router.page.params.get("ticket_id", ""))
        return int(raw) if raw.isdigit() else None

    async def _staff_name(self) -> str | None:
        session_state = await self.get_state(SessionState)
        try:
            actor = session_state._run(lambda session, actor: actor)
        except DomainError:
            return None
        return actor.full_name if actor.role != Role.REQUESTER else None

    async def _my_viewer_id(self) -> str:
        # Inside a linked state the router carries the shared token; the tab's own token is on the private tree.
        session_state = await self.get_state(SessionState)
        return viewer_id(session_state.router.session.client_token)

    async def _update_me(self, name: str, typing: bool = False) -> None:
        me, now = await self._my_viewer_id(), time.time()
        others = [v for v in self.viewers if v["id"] != me and now - float(v["seen"]) < PRESENCE_STALE_SECONDS]
        typing_until = now + TYPING_SECONDS if typing else next(
            (float(v["typing_until"]) for v in self.viewers if v["id"] == me), 0.0)
        self.viewers = [*others, {"id": me, "name": name, "seen": repr(now), "typing_until": repr(typing_until)}]

    @rx.event
    async def enter(self) -> None:
        """Links this tab to the ticket's room, after checking the person may read the ticket."""
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return
        session_state = await self.get_state(SessionState)
        if not visible_change(session_state, ticket_id):
            return
        channel = ticket_channel(ticket_id)
        if self._linked_to != channel:
            if self._linked_to:
                await self._leave_current()
            await self._link_to(channel)
        name = await self._staff_name()
        if name:
            await self._update_me(name)

    async def _leave_current(self) -> None:
        me = await self._my_viewer_id()
        self.viewers = [v for v in self.viewers if v["id"] != me]
        await self._unlink()

    @rx.event
    async def heartbeat(self, _: str = "") -> None:
        if not self._linked_to:
            return
        name = await self._staff_name()
        if name:
            await self._update_me(name)

    @rx.event
    async def typing(self) -> None:
        if not self._linked_to:
            return
        name = await self._staff_name()
        if name:
            await self._update_me(name, typing=True)

    @rx.event
    async def leave(self) -> None:
        if self._linked_to:
            me = await self._my_viewer_id()
            self.viewers = [v for v in self.viewers if v["id"] != me]


_fan_out_ready: set[str] = set()


async def _enable_fan_out(app: rx.App, token: BaseStateToken) -> None:
    """Reflex fans a direct change of a shared token out to linked clients only when that
    token's root state carries a links map (None until then); give it an empty one once."""
    if token.ident in _fan_out_ready:
        return
    async with app.modify_state(token) as root:
        if root._reflex_internal_links is None:
            root._reflex_internal_links = {}
    _fan_out_ready.add(token.ident)


async def _apply(app: rx.App, change: live.TicketChange) -> None:
    targets = (
        (queue_channel(), QueueFeed, True),
        (requester_channel(change.requester_id), RequesterFeed, True),
        (ticket_channel(change.ticket_id), TicketRoom, False),
    )
    for channel, state_cls, carries_id in targets:
        token = BaseStateToken(ident=channel, cls=state_cls)
        await _enable_fan_out(app, token)
        async with app.modify_state(token) as root:
            feed = await root.get_state(state_cls)
            feed.version += 1
            if carries_id:
                feed.ticket_id = change.ticket_id


async def _ensure_group(client: aioredis.Redis, stream: str, start_at: str) -> None:
    try:
        await client.xgroup_create(stream, live.CONSUMER_GROUP, id=start_at, mkstream=True)
    except aioredis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


async def apply_bus_entries(app: rx.App) -> None:
    """Lifespan task: read the bus through the consumer group and apply each entry once."""
    settings = get_settings()
    client = aioredis.from_url(settings.redis_url, decode_responses=True)
    stream = live.stream_key()
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    await _ensure_group(client, stream, start_at="$")
    loops = 0
    while True:
        try:
            entries = await client.xreadgroup(live.CONSUMER_GROUP, consumer, {stream: ">"}, count=100, block=2000)
            loops += 1
            if loops % 15 == 0:  # about every 30 s: adopt entries a vanished replica left unacknowledged
                _, claimed, _ = await client.xautoclaim(stream, live.CONSUMER_GROUP, consumer, RECLAIM_IDLE_MS,
                                                        count=100)
                entries = [*entries, [stream, claimed]] if claimed else entries
            for _, messages in entries or []:
                for entry_id, fields in messages:
                    try:
                        await _apply(app, live.TicketChange.from_fields(fields))
                    except Exception:
                        log.exception("could not apply live entry %s", entry_id)
                    await client.xack(stream, live.CONSUMER_GROUP, entry_id)
        except asyncio.CancelledError:
            await client.aclose()
            raise
        except aioredis.ResponseError as exc:
            if "NOGROUP" not in str(exc) and "UNBLOCKED" not in str(exc):
                log.exception("live bus reader failed; retrying")
                await asyncio.sleep(1)
                continue
            # Redis lost the stream (restart without persistence, flush): start over from its beginning.
            await _ensure_group(client, stream, start_at="0")
        except Exception:
            log.exception("live bus reader failed; retrying")
            await asyncio.sleep(1)


def visible_change(session_state: SessionState, ticket_id: int) -> bool:
    """Whether the signed-in person may see this ticket at all (guards every live refresh)."""
    try:
        return session_state._run(lambda session, actor: tickets.can_read(actor, tickets.get_for(session, actor,
                                                                                                   ticket_id)))
    except DomainError:
        return False
