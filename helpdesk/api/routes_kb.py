"""REST API v1 knowledge base: search, read, write, publish, vote, and the ticket form's deflection reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict

from helpdesk.api import uploads
from helpdesk.api.deps import CurrentActor, DbSession, ReadSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut, file_response
from helpdesk.core.bounds import BigId, Id, Name, QueryText
from helpdesk.kb import articles as kb
from helpdesk.kb import attachments as kb_attachments
from helpdesk.kb import deflection as kb_deflection
from helpdesk.kb import feedback as kb_feedback
from helpdesk.kb.articles import ArticleChanges, ArticleDraft
from helpdesk.kb.deflection import DeflectionReport
from helpdesk.models import KbArticle
from helpdesk.tickets import limits

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1/kb", tags=["knowledge base"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut},
          422: {"model": ErrorOut}}


class SearchResultOut(BaseModel):
    id: int
    title: str
    slug: str
    summary: str
    status: str
    snippet: str  # HTML: escaped text, matches wrapped in <mark>
    score: float


class ArticleOut(BaseModel):
    id: int
    title: str
    slug: str
    summary: str
    body_markdown: str
    body_html: str  # sanitised on write; safe to insert as HTML
    category_id: int | None
    tags: list[str]
    status: str
    featured: bool
    author_id: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    view_count: int
    helpful_yes: int
    helpful_no: int
    my_vote: bool | None = None


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helpful: bool


class DeflectionOut(BaseModel):
    id: int
    outcome: str
    article_id: int | None
    ticket_id: int | None
    shown_article_ids: list[int]
    created_at: datetime


def _article_out(session: DbSession, actor: CurrentActor, article: KbArticle) -> ArticleOut:
    session.flush()
    session.refresh(article)
    fields = article.model_dump(exclude={"search_vector"})
    return ArticleOut(**fields, my_vote=kb_feedback.vote_of(session, actor, article.id))


@router.get("/search", response_model=list[SearchResultOut], responses=ERRORS)
def search(
    session: ReadSession,
    actor: CurrentActor,
    q: Annotated[QueryText, Query(min_length=1)],
    category_id: Id | None = None,
    limit: int = Query(default=10, ge=1, le=50),
) -> list[SearchResultOut]:
    """Best matches first; requesters find published articles only."""
    return [SearchResultOut(**r.to_dict()) for r in kb.search(session, actor, q, category_id=category_id, limit=limit)]


@router.get("/articles/{slug}", response_model=ArticleOut, responses=ERRORS)
def get_article(slug: Name, session: DbSession, actor: CurrentActor) -> ArticleOut:
    """Reading a published article counts as one view."""
    article = kb.get_by_slug(session, actor, slug)
    kb_feedback.record_view(session, actor, article.id)
    return _article_out(session, actor, article)


@router.post("/articles", status_code=201, response_model=ArticleOut, responses=ERRORS)
def create_article(body: ArticleDraft, session: DbSession, actor: CurrentActor) -> ArticleOut:
    return _article_out(session, actor, kb.create_article(session, actor, body))


@router.patch("/articles/{article_id}", response_model=ArticleOut, responses=ERRORS)
def update_article(article_id: Id, body: ArticleChanges, session: DbSession, actor: CurrentActor) -> ArticleOut:
    return _article_out(session, actor, kb.update_article(session, actor, article_id, body))


@router.post("/articles/{article_id}/publish", response_model=ArticleOut, responses=ERRORS)
def publish_article(article_id: Id, session: DbSession, actor: CurrentActor) -> ArticleOut:
    return _article_out(session, actor, kb.publish_article(session, actor, article_id))


@router.post("/articles/{article_id}/archive", response_model=ArticleOut, responses=ERRORS)
def archive_article(article_id: Id, session: DbSession, actor: CurrentActor) -> ArticleOut:
    return _article_out(session, actor, kb.archive_article(session, actor, article_id))


@router.post("/articles/{article_id}/vote", response_model=ArticleOut, responses=ERRORS)
def vote(article_id: Id, body: VoteRequest, session: DbSession, actor: CurrentActor) -> ArticleOut:
    """The caller's one vote (sending another changes it)."""
    return _article_out(session, actor, kb_feedback.vote(session, actor, article_id, body.helpful))


@router.post("/deflections", status_code=201, response_model=DeflectionOut, responses=ERRORS)
def record_deflection(body: DeflectionReport, session: DbSession, actor: CurrentActor) -> DeflectionOut:
    deflection = kb_deflection.record_deflection(session, actor, body.query, body.article_id, body.outcome.value,
                                                 body.shown_article_ids, body.ticket_id)
    return DeflectionOut(**deflection.model_dump())


class KbAttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime
    url: str
    is_image: bool


@router.get("/articles/{article_id}/attachments", response_model=list[KbAttachmentOut], responses=ERRORS)
def list_attachments(article_id: Id, session: DbSession, actor: CurrentActor) -> list[KbAttachmentOut]:
    return [KbAttachmentOut(**row) for row in kb_attachments.list_attachments(session, actor, article_id)]


@router.post("/articles/{article_id}/attachments", status_code=201, response_model=KbAttachmentOut,
             responses=ERRORS | {400: {"model": ErrorOut}, 413: {"model": ErrorOut}, 429: {"model": ErrorOut}},
             openapi_extra=uploads.FILE_BODY)
async def upload_attachment(article_id: Id, request: Request, session: DbSession,
                            actor: CurrentActor) -> KbAttachmentOut:
    """Images (png, jpg, gif, webp) and documents (pdf, txt, csv, docx, xlsx, pptx, zip), at most 5 MB, as the
    multipart part `file`. Who may, and the rate limit, are checked before the body is read."""

    def check_first() -> None:
        kb.check_may_write(actor)
        kb.get_by_id(session, actor, article_id)
        limits.check_rate(session, actor, limits.Action.UPLOAD)

    await anyio.to_thread.run_sync(check_first)
    async with uploads.one_file(request) as file:
        data = await file.read(kb_attachments.max_bytes() + 1)
    attachment = await anyio.to_thread.run_sync(lambda: kb_attachments.add_attachment(
        session, actor, article_id, file.filename or "attachment", data))
    row = next(r for r in kb_attachments.list_attachments(session, actor, article_id) if r["id"] == attachment.id)
    return KbAttachmentOut(**row)


@router.get("/attachments/{attachment_id}", response_class=Response, responses=ERRORS | {200: file_response(
    "An image inline, any other file as a download.", *sorted(set(kb_attachments.IMAGE_TYPES.values())),
    "application/octet-stream")})
def download_attachment(attachment_id: BigId, session: DbSession, actor: CurrentActor) -> Response:
    """Images are shown inline (for articles' Markdown images); any other file is always a download."""
    attachment, data = kb_attachments.read_attachment(session, actor, attachment_id)
    inline = kb_attachments.is_image(attachment.content_type)
    return Response(
        data,
        media_type=attachment.content_type if inline else "application/octet-stream",
        headers={
            "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{attachment.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=300",
        },
    )


@router.delete("/attachments/{attachment_id}", status_code=204, responses=ERRORS)
def delete_attachment(attachment_id: BigId, session: DbSession, actor: CurrentActor) -> Response:
    kb_attachments.delete_attachment(session, actor, attachment_id)
    return Response(status_code=204)
