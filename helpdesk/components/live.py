"""A component that fires an event whenever a (shared) state value changes in the browser."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventHandler, no_args_event_spec
from reflex.vars.base import Var


class VersionWatcher(rx.Fragment):
    """Renders nothing; runs `on_change` after mount and after every change of `version`.

    Live pages bind it to a shared state's version counter, so a push from another replica
    turns into one small event from this browser that re-reads what this page may show.
    """

    version: Var[int]
    on_change: EventHandler[no_args_event_spec]

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "version", "on_change"]

    def add_imports(self) -> dict[str, Any]:
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str | Var[Any]]:
        trigger = self.event_triggers.get("on_change")
        if trigger is None:
            return []
        return [Var(f"""
useEffect(() => {{
    const fn = {Var.create(trigger)};
    fn();
}}, [{self.version}]);
""")]


version_watcher = VersionWatcher.create
