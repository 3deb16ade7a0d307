"""Audit log partitions: the coming months exist before they start; months past the retention leave the table."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from helpdesk.core import audit, settings, storage
from helpdesk.core.db import session_scope
from helpdesk.models import AuditLog
from tasks.maintenance import ensure_audit_partitions


def _month(offset: int, today: date | None = None) -> date:
    today = today or date.today()
    index = today.year * 12 + today.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def _partitions() -> dict[str, date]:
    with session_scope() as session:
        return audit.monthly_partitions(session)


def _count(where: str = "") -> int:
    with session_scope() as session:
        return session.execute(text(f"SELECT count(*) FROM audit_logs {where}")).scalar_one()


@pytest.fixture
def retention(clean_db, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    def configure(months: int, action: str = "archive") -> None:
        monkeypatch.setenv("AUDIT_RETENTION_MONTHS", str(months))
        monkeypatch.setenv("AUDIT_RETENTION_ACTION", action)
        settings.reset_settings_cache()
        storage.get_storage.cache_clear()

    yield configure
    monkeypatch.delenv("AUDIT_RETENTION_MONTHS")
    monkeypatch.delenv("AUDIT_RETENTION_ACTION")
    settings.reset_settings_cache()


def _old_months_with_rows(months_ago: list[int]) -> dict[str, int]:
    """Partitions (and rows) for months long past, as an installation running for years has them."""
    rows = {}
    with session_scope() as session:
        for ago in months_ago:
            first = _month(-ago)
            session.execute(text("SELECT ensure_audit_log_partitions(:first, 1)"), {"first": first})
            for n in range(3):
                session.add(AuditLog(action="ticket.viewed", actor_id=None, entity_type="ticket", entity_id=str(n),
                                     ip_address="", occurred_at=datetime(first.year, first.month, 10 + n, tzinfo=UTC),
                                     details={"n": n}))
            rows[f"audit_logs_{first:%Y_%m}"] = 3
    return rows


def test_the_daily_job_creates_this_and_the_next_three_months(retention) -> None:  # noqa: ANN001
    retention(0)
    ensure_audit_partitions()
    months = set(_partitions().values())
    assert {_month(i) for i in range(4)} <= months
    # A row written next month lands in its own partition, not the default one.
    with session_scope() as session:
        session.add(AuditLog(action="x", actor_id=None, entity_type="", entity_id="", ip_address="",
                             occurred_at=datetime.combine(_month(1), datetime.min.time(), tzinfo=UTC)))
    assert _count() == 1 and _count_in("audit_logs_default") == 0


def _count_in(table: str) -> int:
    with session_scope() as session:
        return session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()


def test_retention_archives_old_months_to_storage_then_drops_them(retention) -> None:  # noqa: ANN001
    retention(12)
    old = _old_months_with_rows([25, 14])
    kept = _old_months_with_rows([11])
    recent_rows = _count(f"WHERE occurred_at >= '{_month(-11)}'")

    removed = ensure_audit_partitions()

    # (Older partitions other tests left in this database go too.)
    assert set(old) <= set(removed)
    assert not any(month < _month(-12) for month in _partitions().values())
    assert set(old).isdisjoint(_partitions()) and set(kept) <= set(_partitions())
    assert _count(f"WHERE occurred_at >= '{_month(-11)}'") == recent_rows
    assert _count(f"WHERE occurred_at < '{_month(-12)}'") == 0
    for name in old:
        archived = gzip.decompress(storage.get_storage().get(f"audit-archive/{name}.jsonl.gz")).decode().splitlines()
        rows = [json.loads(line) for line in archived]
        assert len(rows) == 3 and {r["details"]["n"] for r in rows} == {0, 1, 2}
        assert all(r["action"] == "ticket.viewed" for r in rows)
    # Running again changes nothing.
    assert ensure_audit_partitions() == []


def test_retention_can_drop_without_archiving(retention) -> None:  # noqa: ANN001
    retention(6, "drop")
    old = _old_months_with_rows([9])
    removed = ensure_audit_partitions()
    assert set(old) <= set(removed) and not any(month < _month(-6) for month in _partitions().values())
    with pytest.raises(FileNotFoundError):
        storage.get_storage().get(f"audit-archive/{next(iter(old))}.jsonl.gz")


def test_without_a_retention_setting_nothing_is_removed(retention) -> None:  # noqa: ANN001
    retention(0)
    old = _old_months_with_rows([40])
    assert ensure_audit_partitions() == []
    assert set(old) <= set(_partitions())
