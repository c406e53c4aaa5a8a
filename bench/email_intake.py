"""Benchmark email intake on a dedicated PostgreSQL database.

    .venv/bin/python bench/email_intake.py [--messages N]

Creates (if needed) and migrates the database `helpdesk_bench_email`, then takes in N messages
(default 1,000) made from the test corpus (tests/fixtures/email): about 60% new tickets
(HTML-only, PDF attachment, ISO-8859-1, Shift_JIS, forwarded, executable attached, inline
image), 25% replies to those tickets (Gmail and Outlook style), 10% auto-replies and bounces,
and 5% duplicates, from 300 different senders. Each intake is one `ingest_email` call as the
pipe and the IMAP poller make it, attachments included; the notifications it queues go to an
in-memory broker (not sent). Prints messages per second; the target is at least 50/s.
"""

import argparse
import logging
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "email"
DATABASE = "helpdesk_bench_email"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DESK = "help@desk.example.com"
NEW = {  # corpus file: the sender address written in it
    "html_only.eml": b"frank@example.org",
    "pdf_attachment.eml": b"grace@example.net",
    "latin1.eml": b"helene@example.fr",
    "shift_jis.eml": b"yamada@example.jp",
    "forwarded.eml": b"dave@example.com",
    "executable.eml": b"mallory@example.biz",
    "inline_image.eml": b"ivan@example.com",
}
MESSAGE_ID = re.compile(rb"^Message-ID: .*$", re.M | re.I)


def configure(attachments: str) -> None:
    """Point Django's test settings at the bench database, creating it if needed."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings.test"
    os.environ["HELPDESK_EMAIL"] = f"Help Desk <{DESK}>"
    os.environ["ATTACHMENT_DIR"] = attachments
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = settings.ATTACHMENT_DIR = attachments
    settings.STORAGES["default"]["OPTIONS"] = {"location": attachments}
    call_command("migrate", verbosity=0)

    # As in production: intake queues its notifications on a broker; a worker sends them.
    from helpdesk.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    logging.getLogger("tickets.mail").setLevel(logging.WARNING)  # one line per ignored robot


def reset() -> None:
    from django.core.cache import cache
    from django.db import connection

    from accounts.models import User
    from tickets.models import FailedInboundMessage, InboundAddress, InboundEmail, OutboundEmail, Ticket

    tables = [Ticket, InboundEmail, FailedInboundMessage, OutboundEmail, InboundAddress, User]
    names = ", ".join(f'"{model._meta.db_table}"' for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    cache.clear()  # the per-sender hourly counters


def setup_desk():
    from tickets.models import Category, InboundAddress

    category, _ = Category.objects.get_or_create(name="Bench")
    InboundAddress.objects.create(email=DESK, default_category=category)


def with_id(raw: bytes, n: int) -> bytes:
    return MESSAGE_ID.sub(f"Message-ID: <bench-{n}@example.org>".encode(), raw, count=1)


def fill(raw: bytes, **values) -> bytes:
    for key, value in values.items():
        raw = raw.replace(f"${{{key}}}".encode(), str(value).encode())
    return raw


def messages(count: int, created: list[tuple[int, str]], rng: random.Random):
    """Yield (kind, raw, sender); replies go to tickets created earlier in the run."""
    from email.utils import parseaddr

    from tickets.mail.addresses import reply_address

    corpus = {path.name: path.read_bytes() for path in CORPUS.glob("*.eml")}
    sent: list[tuple[bytes, str]] = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.05 and sent:
            yield "duplicate", *rng.choice(sent)
            continue
        if roll < 0.15:
            name = rng.choice(["auto_reply.eml", "bounce.eml"])
            raw = fill(corpus[name], number=1, reply_address=DESK, in_reply_to="<x@y>", references="<x@y>")
            kind, sender = "loop", ""
        elif roll < 0.40 and created:
            number, requester = rng.choice(created)
            name = rng.choice(["gmail_reply.eml", "outlook_reply.eml"])
            address = parseaddr(reply_address(number))[1]
            raw = fill(
                corpus[name],
                number=number,
                reply_address=address,
                in_reply_to=f"<ticket-{number}@desk.example.com>",
                references=f"<ticket-{number}@desk.example.com>",
            ).replace(b"dave@example.com", requester.encode())
            kind, sender = "reply", requester
        else:
            name = rng.choice(sorted(NEW))
            sender = f"sender{n % 300}@example.org"
            raw = corpus[name].replace(NEW[name], sender.encode())
            kind = "new"
        raw = with_id(raw, n)
        sent.append((raw, sender))
        yield kind, raw, sender


def run(count: int, seed: int) -> None:
    from tickets.mail.ingest import ingest_email
    from tickets.models import Ticket

    reset()
    setup_desk()
    rng = random.Random(seed)
    created: list[tuple[int, str]] = []
    outcomes: Counter = Counter()
    kinds: Counter = Counter()
    started = time.perf_counter()
    for kind, raw, sender in messages(count, created, rng):
        intake = ingest_email(raw, source="bench")
        kinds[kind] += 1
        outcomes[intake.outcome] += 1
        if intake.outcome == "created":
            created.append((intake.ticket_id, sender))
    took = time.perf_counter() - started
    rate = count / took
    print(f"messages: {dict(kinds)}")
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    print(f"ingest_email: {count:,} messages in {took:.2f}s = {rate:,.1f} messages/s (target >= 50/s)")
    assert outcomes["failed"] == 0, "no message of the corpus may fail"
    assert outcomes["created"] == Ticket.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    attachments = tempfile.mkdtemp(prefix="helpdesk-bench-email-")
    try:
        configure(attachments)
        run(args.messages, args.seed)
        reset()
    finally:
        shutil.rmtree(attachments, ignore_errors=True)


if __name__ == "__main__":
    main()
