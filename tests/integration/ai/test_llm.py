"""The optional LLM provider against a small local server speaking the OpenAI chat API."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlmodel import select

from helpdesk.ai import llm
from helpdesk.core import settings
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.models import LlmCall
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft
from tests.factories import Org, draft
from tests.llm_server import REPLY_TEXT, SUMMARY_TEXT, FakeLlm

SECRET_NOTE = "Internal: requester is on a performance plan, keep this between us."


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLlm]:
    server = FakeLlm().start()
    yield server
    server.stop()


@pytest.fixture
def llm_on(fake_llm: FakeLlm) -> Iterator[FakeLlm]:
    fake_llm.reset()
    os.environ.update({"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": "tiny-test-model",
                       "LLM_API_KEY": "sk-test-123", "LLM_TIMEOUT_SECONDS": "1"})
    settings.reset_settings_cache()
    yield fake_llm
    for name in ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "LLM_TIMEOUT_SECONDS"):
        os.environ.pop(name, None)
    settings.reset_settings_cache()


def thread(org: Org) -> int:
    """A Hardware ticket with a public reply from IT, the requester's answer and an internal note."""
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="Laptop will not charge", description="The charging light stays off with my usual adapter.",
            category_id=org.hardware)).id
    for author, body, internal in ((org.hank, "Which adapter model do you use?", False),
                                   (org.alice, "It is the 65W USB-C one.", False),
                                   (org.hank, SECRET_NOTE, True)):
        with session_scope() as session:
            conversation.add_comment(session, org.actor(author), ticket_id,
                                     CommentDraft(body=body, internal=internal))
    return ticket_id


def calls() -> list[LlmCall]:
    with session_scope() as session:
        return list(session.exec(select(LlmCall).order_by(LlmCall.id)).all())


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_summary_and_suggested_reply_with_token_accounting(org: Org, llm_on: FakeLlm) -> None:
    ticket_id = thread(org)
    tokens_before = sample("helpdesk_llm_tokens_total", purpose="summary", kind="prompt")

    summary = llm.summarise_thread(org.actor(org.hank), ticket_id)
    assert summary.text == SUMMARY_TEXT and summary.model == "tiny-test-model"
    sent = llm_on.requests[-1]
    assert sent["model"] == "tiny-test-model" and sent["messages"][0]["role"] == "system"
    assert llm_on.headers[-1]["Authorization"] == "Bearer sk-test-123"
    prompt = sent["messages"][1]["content"]
    # The summary is for the agent: the whole thread they may read, internal note included and marked.
    assert "Laptop will not charge" in prompt and "65W USB-C" in prompt
    assert "internal note by Hank Hardware (IT)" in prompt and SECRET_NOTE in prompt

    reply = llm.suggest_reply(org.actor(org.hank), ticket_id)
    assert reply.text == REPLY_TEXT
    reply_prompt = llm_on.requests[-1]["messages"][1]["content"]
    # The reply goes to the requester: the prompt holds the public conversation only.
    assert "65W USB-C" in reply_prompt and SECRET_NOTE not in reply_prompt and "performance plan" not in reply_prompt

    recorded = calls()
    assert [(c.purpose, c.ticket_id, c.actor_id, c.error) for c in recorded] == [
        ("summary", ticket_id, org.hank, None), ("reply", ticket_id, org.hank, None)]
    assert (recorded[0].prompt_tokens, recorded[0].completion_tokens, recorded[0].total_tokens) == (
        summary.prompt_tokens, summary.completion_tokens, summary.total_tokens)
    assert recorded[0].prompt_tokens > 20 and recorded[0].total_tokens == recorded[0].prompt_tokens + len(
        SUMMARY_TEXT.split())
    assert recorded[1].prompt_tokens < recorded[0].prompt_tokens  # no internal note in the reply's prompt

    with session_scope() as session:
        usage = llm.llm_usage_summary(session, None)
    assert usage["calls"] == 2 and usage["errors"] == 0 and usage["model"] == "tiny-test-model"
    assert usage["total_tokens"] == summary.total_tokens + reply.total_tokens
    assert usage["per_purpose"]["summary"]["prompt_tokens"] == summary.prompt_tokens
    assert usage["per_purpose"]["reply"]["completion_tokens"] == reply.completion_tokens
    assert sample("helpdesk_llm_tokens_total", purpose="summary", kind="prompt") == tokens_before + \
        summary.prompt_tokens


def test_provider_errors_give_a_clear_message_and_are_counted(org: Org, llm_on: FakeLlm) -> None:
    ticket_id = thread(org)
    llm_on.status = 500
    with pytest.raises(llm.LlmUnavailable, match=r"answered with an error \(HTTP 500\)"):
        llm.summarise_thread(org.actor(org.hank), ticket_id)
    llm_on.status, llm_on.delay_seconds = 200, 2.5  # the client gives up after LLM_TIMEOUT_SECONDS=1
    with pytest.raises(llm.LlmUnavailable, match="did not answer within 1 seconds"):
        llm.suggest_reply(org.actor(org.hank), ticket_id)
    recorded = calls()
    assert [(c.purpose, c.total_tokens) for c in recorded] == [("summary", 0), ("reply", 0)]
    assert "HTTP 500" in recorded[0].error and "did not answer" in recorded[1].error
    assert recorded[1].latency_ms >= 900
    with session_scope() as session:
        usage = llm.llm_usage_summary(session, None)
    assert usage["calls"] == 2 and usage["errors"] == 2 and usage["total_tokens"] == 0
    # The ticket is untouched: no comment was written by a failed call.
    with session_scope() as session:
        assert len(conversation.list_comments(session, org.actor(org.hank), ticket_id)) == 3


def test_only_agents_who_read_the_ticket_may_ask(org: Org, llm_on: FakeLlm) -> None:
    ticket_id = thread(org)
    for outsider in (org.alice, org.bob, org.ada):  # the requester, another requester, an agent of another team
        with pytest.raises(NotFound):
            llm.summarise_thread(org.actor(outsider), ticket_id)
        with pytest.raises(NotFound):
            llm.suggest_reply(org.actor(outsider), ticket_id)
    with pytest.raises(PermissionDenied):  # managers read every ticket but do not work them
        llm.summarise_thread(org.actor(org.mona), ticket_id)
    assert llm_on.requests == [] and calls() == []
    assert llm.summarise_thread(org.actor(org.root), ticket_id).text == SUMMARY_TEXT  # admins work every ticket


def test_without_a_base_url_nothing_is_called(org: Org, fake_llm: FakeLlm) -> None:
    fake_llm.reset()
    settings.reset_settings_cache()
    assert settings.get_settings().llm_base_url == "" and not llm.is_enabled()
    ticket_id = thread(org)
    with pytest.raises(llm.LlmNotConfigured):
        llm.summarise_thread(org.actor(org.hank), ticket_id)
    with pytest.raises(llm.LlmNotConfigured):
        llm.suggest_reply(org.actor(org.hank), ticket_id)
    assert fake_llm.requests == [] and calls() == []
    with session_scope() as session:
        assert llm.llm_usage_summary(session, None) == {}  # what the AI metrics page shows as "not configured"
