"""New ticket pages: staff (on behalf of anyone, by email) and customers (for themselves)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from attachments.uploadhandlers import uploaded_files

from .. import actions
from ..errors import ActionRefused
from ..forms import TicketCreateForm
from ..models import HelpdeskSettings
from ..selectors import cti_options
from ._common import agent_required, customer_required


def _create_page(request, *, for_staff: bool, detail_page: str):
    """Show the form; on POST call create_ticket and put any refusal onto its field (400)."""
    show_priority = for_staff or HelpdeskSettings.load().customer_sets_priority
    data = request.POST if request.method == "POST" else None
    form = TicketCreateForm(data, for_staff=for_staff, show_priority=show_priority)
    if data is not None and form.is_valid():
        try:
            # The ticket and its files are created together or not at all, as in the API.
            files = uploaded_files(request)
            ticket = actions.create_ticket(actor=request.user, files=files, **form.action_kwargs())
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        else:
            messages.success(request, f"Ticket #{ticket.number} created.")
            return redirect(detail_page, pk=ticket.pk)
    context = {
        "form": form,
        "for_staff": for_staff,
        "cti": cti_options(form["category"].value(), form["type"].value()),
        "selected_item": form["item"].value(),
    }
    return render(request, "tickets/ticket_form.html", context, status=400 if data is not None else 200)


@agent_required
def ticket_create(request):
    return _create_page(request, for_staff=True, detail_page="ticket_detail")


@customer_required("ticket_create")
def portal_create(request):
    return _create_page(request, for_staff=False, detail_page="portal_ticket")
