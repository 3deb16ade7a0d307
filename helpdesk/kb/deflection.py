"""Ticket deflection: suggesting published articles to someone writing a ticket, and recording what the
suggestion panel showed and whether it solved the problem or a ticket was filed anyway.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session

from helpdesk.core.bounds import MULTI_LINE, BigId, Id
from helpdesk.core.errors import NotFound, ValidationFailed
from helpdesk.core.validation import parse
from helpdesk.identity.actor import Actor
from helpdesk.kb import search as kb_search
from helpdesk.kb.articles import readable_statuses
from helpdesk.kb.search import SearchResult
from helpdesk.models import ArticleStatus, DeflectionOutcome, KbArticle, KbDeflection
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets


class DeflectionReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    article_id: Id | None = None
    outcome: DeflectionOutcome
    shown_article_ids: list[Id] = Field(default_factory=list, max_length=50)
    ticket_id: BigId | None = None


SUGGESTION_RELATIVE_CUTOFF = 0.25


def suggest_for_ticket_draft(session: Session, actor: Actor, title: str, description: str,
                             limit: int = 5) -> list[SearchResult]:
    """Published articles that may answer a ticket being written (the form's deflection panel).

    Any shared word makes an article a candidate, so weak ones (under a quarter of the best
    score) are dropped: a panel of near-misses teaches people to ignore it.
    """
    found = kb_search.suggest(session, title, description, [ArticleStatus.PUBLISHED.value], limit=limit)
    if not found:
        return []
    best = found[0].score
    return [result for result in found if result.score >= best * SUGGESTION_RELATIVE_CUTOFF]


def record_deflection(
    session: Session,
    actor: Actor,
    query: str,
    article_id: int | None,
    outcome: str,
    shown_ids: list[int],
    ticket_id: int | None = None,
) -> KbDeflection:
    """What the suggestion panel showed and whether it solved the problem ('solved') or a ticket followed."""
    report = parse(DeflectionReport, {"query": query, "article_id": article_id, "outcome": outcome,
                                      "shown_article_ids": shown_ids, "ticket_id": ticket_id})
    errors: dict[str, str] = {}
    if report.outcome == DeflectionOutcome.SOLVED:
        if report.article_id is None:
            errors["article_id"] = "Say which article solved the problem."
        if report.ticket_id is not None:
            errors["ticket_id"] = "A solved question has no ticket."
    if report.article_id is not None:
        article = session.get(KbArticle, report.article_id)
        if article is None or article.status not in readable_statuses(actor):
            errors["article_id"] = "Choose an article from the suggestions."
    if report.ticket_id is not None and "ticket_id" not in errors:
        try:
            tickets.get_for(session, actor, report.ticket_id)
        except NotFound:
            errors["ticket_id"] = "Choose one of your tickets."
    if errors:
        raise ValidationFailed(errors)
    deflection = KbDeflection(
        user_id=actor.user_id, query=report.query, article_id=report.article_id, outcome=report.outcome.value,
        ticket_id=report.ticket_id, shown_article_ids=list(dict.fromkeys(report.shown_article_ids)),
        created_at=utcnow(),
    )
    session.add(deflection)
    session.flush()
    return deflection
