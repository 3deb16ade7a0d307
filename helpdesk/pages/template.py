"""One decorator per page: the route, its title with the application's name, on_load, and the shell around it.

Modelled on the `@template(route=..., title=...)` decorator of reflex-dev/templates:

    @template(QUEUE, "Queue", on_load=QueueState.on_load)
    def queue_page() -> rx.Component:
        return rx.fragment(page_header(...), ...)

registers /queue titled "Queue · IT Helpdesk", its content inside the top bar and page container (`page_shell`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import reflex as rx
from reflex.event import EventType

from helpdesk.components.i18n import choose
from helpdesk.components.layout import page_shell
from helpdesk.core import i18n

APP_NAME = "IT Helpdesk"

PageContent = Callable[[], rx.Component]


def page_title(title: str = "") -> str | rx.Var:
    """The browser tab's title in the page's language. Each part of "Volume and backlog · Reports" is an English
    msgid of its own (the titles are marked where the pages are registered)."""
    parts = [*(part for part in title.split(" · ") if part), APP_NAME]
    english = " · ".join(parts)
    urdu = " · ".join(i18n.translate("ur", part) for part in parts)
    return english if urdu == english else choose(english, urdu)


def template(route: str, title: str = "", on_load: EventType[()] | None = None, *,
             max_width: str = "1320px", shell: bool = True) -> Callable[[PageContent], PageContent]:
    """Registers the decorated content as the page at `route`.

    `shell=False` is for the pages that stand alone (sign-in, the redirecting ones): no top bar or container.
    """

    def decorator(page_content: PageContent) -> PageContent:
        @functools.wraps(page_content)
        def page() -> rx.Component:
            content = page_content()
            return page_shell(content, max_width=max_width) if shell else content

        rx.page(route=route, title=page_title(title), on_load=on_load)(page)
        return page

    return decorator
