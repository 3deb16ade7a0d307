"""The optional LLM provider: a one-paragraph summary of a ticket's thread and a suggested reply.

Off unless LLM_BASE_URL is set; then it speaks the OpenAI chat format to `{LLM_BASE_URL}/chat/completions` (any
OpenAI-compatible server: OpenAI, vLLM, llama.cpp, Ollama, LiteLLM...). Nothing else in the product needs it.

Decisions:
- Calls run in the web request (the Reflex handler is a background event, so the page stays usable), with
  LLM_TIMEOUT_SECONDS as a hard limit. The agent is waiting for the text, which goes into their reply box; a Celery
  job would add a queue hop and a way back to the page, would sit behind triage jobs on the `ai` queue, and would
  buy no durability worth having: a lost call is one more click. The Prometheus counters then live in the web
  process that serves /metrics.
- The summary is for the agent and may use what the agent may read, internal notes included (marked as such).
  The suggested reply is written for the requester, so its prompt holds only the public conversation: whatever is
  in a prompt can surface in the draft, and an internal note ("on a performance plan", a password an agent pasted)
  must not reach a requester through a draft an agent skimmed.
- Every call is recorded (llm_calls: ticket, purpose, model, tokens from the response's `usage`, latency, error)
  in its own transaction, so failed calls count too, and no database transaction is held open while waiting.
- Errors become LlmUnavailable with a message fit for the agent; the page shows it and carries on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from prometheus_client import Counter, Histogram
from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import DomainError, NotFound, PermissionDenied
from helpdesk.core.settings import get_settings
from helpdesk.identity.actor import Actor
from helpdesk.models import Comment, LlmCall, LlmPurpose, Role, Ticket, User
from helpdesk.tickets import tickets

MAX_THREAD_CHARS = 12000  # about 3,000 tokens: the description and the newest messages that fit
MAX_MESSAGE_CHARS = 3000
SUMMARY_MAX_TOKENS = 300
REPLY_MAX_TOKENS = 400

LLM_CALLS = Counter("helpdesk_llm_calls_total", "Calls to the LLM provider", ["purpose", "outcome"])
LLM_TOKENS = Counter("helpdesk_llm_tokens_total", "Tokens the LLM provider reported", ["purpose", "kind"])
LLM_SECONDS = Histogram("helpdesk_llm_call_duration_seconds", "LLM call duration", ["purpose"],
                        buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60))

SUMMARY_INSTRUCTIONS = (
    "You help IT support agents. Summarise the ticket thread below in ONE paragraph of at most 120 words for an "
    "agent who is picking it up: the problem, what has been tried or asked, where it stands now and what is still "
    "needed. Use only facts from the thread. Plain text, no lists, no headings."
)
REPLY_INSTRUCTIONS = (
    "You draft replies for an IT support agent to send to the employee who filed the ticket below. Write the next "
    "reply from the agent: friendly, concise, practical next steps or a clear question, in plain text, at most 150 "
    "words, no subject line and no signature. Do not promise anything the thread does not support and do not "
    "invent facts, names or links."
)


class LlmUnavailable(DomainError):
    """The provider failed (error status, timeout, unreadable answer); `message` says so for the agent."""


class LlmNotConfigured(NotFound):
    def __init__(self) -> None:
        super().__init__("The AI assistant is not configured.")


@dataclass(frozen=True)
class LlmResult:
    text: str
    purpose: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    latency_ms: float


def is_enabled() -> bool:
    return bool(get_settings().llm_base_url.strip())


# ---------------------------------------------------------------- prompts


def _thread_text(session: Session, ticket: Ticket, *, include_internal: bool) -> str:
    requester = session.get(User, ticket.requester_id)
    query = (select(Comment, User.full_name, User.role).join(User, User.id == Comment.author_id)
             .where(Comment.ticket_id == ticket.id).order_by(Comment.created_at, Comment.id))
    if not include_internal:
        query = query.where(Comment.is_internal.is_(False))
    head = (f"Ticket #{ticket.number}: {ticket.title}\nStatus: {ticket.status}, priority: {ticket.priority}\n"
            f"Filed by {requester.full_name if requester else 'the requester'}:\n"
            f"{ticket.description[:MAX_MESSAGE_CHARS]}")
    messages = []
    for comment, name, role in session.exec(query).all():
        who = f"{name} ({'requester' if role == Role.REQUESTER else 'IT'})"
        kind = "internal note" if comment.is_internal else "reply"
        messages.append(f"--- {kind} by {who}:\n{comment.body[:MAX_MESSAGE_CHARS]}")
    # The newest messages matter most: drop the oldest (never the request itself) until the thread fits.
    kept: list[str] = []
    budget = MAX_THREAD_CHARS - len(head)
    for message in reversed(messages):
        if len(message) + 2 > budget:
            break
        kept.insert(0, message)
        budget -= len(message) + 2
    skipped = len(messages) - len(kept)
    gap = [f"--- ({skipped} earlier messages left out)"] if skipped else []
    return "\n\n".join([head, *gap, *kept])


def _ticket_for(session: Session, actor: Actor, ticket_id: int, purpose: LlmPurpose) -> Ticket:
    """Agents and admins who read the ticket in their own right; a reply also needs the right to reply."""
    if not is_enabled():
        raise LlmNotConfigured()
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.sees_internal_notes(actor, ticket):
        # Requesters and followers: "not found", like every agent-only door.
        raise NotFound("Ticket not found.")
    if not actor.is_staff:
        raise PermissionDenied("Only agents can use the AI assistant.")
    if purpose == LlmPurpose.REPLY and not tickets.can_reply(actor, ticket):
        raise PermissionDenied("You can't reply on this ticket.")
    return ticket


def build_messages(session: Session, actor: Actor, ticket_id: int, purpose: LlmPurpose) -> list[dict[str, str]]:
    """The chat messages for `purpose`, after the permission checks (separate from the call for tests)."""
    ticket = _ticket_for(session, actor, ticket_id, purpose)
    if purpose == LlmPurpose.SUMMARY:
        return [{"role": "system", "content": SUMMARY_INSTRUCTIONS},
                {"role": "user", "content": _thread_text(session, ticket, include_internal=True)}]
    return [{"role": "system", "content": REPLY_INSTRUCTIONS},
            {"role": "user", "content": _thread_text(session, ticket, include_internal=False)}]


# ---------------------------------------------------------------- the call


def _usage_number(usage: dict[str, Any], key: str) -> int:
    value = usage.get(key)
    return int(value) if isinstance(value, int | float) and value >= 0 else 0


def _post(messages: list[dict[str, str]], max_tokens: int) -> tuple[str, dict[str, Any]]:
    settings = get_settings()
    headers = {"Content-Type": "application/json"}
    key = settings.llm_api_key.get_secret_value()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    url = settings.llm_base_url.strip().rstrip("/") + "/chat/completions"
    body = {"model": settings.llm_model, "messages": messages, "temperature": 0.2, "max_tokens": max_tokens}
    timeout = settings.llm_timeout_seconds
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException as exc:
        raise LlmUnavailable(f"The AI service did not answer within {timeout:g} seconds. Try again later.") from exc
    except httpx.HTTPError as exc:
        raise LlmUnavailable("The AI service could not be reached. Try again later.") from exc
    if response.status_code != 200:
        raise LlmUnavailable(f"The AI service answered with an error (HTTP {response.status_code}). "
                             "Try again later.")
    try:
        data = response.json()
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmUnavailable("The AI service sent an answer that could not be read.") from exc
    if not isinstance(content, str) or not content.strip():
        raise LlmUnavailable("The AI service sent an empty answer. Try again.")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return content.strip(), usage


def _record(actor: Actor, ticket_id: int, purpose: LlmPurpose, model: str, usage: dict[str, Any],
            latency_ms: float, error: str | None) -> None:
    prompt, completion = _usage_number(usage, "prompt_tokens"), _usage_number(usage, "completion_tokens")
    total = _usage_number(usage, "total_tokens") or prompt + completion
    with session_scope() as session:
        session.add(LlmCall(ticket_id=ticket_id, actor_id=actor.user_id, purpose=purpose.value, model=model[:120],
                            prompt_tokens=prompt, completion_tokens=completion, total_tokens=total,
                            latency_ms=round(latency_ms, 1), error=error[:500] if error else None))
    LLM_CALLS.labels(purpose.value, "error" if error else "ok").inc()
    LLM_TOKENS.labels(purpose.value, "prompt").inc(prompt)
    LLM_TOKENS.labels(purpose.value, "completion").inc(completion)
    LLM_SECONDS.labels(purpose.value).observe(latency_ms / 1000)


def _complete(actor: Actor, ticket_id: int, purpose: LlmPurpose) -> LlmResult:
    # Read (and check permissions) in a short transaction of its own, then call with no transaction open.
    with session_scope() as session:
        messages = build_messages(session, actor, ticket_id, purpose)
    model = get_settings().llm_model
    started = time.perf_counter()
    try:
        text, usage = _post(messages, SUMMARY_MAX_TOKENS if purpose == LlmPurpose.SUMMARY else REPLY_MAX_TOKENS)
    except LlmUnavailable as exc:
        _record(actor, ticket_id, purpose, model, {}, (time.perf_counter() - started) * 1000, exc.message)
        raise
    latency_ms = (time.perf_counter() - started) * 1000
    _record(actor, ticket_id, purpose, model, usage, latency_ms, None)
    prompt, completion = _usage_number(usage, "prompt_tokens"), _usage_number(usage, "completion_tokens")
    return LlmResult(text=text, purpose=purpose.value, model=model, prompt_tokens=prompt,
                     completion_tokens=completion, total_tokens=_usage_number(usage, "total_tokens") or
                     prompt + completion, latency_ms=round(latency_ms, 1))


def summarise_thread(actor: Actor, ticket_id: int) -> LlmResult:
    """A one-paragraph summary of the ticket's thread, internal notes included (for the agent's eyes)."""
    return _complete(actor, ticket_id, LlmPurpose.SUMMARY)


def suggest_reply(actor: Actor, ticket_id: int) -> LlmResult:
    """A draft of the agent's next public reply, from the public conversation only. Never sent by itself."""
    return _complete(actor, ticket_id, LlmPurpose.REPLY)


# ---------------------------------------------------------------- usage


def llm_usage_summary(session: Session, since: datetime | None = None) -> dict[str, Any]:
    """Token usage and calls since `since` (all time when None), in total and per purpose.

    For the AI metrics page; the caller decides who may see it (as helpdesk.ai.metrics.ai_metrics does for its doors).
    Empty (falsy) when the provider is off and no call was ever recorded in the period: "not configured".
    """
    query = select(
        LlmCall.purpose,
        func.count().label("calls"),
        func.count().filter(LlmCall.error.is_not(None)).label("errors"),
        func.coalesce(func.sum(LlmCall.prompt_tokens), 0).label("prompt_tokens"),
        func.coalesce(func.sum(LlmCall.completion_tokens), 0).label("completion_tokens"),
        func.coalesce(func.sum(LlmCall.total_tokens), 0).label("total_tokens"),
        func.avg(LlmCall.latency_ms).filter(LlmCall.error.is_(None)).label("mean_latency_ms"),
    ).group_by(LlmCall.purpose)
    if since is not None:
        query = query.where(LlmCall.created_at >= since)
    per_purpose = {
        row.purpose: {"calls": row.calls, "errors": row.errors, "prompt_tokens": int(row.prompt_tokens),
                      "completion_tokens": int(row.completion_tokens), "total_tokens": int(row.total_tokens),
                      "mean_latency_ms": round(float(row.mean_latency_ms), 1) if row.mean_latency_ms else None}
        for row in session.exec(query).all()
    }
    totals = {key: sum(p[key] for p in per_purpose.values())
              for key in ("calls", "errors", "prompt_tokens", "completion_tokens", "total_tokens")}
    if not is_enabled() and not totals["calls"]:
        return {}
    return {"enabled": is_enabled(), "model": get_settings().llm_model if is_enabled() else None, "since": since,
            **totals, "per_purpose": per_purpose}
