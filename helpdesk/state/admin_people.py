"""Admin pages for people and structure: users (invite, edit, deactivate, CSV import), teams, the category tree."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from helpdesk.core import i18n
from helpdesk.email import mailboxes
from helpdesk.identity import accounts, organisation
from helpdesk.identity.directory import team_options
from helpdesk.state.admin import AdminPage, AdminState, as_int
from helpdesk.state.formatting import relative
from helpdesk.state.paging import AdminKeysetPaging

ROLE_CHOICES = ["requester", "agent", "manager", "admin"]
NONE = "none"  # a select's "no team / no parent / no lead" (a select item needs a non-empty value)


def _optional_id(value: str | None) -> int | None:
    return None if value in (None, "", NONE) else as_int(value)


def _user_row(row: dict[str, Any], language: str) -> dict[str, str]:
    status = "invited" if row["invited"] and row["active"] else ("active" if row["active"] else "deactivated")
    return {"id": str(row["id"]), "email": row["email"], "full_name": row["full_name"], "role": row["role"],
            "teams": "، ".join(row["teams"]) if i18n.is_rtl(language) and row["teams"] else
            (", ".join(row["teams"]) or "—"), "status": status,
            "last_login": relative(row["last_login_at"], language) or i18n.translate(language, "never"),
            "department": row["department"]}


class UsersState(AdminKeysetPaging, AdminPage, AdminState):
    FORM_FIELDS = ("email", "full_name", "role", "department", "csv")

    users: list[dict[str, str]] = []
    total: int = 0
    query: str = ""
    role_filter: str = "any"
    status_filter: str = "any"
    team_choices: list[dict[str, str]] = []
    chosen_teams: list[str] = []
    editing_id: int = 0
    editing: dict[str, str] = {}
    preview: list[dict[str, str]] = []
    preview_summary: str = ""

    def _clear(self) -> None:
        self.users, self.total, self.team_choices, self.editing, self.preview = [], 0, [], {}, []

    async def _load(self) -> Any:
        cursor = self._current_cursor()
        after = None
        if cursor:
            name, user_id = json.loads(cursor)
            after = (str(name), int(user_id))
        ok, page, event = await self._admin_work(lambda session, actor: (
            accounts.search_users(session, actor, query=self.query, role=self.role_filter,
                                  status=self.status_filter, after=after),
            [{"id": str(t["id"]), "label": t["label"]} for t in team_options(session)]))
        if ok:
            result, self.team_choices = page
            self.users = [_user_row(r, self._lang()) for r in result.rows]
            self.total = result.total
            self.next_cursor = json.dumps(list(result.next_cursor)) if result.next_cursor else ""
        return event

    @rx.var
    def page_label(self) -> str:
        if not self.total:
            return self._t("No people match.")
        first = len(self.cursor_stack) * accounts.PAGE_SIZE + 1
        return self._t("{first}–{last} of {total}", first=f"{first:,}", last=f"{first + len(self.users) - 1:,}",
                       total=f"{self.total:,}")

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = ""
        self.dialog, self.query = "", ""
        self._first_page()
        self.role_filter = self.status_filter = "any"
        return await self._load()

    @rx.event
    async def search(self, form_data: dict) -> Any:
        self.query = str(form_data.get("query", ""))[:120]
        self._first_page()
        return await self._load()

    @rx.event
    async def set_role_filter(self, value: str) -> Any:
        self.role_filter = value if value in ROLE_CHOICES else "any"
        self._first_page()
        return await self._load()

    @rx.event
    async def set_status_filter(self, value: str) -> Any:
        self.status_filter = value if value in ("active", "inactive", "invited") else "any"
        self._first_page()
        return await self._load()

    @rx.event
    def toggle_team(self, team_id: str, checked: bool) -> None:
        team_id = str(team_id)[:12]
        rest = [t for t in self.chosen_teams if t != team_id]
        self.chosen_teams = [*rest, team_id] if checked else rest

    @rx.event
    def open_invite(self) -> None:
        self.form, self.field_errors, self.chosen_teams = {"role": "requester"}, {}, []
        self.notice = self.error = ""
        self.dialog = "invite"

    @rx.event
    async def invite(self) -> Any:
        form, teams = dict(self.form), [t for t in (as_int(t) for t in self.chosen_teams) if t is not None]
        ok, user, event = await self._admin_work(lambda session, actor: accounts.invite_user(
            session, actor, email=form.get("email", ""), full_name=form.get("full_name", ""),
            role=form.get("role", ""), team_ids=teams, department=form.get("department", "")), fields=True)
        if ok:
            self.dialog = ""
            self.notice = self._t("Invitation sent to {email}.", email=user.email)
            return await self._load()
        return event

    @rx.event
    async def open_edit(self, user_id: str) -> Any:
        user_id = as_int(user_id) or 0
        self.notice = self.error = ""
        ok, row, event = await self._admin_work(lambda session, actor: accounts.get_user(session, actor, user_id))
        if ok:
            self.editing_id = user_id
            self.editing = _user_row(row, self._lang())
            self.form = {"full_name": row["full_name"], "role": row["role"], "department": row["department"]}
            self.chosen_teams = [str(t) for t in row["team_ids"]]
            self.field_errors, self.dialog = {}, "edit"
        return event

    @rx.event
    async def save_edit(self) -> Any:
        form, teams = dict(self.form), [t for t in (as_int(t) for t in self.chosen_teams) if t is not None]
        user_id = self.editing_id
        ok, _, event = await self._admin_work(lambda session, actor: accounts.update_user(
            session, actor, user_id, full_name=form.get("full_name", ""), role=form.get("role", ""),
            team_ids=teams, department=form.get("department", "")), fields=True)
        if ok:
            self.dialog = ""
            self.notice = self._t("Saved {name}.", name=form.get("full_name", "").strip())
            return await self._load()
        return event

    @rx.event
    async def set_active(self, active: bool) -> Any:
        user_id, active = self.editing_id, bool(active)
        ok, _, event = await self._admin_work(lambda session, actor: accounts.set_active(session, actor, user_id,
                                                                                         active), fields=True)
        if ok:
            self.dialog = ""
            name = self.editing.get("full_name", "")
            self.notice = (self._t("{name} is reactivated.", name=name) if active else
                           self._t("{name} is deactivated.", name=name))
            return await self._load()
        if self.field_errors.get("user_id"):
            self.error, self.dialog = self.field_errors["user_id"], ""
        return event

    @rx.event
    async def resend_invitation(self) -> Any:
        user_id = self.editing_id
        ok, _, event = await self._admin_work(lambda session, actor: accounts.resend_invitation(session, actor,
                                                                                                user_id))
        if ok:
            self.dialog = ""
            self.notice = self._t("Invitation sent again to {email}.", email=self.editing.get("email", ""))
        return event

    @rx.event
    def open_import(self) -> None:
        self.form, self.field_errors, self.preview, self.preview_summary = {"csv": ""}, {}, [], ""
        self.notice = self.error = ""
        self.dialog = "import"

    async def _import(self, apply: bool) -> Any:
        text = self.form.get("csv", "")
        ok, preview, event = await self._admin_work(lambda session, actor: accounts.import_csv(
            session, actor, text, apply=apply), fields=True)
        if not ok:
            self.preview = []
            return event
        self.preview = [{k: str(v) for k, v in row.items() if k != "problems"} |
                        {"problem": " ".join(self._t(p) for p in row.get("problems", [])) or str(row["problem"])}
                        for row in preview.rows]
        if apply:
            self.dialog, self.preview = "", []
            self.notice = self._t("Imported {count} people; each got an invitation e-mail.", count=preview.created)
            return await self._load()
        skipped = len(preview.rows) - preview.to_create - preview.errors
        self.preview_summary = self._t("{create} to create, {skipped} already have an account, {errors} with errors. "
                                       "Nothing has changed yet.", create=preview.to_create, skipped=skipped,
                                       errors=preview.errors)
        return event

    @rx.event
    async def preview_import(self) -> Any:
        return await self._import(False)

    @rx.event
    async def apply_import(self) -> Any:
        return await self._import(True)


class TeamsState(AdminPage, AdminState):
    FORM_FIELDS = ("name", "description", "lead_id", "assignment_mode", "member_id")

    teams: list[dict[str, str]] = []
    selected_id: int = 0
    selected_name: str = ""
    members: list[dict[str, str]] = []
    staff_choices: list[dict[str, str]] = []
    editing_id: int = 0

    def _clear(self) -> None:
        self.teams, self.members, self.staff_choices, self.selected_id = [], [], [], 0

    async def _load(self) -> Any:
        selected = self.selected_id

        def work(session: Any, actor: Any) -> Any:
            teams = organisation.list_teams(session, actor)
            chosen = selected if any(t["id"] == selected for t in teams) else (teams[0]["id"] if teams else 0)
            members = organisation.team_members(session, actor, chosen) if chosen else []
            staff = accounts.search_users(session, actor, status="active", limit=500)
            return teams, chosen, members, staff

        ok, result, event = await self._admin_work(work)
        if ok:
            teams, chosen, members, staff = result
            # The mode's short name: its label up to the colon ("Manual: tickets wait..." is "Manual").
            self.teams = [{"id": str(t["id"]), "name": t["name"], "description": t["description"],
                           "lead": t["lead"] or "—", "lead_id": str(t["lead_id"] or NONE),
                           "mode": self._t(organisation.ASSIGNMENT_MODES[t["assignment_mode"]]).split(":")[0],
                           "assignment_mode": t["assignment_mode"],
                           "members": self._t("{available} of {members} available", available=t["available"],
                                              members=t["members"])} for t in teams]
            self.selected_id = chosen
            self.selected_name = next((t["name"] for t in teams if t["id"] == chosen), "")
            self.members = [{"id": str(m["id"]), "full_name": m["full_name"], "email": m["email"],
                             "role": m["role"], "available": "yes" if m["available"] else ""} for m in members]
            member_ids = {m["id"] for m in members}
            # The role codes are msgids themselves (VALUE_LABELS in helpdesk/components/admin.py).
            self.staff_choices = [{"id": str(u["id"]), "label": f"{u['full_name']} ({self._t(str(u.get('role')))})"}
                                  for u in staff.rows if u["role"] != "requester" and u["id"] not in member_ids]
        return event

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = ""
        self.dialog = ""
        return await self._load()

    @rx.event
    async def select_team(self, team_id: str) -> Any:
        self.selected_id = as_int(team_id) or 0
        return await self._load()

    @rx.event
    def open_new(self) -> None:
        self.editing_id, self.dialog, self.field_errors = 0, "team", {}
        self.form = {"name": "", "description": "", "lead_id": NONE, "assignment_mode": "manual"}
        self.notice = self.error = ""

    @rx.event
    def open_edit(self, team_id: str) -> None:
        team = next((t for t in self.teams if t["id"] == str(team_id)), None)
        if team is None:
            return
        self.editing_id, self.dialog, self.field_errors = int(team["id"]), "team", {}
        self.form = {"name": team["name"], "description": team["description"], "lead_id": team["lead_id"],
                     "assignment_mode": team["assignment_mode"]}
        self.notice = self.error = ""

    @rx.event
    async def save_team(self) -> Any:
        form, team_id = dict(self.form), self.editing_id or None
        ok, team, event = await self._admin_work(lambda session, actor: organisation.save_team(
            session, actor, team_id=team_id, name=form.get("name", ""), description=form.get("description", ""),
            lead_id=_optional_id(form.get("lead_id")), assignment_mode=form.get("assignment_mode", "")), fields=True)
        if ok:
            self.dialog = ""
            self.notice = self._t("Saved team {name}.", name=team.name)
            self.selected_id = team.id
            return await self._load()
        return event

    @rx.event
    async def add_member(self) -> Any:
        team_id, user_id = self.selected_id, as_int(self.form.get("member_id"))
        self.notice = self.error = ""
        if user_id is None:
            self.field_errors = {"member_id": self._t("Choose a person to add.")}
            return None
        ok, _, event = await self._admin_work(lambda session, actor: organisation.add_member(
            session, actor, team_id, user_id), fields=True)
        if ok:
            self.form = {**self.form, "member_id": ""}
            self.notice = self._t("Member added.")
            return await self._load()
        return event

    @rx.event
    async def remove_member(self, user_id: str) -> Any:
        team_id, member = self.selected_id, as_int(user_id) or 0
        ok, _, event = await self._admin_work(lambda session, actor: organisation.remove_member(
            session, actor, team_id, member), toast=True)
        if ok:
            self.notice = self._t("Member removed.")
            return await self._load()
        return event

    @rx.event
    async def set_available(self, user_id: str, available: bool) -> Any:
        member, available = as_int(user_id) or 0, bool(available)
        ok, _, event = await self._admin_work(lambda session, actor: organisation.set_availability(
            session, actor, member, available), toast=True)
        if ok:
            return await self._load()
        return event


class CategoriesState(AdminPage, AdminState):
    FORM_FIELDS = ("name", "parent_id", "default_team_id", "description")

    categories: list[dict[str, str]] = []
    team_choices: list[dict[str, str]] = []
    parent_choices: list[dict[str, str]] = []
    editing_id: int = 0

    def _clear(self) -> None:
        self.categories, self.team_choices, self.parent_choices = [], [], []

    async def _load(self) -> Any:
        ok, result, event = await self._admin_work(lambda session, actor: (
            organisation.category_tree(session, actor), team_options(session)))
        if ok:
            tree, teams = result
            self.categories = [{"id": str(c["id"]), "name": c["name"], "path": c["path"],
                                "indent": f"{c['depth'] * 24}px", "depth": str(c["depth"]),
                                "team": c["team"] or "—", "default_team_id": str(c["default_team_id"] or NONE),
                                "parent_id": str(c["parent_id"] or NONE), "description": c["description"],
                                "active": "yes" if c["active"] else ""} for c in tree]
            self.team_choices = [{"id": str(t["id"]), "label": t["label"]} for t in teams]
        return event

    def _parents_for(self, category_id: int) -> None:
        """Where a category may move: not under itself or its descendants (the service checks this too)."""
        blocked, path = set(), ""
        for c in self.categories:
            if c["id"] == str(category_id):
                path = c["path"]
        if path:
            blocked = {c["id"] for c in self.categories if c["path"] == path or c["path"].startswith(path + " / ")}
        self.parent_choices = [{"id": c["id"], "label": c["path"]} for c in self.categories
                               if c["id"] not in blocked and c["active"] and int(c["depth"]) < 2]

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = ""
        self.dialog = ""
        return await self._load()

    @rx.event
    def open_new(self) -> None:
        self.editing_id, self.dialog, self.field_errors = 0, "category", {}
        self.form = {"name": "", "parent_id": NONE, "default_team_id": NONE, "description": ""}
        self._parents_for(0)
        self.notice = self.error = ""

    @rx.event
    def open_edit(self, category_id: str) -> None:
        category = next((c for c in self.categories if c["id"] == str(category_id)), None)
        if category is None:
            return
        self.editing_id, self.dialog, self.field_errors = int(category["id"]), "category", {}
        self.form = {"name": category["name"], "parent_id": category["parent_id"],
                     "default_team_id": category["default_team_id"], "description": category["description"]}
        self._parents_for(self.editing_id)
        self.notice = self.error = ""

    @rx.event
    async def save_category(self) -> Any:
        form, category_id = dict(self.form), self.editing_id or None
        ok, category, event = await self._admin_work(lambda session, actor: organisation.save_category(
            session, actor, category_id=category_id, name=form.get("name", ""),
            parent_id=_optional_id(form.get("parent_id")), default_team_id=_optional_id(form.get("default_team_id")),
            description=form.get("description", "")), fields=True)
        if ok:
            self.dialog = ""
            self.notice = self._t("Saved category {name}.", name=category.name)
            return await self._load()
        return event

    @rx.event
    async def set_archived(self, category_id: str, archived: bool) -> Any:
        target, archived = as_int(category_id) or 0, bool(archived)
        self.notice = self.error = ""
        ok, _, event = await self._admin_work(lambda session, actor: organisation.set_category_archived(
            session, actor, target, archived), fields=True)
        if ok:
            self.notice = (self._t("Archived: no longer offered for new tickets.") if archived else
                           self._t("Restored."))
            return await self._load()
        if self.field_errors.get("category_id"):
            self.error = self.field_errors["category_id"]
        return event



class AdminOverviewState(AdminPage, AdminState):
    counts: dict[str, str] = {}
    # One line per tile (by its label): what is there now.
    summaries: dict[str, str] = {}

    def _clear(self) -> None:
        self.counts, self.summaries = {}, {}

    @rx.event
    async def on_load(self) -> Any:
        ok, counts, event = await self._admin_work(lambda session, actor: accounts.overview(session, actor) |
                                                   mailboxes.overview(session, actor))
        if ok:
            self.counts = {k: f"{v:,}" for k, v in counts.items()}
            n = {k: f"{v:,}" for k, v in counts.items()}
            tr = self._t
            # Keyed by the tile's English label (the page's key); the text is in the page's language.
            self.summaries = {
                "Users": tr("{count} active people", count=n["people"]),
                "Teams": tr("{count} teams", count=n["teams"]),
                "Categories": tr("{count} active categories", count=n["categories"]),
                "Mailboxes": (tr("{active} of {total} enabled", active=n["mailboxes_active"], total=n["mailboxes"]) +
                              (" · " + tr("{count} failing", count=n["mailboxes_failing"])
                               if counts["mailboxes_failing"] else "")
                              if counts["mailboxes"] else tr("None yet: add the inbox people write to")),
                "Held mail": (tr("{count} waiting for review", count=n["held"]) if counts["held"] else
                              tr("Nothing waiting")),
            }
        return event
