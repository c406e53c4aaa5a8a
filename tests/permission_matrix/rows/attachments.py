"""Matrix rows: attachments: upload and download, API and pages."""

from tests.permission_matrix.matrix import C, tid, upload

ROWS = {
    "api/v1/tickets/<int:ticket_id>/attachments/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/attachments/",
            "401 201 201 404 404 201 201",
            upload,
            fmt="multipart",
        ),
    ],
    "api/v1/attachments/<int:attachment_id>/": [
        C("get", lambda w: f"/api/v1/attachments/{w.attachment.pk}/", "401 200 200 404 404 200 200"),
    ],
    "attachments/<int:attachment_id>/": [
        C("get", lambda w: f"/attachments/{w.attachment.pk}/", "302 200 200 404 404 200 200"),
    ],
}
