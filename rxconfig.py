"""Reflex configuration, built from helpdesk.core.settings (see README for the variables)."""

import reflex as rx

from helpdesk.core.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="helpdesk",
    redis_url=settings.redis_url or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=settings.cors_origins,
    frontend_port=settings.web_port,
    backend_port=settings.web_port,
    # Light or dark as the person's system (prefers-color-scheme) says; the pages use Radix colour tokens only.
    default_color_mode="system",
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium", appearance="inherit")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
