"""CSV and PDF exports of any report, made by a Celery `reports` job with progress the page can show.

Exports have no row cap: the breach list is streamed from a server-side cursor into a temporary file, and the
file moves to storage (local folder or S3) without being held in memory. Only the person who asked may download.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text, update
from sqlmodel import Session, select

from helpdesk.core import audit, jobs
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, ValidationFailed
from helpdesk.core.spreadsheet import SafeCsvWriter
from helpdesk.core.storage import get_storage
from helpdesk.identity.actor import Actor
from helpdesk.models import ExportStatus, ReportExport
from helpdesk.models.base import utcnow
from helpdesk.reports import data
from helpdesk.reports.filters import ReportFilters, parse_filters
from helpdesk.reports.rollups import local_today

log = logging.getLogger(__name__)

EXPORT_TASK = "reports.export"
FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
STREAM_BATCH = 2000
Progress = Callable[[int], None]


def request_export(session: Session, actor: Actor, report: str, fmt: str, filters: ReportFilters) -> ReportExport:
    data.ensure_can_view_reports(actor)
    if report not in data.REPORTS:
        raise ValidationFailed({"report": "Choose a report."})
    if fmt not in FORMATS:
        raise ValidationFailed({"format": "Choose CSV or PDF."})
    export = ReportExport(requested_by_id=actor.user_id, report=report, format=fmt, filters=filters.to_dict())
    session.add(export)
    session.flush()
    audit.record(session, "report.export", actor_id=actor.user_id, entity_type="report_export",
                 entity_id=str(export.id), details={"report": report, "format": fmt})
    jobs.enqueue(session, EXPORT_TASK, "reports", {"export_id": export.id})
    return export


def get_export(session: Session, actor: Actor, export_id: int) -> ReportExport:
    """An export only its owner can see (anyone else gets "not found", as if it did not exist)."""
    data.ensure_can_view_reports(actor)
    export = session.get(ReportExport, export_id)
    if export is None or export.requested_by_id != actor.user_id:
        raise NotFound("No such export.")
    return export


def recent_exports(session: Session, actor: Actor, limit: int = 10) -> list[ReportExport]:
    data.ensure_can_view_reports(actor)
    return list(session.exec(
        select(ReportExport).where(ReportExport.requested_by_id == actor.user_id)
        .order_by(ReportExport.created_at.desc(), ReportExport.id.desc()).limit(limit)
    ).all())


def export_payload(session: Session, actor: Actor, export_id: int) -> tuple[str, str, bytes]:
    export = get_export(session, actor, export_id)
    if export.status != ExportStatus.DONE:
        raise NotFound("This export is not ready yet.")
    return export.filename, FORMATS[export.format], get_storage().get(export.storage_key)


def export_to_dict(export: ReportExport) -> dict[str, Any]:
    return {"id": export.id, "report": export.report, "format": export.format, "status": export.status,
            "progress": export.progress, "rows": export.rows, "filename": export.filename,
            "size_bytes": export.size_bytes, "error": export.error,
            "download_url": f"/api/v1/reports/exports/{export.id}/download" if export.status == ExportStatus.DONE
            else "",
            "created_at": export.created_at.isoformat()}


# ---------------------------------------------------------------- the job


def _set(export_id: int, **values: Any) -> None:
    """Progress is written in its own short transaction so the page sees it while the job runs. A finished export
    stays finished: a second run of the same job (a retry, or the job and a direct call racing) may still be
    writing progress after the first has marked it done, and must not turn it back into "running"."""
    with session_scope() as session:
        session.execute(update(ReportExport)
                        .where(ReportExport.id == export_id, ReportExport.status != ExportStatus.DONE.value)
                        .values(**values))


def run_export(export_id: int) -> None:
    with session_scope() as session:
        export = session.get(ReportExport, export_id)
        if export is None or export.status == ExportStatus.DONE:
            return
        report, fmt, filters_data = export.report, export.format, dict(export.filters or {})
    _set(export_id, status=ExportStatus.RUNNING.value, progress=1, error="")
    filters = parse_filters(filters_data, local_today())
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"export.{fmt}"
            rows = write_export(report, fmt, filters, path, lambda pct: _set(export_id, progress=pct))
            filename = f"{report}-report-{filters.start.isoformat()}-to-{filters.end.isoformat()}.{fmt}"
            key = f"exports/{export_id}/{filename}"
            get_storage().put_file(key, path, FORMATS[fmt])
            _set(export_id, status=ExportStatus.DONE.value, progress=100, rows=rows, filename=filename,
                 storage_key=key, size_bytes=path.stat().st_size, finished_at=utcnow())
    except Exception as error:
        log.exception("export %s failed", export_id)
        _set(export_id, status=ExportStatus.FAILED.value, error=str(error)[:500], finished_at=utcnow())
        raise


def write_export(report: str, fmt: str, filters: ReportFilters, path: Path, progress: Progress) -> int:
    """Writes the file; returns the number of data rows in it."""
    with session_scope() as session:
        content = data.REPORTS[report][1](session, filters)
        content["filters"] = filters.to_dict()
        progress(20)
        breach_rows = _breach_stream(session, filters, progress) if report == "sla" else None
        if fmt == "csv":
            return write_csv(content, path, breach_rows)
        from helpdesk.reports.pdf import write_pdf

        return write_pdf(content, path, breach_rows)


def _breach_stream(session: Session, filters: ReportFilters, progress: Progress) -> Iterator[list[Any]]:
    """Every breached ticket in the range, in batches from a server-side cursor, reporting progress 20-90 %."""
    sql, params = data.breach_query(session, filters)
    total = data.breach_count(session, filters)
    result = session.execute(text(sql).execution_options(yield_per=STREAM_BATCH), params)
    done = 0
    for batch in result.partitions():
        yield from data.breach_rows(session, batch)
        done += len(batch)
        progress(20 + int(70 * done / max(total, 1)))


def write_csv(content: data.Report, path: Path, breach_rows: Iterator[list[Any]] | None) -> int:
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        # Titles and names are people's text: a cell a spreadsheet would run as a formula is written as text.
        out = SafeCsvWriter(handle)
        filters = content["filters"]
        out.writerow([content["title"], f"{filters['start']} to {filters['end']}"])
        out.writerow([])
        out.writerows([[f["label"], f["value"]] for f in content["figures"]])
        for chart in content["charts"]:
            out.writerow([])
            out.writerow([f"{chart['title']}" + (f" ({chart['unit']})" if chart["unit"] else "")])
            out.writerow(chart["columns"])
            rows = breach_rows if chart["key"] == "breaches" and breach_rows is not None else chart["rows"]
            for row in rows:
                out.writerow(row)
                written += 1
    return written
