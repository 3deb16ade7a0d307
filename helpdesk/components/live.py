"""A component that fires an event whenever a (shared) state value changes in the browser."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventHandler, no_args_event_spec
from reflex.vars.base import Var


class VersionWatcher(rx.Fragment):
    """Renders nothing; runs `on_change` after mount and after every change of `version`.

    Live pages bind it to the pushed bus version, so a push turns into one small event from
    this browser that re-reads what this page may show. The event waits a random moment within
    `spread` ms: when hundreds of tabs get the same push, their refreshes reach the server spread
    out instead of as one burst that would hold up the next push; a newer version arriving
    meanwhile replaces the pending refresh, so bursts of changes cost one refresh.
    """

    version: Var[int]
    spread: Var[int]
    # The version the page already shows (a push that carried the page's rows moves it too): nothing to fetch.
    seen: Var[int]
    on_change: EventHandler[no_args_event_spec]

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "version", "spread", "seen", "on_change"]

    def add_imports(self) -> dict[str, Any]:
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str | Var[Any]]:
        trigger = self.event_triggers.get("on_change")
        if trigger is None:
            return []
        spread = self.spread if self.spread is not None else Var.create(0)
        seen = self.seen if self.seen is not None else Var.create(-1)
        return [Var(f"""
useEffect(() => {{
    if ({seen} >= 0 && {seen} >= {self.version}) return;
    const fn = {Var.create(trigger)};
    const timer = setTimeout(fn, Math.random() * ({spread} || 0));
    return () => clearTimeout(timer);
}}, [{self.version}]);
""")]


version_watcher = VersionWatcher.create
