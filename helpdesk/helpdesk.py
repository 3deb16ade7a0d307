"""The Reflex app: pages, and the REST API mounted on the same server."""

from __future__ import annotations

import reflex as rx

from helpdesk.api.app import create_api
from helpdesk.api.body_limits import ASGIApp, PathBounds
from helpdesk.core import jobs, tracing
from helpdesk.pages import email, index, login, macros, not_found, notifications, password, reports, ticket  # noqa: F401  (pages register themselves)
from helpdesk.pages.admin import ai as ai_admin  # noqa: F401
from helpdesk.pages.admin import api_tokens as admin_api_tokens  # noqa: F401
from helpdesk.pages.admin import audit as admin_audit  # noqa: F401
from helpdesk.pages.admin import config as admin_config  # noqa: F401
from helpdesk.pages.admin import mail as admin_mail  # noqa: F401
from helpdesk.pages.admin import overview as admin_overview  # noqa: F401
from helpdesk.pages.admin import people as admin_people  # noqa: F401
from helpdesk.pages.agent import file_for, queue  # noqa: F401
from helpdesk.pages.kb import editor as kb_editor  # noqa: F401
from helpdesk.pages.kb import pages as kb_pages  # noqa: F401
from helpdesk.pages.portal import my_tickets, new_ticket  # noqa: F401
from helpdesk.runtime import memory
from helpdesk.runtime.loop_watch import watch_event_loop
from helpdesk.state.live import apply_bus_entries

# Tracing first (off unless OTEL_SDK_DISABLED=false), so the API and Reflex's event trace points are instrumented.
if (_tracer_provider := tracing.configure("web")) is not None:
    from reflex_base import otel as reflex_otel

    reflex_otel.enable(tracer_provider=_tracer_provider)

class HelpdeskApp(rx.App):
    def __call__(self) -> ASGIApp:
        # Serving: requests and page events commit their jobs, and Celery gets them from a thread of this process
        # after the response. (Here, not at import: tests and tools import this module without serving.)
        jobs.dispatch_in_background()
        # The outermost check of REST addresses (helpdesk/api/body_limits.py): Reflex's top-level mount would send
        # a path with a line feed to a plain-text 404 before the API could answer it.
        served = PathBounds(super().__call__())
        memory.freeze_startup_objects()  # after the app is built: its objects stay out of full collections
        return served


app = HelpdeskApp(
    api_transformer=create_api(),
    head_components=[rx.el.meta(name="color-scheme", content="light"),
                     rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
                     # Keyboard shortcuts of the queue and ticket page (helpdesk/components/shortcuts.py).
                     rx.el.script(src="/shortcuts.js", defer=True)],
    stylesheets=["/app.css", "/kb.css"],
)

# Each web process applies live bus entries (exactly once across replicas) to the shared states.
app.register_lifespan_task(apply_bus_entries)
app.register_lifespan_task(watch_event_loop)
