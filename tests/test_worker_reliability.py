"""A Celery worker killed in the middle of sending an email loses no email and sends none twice
(issue #10, Reliability; the send-once rules are in tickets/mail/outbound.py).

Real processes all through: `celery worker` (prefork, production settings, acks_late) on Redis
database 12 of 127.0.0.1:6379, which belongs to this module (the suite's caches use 15 and 14;
TEST_WORKER_BROKER_URL names another), a real SMTP server (aiosmtpd) that holds the first
message's DATA until the test lets it go, and the test database, which the worker reads because
these tests commit (transaction=True). Redis hands a message that a dead worker never
acknowledged to another worker after CELERY_VISIBILITY_TIMEOUT, two seconds here.
"""

import asyncio
import os
import threading
import uuid
from dataclasses import dataclass, field

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery
from django.db import connection

from tests.factories import make_ticket
from tests.process_support import Process, app_env, celery_worker, database_url, wait_until
from tests.tickets import mail_support
from tests.tickets.mail_support import DESK, Recorder, free_port
from tickets.models import Message, OutboundEmail

BROKER_URL = os.environ.get("TEST_WORKER_BROKER_URL", "redis://127.0.0.1:6379/12")
TASK = "tickets.tasks.send_notification_task"

desk = mail_support.desk  # the fixture
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("desk")]


@dataclass
class HoldingRecorder(Recorder):
    """The mail tests' SMTP recorder, answering the first message's DATA only once released.

    A client that goes away meanwhile never got "250 accepted": aiosmtpd cancels the held
    handler and the server keeps nothing, as a server that did not accept the message.
    """

    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held: bool = False
    port: int = 0

    async def handle_DATA(self, server, session, envelope):
        if not self.held:
            self.held = True
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_server():
    recorder = HoldingRecorder(port=free_port())
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    try:
        yield recorder
    finally:
        recorder.release.set()
        controller.stop()


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()


@pytest.fixture
def start_worker(tmp_path, smtp_server, broker):
    """Start `celery worker` processes against the test database, the broker and the SMTP server."""
    env = app_env(
        database_url(connection.settings_dict),
        BROKER_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        EMAIL_TIMEOUT="20",
        DEFAULT_FROM_EMAIL=f"Help Desk <{DESK}>",
        HELPDESK_EMAIL=f"Help Desk <{DESK}>",
        CELERY_VISIBILITY_TIMEOUT="2",
        CELERY_RESTORE_INTERVAL="1",
    )
    started: list[Process] = []

    def start(name: str, concurrency: int = 1) -> Process:
        started.append(celery_worker(env, tmp_path / f"{name}.log", name=name, concurrency=concurrency))
        return started[-1]

    try:
        yield start
    finally:
        for worker in started:
            worker.kill()


@pytest.fixture
def reply(people):
    """A staff reply to dave's ticket, committed; the test queues its notification by hand."""
    ticket = make_ticket(people.dave, people.category)  # its auto-response goes out in-process
    return Message.objects.create(ticket=ticket, author=people.bob, body="Have you tried turning it off?")


def queue_notification(message: Message, task_id: str) -> None:
    """Publish the reply's notification task to the broker, as the action does on commit."""
    client = Celery("tests", broker=BROKER_URL, set_as_current=False)
    try:
        client.send_task(
            TASK, args=("reply", message.ticket_id), kwargs={"message_id": message.pk}, task_id=task_id
        )
    finally:
        client.close()


def sent_row(message: Message) -> OutboundEmail | None:
    return OutboundEmail.objects.filter(kind="reply", ticket=message.ticket_id, sent_at__isnull=False).first()


def assert_delivered_once(smtp_server: HoldingRecorder, message: Message) -> None:
    (row,) = OutboundEmail.objects.filter(kind="reply", ticket=message.ticket_id)
    (mail,) = smtp_server.received
    assert mail.rcpt_tos == ["dave@example.com"]
    assert "Have you tried turning it off?" in mail.text
    assert row.sent_at is not None and mail["Message-ID"] == row.message_id


def succeeded(worker: Process, task_id: str) -> int:
    return worker.output().count(f"[{task_id}] succeeded")


def test_a_worker_killed_while_sending_leaves_the_email_to_the_next_worker(
    start_worker, smtp_server, reply, broker
):
    task_id = str(uuid.uuid4())
    first = start_worker("first")
    queue_notification(reply, task_id)
    assert smtp_server.holding.wait(30), first.output()  # the first worker is in the SMTP exchange

    first.kill()  # SIGKILL to the worker and its pool: a lost machine, no chance to clean up
    assert smtp_server.received == [] and sent_row(reply) is None
    # A worker killed inside its sweep for abandoned messages (a few ms each second with these
    # settings) leaves the sweep's lock for 5 minutes; production waits that out, the test not.
    broker.delete("unacked_mutex")

    second = start_worker("second")  # gets the message once its visibility timeout passed
    wait_until(lambda: succeeded(second, task_id), 60, f"the second worker to send\n{second.output()}")
    assert_delivered_once(smtp_server, reply)


def test_a_pool_process_killed_while_sending_is_replaced_and_the_email_sent_once(
    start_worker, smtp_server, reply
):
    task_id = str(uuid.uuid4())
    worker = start_worker("oom")
    queue_notification(reply, task_id)
    assert smtp_server.holding.wait(30), worker.output()

    (pool_process,) = worker.children()
    os.kill(pool_process, 9)  # what the kernel's OOM killer does to the one running the task

    # acks_late + reject_on_worker_lost: the worker puts the message back and runs it again.
    wait_until(lambda: succeeded(worker, task_id), 60, f"the worker to send again\n{worker.output()}")
    assert "WorkerLostError" in worker.output() and worker.alive()
    assert_delivered_once(smtp_server, reply)


def test_a_redelivery_while_the_first_worker_still_sends_sends_nothing_twice(
    start_worker, smtp_server, reply
):
    """Redis redelivers a message whose worker is slow past the visibility timeout; here the
    same task (same id) is queued twice, which is what the second delivery looks like."""
    task_id = str(uuid.uuid4())
    worker = start_worker("busy", concurrency=2)
    queue_notification(reply, task_id)
    assert smtp_server.holding.wait(30), worker.output()
    queue_notification(reply, task_id)

    # The second copy finds the email locked by the first: it sends nothing and retries later.
    wait_until(lambda: "SendInProgress" in worker.output(), 30, f"a retry\n{worker.output()}")
    assert smtp_server.received == [] and sent_row(reply) is None

    smtp_server.release.set()  # the server accepts the first copy's message
    wait_until(lambda: succeeded(worker, task_id) >= 2, 60, f"both copies to finish\n{worker.output()}")
    assert_delivered_once(smtp_server, reply)
