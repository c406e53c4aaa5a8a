from django.urls import path

from . import views

urlpatterns = [
    path("tickets/<int:pk>/links/", views.links_panel, name="ticket_links_panel"),
    path("tickets/<int:pk>/links/search/", views.link_search, name="ticket_link_search"),
    path("tickets/<int:pk>/links/add/", views.link_add, name="ticket_link_add"),
    path("tickets/<int:pk>/links/<int:target_id>/remove/", views.link_remove, name="ticket_link_remove"),
    path("tickets/<int:pk>/resolve-children/", views.resolve_children, name="ticket_resolve_children"),
]
