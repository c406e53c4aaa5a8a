"""What requesters and participants do besides replying: surveys, favourites, copying in."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import ActionRefused
from ..lifecycle import check_favorite, require_agent, require_party
from ..models import Favorite, Survey, Ticket
from ._common import lock_ticket, record


@transaction.atomic
def answer_survey(*, ticket: Ticket, actor, rating: int, comment: str = "") -> Survey:
    """Answer the open survey once, with a rating of 1 to 5."""
    if not ticket.requester_id == actor.pk:
        raise ActionRefused("Only the requester can answer the survey.", "forbidden")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
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


@transaction.atomic
def add_favorite(*, ticket: Ticket, actor) -> None:
    """Favourite a live ticket; resolving or closing it takes it out of every list again.

    Under the ticket's lock, so a favourite never slips in behind a resolve that emptied them.
    """
    ticket = lock_ticket(ticket)
    check_favorite(ticket, actor)
    try:
        with transaction.atomic():
            Favorite.objects.create(user=actor, ticket=ticket)
    except IntegrityError:
        pass  # already a favourite: the request is idempotent


def remove_favorite(*, ticket: Ticket, actor) -> None:
    require_party(ticket, actor, "favourite this ticket")
    Favorite.objects.filter(user=actor, ticket=ticket).delete()


@transaction.atomic
def add_participant(*, ticket: Ticket, actor, user) -> bool:
    """Copy a person in: they then see the ticket and receive its public replies.

    Staff copy in anyone; the requester copies in colleagues. Returns False if they were
    already on the ticket.
    """
    ticket = lock_ticket(ticket)
    if ticket.requester_id != getattr(actor, "pk", None):
        require_agent(actor, "Copying people in")
    if not user.is_active:
        raise ActionRefused("This person's account is disabled.", "invalid", "user")
    if user.pk == ticket.requester_id or ticket.participants.filter(pk=user.pk).exists():
        return False
    ticket.participants.add(user)
    record(ticket, actor, "participant_added", None, {"id": user.pk, "name": str(user)})
    return True


@transaction.atomic
def remove_participant(*, ticket: Ticket, actor, user) -> bool:
    """Take a participant off the ticket (staff); they no longer see it or get its email.

    Returns False if they were not a participant.
    """
    require_agent(actor, "Removing participants")
    ticket = lock_ticket(ticket)
    if not ticket.participants.filter(pk=user.pk).exists():
        return False
    ticket.participants.remove(user)
    Favorite.objects.filter(ticket=ticket, user=user).delete()
    record(ticket, actor, "participant_removed", {"id": user.pk, "name": str(user)}, None)
    return True
