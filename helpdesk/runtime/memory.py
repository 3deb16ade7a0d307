"""Keeps Python's full garbage collections short in a serving process.

A web process holds about 350,000 long-lived objects once the app is built (Reflex pages and states, SQLAlchemy
mappers, Pydantic models, the Urdu catalog). CPython's full (generation 2) collection walks all of them: about
200 ms during which every request in that process stands still, which showed up as the p95 of the REST mix at
only 45-60 requests per second while the CPU was mostly idle. Objects that exist when serving starts live as long
as the process, so they are moved out of the collector's sight (`gc.freeze`); what requests create afterwards is
collected as before.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then exempt every object alive now from later collections (call when serving starts)."""
    gc.collect()
    gc.freeze()
