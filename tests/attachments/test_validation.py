"""What may be attached (SPEC §7): names, sizes, and programs caught by their bytes."""

import pytest

from attachments.validation import (
    MAX_FILES,
    MB,
    FileTooLarge,
    blocked_extension,
    check_file,
    check_files,
    sanitize_filename,
)
from tickets.errors import ActionRefused

from . import samples
from .samples import upload

LIMIT = 25 * MB


class TestSanitizeFilename:
    def test_path_components_are_dropped(self):
        assert sanitize_filename("../../etc/passwd") == "passwd"
        assert sanitize_filename("..\\..\\Windows\\win.ini") == "win.ini"
        assert sanitize_filename("C:\\Users\\dave\\report.pdf") == "report.pdf"

    def test_nul_and_control_characters_are_removed(self):
        assert sanitize_filename("repo\x00rt.pdf") == "report.pdf"
        assert sanitize_filename("a\x07b\x1bc.txt") == "abc.txt"

    def test_cr_and_lf_cannot_split_a_header(self):
        name = sanitize_filename('x.txt"\r\nSet-Cookie: a=b')
        assert "\r" not in name and "\n" not in name
        assert '"' not in name

    def test_bidi_override_characters_are_removed(self):
        # Displayed as "invoice_exe.pdf"-like trickery: the override is gone, the truth shows.
        assert sanitize_filename("invoice\u202efdp.exe") == "invoicefdp.exe"
        assert sanitize_filename("a\u2066b\u2069\u200bc.txt") == "abc.txt"

    def test_a_long_name_is_cut_to_255_characters_keeping_its_extension(self):
        name = sanitize_filename("a" * 1000 + ".pdf")
        assert len(name) == 255
        assert name.endswith(".pdf")

    def test_a_long_name_without_a_short_extension_is_cut(self):
        assert len(sanitize_filename("b" * 300 + "." + "c" * 300)) == 255

    def test_nothing_left_gives_a_neutral_name(self):
        assert sanitize_filename("") == "attachment"
        assert sanitize_filename("..") == "attachment"
        assert sanitize_filename("/\x00/") == "attachment"

    def test_leading_dots_and_trailing_dots_and_spaces_are_dropped(self):
        assert sanitize_filename(".htaccess") == "htaccess"
        assert sanitize_filename("report.pdf. . ") == "report.pdf"

    def test_unicode_names_are_kept(self):
        assert sanitize_filename("Größe – résumé 日本.pdf") == "Größe – résumé 日本.pdf"

    def test_windows_reserved_characters_are_replaced(self):
        assert sanitize_filename('a<b>c:d|e?f*g".txt') == "a_b_c_d_e_f_g_.txt"


class TestBlockedExtension:
    @pytest.mark.parametrize(
        "name",
        [
            "setup.exe",
            "SETUP.EXE",
            "run.bat",
            "run.cmd",
            "install.sh",
            "script.ps1",
            "macro.vbs",
            "lib.dll",
            "libfoo.so",
            "libfoo.dylib",
            "evil.PDF.exe",
            "a.exe.pdf",
            "archive.sh.tar.gz",
            "evil.exe.",
            "evil.exe . ",
            "evil\u202efdp.exe",
            "dir/evil.exe",
        ],
    )
    def test_programs_and_scripts_are_refused_anywhere_in_the_suffix_chain(self, name):
        assert blocked_extension(name) is not None

    @pytest.mark.parametrize(
        "name",
        ["report.pdf", "archive.tar.gz", "photo.JPEG", "notes.txt", "sheet.xlsx", "shell", "exe", ".sh"],
    )
    def test_documents_are_accepted(self, name):
        assert blocked_extension(name) is None


class TestCheckFile:
    @pytest.mark.parametrize(
        "name, content",
        [
            ("report.pdf", samples.elf()),
            ("data.bin", samples.elf(3)),
            ("photo.jpg", samples.pe()),
            ("library.zip", samples.pe(dll=True)),
            ("notes.txt", samples.macho()),
            ("notes.txt", samples.macho(6)),
            ("notes.txt", samples.SHELL_SCRIPT),
            ("readme.md", samples.BASH_SCRIPT),
            ("readme.txt", samples.BATCH_SCRIPT),
            ("tool.txt", samples.PYTHON_SCRIPT),
        ],
    )
    def test_a_program_is_refused_by_its_bytes_whatever_it_is_called(self, name, content):
        with pytest.raises(ActionRefused) as refused:
            check_file(upload(name, content), LIMIT)
        assert refused.value.code == "invalid" and refused.value.field == "files"
        assert name in refused.value.reason

    def test_a_refused_extension_is_refused_even_with_harmless_bytes(self):
        with pytest.raises(ActionRefused, match="exe"):
            check_file(upload("evil.PDF.exe", samples.PDF), LIMIT)

    @pytest.mark.parametrize(
        "name, content, content_type",
        [
            ("report.pdf", samples.PDF, "application/pdf"),
            ("dot.png", samples.png(), "image/png"),
            ("notes.txt", samples.TEXT, "text/plain"),
            ("page.html", samples.HTML, "text/html"),
        ],
    )
    def test_documents_are_accepted_with_their_sniffed_type(self, name, content, content_type):
        checked = check_file(upload(name, content, content_type="application/x-msdownload"), LIMIT)
        assert checked.content_type == content_type
        assert checked.size == len(content)
        assert checked.filename == name

    def test_an_empty_file_is_refused(self):
        with pytest.raises(ActionRefused, match="empty"):
            check_file(upload("empty.txt", b""), LIMIT)

    def test_a_file_over_the_limit_is_refused_as_too_large(self):
        with pytest.raises(FileTooLarge) as refused:
            check_file(upload("big.txt", b"x" * (MB + 1)), MB)
        assert refused.value.code == "too_large"

    def test_a_file_of_exactly_the_limit_is_accepted(self):
        assert check_file(upload("big.txt", b"x" * MB), MB).size == MB

    def test_the_name_is_sanitised(self):
        checked = check_file(upload("x" * 1000 + ".pdf", samples.PDF), LIMIT)
        assert len(checked.filename) == 255 and checked.filename.endswith(".pdf")


@pytest.mark.django_db
class TestCheckFiles:
    def test_ten_files_are_accepted(self):
        assert len(check_files([upload(f"n{i}.txt") for i in range(MAX_FILES)])) == MAX_FILES

    def test_eleven_files_are_refused(self):
        with pytest.raises(ActionRefused, match="At most 10"):
            check_files([upload(f"n{i}.txt") for i in range(MAX_FILES + 1)])

    def test_no_file_is_refused(self):
        with pytest.raises(ActionRefused):
            check_files([])

    def test_one_refused_file_refuses_the_upload(self):
        with pytest.raises(ActionRefused, match="report.pdf"):
            check_files([upload("a.txt"), upload("report.pdf", samples.elf()), upload("b.txt")])

    def test_the_limit_comes_from_the_settings(self):
        from tickets.models import HelpdeskSettings

        HelpdeskSettings.objects.update_or_create(pk=1, defaults={"max_attachment_mb": 1})
        with pytest.raises(FileTooLarge, match="1 MB"):
            check_files([upload("big.txt", b"x" * (MB + 1))])
