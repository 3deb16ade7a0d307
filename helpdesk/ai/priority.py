"""A rule-based priority estimate for a new ticket.

This is a heuristic, not a trained model: the labelled corpus in ``data/`` has categories but no priorities, so
there is nothing to learn from yet. Once enough tickets carry a priority a person has confirmed (ai_feedback rows
for "priority", and priority changes in ticket_events), replace it with a calibrated classifier like the
category one.

Until then it stays honest about its limits:

* it reads the raw title and description, not the normalised text, because the words that matter here
  ("all", "down", "whole", "not") are stop words for the category model;
* one signal alone (say "urgent") gives a modest confidence, well under the auto-apply threshold (0.85 by
  default), so such a suggestion is only shown to an agent;
* only two independent signals that agree ("all users" + "cannot work", or "breach" + "urgent") reach 0.90,
  the one case where a wrong guess is unlikely and a late reaction is expensive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PriorityEstimate", "estimate_priority", "CLEAR_CASE_CONFIDENCE"]

# Confidence when two independent signal groups agree; the only level above the default threshold.
CLEAR_CASE_CONFIDENCE = 0.90
_SEVERE_SECURITY_CONFIDENCE = 0.75
_SINGLE_SIGNAL_CONFIDENCE = 0.65
_OUTAGE_AND_URGENT_CONFIDENCE = 0.80
_WEAK_SIGNAL_CONFIDENCE = 0.55
_LOW_CONFIDENCE = 0.60
# With no signal at all the estimate is the form's default, medium, and barely better than a coin toss.
_NO_SIGNAL_CONFIDENCE = 0.50


def _pattern(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


# Many people affected at once.
_WIDE_IMPACT = _pattern(
    r"all (?:users|staff|employees|colleagues|of us|computers|machines|laptops)", r"every ?one", r"every user",
    r"everybody", r"nobody can", r"no ?one can", r"(?:whole|entire) (?:office|team|company|department|floor|"
    r"building|organi[sz]ation|site|branch)", r"company[- ]wide", r"organi[sz]ation[- ]wide", r"office[- ]wide",
)
# Something that should work does not work at all.
_OUTAGE = _pattern(
    r"(?:is|are|went|goes|gone|been) down", r"down (?:for|since)", r"outage", r"not working", r"stopped working",
    r"(?:cannot|can ?not|can'?t|unable to) work", r"(?:cannot|can ?not|can'?t|unable to) (?:log ?in|access|connect)",
    r"not responding", r"unreachable", r"offline", r"crash(?:ed|es|ing)?", r"no (?:internet|network|connection)",
)
# Signs of an attack or a leak: worth a person's attention at once.
_SEVERE_SECURITY = _pattern(
    r"breach(?:ed)?", r"hacked", r"ransomware", r"malware", r"virus", r"phishing", r"compromised",
    r"data leak", r"leaked", r"suspicious (?:login|sign[- ]in|activity|e-?mail)", r"unauthori[sz]ed access",
)
# "security" alone is common in routine requests ("add me to the security group"), so it is a weak signal.
_SECURITY = _pattern(r"security")
_URGENT = re.compile(
    r"(?<!not )(?<!not so )\b(?:urgent(?:ly)?|asap|immediately|emergency|right away|as soon as possible|critical)\b",
    re.IGNORECASE,
)
_NOT_URGENT = _pattern(
    r"not urgent", r"no rush", r"no hurry", r"when(?:ever)? you (?:have|get) (?:the )?time", r"low priority",
    r"nice to have", r"not (?:so |very )?important", r"next week", r"cosmetic",
)


@dataclass(frozen=True)
class PriorityEstimate:
    """A priority ("low", "medium", "high", "critical"), how sure the rules are, and the signals they saw."""

    priority: str
    confidence: float
    signals: tuple[str, ...] = ()


def estimate_priority(title: str | None, description: str | None) -> PriorityEstimate:
    """Estimate a ticket's priority from its raw text (see the module notes for why it is rule based)."""
    text = " ".join(part for part in (title, description) if part)
    found = {
        name: bool(pattern.search(text))
        for name, pattern in (("wide_impact", _WIDE_IMPACT), ("outage", _OUTAGE),
                              ("severe_security", _SEVERE_SECURITY), ("security", _SECURITY),
                              ("urgent", _URGENT), ("not_urgent", _NOT_URGENT))
    }
    signals = tuple(name for name, present in found.items() if present)
    severe, wide, outage, urgent = found["severe_security"], found["wide_impact"], found["outage"], found["urgent"]

    if severe and (wide or outage or urgent):
        return PriorityEstimate("critical", CLEAR_CASE_CONFIDENCE, signals)
    if wide and outage:
        return PriorityEstimate("critical", CLEAR_CASE_CONFIDENCE, signals)
    if severe:
        return PriorityEstimate("critical", _SEVERE_SECURITY_CONFIDENCE, signals)
    if outage and urgent:
        return PriorityEstimate("high", _OUTAGE_AND_URGENT_CONFIDENCE, signals)
    if wide or outage:
        return PriorityEstimate("high", _SINGLE_SIGNAL_CONFIDENCE, signals)
    if urgent or found["security"]:
        return PriorityEstimate("high", _WEAK_SIGNAL_CONFIDENCE, signals)
    if found["not_urgent"]:
        return PriorityEstimate("low", _LOW_CONFIDENCE, signals)
    return PriorityEstimate("medium", _NO_SIGNAL_CONFIDENCE, signals)
