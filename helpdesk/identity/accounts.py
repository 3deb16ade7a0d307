"""Account administration: find people (search and keyset paging, fine at 50,000), invite them by e-mail, change
their role and teams, deactivate and reactivate, import many from CSV with a dry-run preview first.

Every change is an administrator's, audited in the same transaction, and takes effect at once: the changed
person's cached Actor is dropped, and a deactivated person's sessions end.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, select

from helpdesk.core import audit, bounds
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_, NF_
from helpdesk.identity import password_links, policy
from helpdesk.identity.actor import Actor, forget_actor
from helpdesk.identity.directory import invalidate_directory_caches
from helpdesk.models import Category, Role, Team, TeamMembership, User

PAGE_SIZE = 25
ROLES = [r.value for r in Role]
NO_PASSWORD_YET = "!invited"  # unusable until the person sets one from the invitation (identity/passwords.py)
CSV_COLUMNS = ("email", "full_name", "role", "teams", "department")
MAX_IMPORT_ROWS = 5000


def _require_admin(by: Actor) -> None:
    if not policy.is_admin(by) or by.scopes is not None:
        raise PermissionDenied("Only administrators manage accounts.")


def _row(user: User, teams: list[str]) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "full_name": user.full_name, "role": user.role,
            "department": user.department, "active": user.is_active, "available": user.is_available,
            "invited": user.password_hash == NO_PASSWORD_YET, "sso": user.sso_subject is not None,
            "teams": teams, "last_login_at": user.last_login_at, "created_at": user.created_at}


def _teams_of(session: Session, user_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {uid: [] for uid in user_ids}
    if user_ids:
        rows = session.exec(select(TeamMembership.user_id, Team.name).join(Team, Team.id == TeamMembership.team_id)
                            .where(TeamMembership.user_id.in_(user_ids)).order_by(Team.name)).all()
        for uid, name in rows:
            found[uid].append(name)
    return found


@dataclass
class UserPage:
    rows: list[dict[str, Any]]
    total: int
    next_cursor: tuple[str, int] | None  # (full_name, id) of the last row, when more follow


def search_users(session: Session, by: Actor, *, query: str = "", role: str = "", status: str = "",
                 after: tuple[str, int] | None = None, limit: int = PAGE_SIZE) -> UserPage:
    """People by name or e-mail, ordered by name; `after` is the previous page's cursor (keyset paging, so the
    last page of 50,000 people is as fast as the first)."""
    _require_admin(by)
    conditions = [User.is_service_account.is_(False)]
    query = bounds.searchable(query or "", 120).strip()
    if query:
        pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(func.lower(User.full_name).like(pattern), func.lower(User.email).like(pattern)))
    if role in ROLES:
        conditions.append(User.role == role)
    if status == "active":
        conditions.append(User.is_active)
    elif status == "inactive":
        conditions.append(User.is_active.is_(False))
    elif status == "invited":
        conditions.append(User.password_hash == NO_PASSWORD_YET)
    total = session.exec(select(func.count()).select_from(User).where(*conditions)).one()
    page_query = select(User).where(*conditions)
    if after is not None:
        page_query = page_query.where(tuple_(User.full_name, User.id) > tuple_(after[0], after[1]))
    users = session.exec(page_query.order_by(User.full_name, User.id).limit(limit + 1)).all()
    more = len(users) > limit
    users = users[:limit]
    teams = _teams_of(session, [u.id for u in users])
    return UserPage([_row(u, teams[u.id]) for u in users], total,
                    (users[-1].full_name, users[-1].id) if more and users else None)


def get_user(session: Session, by: Actor, user_id: int) -> dict[str, Any]:
    _require_admin(by)
    user = session.get(User, user_id)
    if user is None or user.is_service_account:
        raise NotFound(N_("No such account."))
    row = _row(user, _teams_of(session, [user.id])[user.id])
    row["team_ids"] = list(session.exec(select(TeamMembership.team_id).where(TeamMembership.user_id == user_id)).all())
    return row


def _check_team_ids(session: Session, team_ids: list[int], errors: dict[str, str]) -> list[int]:
    wanted = sorted({int(t) for t in team_ids})
    if wanted:
        known = set(session.exec(select(Team.id).where(Team.id.in_(wanted))).all())
        if known != set(wanted):
            errors["team_ids"] = N_("Choose teams from the list.")
    return wanted


def _check_person(session: Session, email: str, full_name: str, role: str, department: str,
                  user_id: int | None = None) -> dict[str, str]:
    errors = {}
    if "@" not in email or len(email) > 254 or " " in email or email.startswith("@") or email.endswith("@"):
        errors["email"] = N_("Enter a valid e-mail address.")
    else:
        clash = select(User.id).where(func.lower(User.email) == email)
        if user_id is not None:
            clash = clash.where(User.id != user_id)
        if session.exec(clash).first() is not None:
            errors["email"] = N_("An account with this e-mail already exists.")
    if not full_name or len(full_name) > 120:
        errors["full_name"] = N_("Enter the person's name (up to 120 characters).")
    if role not in ROLES:
        errors["role"] = N_("Choose requester, agent, manager or admin.")
    if len(department) > 120:
        errors["department"] = N_("Use at most 120 characters.")
    return errors


def invite_user(session: Session, by: Actor, *, email: str, full_name: str, role: str = Role.REQUESTER.value,
                team_ids: list[int] | None = None, department: str = "", _refresh_caches: bool = True) -> User:
    """Creates the account without a password and e-mails the person a link to choose one (valid 7 days)."""
    _require_admin(by)
    email, full_name, department = (email or "").strip().lower(), (full_name or "").strip(), (department or "").strip()
    errors = _check_person(session, email, full_name, role, department)
    errors |= bounds.unstorable({"email": email, "full_name": full_name, "department": department})
    teams = _check_team_ids(session, team_ids or [], errors)
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, full_name=full_name, password_hash=NO_PASSWORD_YET, role=role, department=department)
    session.add(user)
    session.flush()
    for team_id in teams:
        session.add(TeamMembership(team_id=team_id, user_id=user.id))
    audit.record(session, "user.create", actor_id=by.user_id, entity_type="user", entity_id=str(user.id),
                 details={"email": email, "role": role, "team_ids": teams})
    password_links.invite(session, user, by.user_id)
    if _refresh_caches:  # an import refreshes them once at the end
        invalidate_directory_caches()
    return user


def resend_invitation(session: Session, by: Actor, user_id: int) -> None:
    _require_admin(by)
    user = session.get(User, user_id)
    if user is None or user.is_service_account:
        raise NotFound(N_("No such account."))
    if user.password_hash != NO_PASSWORD_YET:
        raise ValidationFailed({"user_id": N_("This person has set a password already.")})
    password_links.invite(session, user, by.user_id)


def _active_admins(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)
                        .where(User.role == Role.ADMIN.value, User.is_active)).one()


def update_user(session: Session, by: Actor, user_id: int, *, full_name: str, role: str, team_ids: list[int],
                department: str = "") -> User:
    _require_admin(by)
    user = session.get(User, user_id)
    if user is None or user.is_service_account:
        raise NotFound(N_("No such account."))
    full_name, department = (full_name or "").strip(), (department or "").strip()
    errors = _check_person(session, user.email, full_name, role, department, user_id)
    errors |= bounds.unstorable({"full_name": full_name, "department": department})
    errors.pop("email", None)
    teams = _check_team_ids(session, team_ids, errors)
    # Nobody removes the last way in: an admin cannot demote themselves, nor the last active admin.
    if user.role == Role.ADMIN and role != Role.ADMIN:
        if user.id == by.user_id:
            errors["role"] = N_("You cannot take away your own administrator role; ask another administrator.")
        elif user.is_active and _active_admins(session) <= 1:
            errors["role"] = N_("This is the last active administrator.")
    if errors:
        raise ValidationFailed(errors)
    before_teams = sorted(session.exec(select(TeamMembership.team_id)
                                       .where(TeamMembership.user_id == user_id)).all())
    changes: dict[str, Any] = {}
    for name, new in (("full_name", full_name), ("role", role), ("department", department)):
        if getattr(user, name) != new:
            changes[name] = {"from": getattr(user, name), "to": new}
            setattr(user, name, new)
    if before_teams != teams:
        changes["team_ids"] = {"from": before_teams, "to": teams}
        for membership in session.exec(select(TeamMembership).where(TeamMembership.user_id == user_id)).all():
            if membership.team_id not in teams:
                session.delete(membership)
        for team_id in set(teams) - set(before_teams):
            session.add(TeamMembership(team_id=team_id, user_id=user_id))
    session.add(user)
    if changes:
        audit.record(session, "user.update", actor_id=by.user_id, entity_type="user", entity_id=str(user_id),
                     details=changes)
    forget_actor(user_id)
    invalidate_directory_caches()
    return user


def set_active(session: Session, by: Actor, user_id: int, active: bool) -> None:
    """Deactivating ends the person's sessions at once; they cannot sign in until reactivated."""
    from helpdesk.identity import directory

    _require_admin(by)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such account."))
    if not active and user.id == by.user_id:
        raise ValidationFailed({"user_id": N_("You cannot deactivate your own account.")})
    if not active and user.role == Role.ADMIN and user.is_active and _active_admins(session) <= 1:
        raise ValidationFailed({"user_id": N_("This is the last active administrator.")})
    if user.is_active == active:
        return
    directory.set_active(session, by, user_id, active)
    invalidate_directory_caches()


# ---------------------------------------------------------------- CSV import


@dataclass
class ImportPreview:
    rows: list[dict[str, Any]] = field(default_factory=list)  # line, email, full_name, role, teams, action, problem
    created: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r["action"] == "error")

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if r["action"] == "create")


def import_csv(session: Session, by: Actor, text: str, *, apply: bool) -> ImportPreview:
    """Reads `email,full_name,role,teams,department` (teams separated by ';'); a header row is required.

    With apply=False nothing changes: the preview says per line what would happen. With apply=True the rows are
    created and invited only if no line has an error (all or nothing); existing addresses are skipped.
    """
    _require_admin(by)
    reader = csv.DictReader(io.StringIO((text or "").lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in headers or "full_name" not in headers:
        raise ValidationFailed({"csv": "The first line must name the columns: " + ",".join(CSV_COLUMNS) + "."})
    reader.fieldnames = headers
    teams_by_name = {t.name.lower(): t.id for t in session.exec(select(Team)).all()}
    preview, seen = ImportPreview(), set()
    for line_no, raw in enumerate(reader, start=2):
        if line_no - 1 > MAX_IMPORT_ROWS:
            raise ValidationFailed({"csv": NF_("Import at most {count} people at a time.", count=MAX_IMPORT_ROWS)})
        values = {k: (raw.get(k) or "").strip() for k in CSV_COLUMNS}
        if not any(values.values()):
            continue
        email, role = values["email"].lower(), (values["role"] or Role.REQUESTER.value).lower()
        team_names = [t.strip() for t in values["teams"].split(";") if t.strip()]
        row = {"line": line_no, "email": email, "full_name": values["full_name"], "role": role,
               "teams": ", ".join(team_names), "action": "create", "problem": ""}
        problems = _check_person(session, email, values["full_name"], role, values["department"])
        unknown = [t for t in team_names if t.lower() not in teams_by_name]
        if unknown:
            problems["teams"] = NF_("Unknown team: {teams}.", teams=", ".join(unknown))
        if email in seen:
            problems["email"] = N_("This address is on an earlier line too.")
        seen.add(email)
        if problems.get("email") == "An account with this e-mail already exists." and len(problems) == 1:
            row["action"], row["problem"] = "skip", N_("Already has an account.")
            row["problems"] = [row["problem"]]
        elif problems:
            row["action"], row["problem"] = "error", " ".join(problems.values())
            # Each sentence apart as well, for a page that shows them in the reader's language.
            row["problems"] = list(problems.values())
        row["_team_ids"] = [teams_by_name[t.lower()] for t in team_names if t.lower() in teams_by_name]
        row["_department"] = values["department"]
        preview.rows.append(row)
    if not preview.rows:
        raise ValidationFailed({"csv": N_("The file has no people in it.")})
    if apply:
        if preview.errors:
            raise ValidationFailed({"csv": NF_("Fix the {count} line(s) with errors first; nothing was imported.",
                                               count=preview.errors)})
        for row in preview.rows:
            if row["action"] == "create":
                invite_user(session, by, email=row["email"], full_name=row["full_name"], role=row["role"],
                            team_ids=row["_team_ids"], department=row["_department"], _refresh_caches=False)
                preview.created += 1
        invalidate_directory_caches()
        audit.record(session, "user.import", actor_id=by.user_id, entity_type="user", entity_id="",
                     details={"created": preview.created, "skipped": len(preview.rows) - preview.created})
    for row in preview.rows:
        row.pop("_team_ids", None)
        row.pop("_department", None)
    return preview


def overview(session: Session, by: Actor) -> dict[str, int]:
    """Head counts for the console's overview page."""

    _require_admin(by)
    people = select(func.count()).select_from(User).where(User.is_service_account.is_(False))
    return {
        "people": session.exec(people.where(User.is_active)).one(),
        "staff": session.exec(people.where(User.is_active, User.role != Role.REQUESTER.value)).one(),
        "invited": session.exec(people.where(User.is_active, User.password_hash == NO_PASSWORD_YET)).one(),
        "teams": session.exec(select(func.count()).select_from(Team)).one(),
        "categories": session.exec(select(func.count()).select_from(Category).where(Category.is_active)).one(),
    }


# ---------------------------------------------------------------- people for the IT team's forms


def find_people(session: Session, by: Actor, query: str, *, limit: int = 8) -> list[dict[str, Any]]:
    """Active people whose name or e-mail contains `query`, for an agent filing a ticket on someone's behalf."""
    if not policy.works_tickets(by):
        raise PermissionDenied("Only the IT team can look people up.")
    query = bounds.searchable(query or "").strip()[:120]  # a NUL sent by a crafted event must not reach SQL
    if len(query) < 2:
        return []
    pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.exec(
        select(User).where(User.is_active, User.is_service_account.is_(False),
                           or_(func.lower(User.full_name).like(pattern), func.lower(User.email).like(pattern)))
        .order_by(User.full_name, User.id).limit(max(1, min(limit, 25)))
    ).all()
    return [{"id": u.id, "full_name": u.full_name, "email": u.email, "department": u.department, "role": u.role}
            for u in rows]


def requester_problems(session: Session, *, email: str, full_name: str) -> dict[str, str]:
    """What is wrong with a new requester's name and address (keys `requester_email`, `requester_full_name`)."""
    errors = _check_person(session, (email or "").strip().lower(), (full_name or "").strip(), Role.REQUESTER.value, "")
    return {f"requester_{name}": message for name, message in errors.items()}


def create_requester(session: Session, by: Actor, *, email: str, full_name: str, via: str) -> User:
    """A requester account without a password, made by an agent for someone who phoned or walked up.

    The person signs in later through single sign-on or "forgot password"; `via` says why it was made (audited).
    """
    if not policy.works_tickets(by):
        raise PermissionDenied("Only the IT team can add requesters.")
    email, full_name = (email or "").strip().lower(), (full_name or "").strip()
    errors = requester_problems(session, email=email, full_name=full_name)
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, full_name=full_name, password_hash=NO_PASSWORD_YET, role=Role.REQUESTER.value)
    session.add(user)
    session.flush()
    audit.record(session, "user.create", actor_id=by.user_id, entity_type="user", entity_id=str(user.id),
                 details={"email": email, "role": Role.REQUESTER.value, "via": via})
    return user
