"""Locust user journeys and the spec's five load scenarios (section 4.7.1).

Users (pick with Locust's class selection, or let the scenario choose):
- RestMixUser: the REST mix with reused bearer tokens - 60 % queue list (agent), 25 % ticket detail (agent),
  15 % create (requester) - at a fixed rate per user (MIX_RATE_PER_USER requests/s), for throughput figures.
- RequesterUser: the spec's k6 journey - sign in, file a ticket, read my tickets and a ticket's replies, think 1 s.
  LOGIN_EACH_ITERATION=1 signs in on every iteration (the k6 script as written); otherwise once per user.
- AgentUser: works the queue - list, open a ticket, read its conversation, reply now and then.
- ManagerUser: reads report pages' data.
- KbUser: searches the knowledge base as a requester.

Scenarios (SCENARIO=..., the LoadTestShape below): baseline (50 users), load (200), stress (500, then 800),
spike (20 -> 400 in seconds -> 20), endurance (100 users for ENDURANCE_MINUTES, default 60), mixed (RestMixUser
only; MIX_USERS users at MIX_RATE_PER_USER each). SCENARIO_SCALE (default 1.0) shortens every stage for smoke runs.

The agent's live queue over the websocket is measured by bench/live_latency.py (1,000 simulated tabs speaking
Reflex's protocol); Locust here covers the HTTP side of the same journeys.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid

import gevent
from locust import FastHttpUser, LoadTestShape, between, constant, task

LOAD_PASSWORD = os.environ.get("LOAD_PASSWORD", "load-test-password-1")
LOAD_DOMAIN = os.environ.get("LOAD_DOMAIN", "load.example.com")
LOAD_REQUESTERS = int(os.environ.get("LOAD_REQUESTERS", "250"))
DEMO_AGENT = ("ayesha.khan@acme.example.com", "agent-demo-pass")
DEMO_MANAGER = ("manager@acme.example.com", "manager-demo-pass")
LOGIN_EACH_ITERATION = os.environ.get("LOGIN_EACH_ITERATION", "0") == "1"
MIX_RATE_PER_USER = float(os.environ.get("MIX_RATE_PER_USER", "3"))
PERIOD = 1 / MIX_RATE_PER_USER  # seconds between one RestMixUser's requests
SCALE = float(os.environ.get("SCENARIO_SCALE", "1.0"))

TITLES = ["Laptop will not connect to Wi-Fi", "Outlook keeps asking for my password", "Printer on floor 3 jams",
          "VPN disconnects every few minutes", "Need access to the finance share", "Monitor flickers after update"]
SEARCHES = ["vpn", "password reset", "printer", "wifi", "outlook", "mfa new phone", "laptop slow", "shared drive"]
QUEUE_FILTERS = [{}, {"status": ["new", "open", "in_progress"]}, {"priority": ["high"]}, {"sort": "updated"},
                 {"q": "printer"}, {"with_counts": "true"}]
REPORTS = ["volume", "sla", "times", "agents"]

_user_numbers = iter(range(10**9))
_user_numbers_lock = threading.Lock()


def _next_number() -> int:
    with _user_numbers_lock:
        return next(_user_numbers)


def _ticket_body(n: int) -> dict:
    return {"title": f"{random.choice(TITLES)} ({n})",
            "description": "Filed by the load test: since this morning it does not work; restarted twice already.",
            "priority": random.choice(["low", "medium", "high"])}


class SignedInUser(FastHttpUser):
    abstract = True

    def sign_in(self, email: str, password: str) -> dict[str, str] | None:
        with self.client.post("/api/v1/auth/login", json={"email": email, "password": password},
                              name="auth: login", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"login {response.status_code}")
                return None
            return {"Authorization": f"Bearer {response.json()['access_token']}"}


class RestMixUser(SignedInUser):
    """Reused tokens; requests at a fixed rate, so offered load = users x MIX_RATE_PER_USER."""

    _tokens: dict[str, dict[str, str]] = {}
    _token_lock = threading.Lock()
    _visible: list[int] = []

    def on_start(self) -> None:
        with RestMixUser._token_lock:
            if not RestMixUser._tokens:
                agent = self.sign_in(*DEMO_AGENT)
                requester = self.sign_in(f"load0@{LOAD_DOMAIN}", LOAD_PASSWORD)
                if agent and requester:
                    RestMixUser._tokens = {"agent": agent, "requester": requester}
                    listed = self.client.get("/api/v1/tickets", params={"limit": 100}, headers=agent,
                                             name="setup").json()
                    RestMixUser._visible = [t["id"] for t in listed["items"]]
        self.n = _next_number()
        # Locust starts a batch of users in the same instant, and constant_throughput anchors each user's schedule at
        # its start, so every user fired together: at 60 req/s, 20 requests landed within a millisecond every
        # 333 ms and the server idled in between (measured at the server). Independent clients arrive spread out;
        # a random phase per user gives that steady offered rate (bursts are the spike scenario's job).
        gevent.sleep(random.uniform(0, PERIOD))
        self._next_request_at = time.perf_counter()

    def wait_time(self) -> float:
        """constant_throughput from this user's own phase: one request per PERIOD; a request slower than that is
        followed at once, with no catch-up burst."""
        now = time.perf_counter()
        self._next_request_at = max(self._next_request_at + PERIOD, now)
        return self._next_request_at - now

    def _request(self, method: str, path: str, name: str, **kwargs: object) -> None:
        """A 503 from admission control is reported under "shed", so its latency has a row of its own."""
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code == 503:
                response.request_meta["name"] = "shed"
                response.failure("shed (503)")

    @task(60)
    def list_queue(self) -> None:
        params = random.choice(QUEUE_FILTERS) | {"limit": 25}
        self._request("GET", "/api/v1/tickets", "mix: list tickets", params=params, headers=self._tokens["agent"])

    @task(25)
    def ticket_detail(self) -> None:
        ticket_id = random.choice(self._visible)
        self._request("GET", f"/api/v1/tickets/{ticket_id}", "mix: ticket detail", headers=self._tokens["agent"])

    @task(15)
    def create(self) -> None:
        headers = self._tokens["requester"] | {"Idempotency-Key": uuid.uuid4().hex}
        self._request("POST", "/api/v1/tickets", "mix: create ticket", json=_ticket_body(self.n), headers=headers)


class RequesterUser(SignedInUser):
    """The spec's journey: sign in, file a ticket, follow my tickets, think."""

    weight = 6
    wait_time = constant(1)

    def on_start(self) -> None:
        self.n = _next_number()
        self.email = f"load{self.n % LOAD_REQUESTERS}@{LOAD_DOMAIN}"
        self.headers = None if LOGIN_EACH_ITERATION else self.sign_in(self.email, LOAD_PASSWORD)

    @task
    def file_and_follow(self) -> None:
        headers = self.sign_in(self.email, LOAD_PASSWORD) if LOGIN_EACH_ITERATION else self.headers
        if headers is None:
            self.headers = headers = self.sign_in(self.email, LOAD_PASSWORD)
            if headers is None:
                return
        created = self.client.post("/api/v1/tickets", json=_ticket_body(self.n), name="requester: create ticket",
                                   headers=headers | {"Idempotency-Key": uuid.uuid4().hex})
        if random.random() < 0.3:
            self.client.get("/api/v1/tickets", params={"limit": 25}, headers=headers, name="requester: my tickets")
        if created.status_code == 201 and random.random() < 0.3:
            ticket_id = created.json()["id"]
            self.client.get(f"/api/v1/tickets/{ticket_id}/comments", headers=headers,
                            name="requester: read replies")


class AgentUser(SignedInUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.headers = self.sign_in(*DEMO_AGENT)
        self.n = _next_number()

    @task
    def work_queue(self) -> None:
        if self.headers is None:
            return
        listed = self.client.get("/api/v1/tickets", params=random.choice(QUEUE_FILTERS) | {"limit": 25},
                                 headers=self.headers, name="agent: queue")
        items = listed.json().get("items", []) if listed.status_code == 200 else []
        if not items:
            return
        ticket_id = random.choice(items)["id"]
        self.client.get(f"/api/v1/tickets/{ticket_id}", headers=self.headers, name="agent: open ticket")
        self.client.get(f"/api/v1/tickets/{ticket_id}/comments", headers=self.headers, name="agent: conversation")
        if random.random() < 0.2:
            self.client.post(f"/api/v1/tickets/{ticket_id}/comments", headers=self.headers, name="agent: reply",
                             json={"body": "Thanks - we are looking into it.", "internal": random.random() < 0.3})


class ManagerUser(SignedInUser):
    weight = 1
    wait_time = between(3, 8)

    def on_start(self) -> None:
        self.headers = self.sign_in(*DEMO_MANAGER)

    @task
    def read_report(self) -> None:
        if self.headers is not None:
            name = random.choice(REPORTS)
            self.client.get(f"/api/v1/reports/{name}", headers=self.headers, name=f"manager: report {name}")


class KbUser(SignedInUser):
    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.headers = self.sign_in(f"load{_next_number() % LOAD_REQUESTERS}@{LOAD_DOMAIN}", LOAD_PASSWORD)

    @task
    def search(self) -> None:
        if self.headers is not None:
            self.client.get("/api/v1/kb/search", params={"q": random.choice(SEARCHES)}, headers=self.headers,
                            name="kb: search")


JOURNEYS = [RequesterUser, AgentUser, KbUser, ManagerUser]  # mixed by their weights

# (seconds at the end of the stage, users, spawn rate per second); scaled by SCENARIO_SCALE.
SCENARIOS: dict[str, list[tuple[float, int, float]]] = {
    "baseline": [(60, 50, 5), (360, 50, 5), (400, 0, 10)],
    "load": [(60, 50, 5), (180, 50, 5), (300, 200, 5), (600, 200, 5), (660, 0, 20)],
    "stress": [(60, 100, 10), (180, 300, 10), (300, 500, 10), (420, 800, 20), (480, 0, 50)],
    "spike": [(60, 20, 5), (70, 400, 100), (190, 400, 100), (200, 20, 100), (320, 20, 5)],
    "endurance": [(60, 100, 5), (60 + 60 * float(os.environ.get("ENDURANCE_MINUTES", "60")), 100, 5)],
    "mixed": [(30, int(os.environ.get("MIX_USERS", "100")), 20),
              (30 + float(os.environ.get("MIX_SECONDS", "60")), int(os.environ.get("MIX_USERS", "100")), 20)],
}


if os.environ.get("CUSTOM_STAGES"):  # a benchmark's own stages: [[end seconds, users, spawn rate], ...]
    SCENARIOS["custom"] = [tuple(stage) for stage in json.loads(os.environ["CUSTOM_STAGES"])]


class ScenarioShape(LoadTestShape):
    """Drives the stages of SCENARIO; the mixed scenario uses RestMixUser only, the others the journeys."""

    def __init__(self) -> None:
        super().__init__()
        self.scenario = os.environ.get("SCENARIO", "baseline")
        if self.scenario not in SCENARIOS:
            raise SystemExit(f"unknown SCENARIO {self.scenario!r}; choose from {', '.join(SCENARIOS)}")
        self.stages = [(end * SCALE, users, rate) for end, users, rate in SCENARIOS[self.scenario]]
        if self.scenario == "mixed":
            self.user_classes = [RestMixUser]
        elif os.environ.get("JOURNEY") == "requester":  # the spec's k6 script alone
            self.user_classes = [RequesterUser]
        else:
            self.user_classes = JOURNEYS

    def tick(self) -> tuple[int, float, list] | None:
        elapsed = self.get_run_time()
        for end, users, rate in self.stages:
            if elapsed < end:
                return users, rate, self.user_classes
        return None
