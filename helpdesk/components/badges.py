"""Status and priority badges with consistent colours everywhere."""

from __future__ import annotations

import reflex as rx


def status_badge(status: rx.Var, label: rx.Var) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=rx.match(
            status,
            ("new", "blue"),
            ("open", "cyan"),
            ("in_progress", "amber"),
            ("waiting_on_customer", "purple"),
            ("resolved", "green"),
            ("closed", "gray"),
            "gray",
        ),
        variant="soft",
        radius="full",
        size="2",
        data_testid="status-badge",
    )


def priority_badge(priority: rx.Var, label: rx.Var) -> rx.Component:
    return rx.badge(
        rx.icon(
            rx.match(priority, ("critical", "siren"), ("high", "arrow-up"), ("medium", "minus"), "arrow-down"),
            size=12,
        ),
        label,
        color_scheme=rx.match(priority, ("critical", "red"), ("high", "orange"), ("medium", "blue"), "gray"),
        variant=rx.cond(priority == "critical", "solid", "soft"),
        size="2",
    )
