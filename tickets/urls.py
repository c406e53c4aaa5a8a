from django.urls import path

from .views import (
    canned,
    closelinks,
    create,
    export,
    guests,
    invites,
    partials,
    portal,
    purge,
    queue,
    registration,
    staff,
    staff_actions,
)

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
    path("tickets/", queue.ticket_list, name="ticket_list"),
    path("tickets/bulk/", queue.ticket_bulk, name="ticket_bulk"),
    path("tickets/purge/<str:kind>/", purge.purge_hidden, name="purge_hidden"),
    path("tickets/export.csv", export.ticket_export, name="ticket_export"),
    path("tickets/views/", queue.view_save, name="view_save"),
    path("tickets/views/<int:pk>/delete/", queue.view_delete, name="view_delete"),
    path("tickets/new/", create.ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", staff.ticket_detail, name="ticket_detail"),
    *[path(f"tickets/<int:pk>/{slug}/", view, name=url_name) for slug, view, url_name in staff_posts],
    path("tickets/<int:pk>/canned/<int:canned_id>/", canned.canned_reply_text, name="canned_reply_text"),
    path("tickets/<int:pk>/apply-canned/", canned.ticket_apply_canned, name="ticket_apply_canned"),
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
    # Participants and invite links
    path("portal/tickets/<int:pk>/invite/", invites.portal_invite_create, name="portal_invite_create"),
    path("invites/<str:token>/", invites.invite_page, name="invite"),
    path(
        "tickets/<int:pk>/participants/<int:user_id>/remove/",
        invites.ticket_participant_remove,
        name="ticket_participant_remove",
    ),
    # Guests: the public form, their links, and the page a link opens
    path("submit/", guests.guest_submit, name="guest_submit"),
    path("submit/done/", guests.guest_submit_done, name="guest_submit_done"),
    path("submit/resend/", guests.guest_resend, name="guest_resend"),
    path("t/<int:pk>/", guests.guest_ticket, name="guest_ticket"),
    path("t/<int:pk>/reply/", guests.guest_reply, name="guest_reply"),
    path("t/<int:pk>/survey/", guests.guest_survey, name="guest_survey"),
    path("t/<int:pk>/files/<int:attachment_id>/", guests.guest_attachment, name="guest_attachment"),
    path("register/", registration.register, name="register"),
    path("register/confirm/<str:signed>/", registration.register_confirm, name="register_confirm"),
    # The resolution notice's "It's fixed, close it" link (no login: the signed link is the key)
    path("close/done/", closelinks.close_link_done, name="close_link_done"),
    path("close/<str:token>/", closelinks.close_link, name="close_link"),
]
