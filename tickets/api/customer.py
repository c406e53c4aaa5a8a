"""What requesters and participants do besides replying: favourites and the survey."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import Pagination

from .. import actions, selectors
from ..errors import ActionRefused
from .common import paginated, parse, ticket_for
from .serializers import SurveyAnswerSerializer, SurveySerializer, TicketSerializer


class FavoriteAddApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, id):
        """Mark the ticket as a favourite of the caller (requester or participant)."""
        actions.add_favorite(ticket=ticket_for(request.user, id), actor=request.user)
        return Response(status=204)


class FavoriteRemoveApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, id):
        actions.remove_favorite(ticket=ticket_for(request.user, id), actor=request.user)
        return Response(status=204)


class FavoriteListApi(APIView):
    pagination_class = Pagination

    @extend_schema(responses=TicketSerializer(many=True))
    def get(self, request):
        """The caller's favourite tickets, last updated first."""
        return paginated(self, request, selectors.list_favorite_rows_for_user(request.user), TicketSerializer)


def _require_requester(ticket, user) -> None:
    if ticket.requester_id != user.pk:
        raise ActionRefused("Only the requester can answer the survey.", "forbidden")


class SurveyDetailApi(APIView):
    @extend_schema(responses=SurveySerializer)
    def get(self, request, id):
        """The open survey of the ticket; 404 when there is none to answer."""
        ticket = ticket_for(request.user, id)
        _require_requester(ticket, request.user)
        survey = selectors.open_survey(ticket)
        if survey is None:
            raise Http404("There is no open survey for this ticket.")
        return Response(SurveySerializer(survey).data)


class SurveyAnswerApi(APIView):
    @extend_schema(request=SurveyAnswerSerializer, responses=SurveySerializer)
    def post(self, request, id):
        """Answer the open survey once: a rating of 1 to 5 and an optional comment."""
        ticket = ticket_for(request.user, id)
        _require_requester(ticket, request.user)
        data = parse(SurveyAnswerSerializer, request)
        survey = actions.answer_survey(ticket=ticket, actor=request.user, **data)
        return Response(SurveySerializer(survey).data)
