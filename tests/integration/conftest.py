"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import Org, reset_sla_config


@pytest.fixture
def sla_org(org: Org) -> Iterator[Org]:
    """The test organisation with the SLA policies and calendar the migration seeds (restored afterwards too, as
    calendars survive the per-test truncation)."""
    reset_sla_config()
    yield org
    reset_sla_config()
