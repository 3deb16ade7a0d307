"""How familiar a ticket's text is to what the model learned from, and the discount of its confidence.

Measure: vocabulary coverage, the share of the ticket's normalised tokens the model has seen: the shipped model's
word vocabulary (tokens in at least two of its 38,331 training tickets) plus every token of this helpdesk's own
human-labelled tickets (so what the organisation teaches becomes familiar). Measured on the fixed 80/20 split of the
training file (vocabulary from the 80 %): unseen tickets of the same data have median coverage 1.0 and 5th
percentile 0.97; the demo organisation's tickets (other people's full sentences) median 0.93, 5th percentile 0.69;
"Purchse ergonomic keyboard" 0.67, "MFA reset - new phone" 0.75. The mean cosine to the five nearest training
embeddings separated the two groups less (medians 0.71 vs 0.60, heavily overlapping) and needs the training
embeddings at run time, so coverage it is.

Discount: confidence x g(coverage), g = 1 at or above FAMILIAR (0.9), falling linearly to 0 at ZERO (0.6); below
UNFAMILIAR (0.8) the ticket is "unfamiliar" and is never applied automatically, whatever its discounted confidence.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

FAMILIAR = 0.9
UNFAMILIAR = 0.8
ZERO = 0.6


@dataclass(frozen=True)
class Familiarity:
    coverage: float  # share of tokens known (1.0 for an empty text: nothing unknown in it)
    unknown: tuple[str, ...]  # the tokens nobody taught the model, for agents' eyes

    @property
    def familiar(self) -> bool:
        return self.coverage >= UNFAMILIAR

    @property
    def factor(self) -> float:
        return discount_factor(self.coverage)

    def discount(self, confidence: float) -> float:
        return confidence * self.factor


def discount_factor(coverage: float) -> float:
    if coverage >= FAMILIAR:
        return 1.0
    return max(0.0, (coverage - ZERO) / (FAMILIAR - ZERO))


def familiarity(text: str, *vocabularies: Iterable[str] | set[str]) -> Familiarity:
    """Coverage of a normalised text's tokens by the union of the vocabularies (sets are used as they are)."""
    tokens = text.split()
    if not tokens:
        return Familiarity(1.0, ())
    vocabs = [v if isinstance(v, set | frozenset | dict) else set(v) for v in vocabularies]
    unknown = tuple(t for t in tokens if not any(t in v for v in vocabs))
    return Familiarity(1 - len(unknown) / len(tokens), unknown)


def model_vocabulary(model: object) -> frozenset[str]:
    """The unigrams of a classifier's word vectorizer (what its training data used at least twice); cached on it."""
    cached = getattr(model, "_familiar_vocabulary", None)
    if cached is not None:
        return cached
    vectorizers = getattr(model, "vectorizers_", {}) or {}
    word = vectorizers.get("word")
    vocabulary = frozenset(t for t in (word.vocabulary_ if word is not None else {}) if " " not in t)
    with contextlib.suppress(AttributeError):  # a model that refuses attributes just recomputes it
        model._familiar_vocabulary = vocabulary  # type: ignore[attr-defined]
    return vocabulary
