"""Enforce the attachment size limit while the request body streams in.

Django's own handlers read a whole upload before anyone can look at its size; this one sits
first in FILE_UPLOAD_HANDLERS and stops the parser as soon as a file passes the limit, so a
2 GB body is never read to its end, let alone buffered. It cannot answer the request itself
(it runs inside whoever first touches request.POST, the CSRF middleware included), so it
marks the request and `uploaded_files()` turns the mark into a refusal: 413 in the API.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from .validation import MAX_FILES, MB, FileTooLarge

# Room for the form fields and multipart framing beside MAX_FILES full-size files.
FORM_ALLOWANCE = 5 * MB


class SizeLimitUploadHandler(FileUploadHandler):
    """Count each file's bytes and abort the upload once one goes over the limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self._limit = None
        self.received = 0

    @property
    def limit(self) -> int:
        if self._limit is None:
            from tickets.models import HelpdeskSettings

            self._limit = HelpdeskSettings.load().max_attachment_mb * MB
        return self._limit

    def _refuse(self):
        if self.request is not None:
            self.request.upload_too_large = self.limit
        # connection_reset: the parser must not read (exhaust) the rest of the body either.
        raise StopUpload(connection_reset=True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        """Refuse at once a body that cannot hold a valid upload, without reading any of it."""
        if content_length and content_length > MAX_FILES * self.limit + FORM_ALLOWANCE:
            if self.request is not None:
                self.request.upload_too_large = self.limit
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file


def uploaded_files(request, field: str = "files") -> list:
    """The files of a multipart request; FileTooLarge (413 in the API) if one was over the limit.

    Every view that accepts attachments takes its files through here: when the size handler
    stopped the upload, request.FILES holds only what came before, and must not be used.
    """
    files = request.FILES.getlist(field)
    limit = getattr(request, "upload_too_large", None)
    if limit:
        raise FileTooLarge(f"Each file must be at most {limit // MB} MB.")
    return files
