"""The backup procedure of docs/operations.md works: a pg_dump restored into a fresh database
holds every ticket, and the copied attachment folder holds every file."""

import shutil
import subprocess  # nosec B404 - fixed commands, no shell
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from attachments.actions import attach_files
from attachments.models import Attachment
from tests.factories import make_ticket
from tickets.models import Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("pg_dump") or not shutil.which("pg_restore"), reason="no pg tools"),
]


def _pg(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=120)  # nosec B603


def test_a_dump_and_the_attachment_folder_restore_every_ticket_and_file(people, settings, tmp_path):
    settings.MEDIA_ROOT = settings.ATTACHMENT_DIR = str(tmp_path / "live-files")
    tickets = [make_ticket(people.dave, people.category, subject=f"Backup me {n}") for n in range(3)]
    attachment = attach_files(
        ticket=tickets[0],
        actor=people.dave,
        files=[SimpleUploadedFile("report.txt", b"the report", content_type="text/plain")],
    )[0]

    db = connection.settings_dict
    host, user = db.get("HOST") or "127.0.0.1", db.get("USER") or "postgres"
    dump = tmp_path / "helpdesk.dump"
    # The procedure of docs/operations.md: dump the database, copy the attachment folder.
    _pg("pg_dump", "-h", host, "-U", user, "-Fc", "-f", str(dump), db["NAME"])
    backup_files = tmp_path / "backup-files"
    shutil.copytree(settings.ATTACHMENT_DIR, backup_files)

    fresh = f"restore_{uuid.uuid4().hex[:12]}"
    _pg("createdb", "-h", host, "-U", user, fresh)
    try:
        _pg("pg_restore", "-h", host, "-U", user, "--no-owner", "-d", fresh, str(dump))
        with psycopg.connect(
            host=host, user=user, dbname=fresh, password=db.get("PASSWORD") or None
        ) as restored:
            rows = restored.execute(f"SELECT id, subject FROM {Ticket._meta.db_table}").fetchall()  # nosec B608
            files = restored.execute(
                f"SELECT ticket_id, file FROM {Attachment._meta.db_table}"  # nosec B608
            ).fetchall()
    finally:
        _pg("dropdb", "-h", host, "-U", user, "--if-exists", fresh)

    assert {(t.pk, t.subject) for t in tickets} <= set(rows)
    assert (tickets[0].pk, attachment.file.name) in files
    assert (Path(backup_files) / attachment.file.name).read_bytes() == b"the report"
