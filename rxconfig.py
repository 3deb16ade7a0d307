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
    # Radix Themes stays out of the root module's `import * as` (kept for dynamic components, which this app does
    # not use), so each page's bundle carries only the Radix components it draws.
    frontend_lazy_bundled_libraries=True,
    # Every compiled file is also kept brotli-compressed (smaller than gzip) and served so to browsers that accept it.
    frontend_compression_formats=["brotli", "gzip"],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium", appearance="inherit")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
