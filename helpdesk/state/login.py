"""The sign-in form."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from helpdesk.core.errors import NotAuthenticated, RateLimited, ValidationFailed
from helpdesk.identity import auth, browser_sessions, sso
from helpdesk.routes import HOME_FOR_ROLE
from helpdesk.state.session import HANDOFF_PATH, SessionState, navigate_document


class LoginState(SessionState):
    error: str = ""
    field_errors: dict[str, str] = {}
    busy: bool = False
    notice: str = ""
    # "Sign in with <provider>" when single sign-on is configured, and where that button goes.
    sso_name: str = ""
    sso_href: str = ""

    @rx.event
    def redirect_if_signed_in(self) -> rx.event.EventSpec | None:
        # Anyone may open the sign-in page: nothing here needs to know who is asking until the token check below.
        params = self.router.page.params
        self.error, self.field_errors = sso.message_for(str(params.get("sso_error", "") or "")), {}
        self.error = self.error or browser_sessions.HANDOFF_MESSAGES.get(str(params.get("signin", "") or ""), "")
        self.notice = self._t("Your password is saved. Sign in with it.") if params.get("reset") else ""
        self.sso_name = sso.provider_name()
        next_path = sso.safe_next(str(params.get("next", "") or ""))
        self.sso_href = sso.START_PATH + (f"?{urlencode({'next': next_path})}" if next_path else "")
        if not self._session_token():
            return None
        with self._on_failure(on={NotAuthenticated: self._forget_token}) as failure:
            actor = self._run(lambda session, actor: actor)
        if failure:
            return failure.event
        return rx.redirect(HOME_FOR_ROLE[actor.role])

    def _forget_token(self, _exc: NotAuthenticated) -> None:
        """A cookie with an ended session: the sign-in form stays (the next sign-in replaces the cookie)."""
        return None

    @rx.event
    def submit(self, form_data: dict) -> rx.event.EventSpec | None:
        self.error, self.field_errors = "", {}
        email = str(form_data.get("email", ""))[:254]
        password = str(form_data.get("password", ""))[:1000]
        ip_address = self._client_ip()
        try:
            signed_in = auth.login(email, password, ip_address)
        except ValidationFailed as exc:
            self.field_errors = {field: self._t(message) for field, message in exc.field_errors.items()}
            return None
        except (NotAuthenticated, RateLimited) as exc:
            self.error = self._t(exc.message)
            return None
        actor = signed_in.actor
        target = sso.safe_next(str(self.router.page.params.get("next", "") or "")) or HOME_FOR_ROLE[actor.role]
        # Only the server writes the HttpOnly cookie: the browser fetches it with a single-use code.
        code = browser_sessions.issue_handoff(signed_in.token, target)
        return navigate_document(f"{HANDOFF_PATH}?{urlencode({'code': code})}")
