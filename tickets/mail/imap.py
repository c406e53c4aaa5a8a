"""Poll an IMAP mailbox (INBOUND_IMAP_URL) and take in each unseen message once.

A message is marked \\Seen only after its intake has committed (or it was kept as a failed
message): a crash in between leaves it unseen, and the next poll finds its Message-ID taken.
A lock in the cache keeps two pollers (beat firing while the last run is still busy) apart.
"""

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.cache import cache

from .ingest import ingest_email

log = logging.getLogger(__name__)

LOCK_KEY = "mail-in:imap-poll-lock"
LOCK_SECONDS = 600


@dataclass(frozen=True)
class Mailbox:
    secure: bool
    host: str
    port: int
    user: str
    password: str
    folder: str
    starttls: bool


def parse_imap_url(url: str) -> Mailbox:
    """imap://user:pass@host:143/INBOX or imaps://user:pass@host:993/INBOX (`?starttls=1`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("INBOUND_IMAP_URL must look like imap[s]://user:password@host:port/INBOX")
    secure = parts.scheme == "imaps"
    options = parse_qs(parts.query)
    return Mailbox(
        secure=secure,
        host=parts.hostname,
        port=parts.port or (993 if secure else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        starttls=options.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"),
    )


def _connect(box: Mailbox) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if box.secure:
        conn = imaplib.IMAP4_SSL(box.host, box.port, ssl_context=context, timeout=60)
    else:
        conn = imaplib.IMAP4(box.host, box.port, timeout=60)
        if box.starttls:
            conn.starttls(ssl_context=context)
    conn.login(box.user, box.password)
    return conn


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def poll_mailbox(url: str | None = None, limit: int | None = None) -> dict[str, int]:
    """Take in up to `limit` unseen messages; return counts per outcome (created, replied...)."""
    url = url if url is not None else settings.INBOUND_IMAP_URL
    if not url:
        return {}
    if not cache.add(LOCK_KEY, 1, timeout=LOCK_SECONDS):
        log.info("IMAP poll skipped: another poll is running")
        return {}
    try:
        return _poll(parse_imap_url(url), limit or settings.INBOUND_IMAP_BATCH)
    finally:
        cache.delete(LOCK_KEY)


def _poll(box: Mailbox, limit: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    conn = _connect(box)
    try:
        status, _ = conn.select(_quoted(box.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open the folder {box.folder!r}")
        _, found = conn.uid("SEARCH", None, "UNSEEN")
        uids = (found[0] or b"").split()[:limit]
        for uid in uids:
            raw = _fetch(conn, uid)
            if raw is None:
                continue
            outcome = ingest_email(raw, source="imap").outcome.split(":")[0]
            counts[outcome] = counts.get(outcome, 0) + 1
            conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()
    return counts


def _fetch(conn: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # BODY.PEEK leaves the message unseen until its intake is done.
    status, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None
