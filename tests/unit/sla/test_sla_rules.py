"""Pure rules: which SLA policy is the most specific, and which status may follow which."""

from __future__ import annotations

import pytest

from helpdesk.core.errors import ValidationFailed
from helpdesk.models import Status
from helpdesk.sla.engine import PolicySpec, match_policy
from helpdesk.tickets.workflow import ALLOWED_TRANSITIONS, can_move, check_transition

LAPTOPS, HARDWARE, DESKTOP_TEAM = 11, 10, 5


def policy(policy_id: int, category_id: int | None = None, team_id: int | None = None,
           priority: str = "high") -> PolicySpec:
    return PolicySpec(policy_id, f"p{policy_id}", priority, category_id, team_id, 60, 480, 1)


POLICIES = [
    policy(1),
    policy(2, team_id=DESKTOP_TEAM),
    policy(3, category_id=HARDWARE),
    policy(4, category_id=LAPTOPS),
    policy(5, category_id=HARDWARE, team_id=DESKTOP_TEAM),
    policy(6, category_id=LAPTOPS, team_id=DESKTOP_TEAM),
    policy(7, priority="low"),
]


@pytest.mark.parametrize(
    ("available", "category_id", "team_id", "expected"),
    [
        ([1, 2, 3, 4, 5, 6], LAPTOPS, DESKTOP_TEAM, 6),  # category + team
        ([1, 2, 3, 4, 5], LAPTOPS, DESKTOP_TEAM, 5),  # parent category + team still beats category alone
        ([1, 2, 3, 4], LAPTOPS, DESKTOP_TEAM, 4),  # the category itself beats its parent
        ([1, 2, 3], LAPTOPS, DESKTOP_TEAM, 3),  # a category beats a team
        ([1, 2], LAPTOPS, DESKTOP_TEAM, 2),  # a team beats priority only
        ([1, 2], LAPTOPS, None, 1),
        ([1, 2, 3, 4, 5, 6], None, None, 1),
        ([2, 3], 99, 77, None),  # nothing applies
    ],
)
def test_most_specific_policy_wins(available: list[int], category_id: int | None, team_id: int | None,
                                   expected: int | None) -> None:
    candidates = [p for p in POLICIES if p.id in available]
    parent = HARDWARE if category_id == LAPTOPS else None
    chosen = match_policy(candidates, "high", category_id, parent, team_id)
    assert (chosen.id if chosen else None) == expected


def test_priority_must_match() -> None:
    assert match_policy(POLICIES, "low", LAPTOPS, HARDWARE, DESKTOP_TEAM).id == 7
    assert match_policy(POLICIES, "critical", None, None, None) is None


def test_transition_table() -> None:
    assert ALLOWED_TRANSITIONS[Status.CLOSED] == frozenset()
    assert all(Status.NEW not in targets for targets in ALLOWED_TRANSITIONS.values())
    for status in (Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER):
        assert can_move(status, Status.RESOLVED)
    assert can_move("resolved", "open") and can_move("resolved", "closed")
    assert not can_move("resolved", "waiting_on_customer")
    assert can_move("waiting_on_customer", "open") and can_move("open", "waiting_on_customer")
    check_transition("open", "open")  # no change is not a transition
    with pytest.raises(ValidationFailed) as caught:
        check_transition("in_progress", "closed")
    assert caught.value.field_errors == {
        "status": "A ticket that is in progress can't move to closed; it can move to: open, waiting on customer, "
                  "resolved."
    }
