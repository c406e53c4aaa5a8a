"""The lifecycle of SPEC §3 and assignment of SPEC §6: one view per action, each answering
the ticket as it is afterwards. A hidden ticket is 404, a customer on a staff action 403, a
state that refuses the action 409 (ActionRefused)."""

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from .. import actions
from ..actions import UNSET
from .common import parse, staff_ticket_for, ticket_for, ticket_response
from .serializers import (
    AssignSerializer,
    CloseSerializer,
    ScheduleSerializer,
    TicketSerializer,
    TransitionSerializer,
)


class TicketTransitionApi(APIView):
    @extend_schema(request=TransitionSerializer, responses=TicketSerializer)
    def post(self, request, id):
        """Move the ticket to any active status; resolving may carry resolution notes."""
        ticket = staff_ticket_for(request.user, id)
        data = parse(TransitionSerializer, request)
        ticket = actions.transition_ticket(
            ticket=ticket,
            actor=request.user,
            status=data["status"],
            resolution_notes=data.get("resolution_notes"),
        )
        return ticket_response(request, ticket)


class TicketAssignApi(APIView):
    @extend_schema(request=AssignSerializer, responses=TicketSerializer)
    def post(self, request, id):
        """Assign to a staff member and/or a team; a key left out keeps its value, null clears it."""
        ticket = staff_ticket_for(request.user, id)
        data = parse(AssignSerializer, request)
        ticket = actions.assign_ticket(
            ticket=ticket,
            actor=request.user,
            assignee=data.get("assignee", UNSET),
            team=data.get("team", UNSET),
        )
        return ticket_response(request, ticket)


class TicketAssignToMeApi(APIView):
    @extend_schema(request=None, responses=TicketSerializer)
    def post(self, request, id):
        ticket = staff_ticket_for(request.user, id)
        return ticket_response(request, actions.assign_to_me(ticket=ticket, actor=request.user))


class TicketRequestClosureApi(APIView):
    @extend_schema(request=None, responses=TicketSerializer)
    def post(self, request, id):
        """The requester or a participant asks to close the ticket (pending closure)."""
        ticket = ticket_for(request.user, id)
        return ticket_response(request, actions.request_closure(ticket=ticket, actor=request.user))


class TicketScheduleApi(APIView):
    """A staff action at a future time `at` (ScheduleSerializer); `schedule` is the action."""

    schedule = None  # staticmethod(an action taking ticket=, actor=, at= and answering the ticket)

    @extend_schema(request=ScheduleSerializer, responses=TicketSerializer)
    def post(self, request, id):
        # No docstring here: the schema describes each subclass by its own docstring.
        ticket = staff_ticket_for(request.user, id)
        data = parse(ScheduleSerializer, request)
        ticket = self.schedule(ticket=ticket, actor=request.user, at=data["at"])
        return ticket_response(request, ticket)


class TicketScheduleClosureApi(TicketScheduleApi):
    """Close the ticket automatically at `at`; refused while a closure is already scheduled."""

    schedule = staticmethod(actions.schedule_closure)


class TicketCloseApi(APIView):
    @extend_schema(request=CloseSerializer, responses=TicketSerializer)
    def post(self, request, id):
        """Close now: staff on any status; the requester early on a scheduled closure."""
        ticket = ticket_for(request.user, id)
        data = parse(CloseSerializer, request)
        ticket = actions.close_ticket(ticket=ticket, actor=request.user, reason=data.get("reason", ""))
        return ticket_response(request, ticket)


class TicketSpamApi(APIView):
    @extend_schema(request=None, responses=TicketSerializer)
    def post(self, request, id):
        ticket = staff_ticket_for(request.user, id)
        return ticket_response(request, actions.mark_spam(ticket=ticket, actor=request.user))


class TicketDeleteApi(APIView):
    @extend_schema(request=None, responses=TicketSerializer)
    def post(self, request, id):
        """Move to Deleted; purged after the deleted retention unless restored."""
        ticket = staff_ticket_for(request.user, id)
        return ticket_response(request, actions.delete_ticket(ticket=ticket, actor=request.user))


class TicketRestoreApi(APIView):
    @extend_schema(request=None, responses=TicketSerializer)
    def post(self, request, id):
        """Back from spam, deleted or a scheduled deletion to the status it had."""
        ticket = staff_ticket_for(request.user, id)
        return ticket_response(request, actions.restore_ticket(ticket=ticket, actor=request.user))


class TicketScheduleDeletionApi(TicketScheduleApi):
    """Close the ticket now and purge it at `at`."""

    schedule = staticmethod(actions.schedule_deletion)
