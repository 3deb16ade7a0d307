"""Keyset paging shared by every list page: a stack of cursors, next and previous."""

from __future__ import annotations

from typing import Any

import reflex as rx


class KeysetPaging(rx.State, mixin=True):
    next_cursor: str = ""
    cursor_stack: list[str] = []

    def _load(self, cursor: str | None = None) -> rx.event.EventSpec | None:
        raise NotImplementedError

    def _current_cursor(self) -> str | None:
        return self.cursor_stack[-1] if self.cursor_stack else None

    @rx.event
    def next_page(self) -> rx.event.EventSpec | None:
        if not self.next_cursor:
            return None
        self.cursor_stack = [*self.cursor_stack, self.next_cursor]
        return self._load(self.next_cursor)

    @rx.event
    def previous_page(self) -> rx.event.EventSpec | None:
        self.cursor_stack = self.cursor_stack[:-1]
        return self._load(self._current_cursor())


class AdminKeysetPaging(rx.State, mixin=True):
    """Keyset paging for the admin pages, whose loads are async (they check the administrator on every call):
    `cursor_stack` holds the cursor of each page after the first, `next_cursor` the one after this page ("" on the
    last). The page's `_load()` reads `_current_cursor()` and sets `next_cursor`."""

    next_cursor: str = ""
    cursor_stack: list[str] = []

    async def _load(self) -> Any:  # noqa: ANN401 (the page's event, if any)
        raise NotImplementedError

    def _current_cursor(self) -> str:
        return self.cursor_stack[-1] if self.cursor_stack else ""

    def _first_page(self) -> None:
        self.cursor_stack, self.next_cursor = [], ""

    @rx.event
    async def next_page(self) -> Any:  # noqa: ANN401
        if not self.next_cursor:
            return None
        self.cursor_stack = [*self.cursor_stack, self.next_cursor]
        return await self._load()

    @rx.event
    async def previous_page(self) -> Any:  # noqa: ANN401
        if not self.cursor_stack:
            return None
        self.cursor_stack = self.cursor_stack[:-1]
        return await self._load()
