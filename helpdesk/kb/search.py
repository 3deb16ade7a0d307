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

from helpdesk.core.settings import get_settings
from helpdesk.kb import semantic as kb_semantic

LANGUAGE = "english"
MAX_QUERY_WORDS = 12
MAX_SUGGEST_WORDS = 40
# word_similarity(query, title) above which a title counts as a (possibly misspelt) match.
TITLE_SIMILARITY_THRESHOLD = 0.45
# ts_headline marks matches with these; the snippet is HTML-escaped first, then they become <mark> tags.
# Snippets are cut from the Markdown source with its emphasis, heading and code markers removed.
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
    category_filter = _category_filter(category_id)
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
               ts_headline('{LANGUAGE}',
                           regexp_replace(replace(replace(body_markdown, :mark_start, ''), :mark_end, ''),
                                          '[*#`>_~]+', '', 'g'),
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
    """Articles matching any of the query's words, best first; the last word may be unfinished (a prefix), a
    misspelt word is corrected to the most similar title word, hyphens and common spellings are folded.

    Where the database has pgvector (kb_semantic.enabled), the lexical ranking is fused with the articles closest
    in meaning, so a question in other words than the article's still finds it; elsewhere it is lexical only."""
    terms = _correct_terms(session, _query_terms(query), statuses)
    if kb_semantic.enabled(session):
        return _hybrid(session, query, terms, statuses, category_id, limit)
    if not terms:
        return []
    return _ranked_words(session, terms, statuses, category_id, limit)


# ---------------------------------------------------------------- hybrid (lexical + semantic) ranking

# Reciprocal-rank fusion: each list adds weight / (RRF_K + rank). The lexical list weighs more: it alone knows typos
# and unfinished words, while the embedding of "passw" means little. Measured with bench/kb_search.py --semantic.
RRF_K = 20
LEXICAL_WEIGHT = 1.0
SEMANTIC_WEIGHT = 0.6
HYBRID_CANDIDATES = 30  # taken from each list before fusing
# An article found by meaning only is listed when at least this similar to the query (cosine), so a query about
# nothing in the base does not list its nearest strangers.
SEMANTIC_ONLY_MIN_SIMILARITY = 0.2


def _category_filter(category_id: int | None) -> str:
    if category_id is None:
        return ""
    # The category and everything below it.
    return """AND a.category_id IN (
        WITH RECURSIVE subtree AS (
            SELECT id FROM kb_categories WHERE id = :category_id
            UNION ALL SELECT c.id FROM kb_categories c JOIN subtree s ON c.parent_id = s.id
        ) SELECT id FROM subtree)"""


def _hybrid(session: Session, query: str, terms: list[_Term], statuses: list[str], category_id: int | None,
            limit: int) -> list[SearchResult]:
    lexical = (_ranked_words(session, terms, statuses, category_id, HYBRID_CANDIDATES, headlines=False)
               if terms else [])
    semantic = kb_semantic.nearest(session, query, statuses, category_filter=_category_filter(category_id),
                                   category_id=category_id, limit=HYBRID_CANDIDATES)
    lexical_ids = {result.id for result in lexical}
    fused: dict[int, float] = {}
    for rank, result in enumerate(lexical, start=1):
        fused[result.id] = LEXICAL_WEIGHT / (RRF_K + rank)
    for rank, (article_id, similarity) in enumerate(semantic, start=1):
        if article_id in lexical_ids or similarity >= SEMANTIC_ONLY_MIN_SIMILARITY:
            fused[article_id] = fused.get(article_id, 0.0) + SEMANTIC_WEIGHT / (RRF_K + rank)
    best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:limit]
    if not best:
        return []
    highlight = " | ".join(f"({term.tsquery()})" for term in terms)
    rows = session.execute(text(f"""
        SELECT a.id, a.title, a.slug, a.summary, a.status,
               ts_headline('{LANGUAGE}',
                           regexp_replace(replace(replace(a.body_markdown, :mark_start, ''), :mark_end, ''),
                                          '[*#`>_~]+', '', 'g'),
                           to_tsquery('{LANGUAGE}', {fold_sql(session, ':highlight_query')}),
                           :headline_options) AS headline
        FROM kb_articles a WHERE a.id = ANY(:ids)
    """), {"ids": [article_id for article_id, _ in best], "highlight_query": highlight, "mark_start": _MARK_START,
           "mark_end": _MARK_END, "headline_options": _HEADLINE_OPTIONS}).all()
    by_id = {row.id: row for row in rows}
    return [SearchResult(id=row.id, title=row.title, slug=row.slug, summary=row.summary, status=row.status,
                         snippet=_safe_snippet(row.headline), score=round(score, 4))
            for article_id, score in best if (row := by_id.get(article_id)) is not None]


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


# ---------------------------------------------------------------- search box ranking

# Words that say how someone asks rather than what they ask about ("how do I fix ...", "why ... ?"). PostgreSQL's
# English stop words ("how", "do", "i", "my", ...) are dropped by to_tsquery anyway; these are not stop words there.
FILLER_WORDS = frozenset({
    "fix", "fixed", "fixing", "fixes", "help", "helps", "please", "pls", "problem", "problems", "issue", "issues",
    "solve", "solved", "solution", "anyone", "urgent", "asap", "hi", "hello", "thanks", "question", "trouble",
})
# Common IT spellings: a word maps to other forms people (and articles) write for it. Hyphenated forms need no entry
# ("wifi" finds "Wi-Fi" because article search vectors also hold hyphen-free forms, see hyphen_free_forms).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "setup": ("set",), "signin": ("sign",), "signon": ("sign",), "signout": ("sign",), "login": ("log",),
    "logon": ("log",), "logout": ("log",), "logoff": ("log",), "startup": ("start",), "shutdown": ("shut",),
    "license": ("licence",), "licence": ("license",), "licenses": ("licences",), "licences": ("licenses",),
    "licensed": ("licenced",), "enroll": ("enrol",), "enrol": ("enroll",), "enrollment": ("enrolment",),
    "enrolment": ("enrollment",), "authorize": ("authorise",), "authorise": ("authorize",),
    "authorized": ("authorised",), "authorised": ("authorized",), "color": ("colour",), "colour": ("color",),
    "center": ("centre",), "centre": ("center",), "cancelled": ("canceled",), "canceled": ("cancelled",),
}
# How much a query word counts when it matches an article's title, tags or only its body.
TITLE_WEIGHT, TAGS_WEIGHT, BODY_WEIGHT = 1.0, 0.5, 0.25
# A misspelt word is replaced by the most similar word of a title when at least this similar (pg_trgm similarity).
WORD_CORRECTION_THRESHOLD = 0.4
# Words in more than this share of articles ("device", "account") are left out of the query when rarer ones remain.
STOP_SHARE = 0.5
# Candidate articles are those holding the query's rarest words, up to about this share of the base; commoner words
# only add to the rank of those candidates (else words like "office" would make most articles candidates).
CANDIDATE_SHARE = 0.3
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_HYPHENATED = re.compile(r"[^\W_]+(?:-[^\W_]+)+", re.UNICODE)


def hyphen_free_forms(value: str) -> str:
    """"Wi-Fi e-mail" -> "WiFi email": written into search vectors so that "wifi" and "email" find them."""
    return " ".join(dict.fromkeys(match.replace("-", "") for match in _HYPHENATED.findall(value)))


@dataclass
class _Term:
    """One query word as a group of alternative tsquery operands (spellings, corrections, a prefix)."""
    word: str
    alternatives: list[str]
    prefix: bool = False
    share: float = 0.0  # of articles holding the word, from the planner's statistics (0: rare or unknown)

    def tsquery(self, weights: str = "") -> str:
        suffix = (":*" if self.prefix else ":") + weights if (self.prefix or weights) else ""
        parts = []
        for alternative in self.alternatives:
            pieces = alternative.split("-")
            if len(pieces) == 1:
                parts.append(alternative + suffix)
            else:  # the hyphenated form as a phrase, the last piece carrying any prefix
                phrase = [piece + (":" + weights if weights else "") for piece in pieces[:-1]] + [pieces[-1] + suffix]
                parts.append("(" + " <-> ".join(phrase) + ")")
        return " | ".join(parts)


def _query_terms(query: str) -> list[_Term]:
    tokens = [token.lower() for token in _TOKEN.findall(query[:500])]
    terms: list[_Term] = []
    for position, token in enumerate(tokens[:MAX_QUERY_WORDS]):
        last = position == len(tokens[:MAX_QUERY_WORDS]) - 1
        if token in FILLER_WORDS and not last:
            continue
        alternatives = [token]
        if "-" in token:
            alternatives.append(token.replace("-", ""))
        alternatives += [spelling for spelling in SPELLINGS.get(token.replace("-", ""), ()) if spelling != token]
        terms.append(_Term(word=token, alternatives=list(dict.fromkeys(alternatives)), prefix=last))
    # The same word typed twice counts once.
    unique: dict[str, _Term] = {}
    for term in terms:
        unique.setdefault(term.word, term)
    return list(unique.values())


def _correct_terms(session: Session, terms: list[_Term], statuses: list[str]) -> list[_Term]:
    """Drop stop words; words no visible article contains get the most similar word of a visible title instead."""
    if not terms:
        return []
    # The tsquery is computed once per word (not per row) and the existence test uses the GIN index: for a word that
    # is in no article a sequential scan would test every row. The planner setting is put back straight after.
    # How common each word is comes from the planner's statistics of the search vectors (most common lexemes and
    # the share of articles holding each); a word missing from them is rare (or the table was never analysed).
    previous = session.execute(text("SELECT current_setting('enable_seqscan')")).scalar()
    session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    rows = session.execute(text(f"""
        WITH t AS MATERIALIZED (
            SELECT n, to_tsquery('{LANGUAGE}', {fold_sql(session, 'q')}) AS tq, prefix,
                   tsvector_to_array(to_tsvector('{LANGUAGE}', {fold_sql(session, 'w')})) AS lexemes
            FROM unnest(CAST(:queries AS text[]), CAST(:words AS text[]), CAST(:prefixes AS boolean[]))
                 WITH ORDINALITY AS u(q, w, prefix, n)
        ), stats AS MATERIALIZED (
            SELECT e.lexeme, e.share
            FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, share)
            WHERE s.schemaname = current_schema() AND s.tablename = 'kb_articles' AND s.attname = 'search_vector'
        )
        SELECT t.n, numnode(t.tq) > 0 AS meaningful,
               EXISTS (SELECT 1 FROM kb_articles a  -- (status || '') keeps the planner on the text index
                       WHERE a.search_vector @@ t.tq AND (a.status || '') = ANY(:statuses)) AS known,
               coalesce(shares.share, 0) AS share
        FROM t LEFT JOIN (
            SELECT t.n, max(stats.share) AS share FROM t, unnest(t.lexemes) AS l(lexeme) JOIN stats USING (lexeme)
            WHERE NOT t.prefix GROUP BY t.n
            UNION ALL  -- an unfinished word: the share of articles with any word it begins (at most 1)
            SELECT t.n, least(1, sum(stats.share)) FROM t, unnest(t.lexemes) AS l(lexeme)
                JOIN stats ON starts_with(stats.lexeme, l.lexeme)
            WHERE t.prefix GROUP BY t.n
        ) shares USING (n)
    """), {"queries": [term.tsquery() for term in terms],
           "words": [term.word if term.prefix else " ".join(term.alternatives) for term in terms],
           "prefixes": [term.prefix for term in terms], "statuses": statuses}).all()
    session.execute(text("SELECT set_config('enable_seqscan', :previous, true)"), {"previous": previous})
    status = {row.n - 1: (row.meaningful, row.known) for row in rows}
    for row in rows:
        terms[row.n - 1].share = float(row.share)
    kept, unknown = [], []
    for index, term in enumerate(terms):
        meaningful, known = status[index]
        if not meaningful:
            continue
        kept.append(term)
        if not known and len(term.word.replace("-", "")) >= 3:
            unknown.append(term)
    rare = [term for term in kept if term.share <= STOP_SHARE]
    if rare:
        kept = rare
    unknown = [term for term in unknown if term in kept]
    if unknown:
        session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', :threshold, true)"),
                        {"threshold": str(TITLE_SIMILARITY_THRESHOLD)})
        found = session.execute(text(f"""
            SELECT u.w, best.word
            FROM unnest(CAST(:words AS text[])) AS u(w)
            CROSS JOIN LATERAL (
                SELECT word FROM (
                    SELECT DISTINCT lower(piece) AS word
                    FROM (SELECT a.title FROM kb_articles a
                          WHERE a.status = ANY(:statuses) AND u.w <% a.title
                          LIMIT :titles) titles,
                         regexp_split_to_table({fold_sql(session, 'titles.title')}, '[^[:alnum:]]+') AS piece
                ) words
                WHERE length(word) >= 3 AND similarity(u.w, word) >= :min_similarity
                ORDER BY similarity(u.w, word) DESC, word LIMIT 1
            ) best
        """), {"words": [term.word.replace("-", "") for term in unknown], "statuses": statuses, "titles": 60,
               "min_similarity": WORD_CORRECTION_THRESHOLD}).all()
        corrections = {row.w: row.word for row in found}
        for term in unknown:
            correction = corrections.get(term.word.replace("-", ""))
            if correction:
                term.alternatives.append(correction)
                term.prefix = False  # a corrected word is complete
                term.share = CANDIDATE_SHARE  # not known: it finds candidates only when little else does
            else:
                kept.remove(term)
    return kept


HEADLINE_SQL = f"""ts_headline('{LANGUAGE}',
                           regexp_replace(replace(replace(a.body_markdown, :mark_start, ''), :mark_end, ''),
                                          '[*#`>_~]+', '', 'g'),
                           input.highlight_query, :headline_options)"""


def _ranked_words(session: Session, terms: list[_Term], statuses: list[str], category_id: int | None,
                  limit: int, *, headlines: bool = True) -> list[SearchResult]:
    """Articles matching any query word, ranked by the matched words' weights (title > tags > body), each scaled
    by how rare the word is among the matching articles (idf), plus a bonus when every word matches."""
    category_filter = _category_filter(category_id)
    params: dict[str, Any] = {}
    inputs, matches, frequencies, weighted = [], [], [], []
    for n, term in enumerate(terms):
        for kind, weights in (("any", ""), ("ab", "AB"), ("a", "A")):
            params[f"q{n}{kind}"] = term.tsquery(weights)
            inputs.append(f"to_tsquery('{LANGUAGE}', {fold_sql(session, f':q{n}{kind}')}) AS q{n}{kind}")
        matches.append(f"CASE WHEN NOT (v @@ q{n}any) THEN 0.0 WHEN v @@ q{n}a THEN {TITLE_WEIGHT}"
                       f" WHEN v @@ q{n}ab THEN {TAGS_WEIGHT} ELSE {BODY_WEIGHT} END AS m{n}")
        frequencies.append(f"count(*) FILTER (WHERE m{n} > 0) OVER () AS df{n}")
        weighted.append(f"m{n} * ln(1.0 + total / greatest(df{n}, 1))")
    # Candidates: articles holding one of the rarer words, up to about CANDIDATE_SHARE of the base (always the
    # rarest word); the other words only add to the rank of those candidates.
    selective, covered = [], 0.0
    for term in sorted(terms, key=lambda term: term.share):
        if selective and covered + term.share > CANDIDATE_SHARE:
            break
        selective.append(term)
        covered += term.share
    params["any_query"] = " | ".join(f"({term.tsquery()})" for term in selective)
    params["highlight_query"] = " | ".join(f"({term.tsquery()})" for term in terms)
    all_matched = " AND ".join(f"m{n} > 0" for n in range(len(terms)))
    statement = text(f"""
        WITH input AS (
            SELECT {", ".join(inputs)},
                   to_tsquery('{LANGUAGE}', {fold_sql(session, ':any_query')}) AS any_query,
                   to_tsquery('{LANGUAGE}', {fold_sql(session, ':highlight_query')}) AS highlight_query
        ), matched AS (
            SELECT id, {", ".join(matches)}
            FROM (
                -- ts_filter makes one uncompressed copy of the stored vector per row for all the tests below.
                SELECT a.id, ts_filter(a.search_vector, '{{a,b,c,d}}') AS v, input.*
                FROM kb_articles a, input
                WHERE a.status = ANY(:statuses) {category_filter} AND a.search_vector @@ input.any_query
                OFFSET 0
            ) candidates
        ), counted AS (
            SELECT matched.*, {", ".join(frequencies)},
                   greatest(count(*) OVER (),
                            (SELECT reltuples FROM pg_class WHERE oid = 'kb_articles'::regclass)) AS total
            FROM matched
        ), best AS (
            SELECT id, {" + ".join(weighted)} + CASE WHEN {all_matched} THEN 1.0 ELSE 0.0 END AS score
            FROM counted
            ORDER BY score DESC, id
            LIMIT :limit
        )
        SELECT a.id, a.title, a.slug, a.summary, a.status, best.score,
               {HEADLINE_SQL if headlines else "''"} AS headline
        FROM best JOIN kb_articles a ON a.id = best.id, input
        ORDER BY best.score DESC, a.id
    """)
    rows = session.execute(statement, params | {
        "statuses": statuses, "category_id": category_id, "limit": limit, "mark_start": _MARK_START,
        "mark_end": _MARK_END, "headline_options": _HEADLINE_OPTIONS,
    }).all()
    return [SearchResult(id=row.id, title=row.title, slug=row.slug, summary=row.summary, status=row.status,
                         snippet=_safe_snippet(row.headline), score=round(float(row.score), 4)) for row in rows]
