"""KB semantic search: the pgvector path on the embedded PostgreSQL 18, and the clean lexical fallback on the
default test database (PostgreSQL 15 without pgvector on these machines)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from helpdesk.core.db import session_scope
from helpdesk.kb import articles as kb
from helpdesk.kb import semantic as kb_semantic
from helpdesk.kb.articles import ArticleChanges, ArticleDraft
from tests import conftest as root_conftest
from tests.factories import Org, build_org

ARTICLES = {
    "password": ("Reset a forgotten password on Windows",
                 "Open the self-service portal, choose *Forgot password* and follow the e-mail link."),
    "vpn": ("VPN keeps disconnecting on macOS",
            "Update GlobalProtect, then turn off Wi-Fi power saving in System Settings."),
    "printer": ("Paper jam that will not clear on the HP LaserJet",
                "Open tray 2 and the rear door, pull the jammed page out gently."),
    "mailbox": ("Mailbox full: Outlook storage quota exceeded",
                "Empty Deleted Items and archive old mail to free space in Exchange Online."),
}
# No word of these is in its article (nor a stem of one): only meaning links them.
PARAPHRASES = {"password": "I can't remember my login secret",
               "printer": "sheets stuck inside the copier"}


def write_all(org: Org, *, publish: bool = True) -> dict[str, int]:
    ids = {}
    with session_scope() as session:
        hank = org.actor(org.hank)
        for key, (title, body) in ARTICLES.items():
            article = kb.create_article(session, hank, ArticleDraft(title=title, body_markdown=body))
            if publish:
                kb.publish_article(session, hank, article.id)
            ids[key] = article.id
    return ids


def titles(org: Org, user_id: int, query: str) -> list[str]:
    with session_scope() as session:
        return [r.title for r in kb.search(session, org.actor(user_id), query)]


def has_vector_column() -> bool:
    with session_scope() as session:
        return session.execute(text(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'kb_articles' AND column_name = 'embedding'"
        )).first() is not None


# ---------------------------------------------------------------- the default test database: lexical fallback


@pytest.fixture
def lexical_org(org: Org) -> Iterator[Org]:
    with session_scope() as session:
        session.execute(text("TRUNCATE kb_categories, kb_articles, kb_article_revisions, kb_votes, kb_deflections, "
                             "kb_attachments RESTART IDENTITY CASCADE"))
        vector_offered = session.execute(text(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first() is not None
    if vector_offered:
        pytest.skip("the default test server has pgvector; the fallback is for servers without it")
    kb_semantic.forget_capability()
    yield org


def test_without_pgvector_migration_and_search_stay_lexical(lexical_org: Org) -> None:
    org = lexical_org
    assert not has_vector_column()  # migration 0007 ran (conftest) and did nothing harmful
    with session_scope() as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() >= "0007"
        assert kb_semantic.column_present(session) is False
        assert kb_semantic.enabled(session) is False
    ids = write_all(org)
    with session_scope() as session:  # writes store no vector and raise nothing
        kb.update_article(session, org.actor(org.hank), ids["vpn"], ArticleChanges(body_markdown="Reinstall it."))
    assert titles(org, org.alice, "vpn disconnecting")[0] == "VPN keeps disconnecting on macOS"
    assert titles(org, org.alice, "pasword reset")[0] == "Reset a forgotten password on Windows"
    # Lexical only: a paraphrase sharing no word finds nothing (the semantic path is what finds it).
    assert titles(org, org.alice, PARAPHRASES["password"]) == []


def test_capability_is_detected_once_per_process(lexical_org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    queries: list[str] = []
    with session_scope() as session:
        original = session.execute

        def counting(statement, *args, **kwargs):  # noqa: ANN202
            queries.append(str(statement))
            return original(statement, *args, **kwargs)

        monkeypatch.setattr(session, "execute", counting)
        for _ in range(3):
            kb_semantic.enabled(session)
    assert sum("pg_attribute" in q for q in queries) == 1


# ---------------------------------------------------------------- embedded PostgreSQL 18 with pgvector


@pytest.fixture(scope="module")
def pg18(test_env: root_conftest.TestEnvironment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An embedded PostgreSQL 18 (with pgvector) on a free port in a temporary folder, migrated; the services use
    it for this module's tests and go back to the run's database afterwards."""
    from helpdesk.runtime.bootstrap import migrate_database
    from helpdesk.runtime.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg18"))
    url = server.start()
    saved = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = url
    root_conftest._reset_process_singletons()
    kb_semantic.forget_capability()
    try:
        migrate_database()
        yield url
    finally:
        os.environ["DATABASE_URL"] = saved
        root_conftest._reset_process_singletons()
        kb_semantic.forget_capability()
        server.stop()


@pytest.fixture
def vector_org(pg18: str) -> Org:
    with session_scope() as session:
        session.execute(text("TRUNCATE users, teams, team_memberships, categories, kb_categories, kb_articles, "
                             "kb_article_revisions, kb_votes, kb_deflections, kb_attachments, audit_logs "
                             "RESTART IDENTITY CASCADE"))
    return build_org()


def test_migration_creates_the_vector_column_and_index(vector_org: Org) -> None:
    with session_scope() as session:
        assert session.execute(text("SHOW server_version_num")).scalar() >= "180000"
        assert kb_semantic.enabled(session)
        column = session.execute(text(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 'kb_articles'::regclass AND attname = 'embedding'")).scalar()
        assert column == f"vector({kb_semantic.DIMENSIONS})"
        index = session.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_kb_articles_embedding'")).scalar()
        assert "hnsw" in index and "vector_cosine_ops" in index


def test_a_paraphrase_with_no_shared_word_finds_the_article(vector_org: Org) -> None:
    write_all(vector_org)
    with session_scope() as session:
        assert session.execute(text("SELECT count(*) FROM kb_articles WHERE embedding IS NOT NULL")).scalar() == 4
    for key, question in PARAPHRASES.items():
        assert titles(vector_org, vector_org.alice, question)[0] == ARTICLES[key][0], question
    # Word matches still come first, typos still work.
    assert titles(vector_org, vector_org.alice, "vpn disconnecting")[0] == ARTICLES["vpn"][0]
    assert titles(vector_org, vector_org.alice, "pasword reset")[0] == ARTICLES["password"][0]
    with session_scope() as session:
        result = kb.search(session, vector_org.actor(vector_org.alice), PARAPHRASES["printer"])[0]
        assert result.slug and result.snippet and "<script" not in result.snippet


def test_drafts_stay_hidden_from_requesters_on_the_semantic_path(vector_org: Org) -> None:
    write_all(vector_org, publish=False)
    assert titles(vector_org, vector_org.alice, PARAPHRASES["password"]) == []
    assert titles(vector_org, vector_org.hank, PARAPHRASES["password"])[0] == ARTICLES["password"][0]


def test_embedding_is_written_on_every_change_in_the_same_transaction(vector_org: Org) -> None:
    ids = write_all(vector_org)

    def vector_of(article_id: int) -> str:
        with session_scope() as session:
            return session.execute(text("SELECT embedding::text FROM kb_articles WHERE id = :id"),
                                   {"id": article_id}).scalar()

    before = vector_of(ids["mailbox"])
    with session_scope() as session:
        kb.update_article(session, vector_org.actor(vector_org.hank), ids["mailbox"],
                          ArticleChanges(title="Printer toner is empty", body_markdown="Replace the cartridge."))
    assert vector_of(ids["mailbox"]) != before
    assert titles(vector_org, vector_org.alice, "the copier ran out of ink")[0] == "Printer toner is empty"

    # A failed transaction leaves neither the text nor the vector.
    with pytest.raises(RuntimeError), session_scope() as session:
        kb.create_article(session, vector_org.actor(vector_org.hank),
                          ArticleDraft(title="Rolled back article", body_markdown="Never stored"))
        raise RuntimeError("crash before commit")
    with session_scope() as session:
        assert session.execute(text("SELECT count(*) FROM kb_articles")).scalar() == 4

    # An article without a vector (written before pgvector was installed) gets one when published.
    with session_scope() as session:
        session.execute(text("UPDATE kb_articles SET embedding = NULL, status = 'draft' WHERE id = :id"),
                        {"id": ids["vpn"]})
    with session_scope() as session:
        kb.publish_article(session, vector_org.actor(vector_org.hank), ids["vpn"])
    assert vector_of(ids["vpn"]) is not None


def test_semantic_search_can_be_turned_off(vector_org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpdesk.core import settings

    write_all(vector_org)
    monkeypatch.setenv("KB_SEMANTIC_SEARCH", "false")
    settings.reset_settings_cache()
    try:
        assert titles(vector_org, vector_org.alice, PARAPHRASES["password"]) == []
    finally:
        monkeypatch.delenv("KB_SEMANTIC_SEARCH")
        settings.reset_settings_cache()
