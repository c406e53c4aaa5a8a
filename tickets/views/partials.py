"""htmx partials: small pieces of a page, fetched as the user works."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import HelpdeskSettings
from ..selectors import cti_options


@require_GET
def cti_options_partial(request):
    """The type and item selects for the chosen category (and type): the CTI cascade.

    Anonymous visitors get it too while guest submission is on: the public form /submit
    uses it, and the catalogue is public then anyway (GET /api/v1/categories/).
    """
    if not request.user.is_authenticated and not HelpdeskSettings.load().guest_submission_enabled:
        return redirect_to_login(request.get_full_path())
    cti = cti_options(request.GET.get("category"), request.GET.get("type"))
    return render(
        request,
        "tickets/includes/_cti_children.html",
        {"cti": cti, "selected_item": request.GET.get("item")},
    )
