"""Semantic similarity for knowledge-base search: article and query embeddings from a local model, stored and
searched with pgvector when the server has it.

The model is WordLlama (`wordllama` wheel: token embeddings distilled from large language models, averaged per text;
numpy only). Its weights and tokenizer ship inside the wheel and are loaded from the package folder by path, so
nothing is ever fetched at run time (the library's own loader would look for the tokenizer in the wrong folder and
then try to download it).

Whether semantic search runs is decided once per process and database: the `kb_articles.embedding` column exists
only where migration 0007 found pgvector. Without it (PostgreSQL 15 without the extension, say) nothing here writes
or reads vectors and search stays lexical.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.settings import get_settings

if TYPE_CHECKING:
    from numpy import ndarray

log = logging.getLogger(__name__)

MODEL_CONFIG = "l2_supercat"
DIMENSIONS = 256  # the column is vector(256): migration 0007 uses the same number
WEIGHTS_FILE = f"weights/{MODEL_CONFIG}_{DIMENSIONS}.safetensors"
TOKENIZER_FILE = f"tokenizers/{MODEL_CONFIG}_tokenizer_config.json"
# What an article's embedding is computed from: title and tags (twice: they say what the article is about) and the
# start of the body. An average of token vectors blurs as text grows, so the body is cut.
BODY_CHARACTERS = 1500
QUERY_CHARACTERS = 500

# Per database URL: whether kb_articles has the embedding column (so pgvector is installed).
_capability: dict[str, bool] = {}
_capability_lock = threading.Lock()


class _Model:
    """The loaded embedding model: `embed(texts)` gives unit-length float32 rows."""

    def __init__(self, package_dir: Path) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        with safe_open(str(package_dir / WEIGHTS_FILE), framework="np", device="cpu") as weights:
            embedding = weights.get_tensor("embedding.weight")
        tokenizer = Tokenizer.from_file(str(package_dir / TOKENIZER_FILE))
        self._inference = _inference_class()(embedding, tokenizer)

    def embed(self, texts: list[str]) -> ndarray:
        return self._inference.embed(texts, norm=True)


def _inference_class() -> Any:  # noqa: ANN401 (a class from an optional import)
    # wordllama.inference calls logging.basicConfig() when imported; a handler already on the root logger makes that
    # a no-op, so importing it does not change how the application logs.
    root = logging.getLogger()
    placeholder = None if root.handlers else logging.NullHandler()
    if placeholder is not None:
        root.addHandler(placeholder)
    try:
        from wordllama.inference import WordLlamaInference
    finally:
        if placeholder is not None:
            root.removeHandler(placeholder)
    return WordLlamaInference


def package_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("wordllama is not installed")
    return Path(spec.origin).parent


@lru_cache(maxsize=1)
def model() -> _Model:
    """Loaded once per process (~0.3 s, 32 MB)."""
    return _Model(package_dir())


def article_text(title: str, tags: list[str], body: str) -> str:
    tag_text = ", ".join(tags)
    return f"{title}. {tag_text}. {title}. {tag_text}. {body[:BODY_CHARACTERS]}"


def embed(value: str) -> list[float]:
    return [float(x) for x in model().embed([value])[0]]


def embed_many(values: list[str]) -> list[list[float]]:
    return [[float(x) for x in row] for row in model().embed(values)] if values else []


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
