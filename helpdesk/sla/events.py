"""What the SLA context announces (through helpdesk.core.events)."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.models import Ticket


@dataclass(frozen=True)
class SlaStateChanged:
    """A ticket's deadlines or at-risk/breached flags moved: pages showing it must refresh after the commit."""

    ticket: Ticket
    kind: str = "sla"
    # "sla_at_risk" or "sla_breached" when the scan just flagged the ticket; empty when only deadlines moved.
    flag: str = ""
