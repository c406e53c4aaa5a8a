"""Attachments API (API.md): upload, download for each role, headers, and the streaming limit."""

import io
from urllib.parse import quote

import pytest
from django.core.files.uploadhandler import StopUpload
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from accounts.models import Role
from attachments.actions import attach_files
from attachments.models import Attachment
from attachments.uploadhandlers import SizeLimitUploadHandler
from attachments.validation import MB
from tests.factories import make_ticket, make_user
from tickets import actions
from tickets.actions.customer import add_participant
from tickets.models import HelpdeskSettings

from . import samples
from .samples import stored_files, upload


def upload_url(ticket_id) -> str:
    return f"/api/v1/tickets/{ticket_id}/attachments/"


def download_url(attachment_id) -> str:
    return f"/api/v1/attachments/{attachment_id}/"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


class TestAttachmentUpload:
    def test_the_requester_uploads_files_and_gets_them_back(self, api, people, ticket):
        response = api(people.dave).post(
            upload_url(ticket.pk),
            {"files": [upload("report.pdf", samples.PDF), upload("dot.png", samples.png())]},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        first, second = response.json()
        assert set(first) == {"id", "filename", "size", "content_type", "url"}
        assert first["filename"] == "report.pdf" and first["content_type"] == "application/pdf"
        assert first["size"] == len(samples.PDF)
        assert first["url"].endswith(download_url(first["id"]))
        assert second["content_type"] == "image/png"
        assert ticket.attachments.count() == 2

    def test_an_upload_counts_its_queries(self, api, people, ticket, django_assert_max_num_queries):
        # the ticket; the size limit (upload handler); savepoint; the settings; the ticket lock
        # and re-read; one INSERT for all rows; the history row; updated_at; release
        with django_assert_max_num_queries(10):
            response = api(people.dave).post(
                upload_url(ticket.pk), {"files": [upload(f"n{i}.txt") for i in range(5)]}, format="multipart"
            )
        assert response.status_code == 201 and len(response.json()) == 5

    def test_staff_upload_to_a_ticket_they_see(self, api, people, ticket):
        response = api(people.bob).post(
            upload_url(ticket.pk), {"files": [upload("a.txt")]}, format="multipart"
        )
        assert response.status_code == 201

    def test_eleven_files_are_refused(self, api, people, ticket, media):
        files = [upload(f"n{i}.txt") for i in range(11)]
        response = api(people.dave).post(upload_url(ticket.pk), {"files": files}, format="multipart")
        assert response.status_code == 400
        assert "At most 10" in response.json()["files"][0]
        assert not Attachment.objects.exists() and stored_files(media) == []

    def test_far_too_many_files_are_refused_before_they_are_read(self, api, people, ticket, media):
        files = [upload(f"n{i}.txt") for i in range(25)]
        response = api(people.dave).post(upload_url(ticket.pk), {"files": files}, format="multipart")
        assert response.status_code == 400
        assert not Attachment.objects.exists() and stored_files(media) == []

    def test_an_empty_file_is_refused(self, api, people, ticket, media):
        response = api(people.dave).post(
            upload_url(ticket.pk), {"files": [upload("empty.txt", b"")]}, format="multipart"
        )
        assert response.status_code == 400
        assert "empty" in response.json()["files"][0]
        assert stored_files(media) == []

    def test_no_file_is_refused(self, api, people, ticket):
        response = api(people.dave).post(upload_url(ticket.pk), {"note": "x"}, format="multipart")
        assert response.status_code == 400
        assert "files" in response.json()

    def test_an_elf_binary_named_report_pdf_is_refused_and_nothing_is_stored(
        self, api, people, ticket, media
    ):
        response = api(people.dave).post(
            upload_url(ticket.pk),
            {"files": [upload("notes.txt"), upload("report.pdf", samples.elf(), "application/pdf")]},
            format="multipart",
        )
        assert response.status_code == 400
        assert "report.pdf" in response.json()["files"][0]
        assert not Attachment.objects.exists() and stored_files(media) == []

    @pytest.mark.parametrize(
        "name, content",
        [
            ("evil.PDF.exe", samples.PDF),
            ("setup.exe", samples.pe()),
            ("photo.jpg", samples.pe(dll=True)),
            ("notes.txt", samples.macho()),
            ("notes.txt", samples.SHELL_SCRIPT),
            ("script.ps1", b"Remove-Item -Recurse C:\\\n"),
        ],
    )
    def test_programs_and_scripts_are_refused(self, api, people, ticket, media, name, content):
        response = api(people.dave).post(
            upload_url(ticket.pk), {"files": [upload(name, content)]}, format="multipart"
        )
        assert response.status_code == 400
        assert stored_files(media) == []

    def test_a_26_mb_file_answers_413_and_nothing_is_stored(self, api, people, ticket, media):
        big = upload("big.bin", b"\0" * (26 * MB))
        response = api(people.dave).post(upload_url(ticket.pk), {"files": [big]}, format="multipart")
        assert response.status_code == 413
        assert "25 MB" in response.json()["detail"]
        assert not Attachment.objects.exists() and stored_files(media) == []

    def test_a_2_gb_body_answers_413_before_it_is_read(self, api, people, ticket, media):
        data = encode_multipart(BOUNDARY, {"files": upload("big.bin", b"\0" * 1024)})
        response = api(people.dave).generic(
            "POST", upload_url(ticket.pk), data, MULTIPART_CONTENT, CONTENT_LENGTH=str(2 * 1024 * 1024 * MB)
        )
        assert response.status_code == 413
        assert stored_files(media) == []

    def test_the_limit_follows_the_admin_setting(self, api, people, ticket):
        HelpdeskSettings.objects.update_or_create(pk=1, defaults={"max_attachment_mb": 1})
        response = api(people.dave).post(
            upload_url(ticket.pk), {"files": [upload("big.txt", b"x" * (MB + 10))]}, format="multipart"
        )
        assert response.status_code == 413

    def test_a_hostile_filename_is_stored_sanitised(self, api, people, ticket):
        name = "../../\u202eevil\x00\u2066" + "x" * 1000 + ".pdf"
        response = api(people.dave).post(
            upload_url(ticket.pk), {"files": [upload(name, samples.PDF)]}, format="multipart"
        )
        assert response.status_code == 201
        filename = response.json()[0]["filename"]
        assert filename.endswith(".pdf") and len(filename) <= 255
        assert not set(filename) & {"/", "\\", "\r", "\n", "\x00", "\u202e"}

    def test_a_filename_with_cr_lf_cannot_inject_anything(self, api, people, ticket):
        response = api(people.dave).post(
            upload_url(ticket.pk),
            {"files": [upload("a.txt\r\nX-Injected: 1\r\n.pdf", samples.PDF)]},
            format="multipart",
        )
        assert response.status_code in (201, 400)
        for attachment in Attachment.objects.all():
            assert "\r" not in attachment.filename and "\n" not in attachment.filename

    def test_json_is_not_an_upload(self, api, people, ticket):
        response = api(people.dave).post(upload_url(ticket.pk), {"files": []}, format="json")
        assert response.status_code == 415

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_someone_who_cannot_see_the_ticket_gets_404(self, api, people, ticket, media, who):
        response = api(getattr(people, who)).post(
            upload_url(ticket.pk), {"files": [upload("a.txt")]}, format="multipart"
        )
        assert response.status_code == 404
        assert stored_files(media) == []

    def test_anonymous_gets_401(self, api, ticket, media):
        response = api().post(upload_url(ticket.pk), {"files": [upload("a.txt")]}, format="multipart")
        assert response.status_code == 401
        assert stored_files(media) == []

    def test_a_customer_cannot_attach_to_a_closed_ticket(self, api, people, ticket):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        response = api(people.dave).post(
            upload_url(ticket.pk), {"files": [upload("a.txt")]}, format="multipart"
        )
        assert response.status_code == 409
        assert not Attachment.objects.exists()


@pytest.fixture
def frank(people, ticket):
    """A customer copied in on dave's ticket (a participant)."""
    frank = make_user(Role.CUSTOMER, email="frank@example.com", name="Frank Participant")
    add_participant(ticket=ticket, actor=people.dave, user=frank)
    return frank


@pytest.fixture
def public_file(people, ticket):
    return attach_files(ticket=ticket, actor=people.dave, files=[upload("report.pdf", samples.PDF)])[0]


@pytest.fixture
def note_file(people, ticket):
    note = actions.add_message(
        ticket=ticket, actor=people.bob, body="Vendor quote", internal=True, files=[upload("quote.txt")]
    )
    return note.attachments.get()


class TestAttachmentDownload:
    @pytest.mark.parametrize("who", ["dave", "frank", "bob", "alice"])
    def test_people_who_see_the_ticket_download_the_file(self, api, people, frank, public_file, who):
        user = frank if who == "frank" else getattr(people, who)
        response = api(user).get(download_url(public_file.pk))
        assert response.status_code == 200
        assert body(response) == samples.PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == (
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        )

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_cannot_see_the_ticket_get_404(self, api, people, public_file, who):
        response = api(getattr(people, who)).get(download_url(public_file.pk))
        assert response.status_code == 404

    def test_another_customers_attachment_is_404_even_for_a_requester(self, api, people, public_file):
        erins = make_ticket(people.erin, people.category)
        erins_file = attach_files(ticket=erins, actor=people.erin, files=[upload("private.txt")])[0]
        assert api(people.dave).get(download_url(erins_file.pk)).status_code == 404
        assert api(people.erin).get(download_url(erins_file.pk)).status_code == 200

    def test_restricted_staff_download_inside_their_scope(self, api, people, ticket, public_file):
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        assert api(people.carol).get(download_url(public_file.pk)).status_code == 200

    def test_anonymous_gets_401(self, api, public_file):
        assert api().get(download_url(public_file.pk)).status_code == 401

    def test_an_unknown_id_is_404(self, api, people):
        assert api(people.bob).get(download_url(999999)).status_code == 404

    @pytest.mark.parametrize("who", ["dave", "frank"])
    def test_customers_get_404_for_an_internal_notes_attachment(self, api, people, frank, note_file, who):
        user = frank if who == "frank" else people.dave
        assert api(user).get(download_url(note_file.pk)).status_code == 404

    def test_staff_download_an_internal_notes_attachment(self, api, people, note_file):
        assert api(people.bob).get(download_url(note_file.pk)).status_code == 200

    def test_customers_get_404_for_the_attachment_of_a_deleted_reply(self, api, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Log", files=[upload("log.txt")])
        actions.delete_message(message=message, actor=people.dave)
        attachment = message.attachments.get()
        assert api(people.dave).get(download_url(attachment.pk)).status_code == 404
        assert api(people.bob).get(download_url(attachment.pk)).status_code == 200

    def test_customers_get_404_once_the_ticket_is_spam(self, api, people, ticket, public_file):
        actions.mark_spam(ticket=ticket, actor=people.bob)
        assert api(people.dave).get(download_url(public_file.pk)).status_code == 404

    @pytest.mark.parametrize("name, content", [("page.html", samples.HTML), ("image.svg", samples.SVG)])
    def test_html_and_svg_are_served_as_octet_stream(self, api, people, ticket, name, content):
        attachment = attach_files(ticket=ticket, actor=people.dave, files=[upload(name, content)])[0]
        response = api(people.dave).get(download_url(attachment.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
        assert body(response) == content

    def test_a_unicode_name_has_an_ascii_fallback_and_the_exact_name(self, api, people, ticket):
        name = "Größe résumé 日本.pdf"
        attachment = attach_files(ticket=ticket, actor=people.dave, files=[upload(name, samples.PDF)])[0]
        header = api(people.dave).get(download_url(attachment.pk))["Content-Disposition"]
        assert header == f"attachment; filename=\"Gro_e resume __.pdf\"; filename*=UTF-8''{quote(name)}"

    def test_quotes_in_a_name_cannot_break_the_header(self, api, people, ticket):
        attachment = attach_files(ticket=ticket, actor=people.dave, files=[upload('a";b=c.txt')])[0]
        header = api(people.dave).get(download_url(attachment.pk))["Content-Disposition"]
        assert header.startswith('attachment; filename="a_;b=c.txt"; ')

    def test_any_accept_header_gets_the_file(self, api, people, public_file):
        response = api(people.dave).get(download_url(public_file.pk), HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200

    # A customer: the attachment joined to the tickets they take part in (one query). Staff
    # add their permissions (user, group) for the view_all check.
    @pytest.mark.parametrize("who, expected", [("dave", 1), ("bob", 3)])
    def test_a_download_counts_its_queries(
        self, api, people, public_file, django_assert_num_queries, who, expected
    ):
        with django_assert_num_queries(expected):
            response = api(getattr(people, who)).get(download_url(public_file.pk))
        assert response.status_code == 200


class TestWebDownload:
    def test_the_requester_downloads_from_the_page_link(self, client, people, public_file):
        client.force_login(people.dave)
        response = client.get(f"/attachments/{public_file.pk}/")
        assert response.status_code == 200
        assert body(response) == samples.PDF
        assert response["Content-Disposition"].startswith('attachment; filename="report.pdf"')
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_anonymous_is_sent_to_log_in(self, client, public_file):
        response = client.get(f"/attachments/{public_file.pk}/")
        assert response.status_code == 302
        assert "/login/" in response["Location"]

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_cannot_see_the_ticket_get_404(self, client, people, public_file, who):
        client.force_login(getattr(people, who))
        assert client.get(f"/attachments/{public_file.pk}/").status_code == 404

    def test_a_customer_gets_404_for_an_internal_notes_attachment(self, client, people, note_file):
        client.force_login(people.dave)
        assert client.get(f"/attachments/{note_file.pk}/").status_code == 404


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def multipart_request(data: bytes):
    request = HttpRequest()
    request.method = "POST"
    request.META = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(data))}
    stream = CountingStream(data)
    return request, stream


@pytest.mark.django_db
class TestSizeLimitUploadHandler:
    def test_it_raises_once_the_limit_is_passed_without_taking_the_rest(self):
        HelpdeskSettings.objects.update_or_create(pk=1, defaults={"max_attachment_mb": 1})
        request = HttpRequest()
        handler = SizeLimitUploadHandler(request)
        handler.new_file("files", "big.bin", "application/octet-stream", None)
        chunks = (b"x" * (64 * 1024) for _ in range(1000))  # 64 MB on offer
        taken = 0
        with pytest.raises(StopUpload) as stopped:
            for chunk in chunks:
                taken += len(chunk)
                handler.receive_data_chunk(chunk, taken - len(chunk))
        assert stopped.value.connection_reset
        assert taken == MB + 64 * 1024  # the first chunk past 1 MB, and nothing after it
        assert request.upload_too_large == MB

    def test_the_count_restarts_for_each_file(self):
        HelpdeskSettings.objects.update_or_create(pk=1, defaults={"max_attachment_mb": 1})
        handler = SizeLimitUploadHandler(HttpRequest())
        for name in ("a.bin", "b.bin"):
            handler.new_file("files", name, "application/octet-stream", None)
            assert handler.receive_data_chunk(b"x" * MB, 0) == b"x" * MB

    def test_the_parser_stops_reading_the_body_at_the_limit(self):
        HelpdeskSettings.objects.update_or_create(pk=1, defaults={"max_attachment_mb": 1})
        data = encode_multipart(BOUNDARY, {"files": upload("big.bin", b"\0" * (8 * MB))})
        request, stream = multipart_request(data)
        handlers = [
            SizeLimitUploadHandler(request),
            *request.upload_handlers[1:],  # Django's own, as configured in settings
        ]
        parser = MultiPartParser(request.META, stream, handlers)
        post, files = parser.parse()
        assert request.upload_too_large == MB
        assert "files" not in files
        assert stream.consumed < 2 * MB  # of an 8 MB body

    def test_a_body_too_big_to_be_valid_is_refused_without_reading_it(self):
        HelpdeskSettings.objects.update_or_create(pk=1, defaults={"max_attachment_mb": 1})
        request = HttpRequest()
        stream = CountingStream(b"")
        handler = SizeLimitUploadHandler(request)
        two_gb = 2 * 1024 * MB
        post, files = handler.handle_raw_input(stream, {}, two_gb, BOUNDARY)
        assert not files and request.upload_too_large == MB
        assert stream.consumed == 0


class TestAttachmentListPartial:
    def test_it_shows_name_human_size_and_the_download_link(self, people, ticket):
        from django.template.loader import render_to_string

        attach_files(ticket=ticket, actor=people.dave, files=[upload("Tom & Jerry's log.txt", b"x" * 2048)])
        html = render_to_string(
            "attachments/includes/_attachment_list.html", {"attachments": ticket.attachments.all()}
        )
        attachment = ticket.attachments.get()
        assert f'href="/attachments/{attachment.pk}/"' in html
        assert "2.0\xa0KB" in html
        assert "Tom &amp; Jerry&#x27;s log.txt" in html

    def test_nothing_is_rendered_without_attachments(self):
        from django.template.loader import render_to_string

        assert (
            render_to_string("attachments/includes/_attachment_list.html", {"attachments": []}).strip() == ""
        )
