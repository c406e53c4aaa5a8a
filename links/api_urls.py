from django.urls import path

from . import api

# link-search before any tickets/<int:...>/ pattern could be tried; the int converter keeps
# it from being read as a ticket id anyway.
urlpatterns = [
    path("tickets/link-search/", api.TicketLinkSearchApi.as_view(), name="api-link-search"),
    path("tickets/<int:ticket_id>/links/", api.ticket_links, name="api-ticket-links"),
    path(
        "tickets/<int:ticket_id>/links/<int:target_id>/",
        api.TicketLinkDeleteApi.as_view(),
        name="api-ticket-link-delete",
    ),
    path(
        "tickets/<int:ticket_id>/resolve-children/",
        api.TicketResolveChildrenApi.as_view(),
        name="api-ticket-resolve-children",
    ),
]
