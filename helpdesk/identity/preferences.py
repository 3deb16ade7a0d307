"""What a person chooses for themselves: the language the pages and e-mails speak to them in."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.core import i18n
from helpdesk.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from helpdesk.identity.actor import Actor, forget_actor
from helpdesk.models import User


def set_language(session: Session, actor: Actor, language: str) -> str:
    """Sets the signed-in person's own language ('en' or 'ur'); anyone may choose theirs, nobody another's.

    The cached Actor is dropped so every page and e-mail from now on uses the new language.
    """
    if actor.scopes is not None and not any(scope.endswith(":write") for scope in actor.scopes):
        raise PermissionDenied("This API token may only read.")
    if not isinstance(language, str) or language not in i18n.LANGUAGES:
        raise ValidationFailed({"language": i18n.translate(actor.language, "Choose English or Urdu.")})
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("Your account is not active.")
    if user.language != language:
        user.language = language
        session.add(user)
        session.flush()
        forget_actor(user.id)
    return language
