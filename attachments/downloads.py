"""The download response: the file streamed with headers that keep browsers from running it."""

import re
import unicodedata
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

from .models import Attachment

# Types a browser would render as a page or run script in, even from a download link.
ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/xsl",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "text/ecmascript",
        "application/x-shockwave-flash",
    }
)
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_UNQUOTABLE = re.compile(r'[^\x20-\x7e]|["\\]')


def safe_content_type(content_type: str) -> str:
    """The sniffed type, unless a browser could render it as a page: then octet-stream."""
    content_type = (content_type or "").split(";")[0].strip().lower()
    if not _MIME.match(content_type) or content_type in ACTIVE_TYPES:
        return "application/octet-stream"
    return content_type


def ascii_filename(filename: str) -> str:
    """The filename in printable ASCII for old clients: accents dropped, the rest replaced."""
    decomposed = unicodedata.normalize("NFKD", filename)
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_name = _UNQUOTABLE.sub("_", ascii_name).strip()
    return ascii_name or "attachment"


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name in RFC 5987 form."""
    return f"attachment; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(attachment: Attachment) -> FileResponse:
    try:
        handle = default_storage.open(attachment.file.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing.")
    response = FileResponse(handle, content_type=safe_content_type(attachment.content_type))
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser open it anyway, it runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
