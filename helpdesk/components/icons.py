"""Icons chosen by a state value, without Lucide's DynamicIcon.

`rx.icon(some_var)` compiles to lucide-react's DynamicIcon, which ships a 250 KB map of every icon and loads each
one with a separate import after the page renders (icons pop in late, and the main thread pays for the map). Naming
every candidate statically keeps only those icons in the bundle and draws them with the first render.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def icon_match(value: rx.Var, *cases: tuple[str, str], default: str, **props: Any) -> rx.Component:
    """The icon for `value`: `cases` are (value, icon name) pairs; `default` for anything else."""
    return rx.match(value, *((case, rx.icon(name, **props)) for case, name in cases), rx.icon(default, **props))


def icon_cond(condition: rx.Var, when_true: str, when_false: str, **props: Any) -> rx.Component:
    return rx.cond(condition, rx.icon(when_true, **props), rx.icon(when_false, **props))
