"""Confidence bands of earned auto-apply (issue #16): which band a confidence falls in, and each band's own verdict."""

from __future__ import annotations

from helpdesk.ai.trust import Evidence, TrustRules, band_of, bands_above, parse_band_edges

RULES = TrustRules(target=0.95, z=1.645, min_evidence=30, window=200, demote_margin=0.05, band_edges=(0.95, 0.99))


def test_bands_start_at_the_threshold_and_ignore_edges_below_it() -> None:
    assert parse_band_edges(" 0.99, 0.95 ,") == (0.95, 0.99)
    assert [(b.low, b.high) for b in RULES.bands(0.85)] == [(0.85, 0.95), (0.95, 0.99), (0.99, 1.0)]
    # An administrator who raised the threshold to 0.97 has two bands left.
    assert [(b.low, b.high) for b in bands_above(0.97, (0.95, 0.99))] == [(0.97, 0.99), (0.99, 1.0)]


def test_a_confidence_belongs_to_one_band_and_nothing_at_or_below_the_threshold() -> None:
    bands = RULES.bands(0.85)
    assert band_of(0.85, bands) is None and band_of(0.5, bands) is None
    assert band_of(0.86, bands).key == "0.85"
    assert band_of(0.95, bands).key == "0.85"  # the upper edge belongs to the band below
    assert band_of(0.951, bands).key == "0.95"
    assert band_of(1.0, bands).key == "0.99"


def test_a_band_earns_on_its_own_record() -> None:
    # 52 right in a row clear the one-sided 95 % Wilson bound of 0.95; 51 do not.
    assert RULES.next_mode("suggest", Evidence(51, 51)) == "suggest"
    assert RULES.next_mode("suggest", Evidence(52, 52)) == "auto"
    # A band right 93 % of the time never earns it, however long it is watched.
    assert RULES.next_mode("suggest", Evidence(200, 186)) == "suggest"
