"""Status and priority badges with consistent colours everywhere."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.icons import icon_match


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
        high_contrast=True,  # the soft colours alone miss the 4.5:1 contrast at this size
        radius="full",
        size="2",
        data_testid="status-badge",
    )


def priority_badge(priority: rx.Var, label: rx.Var) -> rx.Component:
    return rx.badge(
        icon_match(priority, ("critical", "siren"), ("high", "arrow-up"), ("medium", "minus"), default="arrow-down",
                   size=12),
        label,
        color_scheme=rx.match(priority, ("critical", "red"), ("high", "orange"), ("medium", "blue"), "gray"),
        variant=rx.cond(priority == "critical", "solid", "soft"),
        high_contrast=priority != "critical",
        size="2",
    )


def sla_badge(state: rx.Var, label: rx.Var) -> rx.Component:
    """The resolution clock: running (grey), at risk (amber), breached (red), paused."""
    return rx.cond(
        state != "",
        rx.badge(
            icon_match(state, ("paused", "pause"), ("breached", "flame"), ("at_risk", "alarm-clock"), default="clock",
                       size=12),
            label,
            color_scheme=rx.match(state, ("breached", "red"), ("at_risk", "amber"), ("paused", "purple"), "gray"),
            variant=rx.cond(state == "breached", "solid", "soft"),
            data_testid="sla-badge",
        ),
        rx.text("—", color_scheme="gray"),
    )
