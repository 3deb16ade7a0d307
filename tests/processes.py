"""Real processes for tests: an SMTP server, a Celery worker, the web app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller

from helpdesk.runtime.embedded import free_port

ROOT = Path(__file__).resolve().parent.parent


def mail_text(message: Message) -> str:
    """Every text part of a received e-mail (plain and HTML), decoded: notifications are multipart/alternative."""
    parts = [p for p in message.walk() if p.get_content_maintype() == "text" and not p.get_filename()]
    return "\n".join(p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8") for p in parts)


class Inbox:
    """An SMTP server on localhost that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = free_port(8025)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, predicate, timeout: float = 20.0) -> Message:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if predicate(message):
                    return message
            time.sleep(0.1)
        subjects = [m["Subject"] for m in self.messages]
        raise AssertionError(f"no matching e-mail within {timeout}s; received: {subjects}")


DOVECOT_CONFIG = """
first_valid_uid = 1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    """A real Dovecot IMAP server (Debian's dovecot-imapd) as a child process in the foreground, on a free port,
    with a throwaway Maildir store and one passwd-file user. Mail is delivered by IMAP APPEND."""

    USER = "helpdesk@example.org"
    PASSWORD = "imap-test-secret"

    def __init__(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise RuntimeError("Dovecot is not installed: apt-get install -y dovecot-imapd")
        self.binary = binary
        self.port = free_port(10143)
        # Not under pytest's 0700 temp folders: Dovecot's mail processes run as the `dovecot` user.
        self.root = Path(tempfile.mkdtemp(prefix="hd-dovecot-"))
        self.root.chmod(0o755)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        for folder in ("run", "state", "mail"):
            (self.root / folder).mkdir()
        shutil.chown(self.root / "mail", "dovecot", "dovecot")
        (self.root / "passwd").write_text(f"{self.USER}:{{PLAIN}}{self.PASSWORD}\n")
        config = self.root / "dovecot.conf"
        config.write_text(DOVECOT_CONFIG.format(root=self.root, port=self.port))
        self.process = subprocess.Popen([self.binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with self.client():
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"Dovecot did not start: {(self.root / 'dovecot.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(20)
        shutil.rmtree(self.root, ignore_errors=True)

    @contextmanager
    def client(self, folder: str = "INBOX") -> Iterator:
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        try:
            client.login(self.USER, self.PASSWORD)
            client.select_folder(folder)
            yield client
        finally:
            client.logout()

    def deliver(self, *raw_messages: bytes | str, folder: str = "INBOX") -> None:
        with self.client(folder) as client:
            for raw in raw_messages:
                client.append(folder, raw.encode() if isinstance(raw, str) else raw)

    def empty(self) -> None:
        for folder in ("INBOX", "Processed"):
            with self.client(folder) as client:
                uids = client.search(["ALL"])
                if uids:
                    client.delete_messages(uids)
                    client.expunge()

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        with self.client(folder) as client:
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(client.search(["ALL"]), ["FLAGS"]).items()}


@contextmanager
def running(command: list[str], env: dict[str, str], log_path: Path, ready: callable, timeout: float) -> Iterator:  # noqa: ANN001
    log_file = open(log_path, "wb")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ | env, stdout=log_file, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None:
                raise RuntimeError(f"{command[2:5]} exited early:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[2:5]} not ready in {timeout}s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        log_file.close()


# The shared worker leaves the `ai` queue alone: AI triage changes tickets' category, team and priority, which
# would race every test that files a ticket and then checks those fields. The `ai_worker` fixture serves it.
SHARED_WORKER_QUEUES = "email,reports,search_sync,maintenance"


def celery_worker_command(queues: str = SHARED_WORKER_QUEUES, *, concurrency: int = 2, name: str = "test",
                          purge: bool = False) -> list[str]:
    command = [sys.executable, "-m", "celery", "-A", "tasks.celery_app", "worker", "-Q", queues,
               "--concurrency", str(concurrency), "--loglevel", "INFO", "-n", f"{name}-{os.getpid()}@%h"]
    return command + ["--purge"] if purge else command


def send_job(task_name: str, queue: str, *, task_id: str | None = None, **kwargs: object) -> None:
    """Sends a Celery job by name with a client made from the current settings (broker URL and key prefix).

    Not `tasks.celery_app.celery_app`: that one keeps the settings of the moment it was first imported, which in a
    long test session may be another test's Redis or prefix.
    """
    from celery import Celery

    from helpdesk.core.jobs import broker_config

    client = Celery("tests-sender")
    client.conf.update(broker_config())
    try:
        client.send_task(task_name, kwargs=kwargs, queue=queue, task_id=task_id)
    finally:
        client.close()


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
