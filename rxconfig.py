"""Reflex configuration, built from helpdesk.settings (see README for the variables)."""

import reflex as rx

from helpdesk.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="helpdesk",
    redis_url=settings.redis_url or None,
    telemetry_enabled=False,
    state_auto_setters=False,
    show_built_with_reflex=False,
    cors_allowed_origins=settings.cors_origins,
    frontend_port=settings.web_port,
    backend_port=settings.web_port,
    default_color_mode="light",
    disable_plugins=["reflex.plugins.sitemap.SitemapPlugin"],
)
