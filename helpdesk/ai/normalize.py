"""Turn raw ticket text into the form of the training data.

The training corpus (``data/it-tickets-train.csv.gz``) was produced by an
upstream pipeline we do not have, so this module reproduces it empirically
from what the data shows (38,331 documents, 11,615 distinct tokens):

* text is lower case ASCII letters separated by single spaces: no digits, no
  punctuation, no accents (foreign words appear accent-folded: ``si``, ``la``);
* e-mail addresses, URLs, numbers, dates and phone numbers are gone
  (``http``, ``www``, ``email`` never occur; only the residue of times such
  as ``pm``, ``ext`` or ``st``/``th`` ordinals survives);
* greetings and sign-offs are *kept* (``hi``, ``hello``, ``dear``,
  ``regards``, ``thanks``, ``please`` are among the most frequent tokens), so we
  keep them too;
* the stop word list is *not* scikit-learn's ``ENGLISH_STOP_WORDS``: many of
  its words are frequent in the data (``please`` in 75 % of documents,
  ``for`` 27 %, ``you`` 19 %, ``can``, ``with``, ``have``, ``also``,
  ``cannot``, ``name``, ``find`` ...), whereas other words never occur at all
  (``i``, ``in``, ``my``, ``an``, ``so``, ``will``, ``just``, ``may``...) and the
  most frequent function words (``the``, ``and``, ``of``, ``a``, ``is``,
  ``it``, ``this``, ``that``) occur in only 0.1-4 % of documents although
  they would be in nearly every one of real e-mail text. :data:`STOP_WORDS`
  is therefore: every English stop word (NLTK + scikit-learn lists) that is
  absent or rare (< 2 % of documents) in the training data, plus the
  high-frequency function words that were clearly stripped upstream.

Everything here is a pure function of its input; nothing is downloaded.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["STOP_WORDS", "normalize", "normalize_text", "tokenize"]

# fmt: off
STOP_WORDS: frozenset[str] = frozenset([
    "a", "above", "across", "afterwards", "against", "ain", "all", "almost", "alone", "along", "already",
    "although", "always", "am", "among", "amongst", "amoungst", "amount", "an", "and", "another", "anyhow",
    "anyone", "anything", "anyway", "anywhere", "are", "aren", "around", "as", "at", "became", "become", "becomes",
    "becoming", "been", "before", "beforehand", "behind", "being", "beside", "besides", "between", "beyond", "bill",
    "both", "bottom", "cant", "co", "con", "couldn", "couldnt", "cry", "d", "de", "describe", "detail", "didn",
    "do", "does", "doesn", "doing", "don", "down", "during", "eg", "eight", "either", "eleven", "else", "elsewhere",
    "empty", "enough", "etc", "even", "ever", "every", "everyone", "everything", "everywhere", "except", "few",
    "fifteen", "fifty", "fire", "first", "five", "former", "formerly", "forty", "four", "front", "full", "go",
    "hadn", "hasn", "hasnt", "haven", "hence", "here", "hereafter", "hereby", "herein", "hereupon", "hers",
    "herself", "himself", "however", "hundred", "i", "ie", "in", "inc", "indeed", "interest", "is", "isn", "it",
    "its", "itself", "just", "last", "latter", "latterly", "least", "less", "ll", "ltd", "m", "ma", "made", "many",
    "may", "me", "meanwhile", "might", "mightn", "mill", "mine", "moreover", "most", "mostly", "move", "must",
    "mustn", "my", "myself", "namely", "needn", "neither", "never", "nevertheless", "nine", "no", "nobody", "none",
    "noone", "nor", "nothing", "now", "nowhere", "o", "of", "off", "often", "on", "once", "onto", "others",
    "otherwise", "ours", "ourselves", "over", "own", "perhaps", "put", "rather", "s", "see", "seem", "seemed",
    "seeming", "serious", "several", "shan", "shouldn", "show", "sincere", "six", "sixty", "so", "somehow",
    "someone", "something", "sometime", "sometimes", "somewhere", "such", "system", "t", "ten", "that", "the",
    "their", "theirs", "them", "themselves", "thence", "thereafter", "thereby", "therefore", "therein", "thereupon",
    "they", "thick", "thin", "third", "this", "those", "though", "three", "through", "throughout", "thru", "thus",
    "to", "together", "too", "top", "toward", "towards", "twelve", "twenty", "un", "upon", "us", "ve", "very",
    "wasn", "weren", "whatever", "whence", "whenever", "whereafter", "whereas", "whereby", "wherein", "whereupon",
    "wherever", "whether", "whither", "who", "whoever", "whole", "whom", "whose", "why", "will", "within",
    "without", "won", "wouldn", "y", "yet", "yours", "yourself", "yourselves",
])
# fmt: on
# Generated from the training data: (NLTK english + scikit-learn
# ENGLISH_STOP_WORDS) words present in < 2 % of training documents, plus the
# most frequent function words that were clearly stripped upstream
# ("the and of a an to in is it i my me this that at are on as").
# Deliberately NOT stop words (frequent in the data, share of documents):
# please .75, for .27, re .21, you .19, can .13, by .13, with .12, have .11,
# also .10, has .10, be .09, could .08, find .07, cannot .07, how .07, but .07,
# name .07, take .06, more, other, we, out, if, these, when, after, below,
# your, or, because, same, his, which, was, any, about, under, further, there,
# each, well, one, not, he, per, back, some, next, again, had, her, should,
# then, part, seems, give, since, she, much, get, two, from, were, done, our,
# up, via, having, where, fill, did, call, due, still, into, only, found, what,
# keep, him, until, while, would, than, side.

_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_URL_RE = re.compile(r"\b(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_APOSTROPHE_RE = re.compile(r"(?<=[a-z])['\u2019](?=[a-z])")
_NON_LETTER_RE = re.compile(r"[^a-z]+")


def _fold_ascii(text: str) -> str:
    """Lower-case and strip accents (``Café`` -> ``cafe``); drop other non-ASCII."""
    text = unicodedata.normalize("NFKD", text.lower())
    return text.encode("ascii", "ignore").decode("ascii")


def tokenize(text: str) -> list[str]:
    """Return the normalised tokens of ``text`` (see :func:`normalize_text`)."""
    if not text:
        return []
    text = _EMAIL_RE.sub(" ", text)          # anonymise: e-mail addresses vanish
    text = _URL_RE.sub(" ", text)            # ... and so do links
    text = _fold_ascii(text)
    text = _APOSTROPHE_RE.sub("", text)      # can't -> cant, don't -> dont
    # digits and punctuation become separators: "10:30pm" -> "pm", "2nd" -> "nd"
    return [t for t in _NON_LETTER_RE.split(text)
            if len(t) > 1 and t not in STOP_WORDS]


def normalize_text(text: str) -> str:
    """Normalise one free-text string to the training-data form.

    Lower case, accents folded, e-mail addresses / URLs / numbers removed,
    punctuation removed, stop words removed, single spaces. Idempotent:
    ``normalize_text(normalize_text(x)) == normalize_text(x)``.
    """
    return " ".join(tokenize(text or ""))


def normalize(title: str | None, body: str | None) -> str:
    """Normalise a ticket: title and body joined (title first, as in the data)."""
    return normalize_text(" ".join(p for p in (title, body) if p))
