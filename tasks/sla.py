"""SLA jobs: the 30-second breach and at-risk scan, and recomputing deadlines after a policy change."""

from __future__ import annotations

from helpdesk.sla import watch as sla_watch
from tasks.celery_app import celery_app


@celery_app.task(name="sla.scan")
def scan() -> dict[str, int]:
    result = sla_watch.scan()
    return {"at_risk": len(result.at_risk), "first_response_breached": len(result.first_response_breached),
            "resolution_breached": len(result.resolution_breached)}


@celery_app.task(name="sla.recompute_open_tickets")
def recompute_open_tickets(priorities: list[str]) -> int:
    return sla_watch.recompute_open_tickets(priorities)
