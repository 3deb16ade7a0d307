"""Ticket text normalisation: the product must turn raw tickets into the training data's form."""

from __future__ import annotations

import pytest

from helpdesk.ai import STOP_WORDS, normalize, normalize_text
from helpdesk.ai.normalize import tokenize


def test_e_mail_addresses_and_links_vanish() -> None:
    text = "Please mail john.doe+it@acme.example.com or see https://intranet.acme.com/help?x=1 and www.example.org"
    assert normalize_text(text) == "please mail or"  # "see" and "and" are stop words
    assert "@" not in normalize_text("ping me at x@y.org") and "http" not in normalize_text("http://a.b/c")


def test_numbers_dates_and_punctuation_become_separators() -> None:
    assert normalize_text("Meeting at 10:30pm on 2nd floor, room #12!!") == "meeting pm nd floor room"
    assert normalize_text("Phone: +92 (21) 555-0199, ext. 42") == "phone ext"


def test_lower_case_ascii_with_accents_folded_and_apostrophes_joined() -> None:
    assert normalize_text("Café CRÈME can't connect") == "cafe creme connect"  # "cant" is a stop word
    assert normalize_text("DON'T WORRY") == "dont worry"
    assert tokenize("won't") == ["wont"]


def test_stop_words_are_removed_but_the_datas_frequent_words_are_kept() -> None:
    assert normalize_text("I need the printer in my office") == "need printer office"
    # Frequent in the training data, so deliberately not stop words.
    expected = "hello please can you help with access for"
    assert normalize_text("Hello, please can you help with access for me") == expected
    for kept in ("please", "for", "you", "can", "with", "cannot", "thanks"):
        assert kept not in STOP_WORDS
    for dropped in ("the", "and", "of", "a", "is", "it", "i", "my", "down", "all"):
        assert dropped in STOP_WORDS


def test_single_letters_and_empty_input_give_nothing() -> None:
    assert normalize_text("a b c x") == ""
    assert normalize_text("") == ""
    assert normalize(None, None) == ""


def test_ticket_title_comes_first_then_the_body() -> None:
    assert normalize("Laptop broken", "Screen cracked") == "laptop broken screen cracked"
    assert normalize("Laptop broken", None) == "laptop broken"
    assert normalize(None, "Screen cracked") == "screen cracked"


@pytest.mark.parametrize("raw", [
    "Hi team, my VPN drops every 10 minutes since 3rd June! Contact me: a.b@c.com",
    "Café crème: can't log in to https://portal.example.com/login (error 0x80070005)",
    "",
    "   \n\t  ",
    "ALL USERS ARE DOWN!!!",
])
def test_normalisation_is_idempotent(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
    assert "  " not in once and once == once.strip()
