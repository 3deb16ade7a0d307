"""Creates the demo organisation once (safe to run again: it does nothing the second time)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from helpdesk.core.db import session_scope
from helpdesk.identity.directory import create_user
from helpdesk.identity.passwords import hash_password
from helpdesk.models import (
    AiFeedback,
    AssignmentMode,
    CannedResponse,
    Category,
    Comment,
    KbArticle,
    KbDeflection,
    Role,
    Status,
    Team,
    TeamMembership,
    Ticket,
    TicketEvent,
    User,
)
from helpdesk.models.base import utcnow
from helpdesk.seed import catalogue
from helpdesk.sla import engine as sla
from helpdesk.tickets import canned_responses

DEMO_DOMAIN = "acme.example.com"
DEMO_PASSWORDS = {
    "admin": "admin-demo-pass",
    "manager": "manager-demo-pass",
    "agent": "agent-demo-pass",
    "requester": "requester-demo-pass",
}
# The first-line queue balances load; desktop support takes turns; specialist teams assign by hand.
DEMO_ASSIGNMENT_MODES = {
    "Service Desk": AssignmentMode.LEAST_OPEN,
    "Desktop Support": AssignmentMode.ROUND_ROBIN,
}
DEMO_LOGINS = [
    ("admin", f"admin@{DEMO_DOMAIN}", DEMO_PASSWORDS["admin"]),
    ("manager", f"manager@{DEMO_DOMAIN}", DEMO_PASSWORDS["manager"]),
    ("agent", f"ayesha.khan@{DEMO_DOMAIN}", DEMO_PASSWORDS["agent"]),
    ("requester", f"employee@{DEMO_DOMAIN}", DEMO_PASSWORDS["requester"]),
]


def already_seeded(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Team)).one() > 0


def seed_structure(session: Session) -> dict[str, Team]:
    teams = {}
    for name, description in catalogue.TEAMS.items():
        mode = DEMO_ASSIGNMENT_MODES.get(name, AssignmentMode.MANUAL)
        team = Team(name=name, description=description, assignment_mode=mode.value)
        session.add(team)
        teams[name] = team
    session.flush()
    for parent_name, (team_name, children) in catalogue.CATEGORIES.items():
        parent = Category(name=parent_name, default_team_id=teams[team_name].id)
        session.add(parent)
        session.flush()
        for child in children:
            session.add(Category(name=child, parent_id=parent.id, default_team_id=teams[team_name].id))
    session.flush()
    return teams


def seed_demo(ticket_count: int = 440, seed: int = 7) -> bool:
    """Returns False when the database already holds an organisation."""
    rng = random.Random(seed)
    with session_scope() as session:
        if already_seeded(session):
            return False
        teams = seed_structure(session)
        agent_hash = hash_password(DEMO_PASSWORDS["agent"])
        requester_hash = hash_password(DEMO_PASSWORDS["requester"])

        admin = create_user(session, email=f"admin@{DEMO_DOMAIN}", full_name="Alex Admin",
                            password=DEMO_PASSWORDS["admin"], role=Role.ADMIN.value, department="IT")
        create_user(session, email=f"manager@{DEMO_DOMAIN}", full_name="Maryam Manager",
                    password=DEMO_PASSWORDS["manager"], role=Role.MANAGER.value, department="IT")
        agents: list[User] = []
        for full_name, handle, team_names in catalogue.AGENTS:
            agent = User(email=f"{handle}@{DEMO_DOMAIN}", full_name=full_name, password_hash=agent_hash,
                         role=Role.AGENT.value, department="IT")
            session.add(agent)
            session.flush()
            for team_name in team_names:
                session.add(TeamMembership(team_id=teams[team_name].id, user_id=agent.id))
            agents.append(agent)
        for team in teams.values():
            team.lead_id = next(
                agent.id for agent, (_, _, names) in zip(agents, catalogue.AGENTS, strict=True) if team.name in names
            )
        requesters = [User(email=f"employee@{DEMO_DOMAIN}", full_name="Erum Employee",
                           password_hash=requester_hash, department="Finance")]
        for first in catalogue.FIRST_NAMES:
            last = rng.choice(catalogue.LAST_NAMES)
            requesters.append(User(email=f"{first.lower()}.{last.lower()}@{DEMO_DOMAIN}", full_name=f"{first} {last}",
                                   password_hash=requester_hash, department=rng.choice(catalogue.DEPARTMENTS)))
        session.add_all(requesters)
        session.flush()
        _seed_tickets(session, rng, ticket_count, agents, requesters)
        _seed_canned_responses(session, teams, admin.id)
        _seed_knowledge_base(session, admin.id)
        _seed_ai_history(session, rng)
        _seed_deflections(session, rng, requesters)
    return True


def _seed_ai_history(session: Session, rng: random.Random) -> None:
    """Triages every demo ticket in order (real predictions of the model this helpdesk runs, learning as the demo's
    agents labelled tickets), and lets agents have decided on some of the suggestions, so the AI figures and
    reports have something true to show."""
    from helpdesk.ai import org_model, triage

    parents = {c.id: c.parent_id for c in session.exec(select(Category)).all()}
    # Refitted every 50 labels rather than after each: loading the demo would otherwise take minutes.
    with org_model.learning_in_batches(50):
        for ticket in session.exec(select(Ticket).order_by(Ticket.id)).all():
            prediction = triage.triage_ticket(session, ticket.id, now=ticket.created_at + timedelta(seconds=3))
            if prediction is None or prediction.predicted_category_id is None or rng.random() > 0.4:
                continue
            session.add(AiFeedback(
                prediction_id=prediction.id, ticket_id=ticket.id, field="category",
                suggested_value=str(prediction.predicted_category_id), final_value=str(ticket.category_id),
                accepted=prediction.predicted_category_id in (ticket.category_id, parents.get(ticket.category_id)),
                actor_id=ticket.assignee_id,
                created_at=ticket.created_at + timedelta(minutes=rng.randint(5, 240))))


def _seed_deflections(session: Session, rng: random.Random, requesters: list[User]) -> None:
    """What the new-ticket form's article suggestions achieved over the demo period."""
    articles = session.exec(select(KbArticle.id)).all()
    if not articles:
        return
    now = utcnow()
    for _ in range(90):
        shown = rng.sample(list(articles), k=min(3, len(articles)))
        solved = rng.random() < 0.38
        session.add(KbDeflection(
            user_id=rng.choice(requesters).id, query=rng.choice(catalogue.TICKETS)[2],
            article_id=shown[0] if solved else None, outcome="solved" if solved else "filed_anyway",
            shown_article_ids=shown, created_at=now - timedelta(minutes=rng.randint(10, 60 * 24 * 75))))


def _seed_knowledge_base(session: Session, admin_id: int) -> None:
    from helpdesk.identity.actor import load_actor
    from helpdesk.kb import articles as kb
    from helpdesk.kb import categories as kb_categories
    from helpdesk.seed.kb_articles import ARTICLE_CATEGORIES, ARTICLES

    admin = load_actor(session, admin_id)
    category_ids: dict[str, int] = {}
    for path in sorted(set(ARTICLE_CATEGORIES.values())):
        parent_path = ""
        for name in path.split("/"):
            here = f"{parent_path}/{name}" if parent_path else name
            if here not in category_ids:
                category_ids[here] = kb_categories.create_category(
                    session, admin, name, category_ids.get(parent_path)).id
            parent_path = here
    for title, summary, tags, featured, body in ARTICLES:
        article = kb.create_article(session, admin, kb.ArticleDraft(
            title=title, summary=summary, tags=tags, featured=featured, body_markdown=body,
            category_id=category_ids[ARTICLE_CATEGORIES[title]]))
        kb.publish_article(session, admin, article.id)


def _seed_canned_responses(session: Session, teams: dict[str, Team], author_id: int) -> None:
    for team_name, title, body in catalogue.CANNED_RESPONSES:
        canned_responses.check_body(body)  # a typo in the catalogue fails the seed, not an agent's click
        session.add(CannedResponse(team_id=teams[team_name].id if team_name else None, title=title, body=body,
                                   created_by_id=author_id))


def _category_ids(session: Session) -> dict[str, Category]:
    categories = session.exec(select(Category)).all()
    by_id = {c.id: c for c in categories}
    paths = {}
    for category in categories:
        parent = by_id.get(category.parent_id) if category.parent_id else None
        paths[f"{parent.name}/{category.name}" if parent else category.name] = category
    return paths


def _seed_tickets(session: Session, rng: random.Random, count: int, agents: list[User], requesters: list[User]) -> None:
    categories = _category_ids(session)
    memberships = session.exec(select(TeamMembership)).all()
    team_agents: dict[int, list[int]] = {}
    for m in memberships:
        team_agents.setdefault(m.team_id, []).append(m.user_id)
    now = utcnow()
    status_weights = [(Status.NEW, 10), (Status.OPEN, 16), (Status.IN_PROGRESS, 14),
                      (Status.WAITING_ON_CUSTOMER, 8), (Status.RESOLVED, 30), (Status.CLOSED, 22)]
    for index in range(count):
        path, priority, template, description = rng.choice(catalogue.TICKETS)
        title, description = rng.choice([(template, description), *catalogue.REPHRASINGS[template]])
        category = categories[path]
        age = timedelta(minutes=rng.randint(5, 60 * 24 * 75)) if index else timedelta(minutes=30)
        created = now - age * (rng.random() ** 0.6)
        status = rng.choices([s for s, _ in status_weights], [w for _, w in status_weights])[0]
        if created > now - timedelta(hours=4) and status in (Status.RESOLVED, Status.CLOSED):
            status = Status.OPEN
        requester = requesters[0] if index % 9 == 0 else rng.choice(requesters)
        assignee_id = None
        if status != Status.NEW:
            assignee_id = rng.choice(team_agents.get(category.default_team_id, [agents[0].id]))
        first_due, resolution_due = sla.deadlines_for(priority, created)
        ticket = Ticket(
            title=title, description=description, priority=priority, status=status.value, source="portal",
            category_id=category.id, team_id=category.default_team_id, assignee_id=assignee_id,
            requester_id=requester.id, sla_first_response_due=first_due, sla_resolution_due=resolution_due,
            created_at=created, updated_at=created,
        )
        session.add(ticket)
        session.flush()
        session.add(TicketEvent(ticket_id=ticket.id, actor_id=requester.id, kind="created", new_value="new",
                                created_at=created))

        def later(start: datetime, low: int, high: int) -> datetime:
            return min(start + timedelta(minutes=rng.randint(low, high)), now - timedelta(minutes=2))

        moment = created
        if status != Status.NEW and assignee_id:
            moment = later(created, 4, 300)
            session.add(TicketEvent(ticket_id=ticket.id, actor_id=assignee_id, kind="assigned", field="assignee_id",
                                    new_value=str(assignee_id), created_at=moment))
            session.add(Comment(ticket_id=ticket.id, author_id=assignee_id, body=rng.choice(catalogue.AGENT_REPLIES),
                                created_at=moment))
            ticket.first_responded_at = moment
            if rng.random() < 0.5:
                moment = later(moment, 10, 600)
                session.add(Comment(ticket_id=ticket.id, author_id=requester.id,
                                    body=rng.choice(catalogue.REQUESTER_REPLIES), created_at=moment))
            if rng.random() < 0.3:
                moment = later(moment, 5, 120)
                session.add(Comment(ticket_id=ticket.id, author_id=assignee_id, is_internal=True,
                                    body=rng.choice(catalogue.INTERNAL_NOTES), created_at=moment))
        if status in (Status.RESOLVED, Status.CLOSED):
            ticket.resolved_at = later(moment, 30, 60 * 48)
            if assignee_id:
                session.add(Comment(ticket_id=ticket.id, author_id=assignee_id, body=catalogue.RESOLUTIONS[template],
                                    created_at=ticket.resolved_at))
            if status == Status.CLOSED:
                ticket.closed_at = min(ticket.resolved_at + timedelta(days=3), now - timedelta(minutes=1))
            moment = ticket.closed_at or ticket.resolved_at
            session.add(TicketEvent(ticket_id=ticket.id, actor_id=assignee_id, kind="changed", field="status",
                                    old_value="in_progress", new_value=status.value, created_at=moment))
        ticket.updated_at = max(moment, created)
        if status not in (Status.RESOLVED, Status.CLOSED):
            if status == Status.WAITING_ON_CUSTOMER:
                ticket.sla_paused_at = moment
            # Open tickets get the real policy, business-hours deadlines and at-risk moment.
            sla.recompute(session, ticket, now)
            _flag_past_deadlines(session, ticket, now)
        session.add(ticket)


def _flag_past_deadlines(session: Session, ticket: Ticket, now: datetime) -> None:
    """Marks deadlines the demo history has already passed, as the SLA scan would have (without the e-mails:
    a fresh demo should not greet the team leads with a pile of escalations)."""
    if ticket.first_responded_at is None and ticket.sla_first_response_due and ticket.sla_first_response_due <= now:
        ticket.sla_first_response_breached_at = ticket.sla_first_response_due
        session.add(TicketEvent(ticket_id=ticket.id, kind="sla_breached", field="first_response",
                                new_value=ticket.sla_first_response_due.isoformat(),
                                created_at=ticket.sla_first_response_due))
    if ticket.sla_resolution_due and ticket.sla_resolution_due <= now:
        ticket.sla_resolution_breached_at = ticket.sla_resolution_due
        session.add(TicketEvent(ticket_id=ticket.id, kind="sla_breached", field="resolution",
                                new_value=ticket.sla_resolution_due.isoformat(), created_at=ticket.sla_resolution_due))
    elif ticket.sla_resolution_warn_at and ticket.sla_resolution_warn_at <= now:
        ticket.sla_warned_at = ticket.sla_resolution_warn_at
        session.add(TicketEvent(ticket_id=ticket.id, kind="sla_at_risk", field="resolution",
                                new_value=ticket.sla_resolution_warn_at.isoformat(),
                                created_at=ticket.sla_resolution_warn_at))
