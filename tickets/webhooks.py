"""Webhooks (issue 11): queue events on commit, sign them, and deliver them without SSRF.

The actions call `queue_webhooks(event, ticket, **data)` where they queue notifications. After
the commit, one query finds the active webhooks subscribed to the event; each gets a
`WebhookDelivery` row (the payload is a snapshot of the ticket at that moment) and a Celery
task (`tickets.tasks.deliver_webhook_task`) that POSTs it, retried with backoff.

SSRF: the host is resolved once, every address it resolves to must be public (not loopback,
private, link-local, multicast, reserved or unspecified) unless the webhook's `allow_private`
is on, and the connection goes to the address that was checked, so a DNS answer that changes
between the check and the connection cannot point it inside. Redirects are never followed.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import HIDDEN_KINDS, Message, Status, Ticket, Webhook, WebhookDelivery
from .tasks import WebhookDeliveryFailed, deliver_webhook_task

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Helpdesk-Signature"
TIMEOUT_SECONDS = 10
EXCERPT_BYTES = 2000
USER_AGENT = "Helpdesk-Webhooks/1"


class DeliveryRefused(Exception):
    """The destination is not allowed (SSRF protection) or not usable: never retried."""


DeliveryFailed = WebhookDeliveryFailed  # retried by the task (defined with it, for the worker)


def queue_webhooks(event: str, ticket: Ticket, **data) -> None:
    """Queue `event` for the webhooks subscribed to it, once the transaction commits."""
    ticket_id = ticket.pk
    transaction.on_commit(lambda: dispatch(event, ticket_id, data))


def subscribed(event: str) -> list[int]:
    """The active webhooks that want `event` (a handful of rows: filtered here, on any database)."""
    rows = Webhook.objects.filter(active=True).values_list("pk", "events")
    return [pk for pk, events in rows if isinstance(events, list) and event in events]


def queue_status_webhooks(changes: list[tuple[int, int]], to_status: Status) -> None:
    """Queue `ticket.status_changed` for tickets a job moved in one statement (the auto-close);
    `changes` are (ticket id, previous status id) pairs. One query when no webhook wants it."""
    event = "ticket.status_changed"
    if not changes or not subscribed(event):
        return
    before = {s.pk: s for s in Status.objects.filter(pk__in={was for _, was in changes})}
    for ticket_id, was in changes:
        data = {"before": _ref(before.get(was), "name", "kind"), "after": _ref(to_status, "name", "kind")}
        transaction.on_commit(partial(dispatch, event, ticket_id, {**data, "auto": True}))


def dispatch(event: str, ticket_id: int, data: dict) -> list[int]:
    """Log one delivery per subscribed webhook and queue its task; return the delivery ids.

    Nothing goes out for spam, deleted or draft tickets, as for notifications (a draft's
    `ticket.created` goes out when it is activated).
    """
    hooks = subscribed(event)
    if not hooks:
        return []
    ticket = (
        Ticket.objects.select_related(
            "status", "priority", "category", "type", "item", "requester", "assignee", "team"
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.status.kind in HIDDEN_KINDS or ticket.status.is_draft:
        return []
    payload = build_payload(event, ticket, data)
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook_id=pk, event=event, ticket=ticket, payload=payload) for pk in hooks]
    )
    for delivery in deliveries:
        try:
            deliver_webhook_task.delay(delivery.pk)
        except Exception:  # noqa: BLE001 - the change is committed: a webhook must never undo the request
            # An unreachable broker, or (tasks run eagerly) a failed first try; the log has it.
            log.exception("webhook delivery %s could not be queued or failed", delivery.pk)
    return [delivery.pk for delivery in deliveries]


def _ref(obj, *fields):
    return None if obj is None else {"id": obj.pk, **{f: getattr(obj, f) for f in fields}}


def ticket_data(ticket: Ticket) -> dict:
    return {
        "id": ticket.pk,
        "number": ticket.pk,
        "subject": ticket.subject,
        "status": _ref(ticket.status, "name", "kind"),
        "priority": _ref(ticket.priority, "name", "rank"),
        "category": _ref(ticket.category, "name"),
        "type": _ref(ticket.type, "name"),
        "item": _ref(ticket.item, "name"),
        "requester": _ref(ticket.requester, "email", "name"),
        "assignee": _ref(ticket.assignee, "email", "name"),
        "team": _ref(ticket.team, "name"),
        "tags": sorted(ticket.tags.values_list("name", flat=True)),
        "reopened": ticket.reopened,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "url": f"{settings.SITE_URL.rstrip('/')}/tickets/{ticket.pk}/",
    }


def build_payload(event: str, ticket: Ticket, data: dict) -> dict:
    """The JSON body: the event, the ticket as it is at the commit, and what the event adds."""
    extra = dict(data)
    message_id = extra.pop("message_id", None)
    if message_id:
        message = Message.objects.select_related("author").filter(pk=message_id).first()
        extra["message"] = message and {
            "id": message.pk,
            "author": _ref(message.author, "email", "name", "role"),
            "body": message.body,
            "internal": message.internal,
            "created_at": message.created_at,
        }
    body = {"event": event, "sent_at": timezone.now(), "ticket": ticket_data(ticket), "data": extra}
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))  # plain JSON values for the JSONField


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    refused = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    return not refused and ip.is_global


def _refuse_private(host: str, address: str) -> None:
    if not is_public(address):
        shown = address if address == host else f"{host} resolves to {address}, which"
        raise DeliveryRefused(
            f"{shown} is a loopback, private, link-local or reserved address; "
            "an admin must allow private addresses for this webhook."
        )


def check_url(url: str, allow_private: bool) -> tuple[str, str, int]:
    """Check what can be checked without DNS: (scheme, host, port). Raises DeliveryRefused.

    Saving a webhook (admin or API, through `Webhook.clean`) and every delivery run this: only
    http and https, a host, a valid port and, unless `allow_private`, no literal address that is
    not public. A name is checked at each delivery only, once resolved: its answer may change.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryRefused("Only http:// and https:// addresses are allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DeliveryRefused("The address has an invalid port.")
    if not allow_private:
        try:
            ipaddress.ip_address(parts.hostname.split("%", 1)[0])
        except ValueError:
            pass  # a name: checked once resolved
        else:
            _refuse_private(parts.hostname, parts.hostname)
    return parts.scheme, parts.hostname, port


def resolve_destination(url: str, allow_private: bool) -> tuple[str, str, int, str]:
    """Check the URL and resolve its host: (scheme, host, port, the address to connect to).

    Every address the host resolves to must be public, unless `allow_private`: a name that
    resolves to one public and one private address is refused. Raises DeliveryRefused.
    """
    scheme, host, port = check_url(url, allow_private)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DeliveryFailed(f"Cannot resolve {host}: {exc}")
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise DeliveryFailed(f"{host} has no address.")
    if not allow_private:
        for address in addresses:
            _refuse_private(host, address)
    return scheme, host, port, addresses[0]


def post(url: str, body: bytes, headers: dict, allow_private: bool) -> tuple[int, bytes]:
    """POST `body` to `url` through the checked address; redirects are not followed."""
    scheme, host, port, address = resolve_destination(url, allow_private)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    conn = connection_class(host, port, timeout=TIMEOUT_SECONDS)

    # Connect to the address that was checked, not to a second DNS answer; TLS still checks
    # the certificate against the host name.
    def pinned(addr, timeout=TIMEOUT_SECONDS, source_address=None):
        return socket.create_connection((address, addr[1]), timeout, source_address)

    conn._create_connection = pinned
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(EXCERPT_BYTES)
    finally:
        conn.close()


def deliver(delivery_id: int) -> str:
    """Send one delivery once; return what happened. Raise DeliveryFailed to be retried.

    A delivery already made is not sent again (a redelivered task does nothing).
    """
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return "skipped"
    hook = delivery.webhook
    if not hook.active:
        _log(delivery_id, error="The webhook was deactivated.")
        return "inactive"
    WebhookDelivery.objects.filter(pk=delivery_id).update(attempts=F("attempts") + 1)
    body = encode(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Helpdesk-Event": delivery.event,
        "X-Helpdesk-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(hook.secret, body),
    }
    try:
        status, answer = post(hook.url, body, headers, hook.allow_private)
    except DeliveryRefused as exc:
        _log(delivery_id, error=f"Refused: {exc}")
        log.warning("webhook %s refused: %s", hook.pk, exc)
        return "refused"
    except (OSError, http.client.HTTPException, DeliveryFailed) as exc:
        _log(delivery_id, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise DeliveryFailed(str(exc))
    excerpt = answer.decode("utf-8", errors="replace")
    if 200 <= status < 300:
        _log(delivery_id, status_code=status, response_excerpt=excerpt, error="", delivered_at=timezone.now())
        return "delivered"
    _log(delivery_id, status_code=status, response_excerpt=excerpt, error=f"HTTP {status}")
    if status >= 500 or status in (408, 429):
        raise DeliveryFailed(f"HTTP {status}")
    return "failed"  # a redirect or a client error: sending the same again will not help


def _log(delivery_id: int, **fields) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
