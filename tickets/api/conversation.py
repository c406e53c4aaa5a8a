"""The conversation of SPEC §4: replies and internal notes, their edits and soft deletions."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from attachments.uploadhandlers import uploaded_files
from helpdesk.api import Pagination

from .. import actions, selectors
from ..models import Message
from ..queries import MAX_ID
from .common import paginated, parse, ticket_for
from .serializers import (
    MessageCreateMultipartSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    MessageUpdateSerializer,
)


class ConversationPagination(Pagination):
    page_size = 100  # a conversation is read whole; most fit on one page


def message_for(user, ticket_id, message_id) -> Message:
    """A message of a ticket the user sees, among those they may see (404 otherwise)."""
    ticket = ticket_for(user, ticket_id)
    if not 0 < message_id <= MAX_ID:
        raise Http404("No such message.")
    message = selectors.list_messages_for_user(ticket, user).filter(pk=message_id).first()
    if message is None:
        raise Http404("No such message.")
    return message


class MessageListApi(APIView):
    pagination_class = ConversationPagination

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request, id):
        """The conversation, oldest first; customers get public, undeleted messages only."""
        ticket = ticket_for(request.user, id)
        messages = selectors.list_messages_for_user(ticket, request.user)
        return paginated(self, request, messages, MessageSerializer, ConversationPagination)


class MessageCreateApi(APIView):
    @extend_schema(
        request={
            "application/json": MessageCreateSerializer,
            "multipart/form-data": MessageCreateMultipartSerializer,
        },
        responses={201: MessageSerializer},
    )
    def post(self, request, id):
        """Reply, or (staff) post an internal note and/or set a status with the reply.

        With files (multipart), the message and its attachments are saved together or not at all.
        """
        ticket = ticket_for(request.user, id)
        files = uploaded_files(request)
        data = parse(MessageCreateSerializer, request)
        message = actions.add_message(
            ticket=ticket,
            actor=request.user,
            body=data["body"],
            internal=data["internal"],
            status=data.get("status"),
            files=files,
        )
        return _message_response(request, ticket, message, status=201)


class MessageUpdateApi(APIView):
    @extend_schema(request=MessageUpdateSerializer, responses=MessageSerializer)
    def patch(self, request, id, mid):
        """Edit a reply: its author within the edit window, staff at any time."""
        message = message_for(request.user, id, mid)
        data = parse(MessageUpdateSerializer, request)
        message = actions.edit_message(message=message, actor=request.user, body=data["body"])
        return _message_response(request, message.ticket, message)


class MessageDeleteApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, id, mid):
        """Soft-delete a reply: staff keep a placeholder, the text stays in the history."""
        message = message_for(request.user, id, mid)
        actions.delete_message(message=message, actor=request.user)
        return Response(status=204)


def _message_response(request, ticket, message, status=200) -> Response:
    fresh = selectors.list_messages_for_user(ticket, request.user).get(pk=message.pk)
    return Response(MessageSerializer(fresh, context={"request": request}).data, status=status)
