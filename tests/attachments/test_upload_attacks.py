"""Hostile uploads (issue #10), sent every way a file comes in and downloaded back.

The ways in: the API (`POST /api/v1/tickets/{id}/attachments/`), the web (the portal's reply
form, and a guest's reply on the access page) and inbound email. The bodies are built by hand,
so a name reaches the server exactly as an attacker would send it (Django's test client would
clean it first). Whatever comes in, a download is an attachment under a safe name, with
`nosniff` and a sandboxing CSP, and never a page or an SVG a browser would render.
"""

import base64
import email.message
import gzip
import re
import shutil
import tarfile
import uuid
import zipfile
from urllib.parse import quote, unquote

import pytest
from django.test import Client
from rest_framework.test import APIClient

from attachments.models import Attachment
from tickets.actions.guests import issue_access_token, submit_guest_ticket
from tickets.mail.ingest import ingest_email
from tickets.models import Ticket

from ..tickets import mail_support
from . import samples
from .samples import stored_files

desk = mail_support.desk  # the fixture: the desk's address, for the email way in
pytestmark = pytest.mark.usefixtures("desk")

WAYS = ("api", "web", "guest", "email")
BOUNDARY = "----attack-boundary"
# Types a browser renders as a page or runs script in: never sent for a download.
ACTIVE = {"text/html", "image/svg+xml", "text/xml", "application/xml", "application/xhtml+xml"}
STORED_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}$")


def multipart(fields: dict, filename: str, content: bytes, declared: str = "image/png") -> bytes:
    """A multipart body with one file whose name is sent byte for byte, unescaped."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        f"Content-Type: {declared}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def mail_with_file(filename: str, content: bytes) -> bytes:
    """A new request from dave with one file; the name goes RFC 2231-encoded, so CR, LF and NUL
    reach the parser as they are."""
    payload = base64.encodebytes(content).decode().replace("\n", "\r\n")
    return (
        f"From: Dave Customer <dave@example.com>\r\nTo: {mail_support.DESK}\r\nSubject: Files\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.com>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\r\n\r\n'
        f"--{BOUNDARY}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe file is attached.\r\n"
        f"--{BOUNDARY}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; filename*=UTF-8''{quote(filename, safe='')}\r\n\r\n"
        f"{payload}\r\n--{BOUNDARY}--\r\n"
    ).encode()


@pytest.fixture
def env(people, ticket):
    guest_ticket = submit_guest_ticket(
        email="gina@example.com", subject="Guest problem", description="Help", category=people.category
    )
    return {
        "people": people,
        "ticket": ticket,
        "guest_ticket": guest_ticket,
        "guest_token": issue_access_token(ticket=guest_ticket),
    }


def send(way: str, env: dict, filename: str, content: bytes) -> tuple[int, list[Attachment]]:
    """Upload one file `way`; return the answer's status and the attachments it stored."""
    before = set(Attachment.objects.values_list("pk", flat=True))
    dave, ticket = env["people"].dave, env["ticket"]
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    if way == "api":
        client = APIClient()
        client.force_authenticate(dave)
        body = multipart({}, filename, content)
        status = client.post(
            f"/api/v1/tickets/{ticket.pk}/attachments/", body, content_type=content_type
        ).status_code
    elif way == "web":
        client = Client()
        client.force_login(dave)
        body = multipart({"body": "See the file."}, filename, content)
        status = client.post(
            f"/portal/tickets/{ticket.pk}/reply/", body, content_type=content_type
        ).status_code
    elif way == "guest":
        guest_ticket = env["guest_ticket"]
        body = multipart({"token": env["guest_token"], "body": "See the file."}, filename, content)
        status = Client().post(f"/t/{guest_ticket.pk}/reply/", body, content_type=content_type).status_code
    else:
        intake = ingest_email(mail_with_file(filename, content))
        assert intake.outcome == "created", intake
        status = 201
    return status, list(Attachment.objects.exclude(pk__in=before).order_by("pk"))


def downloads(env: dict, attachment: Attachment) -> list:
    """The file fetched every way it can be: API and page as staff; with the access link's token
    (page and API) for a guest's."""
    api = APIClient()
    api.force_authenticate(env["people"].bob)
    page = Client()
    page.force_login(env["people"].bob)
    answers = [api.get(f"/api/v1/attachments/{attachment.pk}/"), page.get(f"/attachments/{attachment.pk}/")]
    if attachment.ticket_id == env["guest_ticket"].pk:
        token = env["guest_token"]
        answers.append(Client().get(f"/t/{attachment.ticket_id}/files/{attachment.pk}/?token={token}"))
        answers.append(APIClient().get(f"/api/v1/attachments/{attachment.pk}/?token={token}"))
    return answers


# The only shape a download's Content-Disposition may take: the type, a quoted printable-ASCII
# fallback without quotes or backslashes, and the exact name percent-encoded (RFC 6266, 5987).
DISPOSITION = re.compile(
    r"attachment; filename=\"([\x20\x21\x23-\x5b\x5d-\x7e]+)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)"
)


def disposition(response) -> tuple[str, str]:
    """(ASCII fallback, exact name) of the answer's Content-Disposition, checked as a client reads it."""
    header = response["Content-Disposition"]
    found = DISPOSITION.fullmatch(header)
    assert found, header
    parsed = email.message.Message()  # a second, independent reader must agree
    parsed["Content-Disposition"] = header
    assert parsed.get_content_disposition() == "attachment"
    assert parsed.get_filename() == unquote(found[2])
    return found[1], unquote(found[2])


def assert_safe_download(response, attachment: Attachment, content: bytes) -> None:
    assert response.status_code == 200
    _fallback, exact_name = disposition(response)
    assert exact_name == attachment.filename
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Type"].split(";")[0] not in ACTIVE
    assert b"".join(response.streaming_content) == content


def assert_safe_name(name: str) -> None:
    assert 0 < len(name) <= 255
    assert not set(name) & {"/", "\\", "\0", "\r", "\n", "\u202e", "\u2066", '"'}
    assert not name.startswith(".")


# Content: what a browser would run if the file were served as what it is -----------------------

HOSTILE_CONTENT = [
    pytest.param("evil.svg", samples.SVG, "image/svg+xml", id="svg-with-script"),
    pytest.param("page.html", samples.HTML, "text/html", id="html"),
    pytest.param("photo.png", samples.HTML, "text/html", id="html-named-png"),
    pytest.param("page.xhtml", samples.XHTML, "text/xml", id="xhtml"),
    pytest.param("cat.gif", samples.GIF_HTML, "image/gif", id="gif-html-polyglot"),
    pytest.param("photo.jpg", samples.JPEG_HTML, "image/jpeg", id="jpeg-script-polyglot"),
    pytest.param("invoice.pdf", samples.PDF_JS, "application/pdf", id="pdf-with-javascript"),
    pytest.param("report.pdf", samples.HTML_THEN_PDF, "application/pdf", id="html-pdf-polyglot"),
]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(("filename", "content", "sniffed"), HOSTILE_CONTENT)
def test_a_hostile_file_is_kept_as_is_and_only_ever_downloaded(env, media, way, filename, content, sniffed):
    """Documents, images and pages are accepted (SPEC §7); the declared type is never trusted."""
    status, attachments = send(way, env, filename, content)
    assert status in (201, 302), status
    (attachment,) = attachments
    assert attachment.filename == filename
    assert attachment.content_type == sniffed  # read from the bytes; the upload said image/png
    assert STORED_NAME.match(attachment.file.name)
    for response in downloads(env, attachment):
        assert_safe_download(response, attachment, content)
        if sniffed in ACTIVE:
            assert response["Content-Type"] == "application/octet-stream"


# Archive bombs: stored as sent, never opened --------------------------------------------------


@pytest.fixture(scope="module")
def bombs():
    return {"zip": samples.zip_bomb(), "gz": samples.gzip_bomb()}


@pytest.fixture
def archives_opened(monkeypatch):
    """Every attempt to open an archive while the test runs (there must be none)."""
    opened = []

    def spy(name):
        def refuse(*args, **kwargs):
            opened.append(name)
            raise AssertionError(f"{name} opened an uploaded archive")

        return refuse

    monkeypatch.setattr(zipfile.ZipFile, "__init__", spy("zipfile"))
    monkeypatch.setattr(gzip.GzipFile, "__init__", spy("gzip"))
    monkeypatch.setattr(tarfile, "open", spy("tarfile"))
    monkeypatch.setattr(shutil, "unpack_archive", spy("unpack_archive"))
    return opened


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    ("kind", "filename", "sniffed"),
    [("zip", "logs.zip", "application/zip"), ("gz", "logs.gz", "application/gzip")],
)
def test_an_archive_bomb_is_stored_as_sent_and_never_expanded(
    env, media, settings, tmp_path, bombs, archives_opened, way, kind, filename, sniffed
):
    # Uploads over 64 KB spill to this directory while the request is read.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    bomb = bombs[kind]

    status, attachments = send(way, env, filename, bomb)

    assert status in (201, 302), status
    (attachment,) = attachments
    assert (attachment.size, attachment.content_type) == (len(bomb), sniffed)
    assert [(media / name).stat().st_size for name in stored_files(media)] == [len(bomb)]
    assert list((tmp_path / "upload-tmp").iterdir()) == []
    for response in downloads(env, attachment):
        assert_safe_download(response, attachment, bomb)
    assert archives_opened == []


# Names: paths, NUL, bidi overrides, header injection --------------------------------------------

# (name sent, name kept from a web or API upload, name kept from an email). Django's multipart
# parser reads the name first (keeping the last path part, the last `filename=`, dropping
# unprintables); a mail name arrives exactly as sent (RFC 2231). `sanitize_filename` does the rest.
LONG = "x" * 600 + ".txt"
HOSTILE_NAMES = [
    pytest.param("../../etc/passwd", "passwd", "passwd", id="dot-dot-slash"),
    pytest.param("..\\..\\windows\\win.ini", "win.ini", "win.ini", id="dot-dot-backslash"),
    pytest.param("/etc/passwd", "passwd", "passwd", id="absolute-unix"),
    pytest.param("C:\\Windows\\System32\\drivers\\etc\\hosts", "hosts", "hosts", id="absolute-windows"),
    pytest.param("..", None, "attachment", id="only-dots"),  # None: Django's parser drops the file
    pytest.param("report\0.txt", "report.txt", "report.txt", id="nul"),
    pytest.param(LONG, "x" * 251 + ".txt", "x" * 251 + ".txt", id="very-long"),
    pytest.param("invoice\u202efdp.txt", "invoicefdp.txt", "invoicefdp.txt", id="rtl-override"),
    pytest.param('a"; filename="evil.html', "evil.html", "a_; filename=_evil.html", id="quote-new-parameter"),
    pytest.param(
        "notes; filename=evil.html", "notes; filename=evil.html", "notes; filename=evil.html", id="semicolon"
    ),
    pytest.param("a\r\nX-Injected: yes\r\n.txt", "_a", "aX-Injected_ yes.txt", id="cr-lf"),
    pytest.param(
        "a&#13;&#10;Set-Cookie: x=1.txt",
        "aSet-Cookie_ x=1.txt",
        "a&#13;&#10;Set-Cookie_ x=1.txt",
        id="cr-lf-as-html-entities",
    ),
]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(("filename", "from_web", "from_mail"), HOSTILE_NAMES)
def test_a_hostile_name_is_stored_safe_and_sent_back_safe(env, media, way, filename, from_web, from_mail):
    status, attachments = send(way, env, filename, samples.TEXT)
    expected = from_mail if way == "email" else from_web
    if expected is None:  # the API answers that no file came; the web reply is sent without it
        assert (status, attachments) == ({"api": 400}.get(way, 302), [])
        return
    assert status in (201, 302), status
    (attachment,) = attachments
    assert attachment.filename == expected
    assert_safe_name(attachment.filename)
    # No part of the name reaches the storage path: the file is under the root, at a random name.
    assert STORED_NAME.match(attachment.file.name)
    assert stored_files(media) == [attachment.file.name]
    for response in downloads(env, attachment):
        assert_safe_download(response, attachment, samples.TEXT)


@pytest.mark.parametrize("way", ["api", "web", "guest"])
def test_a_name_too_long_for_a_multipart_header_is_a_clear_400(env, media, way):
    """Django refuses part headers over 1 KB; the answer says so, and nothing is stored."""
    status, attachments = send(way, env, "x" * 1100 + ".txt", samples.TEXT)
    assert (status, attachments, stored_files(media)) == (400, [], [])


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "filename",
    [
        pytest.param("evil.exe\0.txt", id="nul-hides-exe"),
        pytest.param("photo\u202egnp.exe", id="rtl-override-hides-exe"),
        pytest.param("..\\..\\startup\\run.bat", id="traversal-to-bat"),
        pytest.param("install.sh.", id="trailing-dot"),
        # Files Windows runs (or opens with full rights) on a double click, whatever is inside.
        pytest.param("help.hta", id="html-application"),
        pytest.param("invoice.pdf.js", id="jscript"),
        pytest.param("update.jse", id="encoded-jscript"),
        pytest.param("tool.jar", id="java-archive"),
        pytest.param("run.com", id="dos-program"),
        pytest.param("settings.reg", id="registry-file"),
        pytest.param("report.lnk", id="shortcut"),
    ],
)
def test_a_program_hidden_behind_a_trick_name_is_refused(env, media, way, filename):
    status, attachments = send(way, env, filename, samples.TEXT)
    assert attachments == []
    assert stored_files(media) == []
    assert status == {"api": 400, "web": 302, "guest": 302, "email": 201}[way]
    if way == "email":  # the message is taken in, with a note saying what was left out
        assert "Attachment not accepted" in Ticket.objects.latest("pk").description
