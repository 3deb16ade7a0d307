"""A reports-sized database: the demo organisation grown to ~40 agents and 2,000 requesters, plus N tickets over
three years with realistic shapes (skewed categories, long-tailed response and resolution times, SLA deadlines
and breaches, a live backlog, AI suggestions with confidences and agents' decisions, KB deflections).

Everything is made server-side with `INSERT ... SELECT generate_series` (no ORM objects): a million tickets take
minutes on two cores. The non-constraint indexes of the bulk-loaded tables are dropped for the load and built
again afterwards, as a restore would do; the schema ends up exactly as migrated.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.core.db import session_scope, write_engine
from helpdesk.models.base import utcnow
from helpdesk.seed import catalogue

EXTRA_AGENTS = 32  # the demo has 8
EXTRA_REQUESTERS = 2000
# Calendar time per minute of business time in the SLA policies (8-hour days, weekends): a rough factor.
BUSINESS_TO_CALENDAR = 3
BULK_TABLES = ("tickets", "ai_predictions", "ai_feedback", "kb_deflections")

PEOPLE_SQL = """
INSERT INTO users (email, full_name, password_hash, role, department, is_active, is_available, created_at)
SELECT 'bench.agent' || g || '@bench.example.com', 'Bench Agent ' || g,
       (SELECT password_hash FROM users WHERE role = 'agent' ORDER BY id LIMIT 1), 'agent', 'IT', TRUE, TRUE, now()
FROM generate_series(1, :agents) AS g;

INSERT INTO team_memberships (team_id, user_id, created_at)
SELECT teams.ids[1 + (u.rn - 1) % cardinality(teams.ids)], u.id, now()
FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM users WHERE email LIKE 'bench.agent%') AS u,
     (SELECT array_agg(id ORDER BY id) AS ids FROM teams) AS teams;

INSERT INTO users (email, full_name, password_hash, role, department, is_active, is_available, created_at)
SELECT 'bench.employee' || g || '@bench.example.com', 'Bench Employee ' || g,
       (SELECT password_hash FROM users WHERE role = 'requester' ORDER BY id LIMIT 1), 'requester',
       (ARRAY['Finance','Sales','Marketing','Operations','Legal','Engineering'])[1 + g % 6], TRUE, TRUE, now()
FROM generate_series(1, :requesters) AS g;
"""

# Random draws are made once per ticket in `draws` (setseed makes a run repeatable); `shaped` turns them into
# the ticket's facts; the final SELECT derives status, deadlines and breaches from those facts and `now`.
TICKETS_SQL = """
WITH cats AS (
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(default_team_id ORDER BY id) AS teams FROM categories
), agents AS (
    SELECT m.team_id, array_agg(m.user_id ORDER BY m.user_id) AS ids
    FROM team_memberships m JOIN users u ON u.id = m.user_id WHERE u.role = 'agent' GROUP BY m.team_id
), requesters AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role = 'requester'
), policies AS (
    SELECT priority, min(id) AS id, min(first_response_minutes) AS fr_min, min(resolution_minutes) AS res_min
    FROM sla_policies WHERE category_id IS NULL AND team_id IS NULL AND is_active GROUP BY priority
), draws AS MATERIALIZED (
    SELECT g, random() AS u_time, random() AS u_cat, random() AS u_pri, random() AS u_req, random() AS u_agent,
           random() AS n1, random() AS n2, random() AS n3, random() AS n4, random() AS u_stuck, random() AS u_state,
           random() AS u_ai, random() AS u_conf, random() AS u_right, random() AS u_other, random() AS u_team
    FROM generate_series(1, :count) AS g
), shaped AS (
    SELECT d.*,
           -- Spread over the span with jitter, volume growing linearly to 1.7x (inverse of that CDF).
           :now - make_interval(secs => :span_seconds * (1 - (sqrt(1 + 2 * 0.7 * 1.35 * (d.g - d.u_time) / :count)
                                                              - 1) / 0.7)) AS created,
           1 + floor(cardinality(cats.ids) * power(d.u_cat, 1.7))::int AS c,
           CASE WHEN d.u_pri < 0.30 THEN 'low' WHEN d.u_pri < 0.75 THEN 'medium' WHEN d.u_pri < 0.95 THEN 'high'
                ELSE 'critical' END AS priority,
           -- Log-normal durations (Box-Muller): long tails, medians by priority below.
           sqrt(-2 * ln(1 - d.n1)) * cos(2 * pi() * d.n2) AS z_fr,
           sqrt(-2 * ln(1 - d.n3)) * cos(2 * pi() * d.n4) AS z_res
    FROM draws d, cats
), facts AS (
    SELECT s.*, cats.ids[s.c] AS category_id,
           CASE WHEN s.u_team < 0.08 THEN (SELECT min(id) FROM teams) ELSE cats.teams[s.c] END AS team_id,
           make_interval(secs => 60 * exp(ln(CASE s.priority WHEN 'critical' THEN 15 WHEN 'high' THEN 40
                                                  WHEN 'medium' THEN 90 ELSE 180 END) + 1.2 * s.z_fr)) AS fr_after,
           make_interval(secs => 3600 * exp(ln(CASE s.priority WHEN 'critical' THEN 3 WHEN 'high' THEN 8
                                                   WHEN 'medium' THEN 20 ELSE 40 END) + 1.1 * s.z_res)) AS res_after
    FROM shaped s, cats
), timed AS (
    SELECT f.*, p.id AS policy_id,
           f.created + make_interval(mins => p.fr_min * :calendar) AS fr_due,
           f.created + make_interval(mins => p.res_min * :calendar) AS res_due,
           f.created + f.fr_after AS fr_at,
           -- Resolved at least 10 minutes after the first answer; 0.3 % of tickets are forgotten and stay open.
           CASE WHEN f.u_stuck < 0.003 THEN NULL
                ELSE f.created + greatest(f.res_after, f.fr_after + interval '10 minutes') END AS res_at
    FROM facts f JOIN policies p ON p.priority = f.priority
), stated AS (
    SELECT t.*,
           CASE WHEN t.res_at <= :now THEN t.res_at END AS resolved_at,
           CASE WHEN t.fr_at <= :now THEN t.fr_at END AS first_responded_at,
           CASE WHEN t.res_at <= :now - interval '3 days' THEN 'closed'
                WHEN t.res_at <= :now THEN 'resolved'
                WHEN t.fr_at > :now THEN 'new'
                WHEN t.u_state < 0.30 THEN 'open'
                WHEN t.u_state < 0.80 THEN 'in_progress'
                ELSE 'waiting_on_customer' END AS status,
           -- The classifier went live a year into the history; 90 % of later tickets got a suggestion,
           -- right about as often as its confidence says.
           (t.created > :now - make_interval(days => :ai_days) AND t.u_ai < 0.9) AS has_ai,
           0.35 + 0.65 * sqrt(t.u_conf) AS confidence
    FROM timed t
)
INSERT INTO tickets (title, description, status, priority, source, category_id, team_id, assignee_id, requester_id,
                     sla_policy_id, sla_first_response_due, sla_resolution_due, sla_paused_at,
                     sla_first_response_breached_at, sla_resolution_breached_at,
                     ai_suggested_category_id, ai_confidence, first_responded_at, resolved_at, closed_at,
                     created_at, updated_at)
SELECT tx.title, tx.description, s.status, s.priority,
       (ARRAY['portal','portal','portal','email','email','api'])[1 + s.g % 6],
       s.category_id, s.team_id,
       CASE WHEN s.status <> 'new' THEN a.ids[1 + floor(s.u_agent * cardinality(a.ids))::int] END,
       r.ids[1 + floor(power(s.u_req, 1.5) * cardinality(r.ids))::int],
       s.policy_id, s.fr_due, s.res_due,
       CASE WHEN s.status = 'waiting_on_customer' THEN s.fr_at END,
       -- The scan flags a missed deadline at the deadline (answered late, or still unanswered now).
       CASE WHEN s.fr_due < coalesce(s.first_responded_at, :now) THEN s.fr_due END,
       CASE WHEN s.status <> 'waiting_on_customer' AND s.res_due < coalesce(s.resolved_at, :now) THEN s.res_due END,
       CASE WHEN s.has_ai THEN CASE WHEN s.u_right < s.confidence THEN s.category_id
            ELSE cats.ids[1 + (s.c + floor(s.u_other * (cardinality(cats.ids) - 1))::int) % cardinality(cats.ids)]
            END END,
       CASE WHEN s.has_ai THEN round(s.confidence::numeric, 3)::float8 END,
       s.first_responded_at, s.resolved_at,
       CASE WHEN s.status = 'closed' THEN s.resolved_at + interval '3 days' END,
       s.created, greatest(s.created, coalesce(s.resolved_at + CASE WHEN s.status = 'closed' THEN interval '3 days'
                                                                  ELSE interval '0' END,
                                               s.first_responded_at, s.created))
FROM stated s
CROSS JOIN cats
CROSS JOIN requesters r
JOIN agents a ON a.team_id = s.team_id
JOIN bench_texts tx ON tx.k = s.g % :texts
"""

AI_SQL = """
INSERT INTO ai_predictions (ticket_id, model_version, predicted_label, predicted_category_id, category_confidence,
                            predicted_team_id, team_confidence, predicted_priority, priority_confidence,
                            latency_ms, applied_fields, created_at)
SELECT t.id, 'default', c.name, t.ai_suggested_category_id, t.ai_confidence, c.default_team_id, t.ai_confidence,
       t.priority, 0.6, 5 + (t.id % 7), '{}', t.created_at + interval '3 seconds'
FROM tickets t JOIN categories c ON c.id = t.ai_suggested_category_id
WHERE t.ai_suggested_category_id IS NOT NULL;

-- A quarter of the suggestions on answered tickets got an agent's one-click decision.
INSERT INTO ai_feedback (prediction_id, ticket_id, field, suggested_value, final_value, accepted, actor_id,
                         created_at)
SELECT p.id, t.id, 'category', p.predicted_category_id::text, t.category_id::text,
       p.predicted_category_id = t.category_id, t.assignee_id, t.first_responded_at
FROM ai_predictions p JOIN tickets t ON t.id = p.ticket_id
WHERE t.first_responded_at IS NOT NULL AND t.assignee_id IS NOT NULL AND hashint8(t.id) % 4 = 0;
"""

DEFLECTIONS_SQL = """
WITH articles AS (SELECT array_agg(id ORDER BY id) AS ids FROM kb_articles),
requesters AS (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role = 'requester'),
draws AS MATERIALIZED (
    SELECT g, random() AS u_time, random() AS u_art, random() AS u_solved, random() AS u_req
    FROM generate_series(1, :count) AS g
)
INSERT INTO kb_deflections (user_id, query, article_id, outcome, ticket_id, shown_article_ids, created_at)
SELECT r.ids[1 + floor(d.u_req * cardinality(r.ids))::int], tx.title,
       CASE WHEN d.u_solved < 0.36 THEN a.ids[1 + floor(power(d.u_art, 2) * cardinality(a.ids))::int] END,
       CASE WHEN d.u_solved < 0.36 THEN 'solved' ELSE 'filed_anyway' END, NULL,
       ARRAY[a.ids[1 + floor(power(d.u_art, 2) * cardinality(a.ids))::int],
             a.ids[1 + (d.g * 7) % cardinality(a.ids)], a.ids[1 + (d.g * 13) % cardinality(a.ids)]],
       :now - make_interval(secs => :span_seconds * d.u_time)
FROM draws d, articles a, requesters r, bench_texts tx
WHERE tx.k = d.g % :texts AND cardinality(a.ids) > 0
"""


def _drop_indexes(session: Session, tables: tuple[str, ...]) -> list[str]:
    """Drops the indexes that back no constraint; returns their definitions to build them again."""
    rows = session.execute(text(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition "
        "FROM pg_index i WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    ), {"tables": list(tables)}).all()
    for row in rows:
        session.execute(text(f"DROP INDEX {row.name}"))
    return [row.definition for row in rows]


def build(count: int, *, years: int = 3, deflections_per_day: int = 80,
          log: Callable[[str], None] = print) -> dict[str, float]:
    """Adds people, `count` tickets over `years` years, AI history and deflections; returns seconds per step."""
    from helpdesk.seed.demo import seed_demo

    timings: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        timings[name] = round(time.perf_counter() - started, 1)
        log(f"  {name}: {timings[name]} s")

    started = time.perf_counter()
    seed_demo(ticket_count=0)
    with session_scope() as session:
        # The demo's few tickets would sit outside the generated shape; the organisation is what we keep.
        session.execute(text("DELETE FROM tickets"))
        session.execute(text("DELETE FROM kb_deflections"))
        for statement in PEOPLE_SQL.split(";"):
            if statement.strip():
                session.execute(text(statement), {"agents": EXTRA_AGENTS, "requesters": EXTRA_REQUESTERS})
    step("organisation", started)

    now = utcnow()
    span_seconds = years * 365 * 86400
    texts = [(title, description) for _, _, title, description in catalogue.TICKETS]
    with session_scope() as session:
        session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SELECT setseed(0.42)"))
        session.execute(text("CREATE TEMP TABLE bench_texts (k int PRIMARY KEY, title text, description text) "
                             "ON COMMIT DROP"))
        session.execute(text("INSERT INTO bench_texts VALUES (:k, :t, :d)"),
                        [{"k": k, "t": t, "d": d} for k, (t, d) in enumerate(texts)])
        started = time.perf_counter()
        definitions = _drop_indexes(session, BULK_TABLES)
        session.execute(text(TICKETS_SQL), {
            "count": count, "texts": len(texts), "span_seconds": span_seconds, "now": now,
            "calendar": BUSINESS_TO_CALENDAR, "ai_days": (years - 1) * 365,
        })
        step("tickets", started)
        started = time.perf_counter()
        for statement in AI_SQL.split(";"):
            if statement.strip():
                session.execute(text(statement))
        step("ai predictions and decisions", started)
        started = time.perf_counter()
        session.execute(text(DEFLECTIONS_SQL), {"count": deflections_per_day * years * 365, "now": now,
                                                "span_seconds": span_seconds, "texts": len(texts)})
        step("kb deflections", started)
        started = time.perf_counter()
        for definition in definitions:
            session.execute(text(definition))
        step(f"indexes ({len(definitions)})", started)
    started = time.perf_counter()
    with write_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in (*BULK_TABLES, "users", "team_memberships"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))
    step("analyze", started)
    return timings
