"""Builds a benchmark database: the demo organisation plus N generated tickets (bulk SQL, seconds not minutes)."""

from __future__ import annotations

from sqlalchemy import text

from helpdesk.core.db import session_scope
from helpdesk.models.base import utcnow
from helpdesk.seed import catalogue

BULK_TICKETS_SQL = """
WITH cats AS (
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(default_team_id ORDER BY id) AS teams FROM categories
), people AS (
    SELECT array_agg(id ORDER BY id) FILTER (WHERE role = 'requester') AS requesters,
           array_agg(id ORDER BY id) FILTER (WHERE role = 'agent') AS agents
    FROM users
), numbered AS (
    SELECT g AS i, 1 + (hashint4(g) & 2147483647) % cardinality(cats.ids) AS c,
           (hashint4(g * 7) & 2147483647) % 100 AS roll,
           :start - make_interval(secs => (:span_seconds * g::float8 / :count)) AS created
    FROM generate_series(1, :count) AS g, cats
)
INSERT INTO tickets (title, description, status, priority, source, category_id, team_id, assignee_id, requester_id,
                     sla_first_response_due, sla_resolution_due, first_responded_at, resolved_at, closed_at,
                     created_at, updated_at)
SELECT t.title,
       t.description,
       CASE WHEN n.roll < 5 THEN 'new' WHEN n.roll < 12 THEN 'open' WHEN n.roll < 18 THEN 'in_progress'
            WHEN n.roll < 21 THEN 'waiting_on_customer' WHEN n.roll < 45 THEN 'resolved' ELSE 'closed' END,
       (ARRAY['low','medium','medium','high','critical'])[1 + n.i % 5],
       'portal', cats.ids[n.c], cats.teams[n.c],
       CASE WHEN n.roll < 5 THEN NULL ELSE people.agents[1 + n.i % cardinality(people.agents)] END,
       people.requesters[1 + (hashint4(n.i * 13) & 2147483647) % cardinality(people.requesters)],
       n.created + interval '8 hours', n.created + interval '3 days',
       CASE WHEN n.roll >= 5 THEN n.created + interval '47 minutes' END,
       CASE WHEN n.roll >= 21 THEN n.created + interval '20 hours' END,
       CASE WHEN n.roll >= 45 THEN n.created + interval '4 days' END,
       n.created, n.created + interval '1 hour'
FROM numbered n, cats, people,
     LATERAL (SELECT title, description FROM bench_texts WHERE k = n.i % :texts) AS t
"""


def add_tickets(count: int, span_days: int = 365 * 3) -> None:
    texts = [(title, description) for _, _, title, description in catalogue.TICKETS]
    with session_scope() as session:
        session.execute(text("CREATE TEMP TABLE bench_texts (k int, title text, description text) ON COMMIT DROP"))
        session.execute(text("INSERT INTO bench_texts VALUES (:k, :t, :d)"),
                        [{"k": k, "t": t, "d": d} for k, (t, d) in enumerate(texts)])
        session.execute(text(BULK_TICKETS_SQL), {"count": count, "texts": len(texts), "span_seconds": span_days * 86400,
                                                 "start": utcnow()})
    with session_scope() as session:
        session.execute(text("ANALYZE tickets"))
