"""Automatic assignment: a team's routing (admins) and one's own away flag (staff)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Team

from ..actions.routing import save_team_routing, set_away
from ..models import RoutingMode, StaffStatus, TeamRouting
from .common import IsAdmin, IsAgent, parse


class TeamRoutingSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=RoutingMode.choices)
    capacity = serializers.IntegerField(min_value=1, max_value=10_000, allow_null=True, required=False)


class TeamRoutingReadSerializer(TeamRoutingSerializer):
    team = serializers.IntegerField(source="team_id")
    last_assigned_user = serializers.IntegerField(source="last_assigned_user_id", allow_null=True)


class AwaySerializer(serializers.Serializer):
    away = serializers.BooleanField()


class TeamRoutingDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=TeamRoutingReadSerializer)
    def get(self, request, id):
        """How the team's new tickets are assigned: off, round_robin or least_open."""
        team = get_object_or_404(Team, pk=id)
        routing = TeamRouting.objects.filter(team=team).first() or TeamRouting(team=team)
        return Response(TeamRoutingReadSerializer(routing).data)


class TeamRoutingUpdateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=TeamRoutingSerializer, responses=TeamRoutingReadSerializer)
    def put(self, request, id):
        """Set the team's routing mode and the most open tickets a member may hold (null: no limit)."""
        team = get_object_or_404(Team, pk=id)
        data = parse(TeamRoutingSerializer, request)
        routing = save_team_routing(actor=request.user, team=team, **data)
        return Response(TeamRoutingReadSerializer(routing).data)


class AwayDetailApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses=AwaySerializer)
    def get(self, request):
        """Whether I am away: away staff get no automatic assignments."""
        status = StaffStatus.objects.filter(user=request.user).first()
        return Response({"away": bool(status and status.away)})


class AwayUpdateApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=AwaySerializer, responses=AwaySerializer)
    def put(self, request):
        """Mark myself away (true) or back (false)."""
        data = parse(AwaySerializer, request)
        status = set_away(actor=request.user, away=data["away"])
        return Response({"away": status.away})
