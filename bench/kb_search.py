"""Knowledge-base search: latency (p50/p95) and ranking quality (MRR@10, recall@5) on a 5,000-article base.

Builds its own database on the local PostgreSQL (or embedded), creates --articles published articles through
helpdesk.kb.articles (bench/kb_corpus.py generates them deterministically), then runs a labelled query set
(paraphrases, typos, search-as-you-type prefixes; each labelled with the article it should find) through
helpdesk.kb.articles.search as a requester, single-threaded, after a warm-up. The last line is one JSON object.

    python bench/kb_search.py [--articles 5000] [--targets 300] [--show-misses 8]
    python bench/kb_search.py --semantic   # embedded PostgreSQL 18 with pgvector: lexical, then hybrid

On a server with pgvector (always with --semantic) the same queries run twice on the same articles: lexical only
(KB_SEMANTIC_SEARCH=false) and hybrid; the JSON line then reports the hybrid figures plus lexical_* ones.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, percentile  # noqa: E402

KINDS = ("paraphrase", "typo", "prefix")
BATCH = 500  # articles per transaction


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--targets", type=int, default=300, help="articles that get one query of each type")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--show-misses", type=int, default=8, help="misses printed per query type")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--semantic", action="store_true",
                        help="run on an embedded PostgreSQL 18 (pgvector) and measure lexical and hybrid search")
    parser.add_argument("--rrf-k", type=int, default=None, help="override kb_search.RRF_K")
    parser.add_argument("--semantic-weight", type=float, default=None, help="override kb_search.SEMANTIC_WEIGHT")
    args = parser.parse_args()

    embedded = None
    if args.semantic:
        import tempfile

        from helpdesk.runtime.embedded import EmbeddedPostgres

        embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="hdbench-kb-pg18-")))
        embedded.start()
        os.environ["TEST_ADMIN_DATABASE_URL"] = embedded._server.get_uri("postgres")
    try:
        with bench_environment("hdbench-kb", keep=args.keep):
            run(args)
    finally:
        if embedded is not None:
            embedded.stop()


def build(article_count: int) -> tuple[list, object]:
    from sqlalchemy import text

    from bench.kb_corpus import generate_articles
    from helpdesk.core.db import session_scope
    from helpdesk.identity import directory
    from helpdesk.identity.actor import load_actor
    from helpdesk.kb import articles as kb
    from helpdesk.kb import categories as kb_categories
    from helpdesk.kb.articles import ArticleDraft
    from helpdesk.models import Role

    articles = generate_articles(article_count)
    with session_scope() as session:
        admin = directory.create_user(session, email="kb.admin@bench.example", full_name="KB Admin",
                                      password="bench-password-1", role=Role.ADMIN.value)
        reader = directory.create_user(session, email="kb.reader@bench.example", full_name="KB Reader",
                                       password="bench-password-1", role=Role.REQUESTER.value)
        admin_id, reader_id = admin.id, reader.id
    with session_scope() as session:
        admin_actor = load_actor(session, admin_id)
        category_ids: dict[str, int] = {}
        for article in articles:
            path = article.category
            if path in category_ids:
                continue
            parent_id = None
            for depth, part in enumerate(path.split("/")):
                key = "/".join(path.split("/")[: depth + 1])
                if key not in category_ids:
                    category_ids[key] = kb_categories.create_category(session, admin_actor, part, parent_id).id
                parent_id = category_ids[key]

    started = time.perf_counter()
    for start in range(0, len(articles), BATCH):
        with session_scope() as session:
            for article in articles[start:start + BATCH]:
                created = kb.create_article(session, admin_actor, ArticleDraft(
                    title=article.title, body_markdown=article.body, summary=article.summary,
                    category_id=category_ids[article.category], tags=article.tags))
                kb.publish_article(session, admin_actor, created.id)
                article.id = created.id
    elapsed = time.perf_counter() - started
    with session_scope() as session:
        session.execute(text("ANALYZE kb_articles"))
        published = session.execute(text("SELECT count(*) FROM kb_articles WHERE status = 'published'")).scalar()
    print(f"created {published} published articles through services.kb in {elapsed:.1f}s "
          f"({elapsed / len(articles) * 1000:.1f} ms each, {BATCH} per transaction)", flush=True)
    with session_scope() as session:
        reader_actor = load_actor(session, reader_id)
    return articles, reader_actor


def run(args: argparse.Namespace) -> None:
    from bench.kb_corpus import build_queries
    from helpdesk.core.db import session_scope
    from helpdesk.kb import search as kb_search
    from helpdesk.kb import semantic as kb_semantic
    from helpdesk.runtime.bootstrap import migrate_database

    started = time.perf_counter()
    migrate_database()
    with session_scope() as session:
        server = session.execute(text_sql("SHOW server_version")).scalar()
        semantic_available = kb_semantic.column_present(session)
    articles, reader = build(args.articles)
    print(f"database ready in {time.perf_counter() - started:.1f}s (PostgreSQL {server}, "
          f"pgvector column: {'yes' if semantic_available else 'no'})", flush=True)
    if args.semantic and not semantic_available:
        raise SystemExit("--semantic needs a server with pgvector (the embedded PostgreSQL 18 has it)")

    queries = build_queries(articles, args.targets)
    by_index = {a.index: a for a in articles}
    titles = {a.id: a.title for a in articles}

    modes = [("lexical", False)]
    if semantic_available:
        modes = [("lexical", False), ("hybrid", True)]
    results = {}
    for label, semantic in modes:
        set_semantic(semantic)
        if args.rrf_k is not None:
            kb_search.RRF_K = args.rrf_k
        if args.semantic_weight is not None:
            kb_search.SEMANTIC_WEIGHT = args.semantic_weight
        print(f"\n== {label} search"
              + (f" (RRF k={kb_search.RRF_K}, lexical weight {kb_search.LEXICAL_WEIGHT}, semantic weight "
                 f"{kb_search.SEMANTIC_WEIGHT}, semantic-only min similarity "
                 f"{kb_search.SEMANTIC_ONLY_MIN_SIMILARITY})" if semantic else ""), flush=True)
        results[label] = evaluate(args, queries, by_index, titles, reader)

    final_label = modes[-1][0]
    per_kind, overall = results[final_label]
    summary = {
        "articles": len(articles),
        "queries": overall["queries"],
        "mode": final_label,
        "server": f"PostgreSQL {server}",
        "search_p50_ms": overall["p50_ms"],
        "search_p95_ms": overall["p95_ms"],
        "mrr_at_10": overall["mrr_at_10"],
        "recall_at_5": overall["recall_at_5"],
        "recall_at_10": overall["recall_at_10"],
        "no_results": overall["no_results"],
        **{f"{kind}_{name}": value for kind, f in per_kind.items()
           for name, value in f.items() if name != "queries"},
    }
    if final_label != "lexical":
        lexical = results["lexical"][1]
        summary |= {f"lexical_{name}": lexical[name] for name in
                    ("p50_ms", "p95_ms", "mrr_at_10", "recall_at_5", "recall_at_10", "no_results")}
    summary["machine"] = f"{platform.node()} {os.cpu_count()} cpu"
    print(json.dumps(summary))


def text_sql(statement: str):
    from sqlalchemy import text

    return text(statement)


def set_semantic(on: bool) -> None:
    from helpdesk.core import settings

    os.environ["KB_SEMANTIC_SEARCH"] = "true" if on else "false"
    settings.reset_settings_cache()


def evaluate(args: argparse.Namespace, queries: list, by_index: dict, titles: dict, reader) -> tuple[dict, dict]:
    from helpdesk.core.db import session_scope
    from helpdesk.kb import articles as kb

    def search(query: str) -> tuple[float, list[int]]:
        began = time.perf_counter()
        with session_scope() as session:  # one request's worth: session, transaction, search, commit
            results = kb.search(session, reader, query, limit=10)
        return (time.perf_counter() - began) * 1000, [r.id for r in results]

    for query in queries[: args.warmup]:
        search(query.text)

    rows = []
    for query in queries:
        elapsed, ids = search(query.text)
        target_id = by_index[query.target].id
        rank = ids.index(target_id) + 1 if target_id in ids else None
        rows.append({"kind": query.kind, "text": query.text, "target": query.target, "rank": rank, "ms": elapsed,
                     "returned": len(ids), "top": ids[0] if ids else None})

    def figures(subset: list[dict]) -> dict:
        times = [r["ms"] for r in subset]
        return {
            "queries": len(subset),
            "p50_ms": round(percentile(times, 50), 2),
            "p95_ms": round(percentile(times, 95), 2),
            "mean_ms": round(statistics.fmean(times), 2),
            "mrr_at_10": round(statistics.fmean(1 / r["rank"] if r["rank"] else 0.0 for r in subset), 4),
            "recall_at_1": round(sum(1 for r in subset if r["rank"] == 1) / len(subset), 4),
            "recall_at_5": round(sum(1 for r in subset if r["rank"] and r["rank"] <= 5) / len(subset), 4),
            "recall_at_10": round(sum(1 for r in subset if r["rank"]) / len(subset), 4),
            "no_results": round(sum(1 for r in subset if r["returned"] == 0) / len(subset), 4),
        }

    per_kind = {kind: figures([r for r in rows if r["kind"] == kind]) for kind in KINDS}
    overall = figures(rows)

    header = (f"{'query type':<11} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'MRR@10':>7} {'R@1':>6} {'R@5':>6} "
              f"{'R@10':>6} {'empty':>6}")
    print(header)
    print("-" * len(header))
    for label, f in list(per_kind.items()) + [("overall", overall)]:
        print(f"{label:<11} {f['queries']:>4} {f['p50_ms']:>7.2f} {f['p95_ms']:>7.2f} {f['mrr_at_10']:>7.3f} "
              f"{f['recall_at_1']:>6.3f} {f['recall_at_5']:>6.3f} {f['recall_at_10']:>6.3f} {f['no_results']:>6.3f}")
    print()
    print(f"targets: p95 <= 40 ms -> {'PASS' if overall['p95_ms'] <= 40 else 'FAIL'}; "
          f"MRR@10 >= 0.8 -> {'PASS' if overall['mrr_at_10'] >= 0.8 else 'FAIL'}")

    for kind in KINDS:
        misses = [r for r in rows if r["kind"] == kind and r["rank"] != 1]
        if not misses or not args.show_misses:
            continue
        print(f"\nexamples of {kind} queries not ranked first ({len(misses)} of {per_kind[kind]['queries']}):")
        for r in misses[: args.show_misses]:
            where = f"rank {r['rank']}" if r["rank"] else ("no results" if r["returned"] == 0 else "not in top 10")
            top = f" | top: {titles.get(r['top'], '?')}" if r["top"] and r["rank"] != 1 and r["returned"] else ""
            print(f"  [{where}] {r['text']!r} -> want: {by_index[r['target']].title}{top}")
    return per_kind, overall


if __name__ == "__main__":
    main()
