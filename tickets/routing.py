"""Automatic assignment of issue 11: who of a team gets a new ticket. Pure choice, no database.

- round_robin: the next eligible member after the last one assigned, by id, wrapping round.
- least_open: the eligible member with the fewest open tickets (ties: lowest id).
- Not eligible: members marked away, and members at or over the team's capacity of open tickets.
The action that reads the inputs and assigns is tickets/actions/routing.py.
"""

from collections.abc import Iterable, Mapping

from .models import RoutingMode, StatusKind

# The kinds in which an assigned ticket still takes its assignee's time (counted for capacity).
WORKING_KINDS = (StatusKind.NEW, StatusKind.OPEN, StatusKind.PENDING)


def eligible(
    member_ids: Iterable[int], away: set[int], open_counts: Mapping[int, int], capacity: int | None
) -> list[int]:
    """Members who may get one more ticket, in id order."""
    return [
        pk
        for pk in sorted(member_ids)
        if pk not in away and (capacity is None or open_counts.get(pk, 0) < capacity)
    ]


def pick(
    mode: str,
    member_ids: Iterable[int],
    *,
    away: set[int] = frozenset(),
    open_counts: Mapping[int, int] | None = None,
    capacity: int | None = None,
    last_id: int | None = None,
) -> int | None:
    """The id of the member to assign, or None (mode off, or nobody eligible)."""
    open_counts = open_counts or {}
    candidates = eligible(member_ids, away, open_counts, capacity)
    if mode == RoutingMode.OFF or not candidates:
        return None
    if mode == RoutingMode.ROUND_ROBIN:
        later = [pk for pk in candidates if last_id is not None and pk > last_id]
        return later[0] if later else candidates[0]
    return min(candidates, key=lambda pk: (open_counts.get(pk, 0), pk))
