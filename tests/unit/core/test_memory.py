"""A serving process keeps its startup objects out of full garbage collections, and still collects new garbage."""

from __future__ import annotations

import gc
import weakref

from helpdesk.runtime import memory


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_startup_objects_are_frozen_and_new_cycles_are_still_collected() -> None:
    try:
        memory.freeze_startup_objects()
        assert gc.get_freeze_count() > 1000  # everything the test process imported
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
