from django.urls import path

from .views import create, partials, portal, staff, staff_actions

staff_posts = [
    ("reply", staff_actions.ticket_reply, "ticket_reply"),
    ("fields", staff_actions.ticket_update_fields, "ticket_update_fields"),
    ("assign", staff_actions.ticket_assign, "ticket_assign"),
    ("assign-to-me", staff_actions.ticket_assign_to_me, "ticket_assign_to_me"),
    ("status", staff_actions.ticket_transition, "ticket_transition"),
    ("resolve", staff_actions.ticket_resolve, "ticket_resolve"),
    ("schedule-closure", staff_actions.ticket_schedule_closure, "ticket_schedule_closure"),
    ("spam", staff_actions.ticket_spam, "ticket_spam"),
    ("delete", staff_actions.ticket_delete, "ticket_delete"),
    ("restore", staff_actions.ticket_restore, "ticket_restore"),
    ("schedule-deletion", staff_actions.ticket_schedule_deletion, "ticket_schedule_deletion"),
]
portal_posts = [
    ("reply", portal.portal_reply, "portal_reply"),
    ("request-closure", portal.portal_request_closure, "portal_request_closure"),
    ("close", portal.portal_close, "portal_close"),
    ("favorite", portal.portal_favorite, "portal_favorite"),
]

urlpatterns = [
    path("tickets/", staff.ticket_list, name="ticket_list"),
    path("tickets/new/", create.ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", staff.ticket_detail, name="ticket_detail"),
    *[path(f"tickets/<int:pk>/{slug}/", view, name=url_name) for slug, view, url_name in staff_posts],
    path(
        "tickets/<int:pk>/messages/<int:message_id>/edit/",
        staff_actions.ticket_message_edit,
        name="ticket_message_edit",
    ),
    path(
        "tickets/<int:pk>/messages/<int:message_id>/delete/",
        staff_actions.ticket_message_delete,
        name="ticket_message_delete",
    ),
    path("portal/", portal.portal_home, name="portal"),
    path("portal/new/", create.portal_create, name="portal_create"),
    path("portal/tickets/<int:pk>/", portal.portal_ticket, name="portal_ticket"),
    *[path(f"portal/tickets/<int:pk>/{slug}/", view, name=url_name) for slug, view, url_name in portal_posts],
    path(
        "portal/tickets/<int:pk>/messages/<int:message_id>/edit/",
        portal.portal_message_edit,
        name="portal_message_edit",
    ),
    path(
        "portal/tickets/<int:pk>/messages/<int:message_id>/delete/",
        portal.portal_message_delete,
        name="portal_message_delete",
    ),
    path("portal/tickets/<int:pk>/survey/", portal.portal_survey, name="portal_survey"),
    path("cti/options/", partials.cti_options_partial, name="cti_options"),
]
