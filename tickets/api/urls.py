"""Routes of the tickets API, included under /api/v1/ (paths as in API.md)."""

from django.urls import path

from . import (
    automation,
    bulk,
    calendars,
    canned,
    catalogue,
    conversation,
    customer,
    export,
    guests,
    invites,
    lifecycle,
    merge,
    recurring,
    routing,
    sla,
    tickets,
    views,
    webhooks,
)
from .common import route

ticket = "tickets/<int:id>/"

urlpatterns = [
    path("statuses/", route(catalogue.StatusListApi), name="api-statuses"),
    path("priorities/", route(catalogue.PriorityListApi), name="api-priorities"),
    path("categories/", route(catalogue.CategoryListApi, catalogue.CategoryCreateApi), name="api-categories"),
    path("sla-plans/", route(sla.SLAPlanListApi), name="api-sla-plans"),
    path(
        "teams/<int:id>/routing/",
        route(routing.TeamRoutingDetailApi, routing.TeamRoutingUpdateApi),
        name="api-team-routing",
    ),
    path("me/away/", route(routing.AwayDetailApi, routing.AwayUpdateApi), name="api-me-away"),
    path(
        "business-calendars/",
        route(calendars.CalendarListApi, calendars.CalendarCreateApi),
        name="api-business-calendars",
    ),
    path(
        "business-calendars/<int:id>/holidays/",
        route(calendars.CalendarHolidayCreateApi),
        name="api-business-calendar-holidays",
    ),
    path("settings/", route(catalogue.SettingsDetailApi, catalogue.SettingsUpdateApi), name="api-settings"),
    path(
        "automation-rules/",
        route(automation.AutomationRuleListApi, automation.AutomationRuleCreateApi),
        name="api-automation-rules",
    ),
    path(
        "automation-rules/<int:id>/",
        route(
            automation.AutomationRuleDetailApi,
            automation.AutomationRuleUpdateApi,
            automation.AutomationRuleDeleteApi,
        ),
        name="api-automation-rule",
    ),
    path(
        "automation-rules/<int:id>/preview/",
        route(automation.AutomationRulePreviewApi),
        name="api-automation-rule-preview",
    ),
    path("webhooks/", route(webhooks.WebhookListApi, webhooks.WebhookCreateApi), name="api-webhooks"),
    path(
        "webhooks/<int:id>/",
        route(webhooks.WebhookDetailApi, webhooks.WebhookUpdateApi, webhooks.WebhookDeleteApi),
        name="api-webhook",
    ),
    path(
        "webhooks/<int:id>/deliveries/",
        route(webhooks.WebhookDeliveryListApi),
        name="api-webhook-deliveries",
    ),
    path(
        "recurring-tickets/",
        route(recurring.RecurringTicketListApi, recurring.RecurringTicketCreateApi),
        name="api-recurring-tickets",
    ),
    path(
        "recurring-tickets/<int:id>/",
        route(
            recurring.RecurringTicketDetailApi,
            recurring.RecurringTicketUpdateApi,
            recurring.RecurringTicketDeleteApi,
        ),
        name="api-recurring-ticket",
    ),
    path("tickets/", route(tickets.TicketListApi, tickets.TicketCreateApi), name="api-tickets"),
    path("tickets/bulk/", route(bulk.TicketBulkApi), name="api-tickets-bulk"),
    path("tickets/export/", route(export.TicketExportApi), name="api-tickets-export"),
    path(
        "canned-replies/",
        route(canned.CannedReplyListApi, canned.CannedReplyCreateApi),
        name="api-canned-replies",
    ),
    path("canned-replies/<int:id>/", route(canned.CannedReplyDeleteApi), name="api-canned-reply"),
    path(
        f"{ticket}apply-canned-reply/",
        route(canned.TicketApplyCannedReplyApi),
        name="api-ticket-apply-canned-reply",
    ),
    path("views/", route(views.SavedViewListApi, views.SavedViewCreateApi), name="api-views"),
    path("views/<int:id>/", route(views.SavedViewRenameApi, views.SavedViewDeleteApi), name="api-view"),
    path(ticket, route(tickets.TicketDetailApi, tickets.TicketUpdateApi), name="api-ticket"),
    path(f"{ticket}history/", route(tickets.TicketHistoryApi), name="api-ticket-history"),
    path(f"{ticket}transition/", route(lifecycle.TicketTransitionApi), name="api-ticket-transition"),
    path(f"{ticket}assign/", route(lifecycle.TicketAssignApi), name="api-ticket-assign"),
    path(f"{ticket}merge/", route(merge.TicketMergeApi), name="api-ticket-merge"),
    path(f"{ticket}assign-to-me/", route(lifecycle.TicketAssignToMeApi), name="api-ticket-assign-to-me"),
    path(
        f"{ticket}request-closure/",
        route(lifecycle.TicketRequestClosureApi),
        name="api-ticket-request-closure",
    ),
    path(
        f"{ticket}schedule-closure/",
        route(lifecycle.TicketScheduleClosureApi),
        name="api-ticket-schedule-closure",
    ),
    path(f"{ticket}close/", route(lifecycle.TicketCloseApi), name="api-ticket-close"),
    path(f"{ticket}spam/", route(lifecycle.TicketSpamApi), name="api-ticket-spam"),
    path(f"{ticket}delete/", route(lifecycle.TicketDeleteApi), name="api-ticket-delete"),
    path(f"{ticket}restore/", route(lifecycle.TicketRestoreApi), name="api-ticket-restore"),
    path(
        f"{ticket}schedule-deletion/",
        route(lifecycle.TicketScheduleDeletionApi),
        name="api-ticket-schedule-deletion",
    ),
    path(
        f"{ticket}messages/",
        route(conversation.MessageListApi, conversation.MessageCreateApi),
        name="api-ticket-messages",
    ),
    path(
        f"{ticket}messages/<int:mid>/",
        route(conversation.MessageUpdateApi, conversation.MessageDeleteApi),
        name="api-ticket-message",
    ),
    path(
        f"{ticket}favorite/",
        route(customer.FavoriteAddApi, customer.FavoriteRemoveApi),
        name="api-ticket-favorite",
    ),
    path("favorites/", route(customer.FavoriteListApi), name="api-favorites"),
    path(
        f"{ticket}survey/",
        route(customer.SurveyDetailApi, customer.SurveyAnswerApi),
        name="api-ticket-survey",
    ),
    path(f"{ticket}invites/", route(invites.TicketInviteCreateApi), name="api-ticket-invites"),
    path("invites/<str:token>/accept/", route(invites.InviteAcceptApi), name="api-invite-accept"),
    path("guest/tickets/", route(guests.GuestTicketCreateApi), name="api-guest-tickets"),
    path("guest/tickets/<int:id>/", route(guests.GuestTicketDetailApi), name="api-guest-ticket"),
    path(
        "guest/tickets/<int:id>/messages/",
        route(guests.GuestMessageListApi, guests.GuestMessageCreateApi),
        name="api-guest-ticket-messages",
    ),
]
