"""Semantic similarity for knowledge-base search: article and query embeddings from a local model, stored and
searched with pgvector when the server has it.

The model is WordLlama (`wordllama` wheel: token embeddings distilled from large language models, averaged per text;
numpy only), loaded from the wheel's own folder by `helpdesk.core.embeddings`, so nothing is fetched at run time.

Whether semantic search runs is decided once per process and database: the `kb_articles.embedding` column exists
only where migration 0007 found pgvector. Without it (PostgreSQL 15 without the extension, say) nothing here writes
or reads vectors and search stays lexical.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.core import embeddings
from helpdesk.core.settings import get_settings

log = logging.getLogger(__name__)

# The model and its files live in helpdesk.core.embeddings (shared with the category model); the column is
# vector(DIMENSIONS) and migration 0007 uses the same number.
DIMENSIONS = embeddings.DIMENSIONS
WEIGHTS_FILE, TOKENIZER_FILE = embeddings.WEIGHTS_FILE, embeddings.TOKENIZER_FILE
package_dir = embeddings.package_dir
model = embeddings.model

# What an article's embedding is computed from: title and tags (twice: they say what the article is about) and the
# start of the body. An average of token vectors blurs as text grows, so the body is cut.
BODY_CHARACTERS = 1500
QUERY_CHARACTERS = 500

# Per database URL: whether kb_articles has the embedding column (so pgvector is installed).
_capability: dict[str, bool] = {}
_capability_lock = threading.Lock()


def article_text(title: str, tags: list[str], body: str) -> str:
    tag_text = ", ".join(tags)
    return f"{title}. {tag_text}. {title}. {tag_text}. {body[:BODY_CHARACTERS]}"


def embed(value: str) -> list[float]:
    return embed_many([value])[0]


def embed_many(values: list[str]) -> list[list[float]]:
    return embeddings.embed(values).tolist() if values else []


def vector_literal(vector: list[float]) -> str:
    """pgvector's text form, bound as a parameter and cast in SQL (no driver adapter needed)."""
    return "[" + ",".join(f"{x:.6f}" for x in vector) + "]"


# ---------------------------------------------------------------- capability


def column_present(session: Session) -> bool:
    """Whether this database has kb_articles.embedding (asked once per process and database URL)."""
    url = get_settings().database_url
    known = _capability.get(url)
    if known is None:
        found = session.execute(text(
            "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('kb_articles') AND attname = 'embedding'"
            " AND NOT attisdropped"
        )).first()
        known = found is not None
        with _capability_lock:
            _capability[url] = known
        log.info("knowledge-base semantic search %s", "available (pgvector)" if known else "off (no pgvector)")
    return known


def enabled(session: Session) -> bool:
    """Semantic search runs when the column exists and the setting has not turned it off."""
    return get_settings().kb_semantic_search and column_present(session)


def forget_capability() -> None:
    """For tests and after migrations: the next call asks the database again."""
    with _capability_lock:
        _capability.clear()


# ---------------------------------------------------------------- writing and reading


def store(session: Session, article_id: int, title: str, tags: list[str], body: str, *,
          only_if_missing: bool = False) -> bool:
    """Writes the article's embedding in the caller's transaction; False (and nothing written) without pgvector."""
    if not column_present(session):
        return False
    condition = " AND embedding IS NULL" if only_if_missing else ""
    session.execute(text(f"UPDATE kb_articles SET embedding = CAST(:vector AS vector) WHERE id = :id{condition}"),
                    {"vector": vector_literal(embed(article_text(title, tags, body))), "id": article_id})
    return True


def nearest(session: Session, query: str, statuses: list[str], *, category_filter: str = "",
            category_id: int | None = None, limit: int = 30) -> list[tuple[int, float]]:
    """(article id, cosine similarity) of the `limit` articles closest to the query, closest first."""
    vector = vector_literal(embed(query[:QUERY_CHARACTERS]))
    # The HNSW index finds candidates before the status filter; a wider search keeps `limit` rows after it.
    session.execute(text("SELECT set_config('hnsw.ef_search', :ef, true)"), {"ef": str(max(100, limit * 2))})
    rows = session.execute(text(f"""
        SELECT a.id, 1 - (a.embedding <=> CAST(:vector AS vector)) AS similarity
        FROM kb_articles a
        WHERE a.embedding IS NOT NULL AND a.status = ANY(:statuses) {category_filter}
        ORDER BY a.embedding <=> CAST(:vector AS vector), a.id
        LIMIT :limit
    """), {"vector": vector, "statuses": statuses, "category_id": category_id, "limit": limit}).all()
    return [(row.id, float(row.similarity)) for row in rows]
