"""Invite links (API.md "Guests and invitations"): the requester makes one, a colleague accepts it."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import ratelimit
from ..actions.invites import accept_invite, create_invite
from ..errors import ActionRefused
from ..guests import invite_url
from .common import ticket_for, ticket_response
from .serializers import TicketSerializer


class InviteCreatedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Shown this once: only a hash of its token is kept.")
    expires_at = serializers.DateTimeField()


class TicketInviteCreateApi(APIView):
    @extend_schema(request=None, responses={201: InviteCreatedSerializer})
    def post(self, request, id):
        """Make an invite link (requester only); 409 on a resolved or closed ticket."""
        ticket = ticket_for(request.user, id)
        invite, token = create_invite(ticket=ticket, actor=request.user)
        data = InviteCreatedSerializer({"url": invite_url(token), "expires_at": invite.expires_at}).data
        return Response(data, status=201)


class InviteAcceptApi(APIView):
    @extend_schema(
        request=None,
        responses={
            200: TicketSerializer,
            410: OpenApiResponse(description="Used, expired, or the ticket is resolved or closed."),
        },
    )
    def post(self, request, token):
        """Join the invite's ticket as a participant (logged-in customer); 404 for an unknown link."""
        ip = ratelimit.client_ip(request)
        ratelimit.check(ratelimit.TOKEN_FAILURES_PER_IP, ip)
        try:
            ticket = accept_invite(token=token, actor=request.user)
        except ActionRefused as exc:
            if exc.code == "not_found":
                ratelimit.hit(ratelimit.TOKEN_FAILURES_PER_IP, ip)
            raise
        return ticket_response(request, ticket)
