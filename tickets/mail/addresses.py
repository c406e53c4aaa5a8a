"""The desk's addresses and a ticket's thread identity, shared by mail out and mail in.

A ticket's mail carries two handles that bring a reply back to it: the Reply-To address
`help+t1234-<tag>@domain`, where the tag is an HMAC of the number under SECRET_KEY (so nobody
can forge the address of a ticket they never got mail from), and the thread root
`<ticket-1234@domain>` in References, which every message of the ticket points at.
"""

import hmac
import re
from email.utils import formataddr, getaddresses, parseaddr

from django.conf import settings
from django.utils.crypto import salted_hmac

TAG_SALT = "tickets.mail.reply-tag"
_TAGGED = re.compile(r"^(?P<local>[^+@]+)\+t(?P<number>\d{1,12})-(?P<tag>[0-9a-f]{8})@(?P<domain>.+)$", re.I)
_ROOT = re.compile(r"^<ticket-(?P<number>\d{1,12})@(?P<domain>[^>]+)>$", re.I)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def desk_mailbox() -> tuple[str, str]:
    """The desk's display name and address: HELPDESK_EMAIL, else DEFAULT_FROM_EMAIL's."""
    name, address = parseaddr(settings.HELPDESK_EMAIL or settings.DEFAULT_FROM_EMAIL)
    if not name:
        name = parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    return name, (address or "help@localhost").lower()


def desk_address() -> str:
    return desk_mailbox()[1]


def desk_domain() -> str:
    return desk_address().rsplit("@", 1)[-1]


def reply_tag(ticket_id: int) -> str:
    return salted_hmac(TAG_SALT, str(int(ticket_id))).hexdigest()[:8]


def reply_address(ticket_id: int) -> str:
    """The desk's address plus-tagged for one ticket, with its display name."""
    name, address = desk_mailbox()
    local, domain = address.rsplit("@", 1)
    return formataddr((name, f"{local}+t{int(ticket_id)}-{reply_tag(ticket_id)}@{domain}"))


def ticket_of_reply_address(address: str) -> int | None:
    """The ticket number a tagged desk address names, if its tag is genuine."""
    found = _TAGGED.match((address or "").strip().lower())
    if not found:
        return None
    local, domain = desk_address().rsplit("@", 1)
    if found["local"] != local or found["domain"] != domain:
        return None
    number = int(found["number"])
    return number if hmac.compare_digest(found["tag"], reply_tag(number)) else None


def is_desk_address(address: str) -> bool:
    """The desk's own address, tagged or not, or the sender of its mail (our own coming back)."""
    address = (address or "").strip().lower()
    local, domain = desk_address().rsplit("@", 1)
    if address == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower():
        return True
    return address == f"{local}@{domain}" or (
        address.endswith(f"@{domain}") and address.startswith(f"{local}+")
    )


def thread_root(ticket_id: int) -> str:
    return f"<ticket-{int(ticket_id)}@{desk_domain()}>"


def ticket_of_thread_root(message_id: str) -> int | None:
    found = _ROOT.match((message_id or "").strip())
    if not found or found["domain"].lower() != desk_domain():
        return None
    return int(found["number"])


def message_ids(value: str | None) -> list[str]:
    """The `<id>`s of an In-Reply-To or References header, in order."""
    return _MESSAGE_ID.findall(str(value or ""))


def plain_addresses(*values) -> list[str]:
    """Lower-cased addresses of address headers (To, Cc, Delivered-To...), without duplicates."""
    seen: list[str] = []
    for _, address in getaddresses([str(v) for v in values if v]):
        address = address.strip().lower()
        if "@" in address and address not in seen:
            seen.append(address)
    return seen
