"""What a person wrote: HTML turned into plain text, quoted history and signatures removed, in linear time.

Quoted history and signatures are found by `mail-parser-reply` (maintained, many languages). Its patterns
backtrack on long lines (a 10,000-word line costs seconds), so it reads a skeleton of the text: at most
MAX_SCAN_CHARS characters, each line cut to SKELETON_LINE_CHARS. Headers such as "On ... wrote:" and
signature markers are short lines, so the skeleton finds them; the full lines of the original are kept.
"""

from __future__ import annotations

import re

from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from mailparser_reply import EmailReplyParser

MAX_SCAN_CHARS = 100_000
MAX_HTML_CHARS = 2_000_000
SKELETON_LINE_CHARS = 160
LANGUAGES = ["en", "de", "fr", "es", "it", "nl"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_RUNS = re.compile(r"\n{3,}")

_parser = EmailReplyParser(languages=LANGUAGES)
_html_config = ParserConfig(display_links=False, display_images=False)


def html_to_text(html: str) -> str:
    """Safe plain text from HTML: tags, scripts and styles go, the layout of paragraphs and lists stays."""
    if not html.strip():
        return ""
    try:
        return get_text(html[:MAX_HTML_CHARS], _html_config)
    except Exception:  # noqa: BLE001 - lxml gives up on some broken markup; the tag-free text is still useful
        return re.sub(r"<[^>]*>", " ", html[:MAX_HTML_CHARS])


def clean(text: str) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(line.rstrip() for line in text.split("\n"))).strip()


def latest_reply(text: str) -> str:
    """The new part of a reply: without the quoted history below it and without the signature."""
    text = clean(text)[:MAX_SCAN_CHARS]
    if not text:
        return ""
    lines = text.split("\n")
    skeleton = "\n".join(line.strip()[:SKELETON_LINE_CHARS] for line in lines)
    replies = _parser.read(skeleton).replies
    reply = replies[0].body if replies else ""
    if not reply.strip():
        # Everything looked like quote or signature (say, a bare "> ..." forward): keep the text rather than nothing.
        return _without_quote_marks(lines)
    kept = _map_back(lines, reply.split("\n"))
    return clean("\n".join(kept))


def _map_back(lines: list[str], reply_lines: list[str]) -> list[str]:
    """The original lines the parser kept, found by walking both in order (the parser only removes lines)."""
    kept: list[str] = []
    position = 0
    for wanted in reply_lines:
        wanted = wanted.strip()
        while position < len(lines) and lines[position].strip()[:SKELETON_LINE_CHARS] != wanted:
            position += 1
        if position == len(lines):
            break
        kept.append(lines[position])
        position += 1
    return kept


def _without_quote_marks(lines: list[str]) -> str:
    return clean("\n".join(re.sub(r"^(>\s?)+", "", line) for line in lines))
