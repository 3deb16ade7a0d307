"""Ranked knowledge-base search in PostgreSQL: full text (English stemming, weighted title > tags > body, prefix
matching for search-as-you-type) plus pg_trgm word similarity on titles, so "pasword reset" still finds
"Password reset". Callers (services/kb.py) decide which statuses the asker may see.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.settings import get_settings

LANGUAGE = "english"
MAX_QUERY_WORDS = 12
MAX_SUGGEST_WORDS = 40
# word_similarity(query, title) above which a title counts as a (possibly misspelt) match.
TITLE_SIMILARITY_THRESHOLD = 0.45
# ts_headline marks matches with these; the snippet is HTML-escaped first, then they become <mark> tags.
_MARK_START, _MARK_END = "\u27e6", "\u27e7"
_HEADLINE_OPTIONS = (f"StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=35, MinWords=12, ShortWord=2, "
                     "MaxFragments=2, FragmentDelimiter=\" … \"")
_WORD = re.compile(r"\w+", re.UNICODE)

# Per database URL: whether the `unaccent` extension is installed (migration 0005 creates it when it can).
_unaccent_installed: dict[str, bool] = {}


@dataclass(frozen=True)
class SearchResult:
    id: int
    title: str
    slug: str
    summary: str
    status: str
    snippet: str  # safe HTML: escaped text with matches in <mark>
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def detect_unaccent(session: Session) -> bool:
    url = get_settings().database_url
    if url not in _unaccent_installed:
        found = session.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")).first()
        _unaccent_installed[url] = found is not None
    return _unaccent_installed[url]


def fold_sql(session: Session, expression: str) -> str:
    """`expression` with accents folded when the server can (so "cafe" finds "café"), else unchanged."""
    return f"unaccent({expression})" if detect_unaccent(session) else expression


def words_of(value: str, limit: int) -> list[str]:
    return [word.lower() for word in _WORD.findall(value)][:limit]


def _safe_snippet(headline: str) -> str:
    escaped = html.escape(headline or "", quote=False)
    return escaped.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")


def _ranked(session: Session, *, words_tsquery: str, prefix_query: str, fuzzy_text: str, params: dict[str, Any],
            statuses: list[str], category_id: int | None, limit: int) -> list[SearchResult]:
    """Shared ranking: full-text rank, half the prefix rank and half the title similarity.

    Weighted ranks (A=1.0, B=0.4, C=0.2) make a title match outrank a body-only match; similarity adds typo
    tolerance without letting a vaguely similar title beat a real full-text hit.
    """
    category_filter = ""
    if category_id is not None:
        # The category and everything below it.
        category_filter = """AND a.category_id IN (
            WITH RECURSIVE subtree AS (
                SELECT id FROM kb_categories WHERE id = :category_id
                UNION ALL SELECT c.id FROM kb_categories c JOIN subtree s ON c.parent_id = s.id
            ) SELECT id FROM subtree)"""
    statement = text(f"""
        WITH input AS (
            SELECT {words_tsquery} AS words,
                   to_tsquery('{LANGUAGE}', {fold_sql(session, ':prefix_query')}) AS prefix
        ), best AS (
            SELECT a.id, a.title, a.slug, a.summary, a.status, a.body_markdown,
                   input.words || input.prefix AS highlight_query,
                   ts_rank(a.search_vector, input.words)
                     + 0.5 * ts_rank(a.search_vector, input.prefix)
                     + 0.5 * word_similarity(:fuzzy_text, a.title) AS score
            FROM kb_articles a, input
            WHERE a.status = ANY(:statuses) {category_filter}
              AND (a.search_vector @@ input.words OR a.search_vector @@ input.prefix OR :fuzzy_text <% a.title)
            ORDER BY score DESC, a.id
            LIMIT :limit
        )
        SELECT id, title, slug, summary, status, score,
               ts_headline('{LANGUAGE}', replace(replace(body_markdown, :mark_start, ''), :mark_end, ''),
                           highlight_query, :headline_options) AS headline
        FROM best ORDER BY score DESC, id
    """)
    # `<%` uses the title's trigram index; its threshold is set for this transaction only.
    session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', :threshold, true)"),
                    {"threshold": str(TITLE_SIMILARITY_THRESHOLD)})
    rows = session.execute(statement, params | {
        "prefix_query": prefix_query, "fuzzy_text": fuzzy_text, "statuses": statuses, "category_id": category_id,
        "limit": limit, "mark_start": _MARK_START, "mark_end": _MARK_END, "headline_options": _HEADLINE_OPTIONS,
    }).all()
    return [SearchResult(id=row.id, title=row.title, slug=row.slug, summary=row.summary, status=row.status,
                         snippet=_safe_snippet(row.headline), score=round(float(row.score), 4)) for row in rows]


def search(session: Session, query: str, statuses: list[str], *, category_id: int | None = None,
           limit: int = 10) -> list[SearchResult]:
    """All the query's words must match (websearch syntax: "quotes", -not, or); the last may be unfinished."""
    words = words_of(query, MAX_QUERY_WORDS)
    if not words:
        return []
    # Word characters only reach to_tsquery, so its syntax can never be broken by what someone types.
    prefix_query = " & ".join(words[:-1] + [f"{words[-1]}:*"])
    words_tsquery = f"websearch_to_tsquery('{LANGUAGE}', {fold_sql(session, ':query')})"
    return _ranked(session, words_tsquery=words_tsquery, prefix_query=prefix_query, fuzzy_text=query.strip()[:200],
                   params={"query": query[:500]}, statuses=statuses, category_id=category_id, limit=limit)


def suggest(session: Session, title: str, description: str, statuses: list[str], *,
            limit: int = 5) -> list[SearchResult]:
    """Articles sharing any words with a ticket being written (a description never matches word for word)."""
    words = list(dict.fromkeys(words_of(f"{title} {description}", MAX_SUGGEST_WORDS)))
    if not words:
        return []
    any_word = " | ".join(words)
    words_tsquery = f"to_tsquery('{LANGUAGE}', {fold_sql(session, ':any_word')})"
    return _ranked(session, words_tsquery=words_tsquery, prefix_query=any_word, fuzzy_text=title.strip()[:200],
                   params={"any_word": any_word}, statuses=statuses, category_id=None, limit=limit)
