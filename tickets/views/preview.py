"""Markdown preview of a reply box (htmx): the same renderer the saved message goes through."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ..markup import render_markdown

MAX_PREVIEW = 50_000


@require_POST
def markdown_preview(request):
    """Logged-in staff and customers only; CSRF-protected like every POST."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    body = request.POST.get("body", "")
    if len(body) > MAX_PREVIEW:
        return HttpResponseBadRequest("The text is too long to preview.", content_type="text/plain")
    return render(request, "tickets/includes/_markdown_preview_result.html", {"html": render_markdown(body)})
