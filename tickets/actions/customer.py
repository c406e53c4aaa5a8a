"""What requesters and participants do besides replying: surveys and favourites."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import ActionRefused
from ..lifecycle import require_party
from ..models import Favorite, Survey, Ticket
from ._common import record


@transaction.atomic
def answer_survey(*, ticket: Ticket, actor, rating: int, comment: str = "") -> Survey:
    """Answer the open survey once, with a rating of 1 to 5."""
    if not ticket.requester_id == actor.pk:
        raise ActionRefused("Only the requester can answer the survey.", "forbidden")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ActionRefused("The rating must be a whole number from 1 to 5.", "invalid", "rating")
    survey = Survey.objects.select_for_update().filter(ticket=ticket, answered_at__isnull=True).first()
    if survey is None:
        raise ActionRefused("There is no open survey for this ticket.", "not_found")
    now = timezone.now()
    survey.rating, survey.comment = rating, (comment or "")[:5000]
    survey.answered_at, survey.answered_by = now, actor
    survey.save(update_fields=["rating", "comment", "answered_at", "answered_by"])
    record(ticket, actor, "survey_answered", None, {"rating": rating}, at=now)
    return survey


def add_favorite(*, ticket: Ticket, actor) -> None:
    require_party(ticket, actor, "favourite this ticket")
    try:
        with transaction.atomic():
            Favorite.objects.create(user=actor, ticket=ticket)
    except IntegrityError:
        pass  # already a favourite: the request is idempotent


def remove_favorite(*, ticket: Ticket, actor) -> None:
    require_party(ticket, actor, "favourite this ticket")
    Favorite.objects.filter(user=actor, ticket=ticket).delete()
