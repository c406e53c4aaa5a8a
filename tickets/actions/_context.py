"""On whose behalf an action runs, for the history: "Automation: <rule name>".

The actions record their history rows as usual, with the actor they are given; while
`acting_for(label)` is on, each row also carries the label (`TicketEvent.via`). A context
variable rather than a parameter: every action on the way records rows, and none of them
needs to know that a rule is driving it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_VIA: ContextVar[str] = ContextVar("tickets_acting_for", default="")


def current_via() -> str:
    return _VIA.get()


@contextmanager
def acting_for(label: str):
    token = _VIA.set(label[:150])
    try:
        yield
    finally:
        _VIA.reset(token)
