"""What may be attached (SPEC §7): every rule on names, sizes and content in one place.

Refused: executables and scripts, by name and by the bytes themselves, so renaming a program
to `report.pdf` does not get it in; empty files; more than MAX_FILES at once; files over the
admin's size limit. Names are cleaned for display and for the download header.
"""

import os
import unicodedata
from dataclasses import dataclass

import magic

from tickets.errors import ActionRefused
from tickets.models import HelpdeskSettings

MAX_FILES = 10
MB = 1024 * 1024
MAX_NAME = 255
MAX_EXTENSION = 16
SNIFF_BYTES = 64 * 1024
FALLBACK_NAME = "attachment"

# SPEC §7's list, plus more names under which Windows or a Unix shell runs a file: Windows
# opens an .hta (HTML), a .js or a .reg with full rights on a double click, whatever its bytes.
BLOCKED_EXTENSIONS = frozenset(
    {"exe", "bat", "cmd", "sh", "ps1", "vbs", "dll", "so", "dylib"}
    | {"scr", "msi", "pif", "cpl", "vbe", "wsf", "psm1", "bash", "zsh", "ksh", "csh"}
    | {"com", "hta", "js", "jse", "jar", "lnk", "msc", "msp", "reg", "scf", "wsc", "wsh"}
)
# What libmagic calls programs: native executables, shared objects and scripts.
BLOCKED_TYPES = frozenset(
    {
        "application/x-executable",
        "application/x-pie-executable",
        "application/x-sharedlib",
        "application/x-object",
        "application/x-mach-binary",
        "application/x-mach-o-executable",
        "application/vnd.microsoft.portable-executable",
        "application/x-dosexec",
        "application/x-msdownload",
        "application/x-ms-dos-executable",
        "application/x-msdos-program",
        "text/x-shellscript",
        "application/x-shellscript",
        "application/x-sh",
        "text/x-sh",
        "text/x-msdos-batch",
        "application/x-msdos-batch",
        "application/x-bat",
    }
)
# Characters Windows refuses in names, and quotes that would end a header's quoted string.
_REPLACED = set('<>:"|?*\\/')


class FileTooLarge(ActionRefused):
    """A file over the size limit: the API answers 413."""

    def __init__(self, reason: str):
        super().__init__(reason, "too_large", "files")


@dataclass(frozen=True)
class CheckedFile:
    file: object
    filename: str
    size: int
    content_type: str


def max_attachment_bytes() -> int:
    return HelpdeskSettings.load().max_attachment_mb * MB


def _clean(name: str) -> str:
    """The last path component without control, format (bidi, zero-width) or reserved characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            continue  # NUL, CR/LF, U+202E and friends: nothing a person should see
        kept.append("_" if char in _REPLACED else " " if category == "Zs" else char)
    # Windows drops trailing dots and spaces ("evil.exe." runs as evil.exe); leading dots hide files.
    return "".join(kept).strip(" .").lstrip(".").strip()


def sanitize_filename(name: str) -> str:
    """A name safe to show and to send in Content-Disposition; at most 255 characters.

    A long name loses the end of its stem, never its extension.
    """
    name = _clean(name) or FALLBACK_NAME
    if len(name) <= MAX_NAME:
        return name
    stem, ext = os.path.splitext(name)
    if not stem or len(ext) > MAX_EXTENSION:
        stem, ext = name, ""
    return stem[: MAX_NAME - len(ext)].rstrip(" .") + ext


def blocked_extension(name: str) -> str | None:
    """The first refused extension anywhere in the name's suffix chain (`a.exe.pdf` too)."""
    for suffix in _clean(name).lower().split(".")[1:]:
        if suffix.strip() in BLOCKED_EXTENSIONS:
            return suffix.strip()
    return None


def sniff(file) -> tuple[str, bytes]:
    """The content type libmagic reads in the first bytes, and those bytes."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return magic.from_buffer(head, mime=True), head


def is_program(content_type: str, head: bytes) -> bool:
    # A shebang makes a script of any language executable, whatever libmagic calls it.
    return content_type in BLOCKED_TYPES or head.startswith(b"#!")


def check_file(file, max_bytes: int) -> CheckedFile:
    """Validate one upload; raise ActionRefused naming the file when it is refused."""
    raw_name = getattr(file, "name", "") or ""
    filename = sanitize_filename(raw_name)
    size = file.size
    if not size:
        raise ActionRefused(f"{filename} is empty.", "invalid", "files")
    if size > max_bytes:
        raise FileTooLarge(f"{filename} is larger than {max_bytes // MB} MB.")
    extension = blocked_extension(raw_name) or blocked_extension(filename)
    if extension:
        raise ActionRefused(f"{filename}: .{extension} files are not accepted.", "invalid", "files")
    content_type, head = sniff(file)
    if is_program(content_type, head):
        raise ActionRefused(
            f"{filename} is a program or script ({content_type}); these are not accepted.", "invalid", "files"
        )
    return CheckedFile(file=file, filename=filename, size=size, content_type=content_type[:100])


def check_files(files, max_bytes: int | None = None) -> list[CheckedFile]:
    """Validate a whole upload before anything is stored: all files pass, or none is kept."""
    files = list(files)
    if not files:
        raise ActionRefused("Choose at least one file.", "invalid", "files")
    if len(files) > MAX_FILES:
        raise ActionRefused(f"At most {MAX_FILES} files can be attached at once.", "invalid", "files")
    max_bytes = max_attachment_bytes() if max_bytes is None else max_bytes
    return [check_file(f, max_bytes) for f in files]
