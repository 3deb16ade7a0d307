"""Issue #13, against the real server (Reflex production build + REST API, granian):

- "a 300 MB POST to /api/v1/tickets/{id}/attachments grew the web worker by ~300 MiB before the 422": the body
  limit is enforced while the body arrives - the server answers 413 after about the limit and the web processes'
  memory does not grow with what the client keeps sending; a Content-Length over the limit is refused at once;
- "the portal's Reflex upload reads all files before checking who is signed in": an upload from someone not
  signed in, or to a handler they may not use, is refused before its body is sent;
- the new-ticket form: impact and urgency instead of a priority (never critical), and the per-person rate limit as
  a clear message on the page; screenshots at 1366 and 390 px in test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil
import pytest
from playwright.sync_api import expect

from helpdesk.admin import settings as admin_settings
from helpdesk.core.db import session_scope
from helpdesk.models import Ticket
from tests.e2e.conftest import open_page
from tests.factories import PASSWORD, Org

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MB = 1024 * 1024
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
BOUNDARY = "----helpdesk-test-boundary"
PART_HEAD = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.bin\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n").encode()


@dataclass
class Answer:
    status: int
    body: bytes
    sent: int  # bytes of the body the client had sent when the answer arrived


def send_upload(base_url: str, path: str, headers: dict[str, str], total: int, *, declare_length: bool,
                send_body: bool = True, timeout: float = 120) -> Answer:
    """POSTs `total` bytes of multipart body over a raw socket, reading the answer as soon as the server gives it
    (a client library would only read it after sending everything), and stops sending once it arrived."""
    url = urlsplit(base_url)
    sock = socket.create_connection((url.hostname, url.port), timeout=10)
    framing = {"Content-Length": str(total)} if declare_length else {"Transfer-Encoding": "chunked"}
    head = "".join(f"{k}: {v}\r\n" for k, v in ({"Host": url.netloc,
                                                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
                                               | headers | framing).items())
    sock.sendall(f"POST {path} HTTP/1.1\r\n{head}\r\n".encode())
    sock.setblocking(False)
    chunk = b"\0" * MB
    pending, sent, received = b"", 0, b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            want_write = send_body and (pending or sent < total)
            readable, writable, _ = select.select([sock], [sock] if want_write else [], [], 1)
            if readable:
                try:
                    data = sock.recv(1 << 16)
                except ConnectionResetError:
                    break
                received += data
                if not data or _complete(received):
                    break
            if writable:
                if not pending:
                    piece = (PART_HEAD + chunk[len(PART_HEAD):]) if sent == 0 else chunk
                    piece = piece[: total - sent]
                    pending = piece if declare_length else b"%x\r\n%s\r\n" % (len(piece), piece)
                    sent += len(piece)
                try:
                    pending = pending[sock.send(pending):]
                except (BlockingIOError, InterruptedError):
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    # The server answered and closed while this was sending (it does not read the rest of a body
                    # it refused): its answer may already be here, so stop sending and read it.
                    send_body, pending = False, b""
        status_line = received.split(b"\r\n", 1)[0].decode()
        assert status_line.startswith("HTTP/1.1 "), f"no answer (sent {sent} bytes, {timeout} s): {received!r}"
        return Answer(int(status_line.split()[1]), received.split(b"\r\n\r\n", 1)[-1], sent)
    finally:
        sock.close()


def _complete(received: bytes) -> bool:
    head, sep, body = received.partition(b"\r\n\r\n")
    if not sep:
        return False
    match = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
    return match is None or len(body) >= int(match.group(1))


def web_processes(base_url: str) -> list[psutil.Process]:
    """The processes serving the port: the ones listening on it, with their parents' other children."""
    port = urlsplit(base_url).port
    listening = {c.pid for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.laddr.port == port
                 and c.pid}
    found: dict[int, psutil.Process] = {}
    for pid in listening:
        process = psutil.Process(pid)
        for member in [process, *process.children(recursive=True)]:
            found[member.pid] = member
    assert found, f"nothing listens on {port}"
    return list(found.values())


def total_rss(processes: list[psutil.Process]) -> int:
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total


class PeakMemory:
    """Samples the web processes' resident memory every 50 ms while a block runs."""

    def __init__(self, processes: list[psutil.Process]) -> None:
        self.processes, self.peak, self._stop = processes, 0, threading.Event()
        self.before = total_rss(processes)

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, total_rss(self.processes))
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.5)  # what the server does right after answering counts too
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return max(self.peak - self.before, 0)


def _token(base_url: str, email: str) -> str:
    response = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _new_ticket(base_url: str, token: str) -> int:
    created = httpx.post(f"{base_url}/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}, timeout=30,
                         json={"title": "Upload test ticket", "description": "A ticket to attach files to."})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _upload_handler(name: str) -> str:
    from reflex_base.utils.format import format_event_handler

    from helpdesk.state.kb_editor import KbEditorState
    from helpdesk.state.portal import NewTicketState

    return format_event_handler({"portal": NewTicketState.submit, "kb": KbEditorState.upload}[name])


def test_a_300_mb_upload_is_cut_off_at_the_limit_without_growing_the_server(web_app: str, org: Org) -> None:
    token = _token(web_app, "alice@example.org")
    ticket_id = _new_ticket(web_app, token)
    path = f"/api/v1/tickets/{ticket_id}/attachments"
    auth = {"Authorization": f"Bearer {token}"}
    processes = web_processes(web_app)

    # Streamed without a Content-Length: the server reads up to the limit (10 MB + the multipart wrapping) and
    # answers 413 while the client is still sending; the rest of the 300 MB never goes in.
    with PeakMemory(processes) as memory:
        streamed = send_upload(web_app, path, auth, 300 * MB, declare_length=False)
    assert streamed.status == 413, streamed.body
    assert b"larger than this endpoint accepts" in streamed.body
    assert streamed.sent < 100 * MB, f"the answer came only after {streamed.sent / MB:.0f} MB were sent"
    assert memory.growth < 80 * MB, f"the web processes grew by {memory.growth / MB:.0f} MB"

    # A Content-Length over the limit: refused before the body is read (none of it is sent here).
    declared = send_upload(web_app, path, auth, 300 * MB, declare_length=True, send_body=False, timeout=15)
    assert declared.status == 413 and declared.sent == 0

    with session_scope() as session:
        assert session.get(Ticket, ticket_id) is not None
    listed = httpx.get(f"{web_app}{path}", headers=auth, timeout=30)
    assert listed.json() == []


def test_uploads_are_refused_before_their_body_is_read(web_app: str, org: Org) -> None:
    alice = _token(web_app, "alice@example.org")
    ticket_id = _new_ticket(web_app, alice)
    five_mb = 5 * MB  # within the size limits: only who is asking can refuse these

    # REST: the ticket's attachments with no token, a forged one, and another requester's.
    path = f"/api/v1/tickets/{ticket_id}/attachments"
    bob = _token(web_app, "bob@example.org")
    for headers, status in (({}, 401), ({"Authorization": "Bearer forged"}, 401),
                            ({"Authorization": f"Bearer {bob}"}, 404)):
        answer = send_upload(web_app, path, headers, five_mb, declare_length=True, send_body=False, timeout=15)
        assert (answer.status, answer.sent) == (status, 0), answer.body

    # The pages' upload endpoint: nobody signed in; a requester calling the knowledge-base editor's upload; a
    # handler that takes no files.
    portal = {"Reflex-Client-Token": "attacker-token", "Reflex-Event-Handler": _upload_handler("portal")}
    answer = send_upload(web_app, "/_upload", portal, five_mb, declare_length=True, send_body=False, timeout=15)
    assert (answer.status, answer.sent) == (401, 0) and b"sign in" in answer.body.lower()
    kb = {"Reflex-Client-Token": "attacker-token", "Reflex-Event-Handler": _upload_handler("kb"),
          "Cookie": f"hd_session={alice}"}
    answer = send_upload(web_app, "/_upload", kb, five_mb, declare_length=True, send_body=False, timeout=15)
    assert (answer.status, answer.sent) == (403, 0), answer.body
    other = portal | {"Reflex-Event-Handler": _upload_handler("portal").rsplit(".", 1)[0] + ".set_title",
                      "Cookie": f"hd_session={alice}"}
    answer = send_upload(web_app, "/_upload", other, five_mb, declare_length=True, send_body=False, timeout=15)
    assert (answer.status, answer.sent) == (404, 0), answer.body

    # Signed in, the portal's upload is still cut off at its limit (five files of 10 MB) while streaming.
    signed_in = portal | {"Cookie": f"hd_session={alice}"}
    answer = send_upload(web_app, "/_upload", signed_in, 300 * MB, declare_length=False)
    assert answer.status == 413 and answer.sent < 150 * MB, (answer.status, answer.sent)


def _shoot(page, name: str) -> None:  # noqa: ANN001
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_the_portal_form_asks_impact_and_urgency_and_shows_the_rate_limit(sign_in, browser, web_app: str,  # noqa: ANN001
                                                                          org: Org) -> None:
    page = sign_in("alice@example.org")
    open_page(page, "/portal/new")
    expect(page.get_by_test_id("priority-preview")).to_have_text("MEDIUM")
    page.fill("#title", "Whole floor lost the network")
    page.fill("#description", "Nobody on the third floor can reach anything since 9:00.")
    page.get_by_role("combobox", name="Who is affected?").click()
    page.get_by_role("option", name="Many people or a whole office").click()
    page.get_by_role("combobox", name="How soon does it hurt?").click()
    page.get_by_role("option", name="I can't work").click()
    expect(page.get_by_test_id("priority-preview")).to_have_text("HIGH")
    expect(page.get_by_text("Critical", exact=True)).to_have_count(0)
    _shoot(page, "portal-new-ticket-1366.png")
    page.click("[data-testid=submit-ticket]")
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    ticket_id = int(page.url.rsplit("/", 1)[1])
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.priority, ticket.impact, ticket.urgency) == ("high", "high", "high")

    # The administrator allows one new ticket an hour: the next one is refused with a clear message.
    with session_scope() as session:
        admin_settings.save(session, org.actor(org.root), {"rate_limit_tickets_per_hour": 1})
    phone = browser.new_context(viewport={"width": 390, "height": 844}, base_url=web_app, is_mobile=True,
                                has_touch=True)
    try:
        mobile = phone.new_page()
        open_page(mobile, "/login")
        mobile.fill("#email", "alice@example.org")
        mobile.fill("#password", PASSWORD)
        mobile.click("[data-testid=sign-in]")
        mobile.wait_for_url(lambda url: "/login" not in url)
        open_page(mobile, "/portal/new")
        mobile.fill("#title", "Printer on floor 3 is offline")
        mobile.fill("#description", "The printer shows offline for everyone on the floor.")
        _shoot(mobile, "portal-new-ticket-390.png")
        widths = mobile.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
        mobile.click("[data-testid=submit-ticket]")
        expect(mobile.get_by_text(re.compile(r"Too many new tickets: at most 1 an hour per person"))).to_be_visible()
        _shoot(mobile, "portal-new-ticket-rate-limited-390.png")
        expect(mobile).to_have_url(re.compile(r"/portal/new/?$"))
    finally:
        phone.close()
    with session_scope() as session:
        assert session.exec(Ticket.__table__.select().where(Ticket.title == "Printer on floor 3 is offline")).all() \
            == []
