"""Page text in the signed-in person's language.

Pages are compiled to JavaScript once, at build time, so a page cannot be built per language: instead each piece of
text compiles to both languages and the browser picks one by `SessionState.language`, which switches without a
rebuild or a page load. `t("My tickets")` is that text (the Urdu comes from helpdesk/locale/ur, see
helpdesk/core/i18n.py); `tf("Page {number}", number=State.page)` the same with values put in.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

from helpdesk.core import i18n
from helpdesk.state.session import SessionState

_URDU = "ur"


def t(msgid: str) -> Any:
    """`msgid` (the English text) as a Var that shows the Urdu translation on an Urdu page."""
    urdu = i18n.translate(_URDU, msgid)
    if urdu == msgid:
        return msgid
    return rx.cond(SessionState.language == _URDU, urdu, msgid)


def tf(msgid: str, **values: Any) -> Any:
    """`t` with `{placeholders}` filled from `values` (strings or Vars); each language orders them its own way."""
    english = msgid.format(**values)
    urdu = i18n.translate(_URDU, msgid).format(**values)
    return rx.cond(SessionState.language == _URDU, urdu, english)


def choose(english: Any, urdu: Any) -> Any:
    """One of two components (or values) by the page's language, for text that is not a plain string."""
    return rx.cond(SessionState.language == _URDU, urdu, english)


class DocumentLanguage(rx.Fragment):
    """Renders nothing; keeps `<html lang dir>` in step with the page's language, so the whole document (and the
    menus, dialogs and toasts drawn outside the page's root) lays out right to left in Urdu."""

    language: Var[str]

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "language"]

    def add_imports(self) -> dict[str, Any]:
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str | Var[Any]]:
        rtl = sorted(i18n.RIGHT_TO_LEFT)
        return [Var(f"""
useEffect(() => {{
    const language = {self.language} || "en";
    document.documentElement.lang = language;
    document.documentElement.dir = {rtl!r}.includes(language) ? "rtl" : "ltr";
}}, [{self.language}]);
""")]


class DirectionProvider(rx.Component):
    """Radix's reading direction for everything inside (`dir`: "ltr" or "rtl"). Radix Themes' root sets "ltr" for
    the whole app, and each Radix part then writes its own `dir`: in an Urdu page a select's trigger and menu, a
    dropdown menu, the tabs' arrow keys and a table's scroll area ran left to right. It is the provider Radix Themes
    itself uses (the `radix-ui` package it depends on, so one React context for both; nothing more to install)."""

    library = "radix-ui"
    tag = "Direction.Provider"

    dir: Var[str]

    @property
    def import_var(self) -> rx.ImportVar:
        # Already in the build as a dependency of @radix-ui/themes: not added to package.json (the lockfile stands).
        return rx.ImportVar(tag="Direction", install=False)


def direction_provider(*children: rx.Component) -> rx.Component:
    return DirectionProvider.create(*children, dir=SessionState.text_direction)


def document_language() -> rx.Component:
    return DocumentLanguage.create(language=SessionState.language)


def language_picker() -> rx.Component:
    """Two buttons, each language named in itself (someone who cannot read the current one still finds theirs)."""
    def option(code: str, name: str) -> rx.Component:
        chosen = SessionState.language == code
        # type="button": on the sign-in page the picker sits inside the form, which it must not submit.
        return rx.button(name, type="button", size="1", variant=rx.cond(chosen, "solid", "soft"), color_scheme="gray",
                         high_contrast=True, aria_pressed=rx.cond(chosen, "true", "false"), lang=code,
                         on_click=SessionState.choose_language(code), data_testid=f"language-{code}")
    return rx.hstack(*[option(code, name) for code, name in i18n.LANGUAGES.items()], spacing="1",
                     role="group", aria_label="Language / زبان", data_testid="language-picker")
