"""The languages the helpdesk speaks (English and Urdu) and the helpers that put text, dates and numbers into one.

Text: gettext catalogs made with Babel, one per language in `helpdesk/locale/<lang>/LC_MESSAGES/messages.po`.
English is the source language: its msgids are the English text, so English needs no catalog. The catalogs are
read straight from the .po files (once per process) rather than from compiled .mo files, so there is no compile
step to forget after editing a translation.

Extracting the strings (babel.cfg says which files; the keywords are EXTRACT_KEYWORDS below), then merging them
into the Urdu catalog, where new ones arrive untranslated (tests/unit/core/test_i18n.py fails until each has its
Urdu):

    pybabel extract -F babel.cfg -k t -k tf -k tr -k _t -k N_ -k NF_ -k translate:2 -k translate_format:2 \
        --no-location --sort-output -o helpdesk/locale/messages.pot .
    pybabel update -i helpdesk/locale/messages.pot -d helpdesk/locale --no-fuzzy-matching --ignore-obsolete

Dates and numbers: Babel's CLDR data in the person's locale and the organisation's time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LANGUAGE = "en"
# The choices offered to a person, each named in its own language.
LANGUAGES: dict[str, str] = {"en": "English", "ur": "اردو"}
RIGHT_TO_LEFT = frozenset({"ur"})
# Keyword arguments that gettext extraction should look for (also what babel.cfg and the catalog test use).
# Page helpers t/tf (helpdesk/components/i18n.py), a state's self._t, local partials named tr/tf, and N_ markers.
EXTRACT_KEYWORDS = {"t": None, "tf": None, "tr": None, "_t": None, "N_": None, "NF_": None, "translate": (2,),
                    "translate_format": (2,)}


def N_(msgid: str) -> str:  # noqa: N802 (the conventional gettext marker's name)
    """Marks English text for the catalogs where it is written down (a table of labels) and returns it as it is:
    the text is translated later, where it is shown."""
    return msgid


class Message(str):
    """English text made from a template and values (a field error naming a file, a limit, a ticket number) that
    still knows both: as a str it is the English text (REST answers, logs, e-mails), and `translate` shows it in
    another language - the template's translation with the same values. Made by `NF_`."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, **values: Any) -> Message:
        text = super().__new__(cls, msgid.format(**values))
        text.msgid, text.values = msgid, values
        return text


def NF_(msgid: str, **values: Any) -> Message:  # noqa: N802 (N_ with values, as the catalogs' extraction knows it)
    """Marks a template for the catalogs and fills it in: `NF_("{name} is empty.", name=filename)` reads as the
    English text and is translated, values and all, where it is shown (a state's `self._t(problem)`)."""
    return Message(msgid, **values)


def normalise(language: str | None) -> str:
    """A supported language code ("en" for anything else: a stale cookie, a tampered request)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def is_rtl(language: str) -> bool:
    return language in RIGHT_TO_LEFT


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache
def _messages(language: str) -> dict[str, str]:
    """msgid -> translation for `language`: untranslated and fuzzy entries are left out (English shows)."""
    path = catalog_path(language)
    if language == DEFAULT_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {message.id: message.string for message in catalog
            if message.id and isinstance(message.id, str) and message.string and not message.fuzzy}


def translate(language: str | None, msgid: str) -> str:
    """`msgid` (English text) in `language`; the English text itself where no translation exists. A `Message` is its
    template's translation with its values (each value a Message is translated too)."""
    if isinstance(msgid, Message):
        if normalise(language) == DEFAULT_LANGUAGE:
            return str(msgid)
        values = {k: translate(language, v) if isinstance(v, Message) else v for k, v in msgid.values.items()}
        return translate(language, msgid.msgid).format(**values)
    return _messages(normalise(language)).get(msgid, msgid)


def translate_format(language: str | None, msgid: str, **values: Any) -> str:
    """`translate` then `str.format(**values)`: the translation may put the placeholders in its own order."""
    return translate(language, msgid).format(**values)


def translations(language: str | None) -> dict[str, str]:
    """Every translation of `language` (for tests and for pages that build their text at compile time)."""
    return dict(_messages(normalise(language)))


def locale(language: str | None) -> Locale:
    return Locale.parse(normalise(language))


def format_moment(moment: datetime, language: str | None, zone: str, *, weekday: bool = False) -> str:
    """An absolute date and time in the person's language, in the organisation's time zone: "06 Dec 2026, 20:17"
    in English, with Urdu month names in Urdu."""
    pattern = "EEE dd MMM y, HH:mm" if weekday else "dd MMM y, HH:mm"
    return babel_format_datetime(moment, pattern, tzinfo=zone, locale=locale(language))


def format_relative(delta: timedelta, language: str | None) -> str:
    """How long ago (positive delta) or how far ahead (negative delta) in words of the person's language:
    "3 گھنٹے پہلے". The English pages keep their compact "3h ago", see helpdesk/state/formatting.py."""
    return format_timedelta(-delta, granularity="minute", threshold=1, add_direction=True, format="long",
                            locale=locale(language))


def format_duration(delta: timedelta, language: str | None) -> str:
    """A length of time without direction: "3 گھنٹے"."""
    return format_timedelta(delta, granularity="minute", threshold=1, format="long", locale=locale(language))


def format_number(number: float | int, language: str | None) -> str:
    return format_decimal(number, locale=locale(language))
