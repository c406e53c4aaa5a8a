"""htmx partials: small pieces of a page, fetched as the user works."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors import cti_options


@require_GET
@login_required
def cti_options_partial(request):
    """The type and item selects for the chosen category (and type): the CTI cascade."""
    cti = cti_options(request.GET.get("category"), request.GET.get("type"))
    return render(
        request,
        "tickets/includes/_cti_children.html",
        {"cti": cti, "selected_item": request.GET.get("item")},
    )
