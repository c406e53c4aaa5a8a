"""The accounts API: tokens, the caller, users and teams (API.md, Accounts).

One view per operation; writes go through `accounts.actions`.
"""

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import Pagination
from tickets.api.common import IsAdmin, IsAgent, paginated, parse
from tickets.errors import ActionRefused

from . import actions, lockout, selectors
from .serializers import (
    MeSerializer,
    TeamCreateSerializer,
    TeamSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)


class AuthTokenCreateApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request):
        """Exchange email and password for the API token (`Authorization: Token <key>`)."""
        data = parse(TokenRequestSerializer, request)
        lockout.check_login_allowed(request, data["email"])  # RateLimited → 429 + Retry-After
        user = authenticate(request, email=data["email"], password=data["password"])
        if user is None:
            lockout.login_failed(request, data["email"])
            raise ActionRefused(
                "Unable to log in with the given email and password.", "invalid", "non_field_errors"
            )
        lockout.login_succeeded(request, data["email"])
        return Response(TokenSerializer(actions.issue_api_token(user=user)).data)


class MeDetailApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class UserListApi(APIView):
    permission_classes = [IsAgent]
    pagination_class = Pagination

    @extend_schema(responses=UserSerializer(many=True))
    def get(self, request):
        return paginated(self, request, selectors.list_users(), UserSerializer)


def _user_response(user, status=200) -> Response:
    return Response(UserSerializer(selectors.list_users().get(pk=user.pk)).data, status=status)


class UserCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def post(self, request):
        """Create a user; staff start with the permission to see every ticket."""
        user = actions.create_user(**parse(UserCreateSerializer, request))
        return _user_response(user, status=201)


class UserUpdateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def patch(self, request, id):
        """Change a user's name, role, activity, teams, scope and `view_all`."""
        user = get_object_or_404(selectors.list_users(), pk=id)
        user = actions.update_user(user=user, **parse(UserUpdateSerializer, request))
        return _user_response(user)


class TeamListApi(APIView):
    permission_classes = [IsAgent]
    pagination_class = Pagination

    @extend_schema(responses=TeamSerializer(many=True))
    def get(self, request):
        return paginated(self, request, selectors.list_teams(), TeamSerializer)


class TeamCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=TeamCreateSerializer, responses={201: TeamSerializer})
    def post(self, request):
        team = actions.save_team(**parse(TeamCreateSerializer, request))
        return Response(TeamSerializer(selectors.list_teams().get(pk=team.pk)).data, status=201)
