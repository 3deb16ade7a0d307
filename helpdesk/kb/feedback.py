"""What readers tell us about an article: how often it is read and whether it helped (one vote per person)."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.core.errors import Conflict
from helpdesk.identity.actor import Actor
from helpdesk.kb.articles import get_by_id
from helpdesk.models import ArticleStatus, KbArticle, KbVote
from helpdesk.models.base import utcnow


def record_view(session: Session, actor: Actor, article_id: int) -> None:
    """Counts one reading of a published article (staff previewing a draft are not readers)."""
    article = get_by_id(session, actor, article_id)
    if article.status != ArticleStatus.PUBLISHED:
        return
    # One UPDATE, so concurrent readers never overwrite each other's count.
    session.execute(text("UPDATE kb_articles SET view_count = view_count + 1 WHERE id = :id"), {"id": article_id})
    session.expire(article, ["view_count"])


def vote(session: Session, actor: Actor, article_id: int, helpful: bool) -> KbArticle:
    """Records (or changes) the actor's one vote; the article's counters always equal its votes."""
    # The row lock orders concurrent votes on one article, so each recount sees the votes before it.
    article = get_by_id(session, actor, article_id, lock=True)
    if article.status != ArticleStatus.PUBLISHED:
        raise Conflict("Only published articles can be voted on.")
    now = utcnow()
    session.execute(
        text("INSERT INTO kb_votes (article_id, user_id, helpful, created_at, updated_at)"
             " VALUES (:article_id, :user_id, :helpful, :now, :now)"
             " ON CONFLICT (article_id, user_id)"
             " DO UPDATE SET helpful = EXCLUDED.helpful, updated_at = EXCLUDED.updated_at"
             " WHERE kb_votes.helpful IS DISTINCT FROM EXCLUDED.helpful"),
        {"article_id": article_id, "user_id": actor.user_id, "helpful": helpful, "now": now},
    )
    session.execute(
        text("UPDATE kb_articles SET"
             " helpful_yes = (SELECT count(*) FROM kb_votes WHERE article_id = :id AND helpful),"
             " helpful_no = (SELECT count(*) FROM kb_votes WHERE article_id = :id AND NOT helpful)"
             " WHERE id = :id"),
        {"id": article_id},
    )
    session.refresh(article)
    return article


def vote_of(session: Session, actor: Actor, article_id: int) -> bool | None:
    existing = session.get(KbVote, (article_id, actor.user_id))
    return existing.helpful if existing else None
