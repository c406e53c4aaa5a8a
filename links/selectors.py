"""Reads of links: a ticket's links grouped by type, and the link picker's search."""

import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from tickets.access import visible_tickets
from tickets.models import Ticket

from .models import LinkType, TicketLink

SEARCH_LIMIT = 20
LINK_FIELDS = ("type", "source_id", "target__subject", "target__status__name", "target__status__kind")
LINK_FIELDS += ("target__status__color",)
_NUMBER = re.compile(r"^#?\s*(\d{1,18})$")


@dataclass
class LinkGroup:
    type: str
    label: str
    links: list[TicketLink] = field(default_factory=list)


def list_links_for_user(ticket: Ticket, user) -> list[TicketLink]:
    """The links of `ticket` to tickets `user` may see, with the target's status; one query.

    (Plus the few the visibility rule itself needs for a restricted agent.)
    """
    order = {value: i for i, value in enumerate(LinkType.values)}
    links = list(
        TicketLink.objects.filter(source=ticket, target__in=visible_tickets(user))
        .select_related("target__status")
        # What a link shows of its target: not the ticket's texts and search vector.
        .only(*LINK_FIELDS)
        .order_by("target_id")
    )
    return sorted(links, key=lambda link: order.get(link.type, len(order)))


def links_for(ticket: Ticket, user) -> list[LinkGroup]:
    """The visible links of a ticket grouped by type, in the order of LinkType."""
    groups: dict[str, LinkGroup] = {}
    for link in list_links_for_user(ticket, user):
        group = groups.setdefault(link.type, LinkGroup(link.type, LinkType(link.type).label))
        group.links.append(link)
    return list(groups.values())


def parse_ticket_number(q: str) -> int | None:
    """`1234` or `#1234` as a ticket number; None for anything else."""
    match = _NUMBER.match((q or "").strip())
    if match is None:
        return None
    number = int(match.group(1))
    return number if 0 < number < 2**63 else None


def link_search(user, q: str, *, exclude: Ticket | None = None) -> list[Ticket]:
    """Tickets `user` may see, for the link picker: by number, then by words of the subject."""
    q = (q or "").strip()
    if not q:
        return []
    qs: QuerySet = visible_tickets(user).select_related("status")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    number = parse_ticket_number(q)
    found = list(qs.filter(pk=number)) if number else []
    words = q.lstrip("#").split()[:10]
    condition = Q()
    for word in words:
        condition &= Q(subject__icontains=word)
    more = qs.filter(condition).exclude(pk__in=[t.pk for t in found]).order_by("-updated_at", "-pk")
    return found + list(more[: SEARCH_LIMIT - len(found)])


def find_link_target(user, target_id) -> Ticket | None:
    """The ticket a link would point at, if `user` may see it."""
    try:
        pk = int(target_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return visible_tickets(user).filter(pk=pk).first()
