"""Route names, in one place so links and redirects never disagree."""

from helpdesk.models import Role

LOGIN = "/login"
FORGOT_PASSWORD = "/forgot-password"
RESET_PASSWORD = "/reset-password"
PORTAL = "/portal"
NEW_TICKET = "/portal/new"
QUEUE = "/queue"
MACROS = "/macros"
# An agent files a ticket for someone who phoned or walked up to the desk.
FILE_FOR_SOMEONE = "/queue/new"
TICKET = "/tickets/[ticket_id]"
KB = "/kb"
KB_ARTICLE = "/kb/[slug]"
KB_NEW = "/kb/new"
KB_EDIT = "/kb/edit/[article_id]"
KB_WRITERS = "/kb/drafts"
KB_CATEGORIES = "/kb/categories"
AI_ADMIN = "/admin/ai"
ADMIN = "/admin"
ADMIN_USERS = "/admin/users"
ADMIN_TEAMS = "/admin/teams"
ADMIN_CATEGORIES = "/admin/categories"
ADMIN_SLA = "/admin/sla"
ADMIN_CANNED = "/admin/canned-responses"
ADMIN_SETTINGS = "/admin/settings"
ADMIN_AUDIT = "/admin/audit"
ADMIN_API = "/admin/api-tokens"
ADMIN_MAILBOXES = "/admin/mailboxes"
ADMIN_HELD_MAIL = "/admin/held-mail"
MY_SETTINGS = "/settings"
REPORTS = "/reports"
REPORT_SCHEDULES = "/reports/schedules"
# The one-click rating link of the "resolved" e-mail (no sign-in: the link is signed) and each person's choice of
# notification e-mails.
SATISFACTION = "/satisfaction"
MY_NOTIFICATIONS = "/settings/notifications"
# Every notification of the signed-in person (the bell shows the latest).
NOTIFICATIONS = "/notifications"

HOME_FOR_ROLE = {
    Role.REQUESTER: PORTAL,
    Role.AGENT: QUEUE,
    Role.MANAGER: QUEUE,
    Role.ADMIN: QUEUE,
}


def ticket_url(ticket_id: int | str) -> str:
    return f"/tickets/{ticket_id}"


def kb_edit_url(article_id: int | str) -> str:
    return f"/kb/edit/{article_id}"


def notifications_url(view: str = "unread") -> str:
    """The notifications page on a tab ("unread" is the page's own address)."""
    return NOTIFICATIONS if view == "unread" else f"{NOTIFICATIONS}?view={view}"
