"""Article bodies: Markdown rendered to HTML, and that HTML sanitised so it is safe to insert into a page.

markdown-it runs with raw HTML off (so `<script>` in Markdown comes out as text) and its own link check (which
drops `javascript:`/`vbscript:`/`data:` links); nh3 then allows only the tags and attributes below, as a second
line of defence should either of those ever change.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "code", "pre", "a", "img", "table",
    "thead", "tbody", "tr", "th", "td", "blockquote", "em", "strong", "del", "s",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}
# Table cell alignment is the only inline style markdown-it writes.
ALLOWED_STYLE_PROPERTIES = frozenset({"text-align"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})


@lru_cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 has already limited every URL to LINK_SCHEMES or a relative URL; images are narrower (no mailto:).
    if tag == "img" and attribute == "src":
        scheme = urlsplit(value.strip()).scheme.lower()
        return value if scheme in IMAGE_SCHEMES or scheme == "" else None
    return value


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer",
        filter_style_properties=set(ALLOWED_STYLE_PROPERTIES),
        strip_comments=True,
    )


def render_markdown(markdown: str) -> str:
    """The article body as HTML that is safe to insert into a page."""
    return sanitise_html(_markdown().render(markdown))
