"""The audit log viewer: filters, keyset pages within the date range, spreadsheet-safe CSV, admins only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import select

from helpdesk.admin import audit_log
from helpdesk.core import audit, spreadsheet
from helpdesk.core.db import session_scope
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.models import AuditLog
from tests.factories import PASSWORD, Org


def _seed(org: Org) -> None:
    with session_scope() as session:
        for i in range(130):
            audit.record(session, "ticket.update" if i % 2 else "user.update", actor_id=org.hank if i % 3 else None,
                         entity_type="ticket" if i % 2 else "user", entity_id=str(i))
        audit.record(session, "user.create", actor_id=org.root, entity_type="user", entity_id="=HYPERLINK(\"x\")",
                     details={"name": "@SUM(A1)"})


def _today() -> audit_log.AuditFilter:
    today = datetime.now(UTC).date()
    return audit_log.parse_filter((today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat())


def test_pages_walk_every_entry_once_newest_first(org: Org) -> None:
    _seed(org)
    root = org.actor(org.root)
    seen, cursor = [], None
    with session_scope() as session:
        while True:
            rows, cursor = audit_log.page(session, root, _today(), cursor)
            seen.extend(rows)
            if cursor is None:
                break
        total = session.exec(select(AuditLog)).all()
    assert len(seen) == len(total) and len({r["id"] for r in seen}) == len(total)
    keys = [(r["occurred_at"], r["id"]) for r in seen]
    assert keys == sorted(keys, reverse=True)


def test_filters_by_who_what_and_entity(org: Org) -> None:
    _seed(org)
    root = org.actor(org.root)
    base = _today()
    with session_scope() as session:
        def count(**changes: str) -> int:
            f = audit_log.AuditFilter(base.start, base.end, **changes)
            rows, _ = audit_log.page(session, root, f, limit=500)
            return len(rows)

        assert count(who="hank") == 86
        assert count(who="system") == 44
        assert count(action="ticket.update") == 65
        assert count(action="user.") == 66
        assert count(entity_type="ticket", entity_id="7") == 1
        # Nothing outside the date range.
        assert len(audit_log.page(session, root, audit_log.parse_filter("2020-01-01", "2020-01-31"))[0]) == 0
    with pytest.raises(ValidationFailed) as bad:
        audit_log.parse_filter("yesterday", "2020-01-01")
    assert set(bad.value.field_errors) == {"start"}
    with pytest.raises(ValidationFailed) as backwards:
        audit_log.parse_filter("2024-02-01", "2024-01-01")
    assert "end" in backwards.value.field_errors


def test_the_query_reads_only_the_partitions_in_the_range(org: Org) -> None:
    root = org.actor(org.root)
    with session_scope() as session:
        audit_log.page(session, root, _today())  # sanity: it runs
        start, end = audit_log._bounds(session, _today())
        plan = "\n".join(session.execute(text(
            "EXPLAIN SELECT * FROM audit_logs WHERE occurred_at >= :s AND occurred_at < :e "
            "ORDER BY occurred_at DESC, id DESC LIMIT 51"), {"s": start, "e": end}).scalars().all())
        partitions = session.execute(text(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass")).scalar_one()
    scanned = {line.split(" on ")[1].split()[0] for line in plan.splitlines() if " on audit_logs_" in line}
    assert partitions >= 4 and 1 <= len(scanned) <= 3, plan


def test_csv_export_neutralises_formulas(org: Org) -> None:
    _seed(org)
    with session_scope() as session:
        text_out = "".join(audit_log.export_csv(session, org.actor(org.root), _today()))
    rows = list(csv.reader(io.StringIO(text_out)))
    assert rows[0] == audit_log.CSV_HEADER and len(rows) == 132
    created = next(r for r in rows if r[3] == "user.create")
    assert created[5] == "'=HYPERLINK(\"x\")"
    for cell in (c for r in rows[1:] for c in r):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert spreadsheet.safe_cell("-1+2") == "'-1+2" and spreadsheet.safe_cell("\tx") == "'\tx"
    assert spreadsheet.safe_cell("plain") == "plain" and spreadsheet.safe_cell(-3) == -3


def test_only_admins_read_it_and_every_admin_route_refuses_everyone_else(org: Org, test_env) -> None:  # noqa: ANN001
    from helpdesk.api.app import create_api

    with session_scope() as session:
        for user_id in (org.alice, org.hank, org.mona):
            with pytest.raises(PermissionDenied):
                audit_log.page(session, org.actor(user_id), _today())
    from helpdesk.identity import tokens

    with session_scope() as session:
        monitoring = tokens.create_service_account(session, org.actor(org.root), name="Monitoring").id
    client = TestClient(create_api())
    # A day either side: the log's dates are the organisation's local days, which need not be today's UTC date.
    today = datetime.now(UTC).date()
    start, end = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    routes = [f"/api/v1/admin/audit-log?start={start}&end={end}", f"/api/v1/admin/audit-log.csv?start={start}"
              f"&end={end}", "/api/v1/admin/users", "/api/v1/admin/service-accounts", "/api/v1/admin/mailboxes",
              "/api/v1/admin/mailboxes/1", "/api/v1/admin/held-mail", "/api/v1/admin/held-mail/1"]
    mailbox = {"name": "IT", "address": "it@example.org", "imap_host": "imap.example.org", "username": "it",
               "secret": "x"}
    # (method, route, body, answer): 403, except where the domain does not even say the thing exists (404).
    writes = [("POST", "/api/v1/admin/mailboxes", mailbox, 403),
              ("PATCH", "/api/v1/admin/mailboxes/1", {"name": "y"}, 403),
              ("POST", "/api/v1/admin/mailboxes/1/test", None, 403),
              ("POST", "/api/v1/admin/held-mail/1/accept", None, 403),
              ("POST", "/api/v1/admin/held-mail/1/discard", None, 403),
              ("POST", "/api/v1/admin/service-accounts", {"name": "Another"}, 403),
              ("POST", f"/api/v1/admin/service-accounts/{monitoring}/tokens",
               {"name": "x", "scopes": ["tickets:read"]}, 404),
              ("PUT", "/api/v1/reports/schedules/1", {"enabled": True, "hour": 8, "minute": 0}, 403)]
    for email in ("alice@example.org", "hank@example.org", "mona@example.org"):
        token = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
        for route in routes:
            assert client.get(route, headers={"Authorization": f"Bearer {token}"}).status_code == 403, (email, route)
        for method, route, body, expected in writes:
            answer = client.request(method, route, json=body, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == expected, (email, method, route, answer.text)
    root = client.post("/api/v1/auth/login", json={"email": "root@example.org", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {root['access_token']}"}
    assert client.get(routes[0], headers=headers).json()["items"][0]["action"] == "auth.login"
    exported = client.get(routes[1], headers=headers)
    assert exported.status_code == 200 and exported.text.startswith("occurred_at,")
    assert client.get("/api/v1/admin/users", headers=headers).json()["total"] == 6
    # An admin's API token does not open admin routes either.
    token = client.post("/api/v1/tokens", json={"name": "x", "scopes": ["reports:read"]}, headers=headers).json()
    assert client.get(routes[2], headers={"Authorization": f"Bearer {token['token']}"}).status_code == 403
