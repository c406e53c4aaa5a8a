"""Routes of the accounts API, included under /api/v1/."""

from django.urls import path

from tickets.api.common import route

from . import api

urlpatterns = [
    path("auth/token/", route(api.AuthTokenCreateApi), name="api-auth-token"),
    path("me/", route(api.MeDetailApi), name="api-me"),
    path("users/", route(api.UserListApi, api.UserCreateApi), name="api-users"),
    path("users/<int:id>/", route(api.UserUpdateApi), name="api-user"),
    path("teams/", route(api.TeamListApi, api.TeamCreateApi), name="api-teams"),
]
