"""Other people's things for the RBAC matrix to reach for, each carrying text that must never leak.

The five roles are played by: nobody (anonymous), Alice (requester), Ada (agent on the Access team), Mona
(manager) and Root (admin). What they reach for belongs to others: Bob (another requester), Hank (an agent on
the Hardware team), Max (another manager).

Every role gets its own copy of the tickets (so what one role may legitimately change does not change what the
next one is tried against):
- `ticket`: Bob's ticket in the Hardware queue, i.e. another person's ticket and, for Ada, another team's, with a
  public reply, an internal note and an attachment; `other_ticket` is a second one of Bob's there (link target),
  and `spares` more of his there for the changes that use a ticket up (merged away, moved, resolved);
- `team_ticket` / `team_other_ticket`: the same in the Access queue: Ada's team, still Bob's.

Alice also follows one of Bob's tickets (`followed`): her duplicate was merged into it. She reads its public
conversation there, and nothing of Bob's beyond it (his e-mail address, for one).

Shared: a draft and an archived knowledge-base article by Hank (with a file), a published one, Hank's personal
canned response, personal macro and personal saved queue view, Bob's personal API token, a service account with a
token, Max's finished report export.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from helpdesk.core.db import session_scope
from helpdesk.identity.actor import load_actor
from helpdesk.reports.rollups import local_today  # the organisation's day, as filters read dates
from tests.factories import Org, build_org, draft, password_hash

ROLES = ("anonymous", "requester", "agent", "manager", "admin")
BOB_EMAIL = "bob@example.org"
# More of Bob's tickets per copy, each used up by one change: merged away (over HTTP / in a tab), moved to another
# team, resolved and turned into an article.
SPARE_TICKETS = ("merged_by_api", "merged_in_tab", "moving", "bulk_moving", "resolving")


@dataclass
class Targets:
    """The ids a role's attacks use, and the text that shows whether something leaked."""

    ticket: int
    other_ticket: int
    ticket_number: int
    other_ticket_number: int
    spares: dict[str, int]  # name -> ticket id: merged over HTTP, merged in a tab, moved to another team, resolved
    comment: int
    note: int
    attachment: int
    # Text only someone who may read the ticket sees, and text only IT staff reading it in their own right see.
    ticket_secrets: tuple[str, ...]
    note_secret: str
    tag: str

    def shown(self, kind: str) -> str:
        """The text an allowed reader of `kind` ("ticket", "comment", "attachment", "file", "note") gets."""
        return {"ticket": f"Zt{self.tag}A", "comment": f"Zr{self.tag}", "attachment": f"Zf{self.tag}",
                "file": f"Zc{self.tag}", "note": self.note_secret}[kind]


@dataclass
class World:
    org: Org
    max_manager: int
    nonce: str
    targets: dict[str, Targets]  # role -> Bob's Hardware tickets
    team_targets: dict[str, Targets]  # role -> Bob's Access tickets (Ada's team)
    kb_draft: int
    kb_draft_slug: str
    kb_archived: int
    kb_archived_slug: str
    kb_published: int
    kb_published_slug: str
    kb_draft_file: int
    kb_spare: int  # a draft without secrets, for writers to edit, publish and archive
    kb_spare_files: dict[str, int]  # one per role: writers delete them
    kb_category: int
    kb_secret: str  # in the draft and the archived article: only people who write the KB may read them
    canned_personal: int
    canned_secret: str
    macro_personal: int  # Hank's: only he uses, edits or deletes it
    view_personal: int  # Hank's saved queue view
    hank_secret: str  # in the names of Hank's personal macro and view
    bob_token: int
    bob_token_secret: str  # the name of Bob's token
    service_account: int
    service_token: int
    service_secret: str
    export: int  # Max's export
    export_secret: str
    schedule: int
    victim: int  # a requester the admin handlers edit, deactivate, add to a team
    followed: int  # Bob's ticket that Alice's duplicate was merged into: she follows it
    followed_title: str

    def placeholders(self, role: str, targets: Targets) -> dict[str, str]:
        """What "{ticket}", "{kb_draft}", ... in the matrix mean for `role` attacking `targets`."""
        org = self.org
        return {
            "role": role, "me": str(self.user_for(role) or 0),
            "ticket": str(targets.ticket), "other_ticket": str(targets.other_ticket),
            "ticket_number": str(targets.ticket_number), "other_ticket_number": str(targets.other_ticket_number),
            **{name: str(ticket_id) for name, ticket_id in targets.spares.items()},
            "elsewhere_team": str(org.access_team if targets.tag.endswith("hw") else org.hardware_team),
            "comment": str(targets.comment), "note": str(targets.note), "attachment": str(targets.attachment),
            "bob": str(org.bob), "hank": str(org.hank), "victim": str(self.victim), "bob_email": BOB_EMAIL,
            "followed": str(self.followed),
            "hardware_team": str(org.hardware_team), "access_team": str(org.access_team),
            "hardware": str(org.hardware), "laptops": str(org.laptops), "access": str(org.access),
            "kb_draft": str(self.kb_draft), "kb_draft_slug": self.kb_draft_slug, "kb_archived": str(self.kb_archived),
            "kb_published": str(self.kb_published), "kb_published_slug": self.kb_published_slug,
            "kb_draft_file": str(self.kb_draft_file),
            "kb_spare": str(self.kb_spare), "kb_spare_file": str(self.kb_spare_files[role]),
            "max": str(self.max_manager),
            "kb_category": str(self.kb_category), "kb_secret": self.kb_secret,
            "canned_personal": str(self.canned_personal), "macro_personal": str(self.macro_personal),
            "view_personal": str(self.view_personal),
            "kb_upload_handler": "reflex___state____state.helpdesk___state___session____session_state."
                                 "helpdesk___state___kb_editor____kb_editor_state.upload",
            "bob_token": str(self.bob_token),
            "service_account": str(self.service_account), "service_token": str(self.service_token),
            "export": str(self.export), "schedule": str(self.schedule),
            "forged_link": "forged-" + self.nonce * 6,
            "today": local_today().isoformat(), "month_ago": (local_today() - timedelta(days=30)).isoformat(),
            "import_csv": f"email,full_name,role\nimported.{role}@example.org,Imported {role},admin\n",
        }

    def shown(self, kind: str, targets: Targets) -> str:
        """The text an allowed call of an entry with `shows=kind` must bring back."""
        return {"kb": self.kb_secret, "service": self.service_secret, "bob_token": self.bob_token_secret}.get(
            kind) or targets.shown(kind)

    def user_for(self, role: str) -> int | None:
        return {"anonymous": None, "requester": self.org.alice, "agent": self.org.ada, "manager": self.org.mona,
                "admin": self.org.root}[role]

    def secrets_for(self, role: str) -> dict[str, str]:
        """Text `role` may never receive, whatever it calls (text -> what it belongs to).

        Readability goes by ticket, not by copy: a manager's queue rightly lists every role's copy.
        """
        found: dict[str, str] = {}
        for owner, targets in (("Bob's Hardware ticket", self.targets), ("Bob's Access ticket", self.team_targets)):
            reads = self._reads_ticket(role, owner)
            for who, t in targets.items():
                for text in t.ticket_secrets if not reads else ():
                    found[text] = f"{owner} ({who}'s copy)"
                if not reads:
                    found[t.note_secret] = f"the internal note on {owner} ({who}'s copy)"
        if role in ("anonymous", "requester"):
            found[self.kb_secret] = "an unpublished knowledge-base article"
            found[BOB_EMAIL] = "Bob's e-mail address"
        if role != "admin":  # admins read the audit log, where their creation is recorded
            found[self.canned_secret] = "Hank's personal canned response"
            found[self.hank_secret] = "Hank's personal macro or saved view"
        if role != "admin":
            found[self.bob_token_secret] = "Bob's API token"
            found[self.service_secret] = "a service account's token"
        found[self.export_secret] = "Max's report export"
        return found

    @staticmethod
    def _reads_ticket(role: str, owner: str) -> bool:
        if role in ("manager", "admin"):
            return True
        return role == "agent" and owner == "Bob's Access ticket"


def _actor(session: Any, user_id: int) -> Any:  # noqa: ANN401
    return load_actor(session, user_id)


def _tickets(org: Org, role: str, team: str, category_id: int, nonce: str) -> Targets:
    from helpdesk.tickets import attachments, conversation, tickets
    from helpdesk.tickets.validation import CommentDraft

    tag = f"{nonce}{role[:3]}{team}"
    with session_scope() as session:
        bob, staff = _actor(session, org.bob), _actor(session, org.root)
        first = tickets.create_ticket(session, bob, draft(
            title=f"Laptop dock broken Zt{tag}A", category_id=category_id, priority="high",
            description=f"The dock stopped charging on Monday. Zd{tag}A"))
        second = tickets.create_ticket(session, bob, draft(
            title=f"Second screen dark Zt{tag}B", category_id=category_id,
            description=f"The second screen stays dark. Zd{tag}B"))
        spares = {}
        for name in SPARE_TICKETS:
            spare = tickets.create_ticket(session, bob, draft(title=f"Dock {name.replace('_', ' ')} Zt{tag}{name}",
                                                              category_id=category_id))
            session.flush()
            spares[name] = spare.id
        session.flush()
        reply = conversation.add_comment(session, staff, first.id,
                                         CommentDraft(body=f"Please try another cable Zr{tag}"))
        note = conversation.add_comment(session, staff, first.id,
                                        CommentDraft(body=f"Bob broke two docks before Zn{tag}", internal=True))
        attachment = attachments.add_attachment(session, bob, first.id, f"Zf{tag}.txt", "text/plain",
                                                f"dock serial Zc{tag}".encode())
        session.flush()
        return Targets(ticket=first.id, other_ticket=second.id, ticket_number=first.number, spares=spares,
                       other_ticket_number=second.number, comment=reply.id, note=note.id, attachment=attachment.id,
                       ticket_secrets=(f"Zt{tag}A", f"Zd{tag}A", f"Zr{tag}", f"Zf{tag}", f"Zc{tag}", f"Zt{tag}B",
                                       *(f"Zt{tag}{name}" for name in SPARE_TICKETS)),
                       note_secret=f"Zn{tag}", tag=tag)


def _followed_by_alice(org: Org, nonce: str) -> tuple[int, str]:
    """Bob's ticket that Alice's duplicate of it was merged into (by the admin): Alice follows it."""
    from helpdesk.tickets import merging, tickets

    title = f"Dock firmware update fails Zt{nonce}fol"
    with session_scope() as session:
        bobs = tickets.create_ticket(session, _actor(session, org.bob), draft(title=title, category_id=org.laptops))
        alices = tickets.create_ticket(session, _actor(session, org.alice), draft(
            title="Dock firmware update fails for me too", category_id=org.laptops))
        session.flush()
        merging.merge(session, _actor(session, org.root), alices.id, bobs.id)
        return bobs.id, title


def _wait_for_export(export_id: int, timeout: float = 90) -> None:
    """The reports worker writes Max's export file; the matrix downloads it."""
    import time

    from helpdesk.models import ReportExport

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as session:
            status = session.get(ReportExport, export_id).status
        if status in ("done", "failed"):
            assert status == "done", "Max's export failed"
            return
        time.sleep(0.3)
    raise AssertionError("the reports worker did not finish Max's export")


def build_world() -> World:
    """Everything above, through the domain (as the people themselves would make it)."""
    from helpdesk.identity import tokens
    from helpdesk.kb import articles as kb
    from helpdesk.kb import attachments as kb_attachments
    from helpdesk.kb import categories as kb_categories
    from helpdesk.models import User
    from helpdesk.reports import exports, schedules
    from helpdesk.reports.filters import default_filters
    from helpdesk.reports.rollups import local_today
    from helpdesk.tickets import canned_responses, macros, saved_views
    from helpdesk.tickets.validation import (
        CannedResponseDraft,
        MacroActions,
        MacroDraft,
        SavedViewDraft,
        ViewFilters,
    )

    org = build_org()
    nonce = uuid.uuid4().hex[:6]
    with session_scope() as session:
        account = User(email="max@example.org", full_name="Max Manager", password_hash=password_hash(),
                       role="manager")
        victim = User(email="vic@example.org", full_name="Vic Requester", password_hash=password_hash(),
                      role="requester")
        session.add_all([account, victim])
        session.flush()
        max_manager, victim_id = account.id, victim.id

    targets = {role: _tickets(org, role, "hw", org.laptops, nonce) for role in ROLES}
    team_targets = {role: _tickets(org, role, "ac", org.access, nonce) for role in ROLES}

    followed, followed_title = _followed_by_alice(org, nonce)
    kb_secret, canned_secret = f"Zk{nonce}", f"Zp{nonce}"
    with session_scope() as session:
        hank, root, bob, max_actor = (_actor(session, u) for u in (org.hank, org.root, org.bob, max_manager))
        category = kb_categories.create_category(session, root, f"Printers {nonce}", None)
        session.flush()

        def article(title: str) -> Any:  # noqa: ANN401
            return kb.create_article(session, hank, kb.ArticleDraft(
                title=title, body_markdown=f"Steps for the dock. {kb_secret}", summary=f"Dock help {kb_secret}",
                category_id=category.id))

        kb_draft = article(f"Unreleased dock firmware {kb_secret}")
        kb_archived = article(f"Old dock firmware {kb_secret}")
        session.flush()
        kb.set_status(session, hank, kb_archived.id, kb.ArticleStatus.ARCHIVED)
        kb_published = kb.create_article(session, hank, kb.ArticleDraft(
            title=f"Connecting a dock {nonce}", body_markdown="Plug the dock into the left port.",
            summary="How to connect a dock", category_id=category.id))
        session.flush()
        kb.set_status(session, hank, kb_published.id, kb.ArticleStatus.PUBLISHED)
        draft_file = kb_attachments.add_attachment(session, hank, kb_draft.id, f"firmware-{kb_secret}.txt",
                                                   b"firmware notes")
        kb_spare = kb.create_article(session, hank, kb.ArticleDraft(
            title=f"Dock drivers {nonce}", body_markdown="Install the driver.", category_id=category.id))
        session.flush()
        spare_files = {role: kb_attachments.add_attachment(session, hank, kb_spare.id, f"driver-{role}.txt",
                                                           b"driver notes").id for role in ROLES}
        canned = canned_responses.create(session, hank, CannedResponseDraft(
            title=f"My dock answer {canned_secret}", body=f"Hello, try the dock reset. {canned_secret}",
            personal=True))
        hank_secret = f"Zh{nonce}"
        macro = macros.create_macro(session, hank, MacroDraft(
            name=f"Dock swap {hank_secret}", actions=MacroActions(priority="low", add_tags=["dock"]), personal=True))
        view = saved_views.create_view(session, hank, SavedViewDraft(
            name=f"My docks {hank_secret}", filters=ViewFilters(query="dock")))
        bob_token_secret = f"Zb{nonce}"
        bob_token, _ = tokens.create_token(session, bob, name=bob_token_secret, scopes=["tickets:read"])
        service_secret = f"Zs{nonce}"
        service = tokens.create_service_account(session, root, name="Inventory sync")
        session.flush()
        service_token, _ = tokens.create_token(session, root, name=f"sync {service_secret}",
                                               scopes=["tickets:read"], user_id=service.id)
        export = exports.request_export(session, max_actor, "volume", "csv", default_filters(local_today()))
        schedules.ensure_defaults(session)
        session.flush()
        schedule = min(row["id"] for row in schedules.list_schedules(session, root))
        ids = dict(kb_draft=kb_draft.id, kb_draft_slug=kb_draft.slug, kb_archived=kb_archived.id,
                   kb_archived_slug=kb_archived.slug, kb_published=kb_published.id, kb_spare=kb_spare.id,
                   kb_spare_files=spare_files,
                   kb_published_slug=kb_published.slug, kb_draft_file=draft_file.id, kb_category=category.id,
                   canned_personal=canned.id, macro_personal=macro.id, view_personal=view.id,
                   hank_secret=hank_secret, bob_token=bob_token.id, service_account=service.id,
                   service_token=service_token.id, export=export.id, schedule=schedule)
    _wait_for_export(ids["export"])
    export_secret = f"exports/{ids['export']}/download"  # the link only its owner's page ever shows
    return World(org=org, max_manager=max_manager, nonce=nonce, targets=targets, team_targets=team_targets,
                 kb_secret=kb_secret, canned_secret=canned_secret, bob_token_secret=bob_token_secret,
                 service_secret=service_secret, export_secret=export_secret, victim=victim_id, followed=followed,
                 followed_title=followed_title, **ids)
