"""One ticket: the conversation, and for agents the fields, notes and history."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from helpdesk.ai import triage
from helpdesk.core import i18n
from helpdesk.core import live_bus as live
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError
from helpdesk.core.i18n import N_
from helpdesk.core.settings import get_settings
from helpdesk.core.validation import parse
from helpdesk.identity import directory
from helpdesk.kb import articles as kb
from helpdesk.kb import deflection as kb_deflection
from helpdesk.notifications import inbox
from helpdesk.routes import QUEUE
from helpdesk.state.formatting import PRIORITY_LABELS, STAFF_STATUS_LABELS, STATUS_LABELS, local_time, relative
from helpdesk.state.live import versions_ahead, viewer_id, watchers
from helpdesk.state.session import SessionState, first_problem
from helpdesk.tickets import (
    attachments,
    canned_responses,
    cc,
    conversation,
    csat,
    following,
    limits,
    links,
    merging,
    solving,
    tickets,
)
from helpdesk.tickets.validation import CommentDraft, TicketChanges

_EVENT_PHRASES = {
    "ai_applied": N_("AI set the {field}"),
    "ai_suggested": N_("AI suggested a {field}"),
    "ai_accepted": N_("accepted the AI's {field}"),
    "ai_rejected": N_("dismissed the AI's {field}"),
    "sla_at_risk": N_("SLA at risk: {field} deadline is close"),
    "sla_breached": N_("SLA breached: {field} deadline passed"),
    "escalated": N_("escalated to the team lead ({field})"),
    "merged": N_("merged tickets"),
    "linked": N_("linked a related ticket"),
    "unlinked": N_("removed a related ticket"),
}
EVENT_FIELD_LABELS = {"status": N_("status"), "priority": N_("priority"), "category_id": N_("category"),
                      "team_id": N_("team"), "assignee_id": N_("assignee"), "title": N_("title"),
                      "first_response": N_("first response"), "resolution": N_("resolution")}


def _percent(confidence: float | None) -> str:
    # A calibrated probability is never certainty: 0.99999 shows as 99 %, not 100 %.
    value = int((confidence or 0) * 100)
    return f"{min(value, 99)}%"


REPLY_UPLOAD_ID = "reply_files"
SOURCE_LABELS = {"portal": N_("Portal"), "email": N_("E-mail"), "api": N_("API"), "phone": N_("Phone call"),
                 "walk_in": N_("Walk-up")}


def _file_view(row: dict[str, Any]) -> dict[str, str]:
    return {"id": str(row["id"]), "name": row["filename"], "size": _size(row["size_bytes"]),
            "url": f"/api/v1/attachments/{row['id']}"}


def _size(num_bytes: int) -> str:
    for unit in ("B", "KB", "MB"):
        if num_bytes < 1024 or unit == "MB":
            return f"{num_bytes:.0f} {unit}" if unit == "B" else f"{num_bytes:.1f} {unit}"
        num_bytes /= 1024
    return ""


class TicketState(SessionState):
    ticket: dict[str, str] = {}
    comments: list[dict[str, Any]] = []
    events: list[dict[str, str]] = []
    files: list[dict[str, str]] = []
    team_choices: list[dict[str, str]] = []
    agent_choices: list[dict[str, str]] = []
    category_choices: list[dict[str, str]] = []
    reply: str = ""
    reply_error: str = ""
    error: str = ""
    not_found: bool = False
    can_work: bool = False
    can_reply: bool = False
    reply_note: str = ""
    related: list[dict[str, str]] = []
    ai_suggestions: list[dict[str, str]] = []
    articles: list[dict[str, str]] = []
    ai_model: str = ""
    canned: list[dict[str, str]] = []
    link_number: str = ""
    merge_number: str = ""
    tools_error: str = ""
    seen_version: int = -1
    my_viewer_id: str = ""
    clock: float = 0.0  # server time of the last tick, to expire "is typing" without client clocks
    # The requester's satisfaction prompt on a resolved ticket: may they rate, what they chose, their comment.
    csat_open: bool = False
    csat_rating: str = ""
    csat_comment: str = ""
    csat_comment_saved: bool = False
    csat_error: str = ""
    _csat_typing: bool = False  # an unsent comment is being written: a live refresh must not wipe it
    _requester_language: str = i18n.DEFAULT_LANGUAGE  # for the product's words in a reply (staff only)
    # People copied in (names; addresses for IT only), and what this reader may do about them and the ticket.
    cc_people: list[dict[str, str]] = []
    can_manage_cc: bool = False
    cc_email: str = ""
    cc_error: str = ""
    can_mark_solved: bool = False
    solve_note: str = ""
    solve_error: str = ""
    can_follow: bool = False
    following: bool = False

    def _ticket_id(self) -> int | None:
        raw = str(self.router.page.params.get("ticket_id", ""))
        return as_id(raw, big=True)

    def _load(self) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        self.error = ""
        if ticket_id is None:
            self.not_found = True
            return None
        with self._on_failure(on={DomainError: self._missing}) as failure, self._service() as (session, actor):
            detail = tickets.ticket_detail(session, actor, ticket_id)
            watchers.watch_ticket(self.router.session.client_token, ticket_id)
            comment_rows = conversation.list_comments(session, actor, ticket_id)
            file_rows = attachments.list_attachments(session, actor, ticket_id)
            staff = bool(detail["sees_internal_notes"])
            event_rows = tickets.history(session, actor, ticket_id) if staff else []
            related_rows = links.related(session, actor, ticket_id)
            prediction = triage.prediction_for(session, actor, ticket_id) if staff else None
            articles = (kb_deflection.suggest_for_ticket_draft(session, actor, detail["title"],
                                                               detail["description"][:2000], limit=3)
                        if detail["can_work"] else [])
            canned_rows = canned_responses.list_for_ticket(session, actor, ticket_id) if detail["can_work"] else []
            may_rate = csat.may_rate(actor, tickets.get_for(session, actor, ticket_id))
            rating = csat.rating_for(session, actor, ticket_id) if may_rate else None
            if detail["can_work"]:
                self.team_choices = [{"id": str(o["id"]), "label": o["label"]}
                                     for o in directory.team_options(session)]
                self.agent_choices = [{"id": str(o["id"]), "label": o["label"]}
                                      for o in directory.agent_options(session, detail["team_id"])]
                self.category_choices = [{"id": str(o["id"]), "label": o["label"]}
                                         for o in directory.category_options(session)]
        if failure:
            return failure.event
        self.not_found = False
        self.can_work, self.can_reply = bool(detail["can_work"]), bool(detail["can_reply"])
        self.csat_open, self.csat_error = may_rate, ""
        self.csat_rating = rating["rating"] if rating else ""
        if not self._csat_typing:
            self.csat_comment = (rating or {}).get("comment") or ""
        self.reply_note = i18n.translate(self._lang(), self._reply_note(detail))
        self.ticket = self._ticket_view(detail, staff, self._lang())
        self._requester_language = i18n.normalise(detail.get("requester_language"))
        self.comments = [self._comment_view(c, self._lang()) for c in comment_rows]
        # The files filed with the ticket; those that came with a reply or note show under that message.
        self.files = [_file_view(f) for f in file_rows if f["comment_id"] is None]
        self.cc_people = [{"id": str(p["user_id"]), "name": p["name"], "email": p["email"] or "",
                           "removable": "yes" if p["removable"] else ""} for p in detail["cc"]]
        self.can_manage_cc = bool(detail["can_manage_cc"])
        self.can_mark_solved = bool(detail["can_mark_solved"])
        self.can_follow, self.following = bool(detail["can_follow"]), bool(detail["following"])
        self.events = [self._event_view(e, self._lang()) for e in reversed(event_rows)]
        self.related = [{"id": str(r["id"]), "number": f"#{r['number']}", "title": r["title"],
                         "status": STAFF_STATUS_LABELS.get(r["status"], r["status"])} for r in related_rows]
        self.canned = [{"id": str(c["id"]), "title": c["title"]} for c in canned_rows]
        self.ai_suggestions = [
            {"field": s["field"], "label": str(s["label"] or s["value"]).replace("_", " ").capitalize()
             if s["field"] == "priority" else str(s["label"] or s["value"]),
             "confidence": _percent(s["confidence"]), "status": s["status"]}
            for s in (prediction or {}).get("suggestions", [])
        ]
        self.ai_model = (prediction or {}).get("model_version", "")
        self.articles = [{"id": str(a.id), "title": a.title, "slug": a.slug} for a in articles]
        return None

    def _missing(self, _exc: DomainError) -> rx.event.EventSpec | None:
        """Not a ticket id the person may read: maybe the number they see (#1443), whose page this redirects to."""
        reference = self._ticket_id()
        if reference is not None:
            try:
                ticket_id = self._run(lambda session, actor: tickets.id_for_reference(session, actor, reference))
            except DomainError:
                ticket_id = None
            if ticket_id is not None and ticket_id != reference:
                return rx.redirect(f"/tickets/{ticket_id}", replace=True)
        self.not_found = True
        self.ticket = {}
        return None

    @staticmethod
    def _reply_note(detail: dict[str, Any]) -> str:
        """Why the reply box is missing, in words that are true for this reader (the merged case has its own)."""
        if detail["can_reply"] or detail.get("merged_into_number"):
            return ""
        if detail["status"] == "closed":
            return N_("This ticket is closed. If the problem is back, please file a new ticket.")
        return N_("You can read this ticket. Replies, internal notes and changes are made by its requester and the "
                  "IT team working it.")

    @staticmethod
    def _ticket_view(detail: dict[str, Any], staff: bool, language: str = i18n.DEFAULT_LANGUAGE) -> dict[str, str]:
        labels = STAFF_STATUS_LABELS if staff else STATUS_LABELS
        tr = functools.partial(i18n.translate, language)
        open_ticket = detail["status"] not in ("resolved", "closed")
        return {
            "id": str(detail["id"]),
            "number": f"#{detail['number']}",
            "title": detail["title"],
            "description": detail["description"],
            "status": detail["status"],
            "status_label": tr(labels[detail["status"]]),
            "priority": detail["priority"],
            "priority_label": tr(PRIORITY_LABELS[detail["priority"]]),
            "category": detail["category"] or tr("Uncategorised"),
            "category_id": str(detail["category_id"] or ""),
            "team": detail["team"] or tr("Unrouted"),
            "team_id": str(detail["team_id"] or ""),
            "assignee": detail["assignee"] or tr("Unassigned"),
            "assignee_id": str(detail["assignee_id"] or ""),
            "requester": detail["requester"] or "",
            "requester_initials": "".join(p[0] for p in (detail["requester"] or "?").split()[:2]).upper(),
            "requester_email": detail.get("requester_email") or "",
            "created": local_time(detail["created_at"], language),
            "created_ago": relative(detail["created_at"], language),
            "updated_ago": relative(detail["updated_at"], language),
            "first_response_due": local_time(detail["sla_first_response_due"], language) if open_ticket else "",
            "resolution_due": local_time(detail["sla_resolution_due"], language) if open_ticket else "",
            "resolution_due_in": relative(detail["sla_resolution_due"], language) if open_ticket else "",
            "first_responded": local_time(detail["first_responded_at"], language),
            "resolved": local_time(detail["resolved_at"], language),
            "source": detail["source"],
            "source_label": tr(SOURCE_LABELS.get(detail["source"], detail["source"])),
            "filed_by": detail.get("filed_by") or "",
            "followers": ", ".join(detail.get("followers", [])),
            # Set only when the reader may open the ticket this duplicate was merged into.
            "merged_into_id": str(detail["merged_into_id"]) if detail.get("merged_into_number") else "",
            "merged_into_number": f"#{detail['merged_into_number']}" if detail.get("merged_into_number") else "",
        }

    @staticmethod
    def _comment_view(row: dict[str, Any], language: str = i18n.DEFAULT_LANGUAGE) -> dict[str, str]:
        return {
            "id": str(row["id"]),
            "author": row["author"],
            "initials": "".join(p[0] for p in row["author"].split()[:2]).upper(),
            "body": row["body"],
            "when": local_time(row["created_at"], language),
            "ago": relative(row["created_at"], language),
            "internal": "yes" if row["is_internal"] else "",
            "staff": "yes" if row["author_is_staff"] else "",
            "files": [_file_view(f) for f in row.get("attachments", [])],
        }

    @staticmethod
    def _event_view(row: dict[str, Any], language: str = i18n.DEFAULT_LANGUAGE) -> dict[str, str]:
        kind, field = row["kind"], row["field"]
        tr = functools.partial(i18n.translate, language)
        tf = functools.partial(i18n.translate_format, language)

        def status(value: str | None) -> str:
            return tr(STAFF_STATUS_LABELS[value]) if value in STAFF_STATUS_LABELS else value or ""

        def level(value: str | None) -> str:
            return tr(PRIORITY_LABELS[value]) if value in PRIORITY_LABELS else value or ""

        if kind == "created":
            text = tr("created the ticket")
        elif kind == "reply":
            text = tr("replied")
        elif kind == "note":
            text = tr("added an internal note")
        elif kind == "assigned":
            text = tr("changed the assignee") if row["old_value"] else tr("assigned the ticket")
        elif kind == "changed" and field == "status":
            text = tf("changed status from {old} to {new}", old=status(row["old_value"]), new=status(row["new_value"]))
        elif kind == "changed" and field == "priority":
            text = tf("changed priority from {old} to {new}", old=level(row["old_value"]), new=level(row["new_value"]))
        elif kind == "changed":
            text = tf("changed the {field}", field=tr(EVENT_FIELD_LABELS.get(field, field)))
        elif kind == "tag_added":
            text = tf("added the tag {tag}", tag=row["new_value"])
        elif kind == "tag_removed":
            text = tf("removed the tag {tag}", tag=row["old_value"])
        elif kind in _EVENT_PHRASES:
            label = EVENT_FIELD_LABELS.get(field, field.replace("sla_", "").replace("_", " "))
            text = tf(_EVENT_PHRASES[kind], field=tr(label))
        else:
            text = kind.replace("_", " ")
        return {"actor": row["actor"], "text": text, "when": local_time(row["created_at"], language),
                "ago": relative(row["created_at"], language)}

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        self.reply, self.reply_error = "", ""
        self._csat_typing, self.csat_comment_saved = False, False
        self.my_viewer_id = viewer_id(self.router.session.client_token)
        self.clock = time.time()
        self.seen_version = live.current_version()
        self.cc_email = self.cc_error = self.solve_note = self.solve_error = ""
        event = self._load()
        ticket_id = self._ticket_id()
        if not self.not_found and ticket_id is not None:
            # Opening the ticket reads its news: its notifications in the bell are marked read.
            with self._on_failure(on={DomainError: lambda _exc: None}), self._service() as (session, actor):
                inbox.mark_ticket_read(session, actor, ticket_id)
        return event

    @rx.event
    def tick(self, _: str = "") -> None:
        self.clock = time.time()

    @rx.event
    def apply_change(self, version: int) -> rx.event.EventSpec | None:
        """The ticket changed (on any replica, the API or a worker): show it as it is now."""
        ahead = versions_ahead(self.seen_version, version)
        self.seen_version = max(self.seen_version, version)
        return self._load() if ahead else None

    @rx.event
    def set_reply(self, value: str) -> None:
        self.reply = value[:20000]
        self.reply_error = ""

    async def _send(self, internal: bool, files: list[rx.UploadFile]) -> AsyncIterator[rx.event.EventSpec]:
        """The reply or note with the files chosen for it (the domain checks who may attach what)."""
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return
        self.reply_error = ""
        if len(files) > attachments.MAX_FILES_PER_UPLOAD:
            self.reply_error = self._t("Attach at most {count} files.", count=attachments.MAX_FILES_PER_UPLOAD)
            return
        uploads = [(f.name or "attachment", f.content_type or "", await f.read()) for f in files]
        with self._on_failure("reply_error", describe=first_problem) as failure:
            draft = parse(CommentDraft, {"body": self.reply, "internal": internal})
            with self._service() as (session, actor):
                tickets.get_for(session, actor, ticket_id)
                limits.check_rate(session, actor, limits.Action.COMMENT)  # RateLimited: shown under the reply box
                conversation.add_comment(session, actor, ticket_id, draft, files=uploads)
        if failure:
            if failure.event is not None:
                yield failure.event
            return
        self.reply = ""
        self._load()
        yield rx.clear_selected_files(REPLY_UPLOAD_ID)
        yield rx.toast.success(self._t("Internal note added.") if internal else self._t("Reply sent."))

    @rx.event
    async def send_reply(self, files: list[rx.UploadFile]) -> AsyncIterator[rx.event.EventSpec]:
        async for event in self._send(False, files):
            yield event

    @rx.event
    async def add_note(self, files: list[rx.UploadFile]) -> AsyncIterator[rx.event.EventSpec]:
        async for event in self._send(True, files):
            yield event

    # ---------------------------------------------------------------- the requester marks it solved

    @rx.event
    def set_solve_note(self, value: str) -> None:
        self.solve_note, self.solve_error = value[:solving.MAX_NOTE], ""

    @rx.event
    def mark_solved(self) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return None
        with self._on_failure("solve_error", describe=first_problem) as failure, self._service() as (session, actor):
            solving.mark_solved(session, actor, ticket_id, self.solve_note)
        if failure:
            return failure.event
        self.solve_note = ""
        self._load()
        return rx.toast.success(self._t("Marked as solved. If it comes back, just reply here and we'll reopen it."))

    # ---------------------------------------------------------------- following and CCs

    @rx.event
    def toggle_follow(self) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return None
        start = not self.following
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            (following.follow if start else following.unfollow)(session, actor, ticket_id)
        if failure:
            return failure.event
        self._load()
        return rx.toast.success(self._t("You'll be notified when this ticket changes.") if start
                                else self._t("You stopped following."))

    @rx.event
    def set_cc_email(self, value: str) -> None:
        self.cc_email, self.cc_error = value.strip()[:254], ""

    @rx.event
    def add_cc(self) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return None
        with self._on_failure("cc_error", describe=first_problem) as failure, self._service() as (session, actor):
            person = cc.add_cc(session, actor, ticket_id, self.cc_email)
            name = person.full_name
        if failure:
            return failure.event
        self.cc_email = ""
        self._load()
        return rx.toast.success(self._t("{name} is copied in.", name=name))

    @rx.event
    def remove_cc(self, user_id: str) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        if ticket_id is None or not str(user_id).isdigit():
            return None
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            cc.remove_cc(session, actor, ticket_id, int(user_id))
            removed_self = int(user_id) == actor.user_id
        if failure:
            return failure.event
        if removed_self:
            return [rx.toast.success(self._t("You are no longer copied in.")), rx.redirect("/")]
        self._load()
        return None

    def _change(self, **fields: Any) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return None
        with self._on_failure(toast=True, describe=first_problem) as failure:
            changes = parse(TicketChanges, fields)
            with self._service() as (session, actor):
                tickets.update_ticket(session, actor, ticket_id, changes)
        if failure.signed_out:
            return failure.event
        if failure:
            self._load()
            return failure.event
        with self._on_failure(on={DomainError: lambda _exc: "gone"}) as gone, self._service() as (session, actor):
            tickets.get_for(session, actor, ticket_id)
        if gone.signed_out:
            return gone.event
        if gone:
            # Moved to a team this person does not see: say so and go back to the queue, not "not found".
            return [rx.toast.success(self._t("Ticket updated. It moved out of your queue.")), rx.redirect(QUEUE)]
        self._load()
        return rx.toast.success(self._t("Ticket updated."))

    @rx.event
    def change_status(self, value: str) -> rx.event.EventSpec | None:
        return self._change(status=value)

    @rx.event
    def change_priority(self, value: str) -> rx.event.EventSpec | None:
        return self._change(priority=value)

    @rx.event
    def change_category(self, value: str) -> rx.event.EventSpec | None:
        return self._change(category_id=as_id(value))

    @rx.event
    def change_team(self, value: str) -> rx.event.EventSpec | None:
        return self._change(team_id=as_id(value), assignee_id=None)

    @rx.event
    def change_assignee(self, value: str) -> rx.event.EventSpec | None:
        return self._change(assignee_id=as_id(value))

    @rx.event
    def assign_to_me(self) -> rx.event.EventSpec | None:
        with self._on_failure() as failure:
            user_id = self._run(lambda session, actor: actor.user_id)
        if failure:
            return failure.event
        return self._change(assignee_id=user_id)

    @rx.event
    def insert_canned(self, response_id: str) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        response = as_id(response_id)
        if ticket_id is None or response is None:
            return None
        with self._on_failure(toast=True) as failure:
            text = self._run(lambda session, actor: canned_responses.render(session, actor, response,
                                                                              ticket_id))
        if failure:
            return failure.event
        self.reply = f"{self.reply.rstrip()}\n\n{text}".strip() if self.reply.strip() else text
        return None

    @rx.event
    def insert_article_link(self, article_id: str) -> None:
        article = next((a for a in self.articles if a["id"] == article_id), None)
        if article is None:
            return
        link = f"{get_settings().public_url.rstrip('/')}/kb/{article['slug']}"
        line = i18n.translate_format(self._requester_language, "This article should help: {title} - {link}",
                                     title=article["title"], link=link)
        self.reply = f"{self.reply.rstrip()}\n\n{line}".strip() if self.reply.strip() else line

    @rx.event
    def make_article(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return None
        with self._on_failure(toast=True, describe=first_problem) as failure:
            slug = self._run(lambda session, actor: kb.draft_from_ticket(session, actor, ticket_id).slug)
        if failure:
            return failure.event
        return [rx.toast.success(self._t("Draft article created from this ticket.")), rx.redirect(f"/kb/{slug}")]

    @rx.event
    def set_link_number(self, value: str) -> None:
        self.link_number, self.tools_error = value.strip().lstrip("#")[:12], ""

    @rx.event
    def set_merge_number(self, value: str) -> None:
        self.merge_number, self.tools_error = value.strip().lstrip("#")[:12], ""

    def _other_ticket_id(self, number: str) -> int | None:
        wanted = as_id(number)
        if wanted is None:
            self.tools_error = self._t("Enter a ticket number, e.g. 1042.")
            return None
        try:
            return self._run(lambda session, actor: tickets.get_by_number_for(session, actor, wanted).id)
        except DomainError as exc:
            self.tools_error = exc.message
            return None

    @rx.event
    def link_ticket(self) -> rx.event.EventSpec | None:
        ticket_id, other_id = self._ticket_id(), self._other_ticket_id(self.link_number)
        if ticket_id is None or other_id is None:
            return None
        with self._on_failure("tools_error", describe=first_problem) as failure:
            self._run(lambda session, actor: links.link(session, actor, ticket_id, other_id))
        if failure:
            return failure.event
        self.link_number = ""
        self._load()
        return rx.toast.success(self._t("Tickets linked."))

    @rx.event
    def unlink_ticket(self, other_id: str) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        other = as_id(other_id, big=True)
        if ticket_id is None or other is None:
            return None
        with self._on_failure(toast=True) as failure:
            self._run(lambda session, actor: links.unlink(session, actor, ticket_id, other))
        if failure:
            return failure.event
        self._load()
        return None

    @rx.event
    def merge_into(self) -> rx.event.EventSpec | None:
        ticket_id, target_id = self._ticket_id(), self._other_ticket_id(self.merge_number)
        if ticket_id is None or target_id is None:
            return None
        with self._on_failure("tools_error", describe=first_problem) as failure:
            self._run(lambda session, actor: merging.merge(session, actor, ticket_id, target_id))
        if failure:
            return failure.event
        self.merge_number = ""
        return [rx.toast.success(self._t("Merged. The requester was told where the conversation continues.")),
                rx.redirect(f"/tickets/{target_id}")]

    def _ai(self, field: str, accept: bool) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        if ticket_id is None or field not in ("category", "team", "priority"):
            return None
        action = triage.accept_suggestion if accept else triage.reject_suggestion
        with self._on_failure(toast=True) as failure:
            self._run(lambda session, actor: action(session, actor, ticket_id, field))
        if failure:
            return failure.event
        self._load()
        return rx.toast.success(self._t("Suggestion applied.") if accept else self._t("Suggestion dismissed."))

    @rx.event
    def accept_ai(self, field: str) -> rx.event.EventSpec | None:
        return self._ai(field, accept=True)

    @rx.event
    def dismiss_ai(self, field: str) -> rx.event.EventSpec | None:
        return self._ai(field, accept=False)

    @rx.event
    def reopen(self) -> rx.event.EventSpec | None:
        return self._change(status="open")

    def _rate(self, rating: str, comment: str) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return None
        self.csat_error = ""
        with self._on_failure("csat_error", describe=first_problem) as failure, self._service() as (session, actor):
            row = csat.rate(session, actor, ticket_id, rating, comment)
        if failure:
            return failure.event
        self.csat_rating, self.csat_comment = row["rating"], row["comment"] or ""
        return None

    @rx.event
    def rate(self, rating: str) -> rx.event.EventSpec | None:
        """One click: good or bad is recorded at once (csat.rate checks that this is the ticket's requester)."""
        self.csat_comment_saved = False
        # The comment already saved stays with a changed rating.
        return self._rate(str(rating), self.csat_comment)

    @rx.event
    def set_csat_comment(self, value: str) -> None:
        self.csat_comment = value[:csat.MAX_COMMENT]
        self.csat_comment_saved, self._csat_typing = False, True

    @rx.event
    def save_csat_comment(self) -> rx.event.EventSpec | None:
        if not self.csat_rating:
            self.csat_error = self._t("Choose good or bad first.")
            return None
        event = self._rate(self.csat_rating, self.csat_comment)
        self.csat_comment_saved = not self.csat_error and event is None
        self._csat_typing = not self.csat_comment_saved
        return event
