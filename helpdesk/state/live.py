"""Live updates in the browser.

Each web process reads the bus (helpdesk/live.py) and pushes every entry straight to the tabs
whose sockets it holds and that watch something the entry touches: all staff queue tabs, the
requester's own portal tabs, the tabs open on that ticket. A push is one small delta for
`LiveState` (the new version and ticket id); the tab's VersionWatcher then asks its page state
to re-read only what that person may see. Queue tabs on their first page are the many: for them
the push already carries the refreshed rows and counts, computed once per distinct view (person,
filters, sort) rather than once per tab, and the tab sends nothing back. No shared state or lock
is involved, so the cost per change is one query per distinct view and one socket frame per tab.

Presence (who else is on a ticket) uses a Reflex SharedState per ticket: small groups only.

Notification bells follow a second stream (people with new or newly read notifications): each tab showing a bell of
one of those people gets a `BellPing` delta, and its bell re-reads the unread count (helpdesk/state/notifications.py).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
import reflex as rx
from engineio import packet as engineio_packet
from reflex.app import EventNamespace
from reflex.state import StateUpdate
from reflex_base.constants.state import FIELD_MARKER
from socketio import packet as socketio_packet

from helpdesk.core import live_bus as live
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError
from helpdesk.core.settings import get_settings
from helpdesk.models import Role
from helpdesk.state.session import SessionState, sign_out_hooks
from helpdesk.tickets import tickets

log = logging.getLogger(__name__)


def _channel(*parts: object) -> str:
    # Shared-state tokens live in the shared Redis, so two installs (or test runs) on one Redis stay apart.
    prefix = get_settings().redis_prefix.replace(":", "-").replace("_", "-")
    return prefix + "-".join(str(p) for p in parts)


def ticket_channel(ticket_id: int) -> str:
    return _channel("ticket", ticket_id)


def versions_ahead(seen: int, pushed: int) -> int:
    """How far a pushed bus version is ahead of what a page shows (0: nothing new, or the page's first look)."""
    if seen < 0 or pushed <= seen:
        return 0
    return pushed - seen


@dataclass(frozen=True)
class QueueView:
    """The first page of a queue as one person filters and sorts it: tabs with the same view get the same rows."""

    user_id: int
    filters: tickets.TicketFilters
    sort: str

    @functools.cached_property
    def key(self) -> str:
        # Read two or three times per tab and push; the filters' repr costs ~9 us, so once per tab, not per read.
        return f"{self.user_id}|{self.sort}|{self.filters!r}"


class _Watchers:
    """The tabs this process holds sockets for, by what they watch. One watch per tab at a time."""

    def __init__(self) -> None:
        self.queue: set[str] = set()
        # Queue tabs on their first page: the push carries their refreshed rows, computed once per distinct view.
        self.queue_views: dict[str, QueueView] = {}
        self.requester: dict[int, set[str]] = defaultdict(set)
        self.ticket: dict[int, set[str]] = defaultdict(set)
        # Every signed-in tab's bell, by person: kept apart from the one-per-tab page watches above.
        self.bell: dict[int, set[str]] = defaultdict(set)

    def forget(self, token: str) -> None:
        self.queue.discard(token)
        self.queue_views.pop(token, None)
        for group in (self.requester, self.ticket):
            for key in [k for k, tokens in group.items() if token in tokens]:
                group[key].discard(token)
                if not group[key]:
                    del group[key]

    def watch_queue(self, token: str, view: QueueView | None = None) -> None:
        if token not in self.queue:
            self.forget(token)
            self.queue.add(token)
        if view is None:
            self.queue_views.pop(token, None)
        else:
            self.queue_views[token] = view

    def watch_requester(self, token: str, user_id: int) -> None:
        if token not in self.requester.get(user_id, ()):
            self.forget(token)
            self.requester[user_id].add(token)

    def watch_ticket(self, token: str, ticket_id: int) -> None:
        if token not in self.ticket.get(ticket_id, ()):
            self.forget(token)
            self.ticket[ticket_id].add(token)

    def watch_bell(self, token: str, user_id: int) -> None:
        for other, tokens in list(self.bell.items()):
            if other != user_id and token in tokens:  # the tab signed in as someone else
                self.forget_bell(token, other)
        self.bell[user_id].add(token)

    def forget_bell(self, token: str, user_id: int) -> None:
        tokens = self.bell.get(user_id)
        if tokens is not None:
            tokens.discard(token)
            if not tokens:
                del self.bell[user_id]

    def tokens_for(self, change: live.TicketChange) -> set[str]:
        people = (change.requester_id, *change.follower_ids)
        return self.queue | self.ticket.get(change.ticket_id, set()) | set().union(
            *(self.requester.get(user_id, set()) for user_id in people))


watchers = _Watchers()


class LiveState(rx.State):
    """What a push changes in the browser. `version` is read from the bus on every hydrate, so a
    tab that reconnects (maybe to another replica) sees how far the bus moved while it was away."""

    ticket_id: int = 0
    # How long (ms) tabs may wait before refreshing after a push: grows with the number of tabs
    # one process pushes to, so their refreshes arrive spread out (see components/live.py).
    spread_ms: int = 0

    @rx.var(cache=False)
    def version(self) -> int:
        return live.current_version()

    def _token(self) -> str:
        return self.router.session.client_token

    async def _actor_or_none(self):  # noqa: ANN202
        session_state = await self.get_state(SessionState)
        try:
            return session_state._run(lambda session, actor: actor)
        except DomainError:
            return None

    @rx.event
    async def watch_queue(self) -> None:
        actor = await self._actor_or_none()
        if actor is not None and actor.role != Role.REQUESTER:
            watchers.watch_queue(self._token())

    @rx.event
    async def watch_my_tickets(self) -> None:
        actor = await self._actor_or_none()
        if actor is not None:
            watchers.watch_requester(self._token(), actor.user_id)

    @rx.event
    async def watch_ticket(self) -> None:
        raw = str(self.router.page.params.get("ticket_id", ""))
        ticket_id = as_id(raw, big=True)
        if ticket_id is None:
            return
        session_state = await self.get_state(SessionState)
        if visible_change(session_state, ticket_id):
            watchers.watch_ticket(self._token(), ticket_id)

    @rx.event
    def stop_watching(self) -> None:
        watchers.forget(self._token())


class BellPing(rx.State):
    """Moved by a push when the person's notifications changed; the bell then re-reads its count."""

    ping: int = 0


SPREAD_MS_PER_TAB = 3
MAX_SPREAD_MS = 1500


def _push_delta(change: live.TicketChange, tabs: int) -> dict:
    return {LiveState.get_full_name(): {f"version{FIELD_MARKER}": change.version,
                                        f"ticket_id{FIELD_MARKER}": change.ticket_id,
                                        f"spread_ms{FIELD_MARKER}": min(MAX_SPREAD_MS, SPREAD_MS_PER_TAB * tabs)}}


# Renders a queue view's fresh first page as a delta for the tab's queue state (set by helpdesk/state/queue.py,
# which imports this module); None when the view cannot be rendered (the person was signed out or deactivated).
QueueViewRenderer = Callable[[QueueView, int, int], dict | None]
queue_view_renderer: QueueViewRenderer | None = None


async def _view_deltas(change: live.TicketChange, tokens: set[str]) -> dict[str, dict]:
    """One computation per distinct queue view among these tabs, instead of one refresh event per tab."""
    groups: dict[str, QueueView] = {}
    for token in tokens:
        view = watchers.queue_views.get(token)
        if view is not None:
            groups.setdefault(view.key, view)
    if queue_view_renderer is None or not groups:
        return {}
    rendered: dict[str, dict] = {}
    for key, view in groups.items():
        try:
            delta = await asyncio.to_thread(queue_view_renderer, view, change.version, change.ticket_id)
        except Exception:
            log.warning("could not render a live queue view", exc_info=True)
            delta = None
        if delta is not None:
            rendered[key] = delta
    return rendered


async def _send_to_all(namespace: EventNamespace, update: StateUpdate, sids: list[str]) -> None:
    """One Socket.IO frame, encoded once, queued on each socket in turn.

    `emit(..., to=sids)` also encodes once, but then creates one asyncio task per socket and waits for all of them:
    at 500 tabs per process that bookkeeping cost about as much as the sockets' own writes. Queueing a packet on an
    Engine.IO socket does not suspend (its queue is unbounded), so a plain loop does the same work without the tasks;
    each socket's writer task still sends in order.
    """
    server = namespace.server
    frame = server.packet_class(socketio_packet.EVENT, namespace=namespace.namespace,
                                data=[str(rx.constants.SocketEvent.EVENT), update]).encode()
    packets = [engineio_packet.Packet(engineio_packet.MESSAGE, part)
               for part in (frame if isinstance(frame, list) else [frame])]
    for sid in sids:
        eio_sid = server.manager.eio_sid_from_sid(sid, namespace.namespace)
        if eio_sid is None:
            continue  # disconnected since the tokens were read
        try:
            for pkt in packets:
                await server.eio.send_packet(eio_sid, pkt)
        except Exception:  # one broken socket must not cost the other tabs their push
            log.warning("live push to one socket failed", exc_info=True)


async def _push(app: rx.App, change: live.TicketChange) -> None:
    namespace = app.event_namespace
    if namespace is None:
        return
    local = namespace._token_manager
    tokens = watchers.tokens_for(change)
    base = _push_delta(change, len(tokens))
    # A change to the queues' tools (saved views, macros) moves no rows: every queue tab re-reads its lists itself.
    views = {} if change.kind == live.QUEUE_TOOLS_KIND else await _view_deltas(change, tokens)
    recipients: dict[str, list[str]] = defaultdict(list)  # update key ("" = version only) -> socket ids
    for token in tokens:
        record = local.token_to_socket.get(token)
        if record is None or record.instance_id != local.instance_id:
            watchers.forget(token)  # the tab closed or moved to another replica; it re-registers there
            continue
        view = watchers.queue_views.get(token)
        recipients[view.key if view is not None and view.key in views else ""].append(record.sid)
    for key, sids in recipients.items():
        update = StateUpdate(delta=base | views[key]) if key else StateUpdate(delta=base)
        try:
            await _send_to_all(namespace, update, sids)
        except Exception:
            log.warning("live push failed", exc_info=True)
    await asyncio.sleep(0)


async def _push_bells(app: rx.App, user_ids: tuple[int, ...], ping: int) -> None:
    namespace = app.event_namespace
    if namespace is None:
        return
    local = namespace._token_manager
    sids = []
    for user_id in user_ids:
        for token in list(watchers.bell.get(user_id, ())):
            record = local.token_to_socket.get(token)
            if record is None or record.instance_id != local.instance_id:
                watchers.forget_bell(token, user_id)
                continue
            sids.append(record.sid)
    if sids:
        delta = {BellPing.get_full_name(): {f"ping{FIELD_MARKER}": ping}}
        try:
            await namespace.emit(str(rx.constants.SocketEvent.EVENT), StateUpdate(delta=delta), to=sids)
        except Exception:
            log.warning("live bell push failed", exc_info=True)


async def apply_bus_entries(app: rx.App) -> None:
    """Lifespan task of every web process: follow the bus and push each entry to local tabs."""
    client = aioredis.from_url(get_settings().redis_url, decode_responses=True)
    stream, bells = live.stream_key(), live.notifications_stream_key()
    last_ids = {stream: "$", bells: "$"}
    while True:
        if last_ids[bells] == "$":
            # From the bell stream's current end: "$" on every call would skip entries added between two reads.
            try:
                newest = await client.xrevrange(bells, count=1)
                last_ids[bells] = newest[0][0] if newest else "0-0"
            except Exception:
                log.warning("live bus: could not read the notification stream's end", exc_info=True)
                await asyncio.sleep(1)
                continue
        try:
            entries = await client.xread(last_ids, count=200, block=2000)
            for name, messages in entries or []:
                for entry_id, fields in messages:
                    last_ids[name] = entry_id
                    try:
                        if name == bells:
                            # From the entry's id (ms-sequence): always larger than any ping a tab saw before.
                            millis, sequence = (int(part) for part in entry_id.split("-"))
                            await _push_bells(app, live.notified_users(fields), millis * 1000 + sequence % 1000)
                        else:
                            await _push(app, live.TicketChange.from_fields(fields))
                    except Exception:
                        log.exception("could not push live entry %s", entry_id)
        except asyncio.CancelledError:
            await client.aclose()
            raise
        except Exception:
            # Redis restarting: tabs will see a version gap (or a fresh hydrate) and reload.
            log.warning("live bus reader failed; retrying", exc_info=True)
            await asyncio.sleep(1)


PRESENCE_STALE_SECONDS = 35  # heartbeats come every 10 s; three missed ones and the viewer is gone
TYPING_SECONDS = 6


def viewer_id(client_token: str) -> str:
    """A stable, non-secret id for one browser tab (the Reflex token itself must stay private)."""
    return hashlib.sha256(client_token.encode()).hexdigest()[:16]


class TicketRoom(rx.SharedState):
    """One ticket: a change counter and who of the IT team is looking at it or typing a reply."""

    viewers: list[dict[str, str]] = []

    def _ticket_id(self) -> int | None:
        raw = str(self.router.page.params.get("ticket_id", ""))
        return as_id(raw, big=True)

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


def visible_change(session_state: SessionState, ticket_id: int) -> bool:
    """Whether the signed-in person may see this ticket at all (guards every live refresh)."""
    try:
        return session_state._run(lambda session, actor: tickets.can_read(actor, tickets.get_for(session, actor,
                                                                                                   ticket_id)))
    except DomainError:
        return False


async def _let_go_on_sign_out(session_state: SessionState) -> None:
    """Signing out: this tab stops getting live pushes and leaves the ticket's presence room it was in."""
    watchers.forget(session_state.router.session.client_token)
    room = await session_state.get_state(TicketRoom)
    if room._linked_to:
        await room._leave_current()
    # Reflex's unlink drops the link from the tab's root state in place, which is not saved: assigned anew, the
    # tab's next page load (the sign-in page, then the next person's pages) is no longer in the room.
    root = session_state._get_root_state()
    links = dict(root._reflex_internal_links or {})
    if links.pop(TicketRoom.get_full_name(), None) is not None:
        root._reflex_internal_links = links


sign_out_hooks.append(_let_go_on_sign_out)
