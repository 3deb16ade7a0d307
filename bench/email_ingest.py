"""Benchmark the e-mail intake: messages waiting in a real Dovecot IMAP box into tickets.

Builds its own database and Redis prefix, starts Dovecot (Debian's dovecot-imapd) on a free port, creates 100
requesters and one mailbox, delivers N messages by IMAP APPEND (mixed sizes: 70 % short, 25 % a few KB, 5 % ~60 KB of
text; 10 % carry a 20-300 KB attachment), then times one poll of the mailbox (the code the Celery task runs: fetch,
file each message in its own transaction with its outbox jobs, flag on the server), and checks that every message
became exactly one ticket. Last output line: JSON with messages, seconds, lost, duplicated.

    .venv/bin/python bench/email_ingest.py [--messages 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_environment  # noqa: E402

REQUESTERS = 100
WORDS = ["printer", "laptop", "vpn", "password", "email", "outlook", "teams", "screen", "keyboard", "mouse",
         "network", "wifi", "drive", "share", "access", "account", "locked", "slow", "crash", "update", "install",
         "licence", "monitor", "dock", "battery", "charger", "phone", "token"]


def build_message(i: int, rng: random.Random) -> bytes:
    sender = f"employee{i % REQUESTERS:03d}@example.org"
    mail = EmailMessage()
    mail["Authentication-Results"] = "mx.bench; dkim=pass header.d=example.org; dmarc=pass header.from=example.org"
    mail["From"] = f"Employee {i % REQUESTERS} <{sender}>"
    mail["To"] = "helpdesk@example.org"
    mail["Subject"] = f"Bench request {i:05d}: {' '.join(rng.choices(WORDS, k=4))}"
    mail["Message-ID"] = f"<bench-{i}@example.org>"
    size = rng.random()
    words = 30 if size < 0.70 else 600 if size < 0.95 else 9000
    body = " ".join(rng.choices(WORDS, k=words))
    mail.set_content(f"Hello IT,\n\n{body}\n\nThanks,\nEmployee {i % REQUESTERS}\n")
    mail.add_alternative(f"<html><body><p>Hello IT,</p><p>{body}</p><p>Thanks</p></body></html>", subtype="html")
    if i % 10 == 0:
        payload = rng.randbytes(rng.randint(20_000, 300_000))
        kind = rng.choice((("application", "pdf", "report.pdf"), ("image", "png", "screenshot.png")))
        mail.add_attachment(payload, maintype=kind[0], subtype=kind[1], filename=kind[2])
    return mail.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.update({"EMAIL_TRUSTED_AUTHSERV_IDS": '["mx.bench"]', "MAIL_FROM": "IT <helpdesk@example.org>"})

    with bench_environment("hdbench-email", keep=args.keep):
        from helpdesk.core import settings

        settings.reset_settings_cache()
        from sqlmodel import func, select

        from helpdesk.core.db import session_scope
        from helpdesk.email import mailboxes
        from helpdesk.models import Attachment, Category, EmailRecord, Team, Ticket, User
        from helpdesk.runtime.bootstrap import migrate_database
        from tests.processes import Dovecot

        migrate_database()
        with session_scope() as session:
            team = Team(name="Service desk")
            session.add(team)
            session.flush()
            category = Category(name="General", default_team_id=team.id)
            session.add(category)
            for n in range(REQUESTERS):
                session.add(User(email=f"employee{n:03d}@example.org", full_name=f"Employee {n}",
                                 password_hash="!bench", role="requester"))
            session.flush()
            team_id, category_id = team.id, category.id

        dovecot = Dovecot()
        dovecot.start()
        try:
            rng = random.Random(42)
            raw = [build_message(i, rng) for i in range(args.messages)]
            for start in range(0, len(raw), 200):
                dovecot.deliver(*raw[start:start + 200])
            with session_scope() as session:
                mailbox_id = mailboxes.add_mailbox(
                    session, name="bench", address=dovecot.USER, imap_host="127.0.0.1", imap_port=dovecot.port,
                    imap_tls=False, username=dovecot.USER, secret=dovecot.PASSWORD, team_id=team_id,
                    category_id=category_id).id

            started = time.perf_counter()
            result = mailboxes.poll(mailbox_id)
            seconds = time.perf_counter() - started

            with session_scope() as session:
                titles = session.exec(select(Ticket.title)).all()
                records = session.exec(select(func.count()).select_from(EmailRecord)
                                       .where(EmailRecord.direction == "in")).one()
                files = session.exec(select(func.count()).select_from(Attachment)).one()
            numbers = [int(t.split()[2].rstrip(":")) for t in titles if t.startswith("Bench request")]
            lost = len(set(range(args.messages)) - set(numbers))
            duplicated = len(numbers) - len(set(numbers))
            flagged = sum(mailboxes.INGESTED.encode() in f for f in dovecot.flags().values())
        finally:
            dovecot.stop()

    total_mb = sum(len(r) for r in raw) / 1e6
    print(f"poll: {result.outcomes}, failed {result.failed}, error {result.error!r}; {records} inbound records, "
          f"{files} attachments, {flagged} flagged on the server, {total_mb:.1f} MB of mail", file=sys.stderr)
    print(json.dumps({"messages": args.messages, "seconds": round(seconds, 2),
                      "per_second": round(args.messages / seconds, 1), "lost": lost, "duplicated": duplicated,
                      "attachments": files, "megabytes": round(total_mb, 1), "machine": "vm 2 cpu"}))


if __name__ == "__main__":
    main()
