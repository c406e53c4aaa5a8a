"""Full-text search over tickets (SPEC §6): the stored document, and matching it.

On PostgreSQL each ticket keeps `search_vector`: its subject (weight A), description (B) and
undeleted replies and internal notes (C). The actions that change any of them call
`refresh_search_vector`, which rebuilds it in one UPDATE; staff searches match it through
its GIN index (migration 0004). Customers never match on it, since internal notes are in
it: their search builds a document of the public text of their own few tickets on the fly.

Queries go through `websearch_to_tsquery`, which accepts any text (quotes, `&`, `|`, `!`,
`:*`, backslashes) without a syntax error. On SQLite (`make run`) every word must appear in
the subject or the description (icontains).
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from .models import Message

CONFIG = "english"
# Characters of a search that reach the database; a pasted page of text is cut, not refused.
MAX_QUERY_CHARS = 200
# A tsvector holds at most 1 MB: the replies' text is cut at this many characters.
MAX_MESSAGES_CHARS = 200_000

# A ticket's search document from the row `{t}` (its messages cut at a %s parameter); also what
# generate_data (tickets/datagen.py) writes in its INSERT.
_DOCUMENT = """
    setweight(to_tsvector('english', {t}.subject), 'A')
    || setweight(to_tsvector('english', {t}.description), 'B')
    || setweight(to_tsvector('english', left(coalesce((
        SELECT string_agg(m.body, ' ' ORDER BY m.created_at, m.id) FROM tickets_message AS m
        WHERE m.ticket_id = {t}.id AND NOT m.deleted), ''), %s)), 'C')
"""
DOCUMENT_SQL = _DOCUMENT.format(t="t")
ROW_DOCUMENT_SQL = _DOCUMENT.format(t='"tickets_ticket"')
_REFRESH = "UPDATE tickets_ticket AS t SET search_vector = {document} WHERE t.id = %s"
REFRESH_SQL = _REFRESH.format(document=DOCUMENT_SQL)


def new_ticket_document(subject: str, description: str) -> RawSQL:
    """DOCUMENT_SQL of a ticket without messages, from its texts: the INSERT of a new ticket
    writes it, so the row is not written twice (and its ~25 indexes not updated twice)."""
    return RawSQL(
        "setweight(to_tsvector('english', %s::text), 'A')"
        " || setweight(to_tsvector('english', %s::text), 'B')",
        [subject, description],
    )


def current_document() -> RawSQL:
    """DOCUMENT_SQL as the value of the ticket row an UPDATE is saving: an action that touches
    the row anyway rebuilds the document in that same UPDATE (`add_message`)."""
    return RawSQL(ROW_DOCUMENT_SQL, [MAX_MESSAGES_CHARS])  # noqa: S611  # nosec B611 - fixed SQL


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def refresh_search_vector(ticket_id: int) -> None:
    """Rebuild a ticket's search document from its current text, in one UPDATE."""
    if uses_full_text():
        with connection.cursor() as cursor:
            cursor.execute(REFRESH_SQL, [MAX_MESSAGES_CHARS, ticket_id])


def clean_query(text: str) -> str:
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def search_tickets(qs: QuerySet, text: str, *, staff: bool, number: int | None = None):
    """Narrow `qs` to the tickets matching `text`; return it with the rank to sort by (or None).

    `number`, when the text is a ticket number (`#1234`), also matches that ticket.
    """
    text = clean_query(text)
    by_number = Q(pk=number) if number else Q(pk__in=[])
    if not text:
        return qs.filter(by_number), None
    if not uses_full_text():
        words = Q()
        for word in text.split()[:10]:
            words &= Q(subject__icontains=word) | Q(description__icontains=word)
        return qs.filter(words | by_number), None
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    if staff:
        document = F("search_vector")
    else:
        qs = qs.annotate(public_document=public_document())
        document = F("public_document")
    matches = Q(search_vector=query) if staff else Q(public_document=query)
    return qs.filter(matches | by_number), SearchRank(document, query)


def public_document() -> SearchVector:
    """What a customer may find a ticket by: its subject, description and public replies."""
    replies = (
        Message.objects.filter(ticket=OuterRef("pk"), internal=False, deleted=False)
        .order_by()
        .values("ticket")
        .annotate(text=StringAgg("body", " "))
        .values("text")
    )
    return (
        SearchVector("subject", weight="A", config=CONFIG)
        + SearchVector("description", weight="B", config=CONFIG)
        + SearchVector(Subquery(replies), weight="C", config=CONFIG)
    )
