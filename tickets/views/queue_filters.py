"""The queue page's filter bar: one entry per parameter of `tickets.queries`, with its choices
and the value the URL gives it, so that the template renders them all in one loop."""

from ..models import StatusKind

PAGE_SIZES = (25, 50, 100)
ANY = ("", "Any")
YES_NO = [ANY, ("true", "Yes"), ("false", "No")]
ARCHIVED = [("", "Not archived"), ("1", "Archived only"), ("all", "Archived or not")]


def bulk_options(choices: dict) -> dict[str, list[dict]]:
    """The bulk bar's lists: statuses a bulk change may set, staff, teams."""
    settable = [s for s in choices["status"] if s["extra"] not in ("spam", "deleted", "closure_scheduled")]

    def options(rows, *first):
        return [{"value": v, "label": t} for v, t in first] + [
            {"value": r["id"], "label": r["name"]} for r in rows
        ]

    return {
        "status": options(settable, ("", "—")),
        "assignee": options(choices["staff"], ("", "Keep"), ("none", "Nobody")),
        "team": options(choices["team"], ("", "Keep"), ("none", "No team")),
    }


def page_size_of(value) -> int:
    return int(value) if value in {str(n) for n in PAGE_SIZES} else PAGE_SIZES[0]


def _select(name, label, options, state, errors, *, wide=False):
    current = (state.get(name) or [""])[0]
    options = [(str(value), text) for value, text in options]
    if current and current not in {value for value, _ in options}:
        # A name typed in the URL (status=new) selects its row; an unknown one stays shown.
        by_name = {text.lower(): value for value, text in options if value}
        current = by_name.get(current.lower(), current)
        if current not in {value for value, _ in options}:
            options.append((current, current))
    return {
        "name": name,
        "label": label,
        "kind": "select",
        "options": [{"value": v, "label": t, "selected": v == current} for v, t in options],
        "error": errors.get(name),
        "wide": wide,
    }


def _input(name, label, kind, state, errors, placeholder=""):
    value = (state.get(name) or [""])[0]
    if kind == "date" and len(value) not in (0, 10):
        kind = "text"  # a date and time given in the URL stays as typed
    return {
        "name": name,
        "label": label,
        "kind": kind,
        "value": value,
        "placeholder": placeholder,
        "error": errors.get(name),
    }


def filter_fields(choices: dict, state: dict, error) -> list[dict]:
    """The filter bar, in the order people scan it; `error` (a refused value) marks its field."""
    errors = {error.field: error.reason} if error is not None and error.field else {}
    named = lambda kind: [(row["id"], row["name"]) for row in choices[kind]]  # noqa: E731
    labelled = lambda kind: [(row["id"], row["label"]) for row in choices[kind]]  # noqa: E731
    return [
        _input("q", "Search", "search", state, errors, placeholder="Words or #1234"),
        _select("status", "Status", [ANY, *named("status")], state, errors),
        _select("status_kind", "Status kind", [ANY, *StatusKind.choices], state, errors),
        _select("priority", "Priority", [ANY, *named("priority")], state, errors),
        _select("category", "Category", [ANY, *named("category")], state, errors),
        _select("type", "Type", [ANY, *labelled("type")], state, errors, wide=True),
        _select("item", "Item", [ANY, *labelled("item")], state, errors, wide=True),
        _select("team", "Team", [ANY, ("none", "No team"), *named("team")], state, errors),
        _select(
            "assignee", "Assignee", [ANY, ("me", "Me"), ("none", "Nobody"), *named("staff")], state, errors
        ),
        _input("requester", "Requester", "text", state, errors, placeholder="Email or id"),
        _input("tag", "Tag", "text", state, errors),
        _select("reopened", "Reopened", YES_NO, state, errors),
        _select("overdue", "Overdue", YES_NO, state, errors),
        _select("archived", "Archived", ARCHIVED, state, errors),
        _input("created_after", "Created from", "date", state, errors),
        _input("created_before", "Created until", "date", state, errors),
        _input("updated_after", "Updated from", "date", state, errors),
        _input("updated_before", "Updated until", "date", state, errors),
    ]
