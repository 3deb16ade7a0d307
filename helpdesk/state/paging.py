"""Keyset paging shared by every list page: a stack of cursors, next and previous."""

from __future__ import annotations

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
