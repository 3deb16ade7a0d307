"""Similar-tickets benchmark: latency of services.similar_tickets at 100,000 tickets, and the query plan.

The generated tickets reuse the demo catalogue's texts, so every ticket has hundreds of word-for-word twins: the
worst case for ranking (every twin matches every query word). Each measured call is one request-sized session,
as an admin (reads every ticket) and as an agent (team filter). Prints a table and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300, help="measured calls per role")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    with bench_environment("hdsimilar", keep=args.keep):
        run(args)


def _explain(ticket_id: int, actor) -> str:  # noqa: ANN001
    """The plan of the full-text candidate query, to check it is answered by idx_tickets_search."""
    from sqlalchemy import text

    from helpdesk.db import session_scope
    from helpdesk.services import similar_tickets

    with session_scope() as session:
        lexemes = similar_tickets._query_lexemes(session, ticket_id)
        plan = session.execute(text(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM tickets WHERE search_vector @@ CAST(:match AS tsquery) "
            "AND deleted_at IS NULL AND id <> :id ORDER BY ts_rank(search_vector, CAST(:q AS tsquery)) DESC "
            "LIMIT 40"), {"q": similar_tickets._or_query(lexemes), "match": similar_tickets._pairs_query(lexemes),
                "id": ticket_id}).scalars().all()
    return "\n".join(plan)


def run(args: argparse.Namespace) -> None:
    from sqlmodel import select

    from bench.dataset import add_tickets
    from helpdesk.cli_support import migrate_database
    from helpdesk.db import session_scope
    from helpdesk.models import Role, Ticket, User
    from helpdesk.seed.demo import seed_demo
    from helpdesk.services.actor import load_actor
    from helpdesk.services.similar_tickets import similar_tickets

    started = time.perf_counter()
    migrate_database()
    seed_demo(ticket_count=50)
    add_tickets(args.tickets - 50)
    print(f"database ready with {args.tickets} tickets in {time.perf_counter() - started:.1f}s", flush=True)

    with session_scope() as session:
        admin_id = session.exec(select(User.id).where(User.role == Role.ADMIN)).first()
        agent_id = session.exec(select(User.id).where(User.role == Role.AGENT).order_by(User.id)).first()
        ticket_ids = session.exec(select(Ticket.id)).all()
    rng = random.Random(7)
    results: dict[str, dict[str, float]] = {}
    for role, user_id in (("admin", admin_id), ("agent", agent_id)):
        with session_scope() as session:
            actor = load_actor(session, user_id)
        samples, shown = [], 0
        for ticket_id in rng.sample(ticket_ids, args.calls + 20):
            began = time.perf_counter()
            try:
                with session_scope() as session:
                    found = similar_tickets(session, actor, ticket_id)
            except Exception:  # an agent may not read every sampled ticket: not a measured call
                continue
            samples.append((time.perf_counter() - began) * 1000)
            shown += len(found.open) + len(found.resolved)
            if len(samples) == args.calls:
                break
        samples = samples[10:]  # the first calls warm the connection pool and caches
        results[role] = {"n": len(samples), "p50_ms": round(percentile(samples, 50), 2),
                         "p95_ms": round(percentile(samples, 95), 2), "p99_ms": round(percentile(samples, 99), 2),
                         "mean_results": round(shown / max(1, len(samples) + 10), 1)}
        print(f"{role:6} n={results[role]['n']:4} p50={results[role]['p50_ms']:7.2f} ms "
              f"p95={results[role]['p95_ms']:7.2f} ms p99={results[role]['p99_ms']:7.2f} ms", flush=True)

    with session_scope() as session:
        actor = load_actor(session, admin_id)
    plan = _explain(ticket_ids[len(ticket_ids) // 2], actor)
    print(plan, flush=True)
    uses_index = "idx_tickets_search" in plan
    figures = {f"{role}_{key}": value for role, row in results.items() for key, value in row.items()}
    print(json.dumps({"tickets": args.tickets, **figures,
                      "fulltext_uses_index": uses_index, "target": "single query < 20 ms at 100k tickets",
                      "machine": "vm 2 cpu"}))


if __name__ == "__main__":
    main()
