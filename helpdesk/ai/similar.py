"""Similar tickets for an agent's ticket page: open ones, recently resolved ones (with how they were resolved),
and a likely duplicate to merge.

How similarity is measured (PostgreSQL only, no model):
- Full text: `tickets.search_vector` (migration 0009: title weight A, description weight B, English stemming, a
  stored generated column with a GIN index). The query is an OR of the ticket's own most telling lexemes (every
  title word, then the description's most repeated words), so a candidate needs to share only some words.
  `ts_rank` of a candidate is divided by the rank of the ticket against its own query, which turns it into a
  0..1 "how much of this ticket's text the other one covers" (a near-identical ticket scores about 1).
- Title: pg_trgm `similarity(title, title)`, which survives typos and word-order changes the stemmer cannot see,
  and finds title-only matches through the existing trigram index even when no lexeme is shared.
- score = 0.5 * text + 0.5 * title, both in 0..1.

Candidates come from both indexes (at most CANDIDATES each), already restricted to what the asking person may
read (services/tickets.visible_to), so a ticket someone may not read never shows, even as a count.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations

from sqlalchemy import ColumnElement, Float, Row, and_, bindparam, cast, func, literal_column, or_, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlmodel import Session, select

from helpdesk.core.errors import NotFound
from helpdesk.identity.actor import Actor
from helpdesk.models import OPEN_STATUSES, Role, Status, Ticket
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets

RESOLVED_WINDOW_DAYS = 180  # resolved tickets older than this rarely describe how things are done now
CANDIDATES = 20  # per list (open, resolved) before scoring; the lists shown are shorter
TRIGRAM_FALLBACK_BELOW = 5  # full-text candidates below which similar titles are looked up as well
MAX_QUERY_LEXEMES = 8  # more words match more rows (slower) without finding better neighbours
DEFAULT_LIMIT = 5  # per list (open, resolved)
MIN_SCORE = 0.15  # below this a "similar" ticket shares a word or two by chance (see tests)
RESOLUTION_SNIPPET_CHARS = 240

# A likely duplicate: an open ticket filed shortly before this one, by the same requester and fairly similar, or by
# anyone and nearly identical. The thresholds come from tests/integration/ai/test_similar_tickets.py: a requester's
# second, differently worded report of one problem scored 0.41-0.60 there (0.57 from someone else, too low to be
# sure without the same requester), their different problem in the same area (VPN drops / VPN access for a
# contractor) below 0.15, and a word-for-word copy 1.0.
DUPLICATE_WINDOW = timedelta(days=3)
DUPLICATE_SAME_REQUESTER_SCORE = 0.35
DUPLICATE_ANYONE_SCORE = 0.8

_SEARCH_VECTOR = literal_column("tickets.search_vector")
_OPEN = [s.value for s in OPEN_STATUSES]
_WHITESPACE = re.compile(r"\s+")


@dataclass
class SimilarTicket:
    id: int
    number: int
    title: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    requester_id: int
    score: float
    text_score: float
    title_score: float
    resolution: str = ""  # the last public IT reply before it was resolved, shortened (resolved ones only)


@dataclass
class Duplicate:
    """The ticket this one probably duplicates; `can_merge` says whether the asking agent may merge the two."""

    ticket: SimilarTicket
    same_requester: bool
    can_merge: bool


@dataclass
class SimilarTickets:
    ticket_id: int
    open: list[SimilarTicket] = field(default_factory=list)
    resolved: list[SimilarTicket] = field(default_factory=list)
    duplicate: Duplicate | None = None


def _query_lexemes(session: Session, ticket_id: int) -> list[str]:
    """The ticket's title lexemes first, then its description's most repeated ones."""
    rows = session.execute(
        text("""
            SELECT v.lexeme, 'A' = ANY(v.weights) AS in_title, cardinality(v.positions) AS occurrences
            FROM tickets t, unnest(t.search_vector) AS v
            WHERE t.id = :ticket_id AND length(v.lexeme) > 1
            ORDER BY in_title DESC, occurrences DESC, v.lexeme
            LIMIT :limit
        """),
        {"ticket_id": ticket_id, "limit": MAX_QUERY_LEXEMES},
    ).all()
    return [row.lexeme for row in rows]


# Per database URL: (read at, {lexeme: share of tickets containing it}) from the planner's statistics.
_lexeme_frequencies: dict[str, tuple[float, dict[str, float]]] = {}
FREQUENCIES_MAX_AGE_SECONDS = 600
MATCH_LEXEMES = 5  # the rarest words of the query a candidate must share two of


def _common_lexemes(session: Session) -> dict[str, float]:
    """The most common lexemes of all tickets and the share of tickets holding each, from ANALYZE's statistics
    (ts_typanalyze keeps about a thousand): free document frequencies, refreshed by autovacuum."""
    url = str(session.get_bind().url)
    cached = _lexeme_frequencies.get(url)
    if cached is not None and time.monotonic() - cached[0] < FREQUENCIES_MAX_AGE_SECONDS:
        return cached[1]
    row = session.execute(text(
        "SELECT most_common_elems::text::text[] AS lexemes, most_common_elem_freqs AS shares FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = 'tickets' AND attname = 'search_vector'"
    )).first()
    frequencies = dict(zip(row.lexemes, row.shares, strict=False)) if row and row.lexemes else {}
    _lexeme_frequencies[url] = (time.monotonic(), frequencies)
    return frequencies


def _quoted(lexeme: str) -> str:
    # Lexemes are already stemmed; quoted and cast (not parsed again) they match the stored vector exactly.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _or_query(lexemes: list[str]) -> str:
    """Any of the words: what ranking scores against."""
    return " | ".join(_quoted(lexeme) for lexeme in lexemes)


def _pairs_query(lexemes: list[str]) -> str:
    """At least two of the words: what a candidate must match.

    One shared common word ("laptop", "error") matches a third of a large helpdesk, and fetching and ranking all
    of those rows is what makes an OR query slow; two shared telling words is what "similar" means anyway. The
    caller passes the rarest few words: every extra word adds pairs the index has to check.
    """
    if len(lexemes) < 2:
        return _or_query(lexemes)
    return " | ".join(f"({_quoted(a)} & {_quoted(b)})" for a, b in combinations(lexemes, 2))


def _shorten(body: str, limit: int = RESOLUTION_SNIPPET_CHARS) -> str:
    flat = _WHITESPACE.sub(" ", body).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def _resolutions(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """For each resolved ticket: the last public reply from IT (not the requester) before it was resolved."""
    if not ticket_ids:
        return {}
    rows = session.execute(
        text("""
            SELECT DISTINCT ON (c.ticket_id) c.ticket_id, c.body
            FROM comments c
            JOIN tickets t ON t.id = c.ticket_id
            JOIN users u ON u.id = c.author_id
            WHERE c.ticket_id = ANY(:ids) AND NOT c.is_internal AND u.role <> :requester
              AND c.author_id <> t.requester_id AND c.created_at <= coalesce(t.resolved_at, now())
            ORDER BY c.ticket_id, c.created_at DESC, c.id DESC
        """),
        {"ids": ticket_ids, "requester": Role.REQUESTER.value},
    ).all()
    return {row.ticket_id: _shorten(row.body) for row in rows}


def _eligible(actor: Actor, ticket: Ticket, since: datetime) -> ColumnElement[bool]:
    return and_(
        Ticket.id != ticket.id,
        Ticket.merged_into_id.is_(None),  # a merged duplicate's conversation lives on its target
        or_(
            Ticket.status.in_(_OPEN),
            and_(Ticket.status.in_([Status.RESOLVED.value, Status.CLOSED.value]), Ticket.resolved_at >= since),
        ),
        tickets.visible_to(actor),
    )


def _ranked(session: Session, ticket: Ticket, condition: ColumnElement[bool], rank: ColumnElement[float]) -> list[Row]:
    """The best CANDIDATES open and the best CANDIDATES resolved tickets meeting `condition`, by `rank`.

    One index scan serves both lists (a window per group); the title similarity is computed for the kept rows only.
    """
    is_open = Ticket.status.in_(_OPEN)
    inner = (
        select(Ticket.id, Ticket.number, Ticket.title, Ticket.status, Ticket.created_at, Ticket.resolved_at,
               Ticket.requester_id, rank.label("text_rank"),
               func.row_number().over(partition_by=is_open, order_by=(rank.desc(), Ticket.id.desc())).label("place"))
        .where(condition)
        .subquery()
    )
    return list(session.execute(
        select(inner.c.id, inner.c.number, inner.c.title, inner.c.status, inner.c.created_at, inner.c.resolved_at,
               inner.c.requester_id, inner.c.text_rank,
               func.similarity(inner.c.title, ticket.title).label("title_sim"))
        .where(inner.c.place <= CANDIDATES)
    ).all())


def _candidates(
    session: Session, actor: Actor, ticket: Ticket, lexemes: list[str], since: datetime
) -> list[SimilarTicket]:
    """Tickets sharing words (or, failing that, a similar title) with `ticket`, scored, best first."""
    eligible = _eligible(actor, ticket, since)
    rows: list[Row] = []
    own_rank = 0.0
    if lexemes:
        any_word = cast(bindparam("any_word", _or_query(lexemes)), TSQUERY)
        frequencies = _common_lexemes(session)
        rarest = sorted(lexemes, key=lambda lexeme: frequencies.get(lexeme, 0.0))[:MATCH_LEXEMES]
        two_words = cast(bindparam("two_words", _pairs_query(rarest)), TSQUERY)
        own_rank = float(session.execute(
            select(func.ts_rank(_SEARCH_VECTOR, any_word)).where(Ticket.id == ticket.id)
        ).scalar_one())
        rows = _ranked(session, ticket, and_(eligible, _SEARCH_VECTOR.op("@@")(two_words)),
                       func.ts_rank(_SEARCH_VECTOR, any_word))
    if len(rows) < TRIGRAM_FALLBACK_BELOW:
        # Few shared words (a short or misspelt ticket): look for similar titles too. `%` is pg_trgm's similarity
        # operator (threshold 0.3), answered by idx_tickets_title_trgm. Not done always: on a large helpdesk a
        # common title's trigrams match thousands of rows, which costs more than everything else here together.
        rank = (func.ts_rank(_SEARCH_VECTOR, cast(bindparam("any_word", _or_query(lexemes)), TSQUERY))
                if lexemes else literal_column("0.0", Float))
        seen = {row.id for row in rows}
        rows += [row for row in _ranked(session, ticket, and_(eligible, Ticket.title.op("%")(ticket.title)), rank)
                 if row.id not in seen]
    found = []
    for row in rows:
        text_score = min(1.0, float(row.text_rank) / own_rank) if own_rank > 0 else 0.0
        title_score = float(row.title_sim)
        found.append(SimilarTicket(
            id=row.id, number=row.number, title=row.title, status=row.status, created_at=row.created_at,
            resolved_at=row.resolved_at, requester_id=row.requester_id,
            score=round(0.5 * text_score + 0.5 * title_score, 4), text_score=round(text_score, 4),
            title_score=round(title_score, 4),
        ))
    found.sort(key=lambda s: (-s.score, -s.id))
    return found


def _likely_duplicate(actor: Actor, ticket: Ticket, found: list[SimilarTicket],
                      session: Session) -> Duplicate | None:
    if ticket.status not in _OPEN or ticket.merged_into_id is not None:
        return None
    for candidate in found:  # best first
        if candidate.status not in _OPEN:
            continue
        # Only an earlier ticket: the newer report is the one merged away, so the flag shows on the newer ticket.
        earlier = (candidate.created_at, candidate.id) < (ticket.created_at, ticket.id)
        if not earlier or ticket.created_at - candidate.created_at > DUPLICATE_WINDOW:
            continue
        same_requester = candidate.requester_id == ticket.requester_id
        threshold = DUPLICATE_SAME_REQUESTER_SCORE if same_requester else DUPLICATE_ANYONE_SCORE
        if candidate.score >= threshold:
            target = session.get(Ticket, candidate.id)
            can_merge = target is not None and tickets.can_work(actor, ticket) and tickets.can_work(actor, target)
            return Duplicate(ticket=candidate, same_requester=same_requester, can_merge=can_merge)
    return None


def similar_tickets(
    session: Session, actor: Actor, ticket_id: int, *, limit: int = DEFAULT_LIMIT, now: datetime | None = None
) -> SimilarTickets:
    """The tickets most like `ticket_id` that the actor may read, split into open and recently resolved.

    IT staff and managers only: to anyone else (requesters, or an agent who merely follows the ticket) the
    ticket is "not found", as through every other agent-only door.
    """
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.sees_internal_notes(actor, ticket) or actor.role == Role.REQUESTER:
        raise NotFound("Ticket not found.")
    limit = max(1, min(limit, 20))
    now = now or utcnow()
    lexemes = _query_lexemes(session, ticket.id)
    found = _candidates(session, actor, ticket, lexemes, now - timedelta(days=RESOLVED_WINDOW_DAYS))
    found = [s for s in found if s.score >= MIN_SCORE]
    result = SimilarTickets(
        ticket_id=ticket.id,
        open=[s for s in found if s.status in _OPEN][:limit],
        resolved=[s for s in found if s.status not in _OPEN][:limit],
        duplicate=_likely_duplicate(actor, ticket, found, session),
    )
    resolutions = _resolutions(session, [s.id for s in result.resolved])
    for similar in result.resolved:
        similar.resolution = resolutions.get(similar.id, "")
    return result
