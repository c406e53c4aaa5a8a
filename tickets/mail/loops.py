"""Mail loop protection: which incoming mail a robot sent, and a cap per sender per hour.

No ticket, reply or answer comes out of mail that says it is automatic (RFC 3834
Auto-Submitted, Precedence, Microsoft's X-Auto-Response-Suppress), of bounces and delivery
reports, of a mailer daemon, or of the desk itself. The hourly cap stops what slips through:
a robot that answers every mail with a new mail, without saying so.
"""

from django.conf import settings

from ..ratelimit import Limit, count_hit
from .addresses import is_desk_address
from .parse import ParsedEmail

BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
ROBOT_LOCAL_PARTS = {"mailer-daemon", "postmaster"}
# Headers that only automatic mail carries (Exchange, and a few autoresponders).
ROBOT_HEADERS = ("X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond")
HOUR = 3600


def loop_reason(mail: ParsedEmail, desk_addresses: set[str] = frozenset()) -> str | None:
    """Why this mail must not create a ticket, a reply or an answer; None for a person's mail.

    `desk_addresses`: the lower-cased InboundAddress emails, which are the desk's own too.
    """
    auto_submitted = mail.header("Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-submitted"
    if mail.header("Precedence").strip().lower() in BULK_PRECEDENCE:
        return "bulk"
    for name in ROBOT_HEADERS:
        if mail.header(name):
            return "auto-reply"
    if mail.message.get_content_type() == "multipart/report":
        return "delivery-report"
    if mail.header("Return-Path").strip() == "<>":
        return "bounce"  # the null sender: only delivery notices are sent from it
    if not mail.sender:
        return "no-sender"
    if mail.sender.split("@", 1)[0] in ROBOT_LOCAL_PARTS:
        return "mailer-daemon"
    if is_desk_address(mail.sender) or mail.sender in desk_addresses:
        return "own-address"
    return None


def over_hourly_limit(sender: str, now: float | None = None) -> bool:
    """Count one message from `sender` in this hour; True past INBOUND_SENDER_HOURLY_LIMIT.

    A fixed window in the shared cache (Redis), so concurrent intake processes count together.
    """
    limit = Limit("mail-in-sender", settings.INBOUND_SENDER_HOURLY_LIMIT, HOUR)
    return count_hit(limit, sender, now) > limit.limit
