"""Server-rendered side of attachments: the download link of the ticket page."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from .access import access_attachment_by_id
from .downloads import download_response


@require_GET
@login_required
def attachment_download(request, attachment_id: int):
    """The file, with the same rules as the API; guests' token links come with the guest app."""
    return download_response(access_attachment_by_id(request.user, attachment_id))
