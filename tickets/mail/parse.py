"""Read an RFC 822 message into what intake needs: addresses, threading ids, text, files.

The standard library's `email` package (policy.default) decodes encoded-word headers, RFC 2231
file names and transfer encodings; this module picks the body (text/plain first, else the
HTML converted to text), decodes legacy charsets leniently, and lists the attachments.
"""

import hashlib
import mimetypes
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses

from .addresses import message_ids, plain_addresses
from .text import html_to_text

MAX_MESSAGE_ID = 255
# Labels mail programs use for charsets Python knows under another name, or supersets that
# decode what the label's strict charset would refuse (as browsers do).
CHARSET_ALIASES = {
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}


class UnreadableEmail(Exception):
    """The bytes are not an email we can take in."""


@dataclass
class MailFile:
    filename: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedEmail:
    raw: bytes
    message: EmailMessage
    message_id: str
    sender: str
    sender_name: str
    subject: str
    recipients: list[str]  # To, Cc and the envelope's Delivered-To / X-Original-To
    in_reply_to: list[str]
    references: list[str]
    text: str
    from_html: bool
    files: list[MailFile] = field(default_factory=list)

    def header(self, name: str) -> str:
        return header(self.message, name)

    @property
    def thread_ids(self) -> list[str]:
        """In-Reply-To first, then References newest first: the likeliest parent first."""
        ids = [*self.in_reply_to, *reversed(self.references)]
        return list(dict.fromkeys(ids))


def header(message: EmailMessage, name: str) -> str:
    """A header's decoded value; the raw value when the header is too broken to parse."""
    try:
        values = message.get_all(name) or []
        return " ".join(" ".join(str(v).split()) for v in values)
    except Exception:  # a malformed header the policy cannot parse: keep its raw text
        raw = [v for k, v in message.raw_items() if k.lower() == name.lower()]
        return " ".join(" ".join(str(v).split()) for v in raw)


def decode_text(part: EmailMessage) -> str:
    """A text part's content, decoded from its declared charset, leniently."""
    data = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "utf-8").lower()
    charset = CHARSET_ALIASES.get(charset, charset)
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            return data.decode("cp1252", errors="replace")


def _message_id(message: EmailMessage, raw: bytes) -> str:
    found = message_ids(header(message, "Message-ID"))
    value = found[0] if found else ""
    if not value or len(value) > MAX_MESSAGE_ID:
        # No usable id: the content's digest still makes a second delivery a duplicate.
        value = f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    return value


def _sender(message: EmailMessage) -> tuple[str, str]:
    for name in ("From", "Sender", "Return-Path"):
        for display, address in getaddresses([header(message, name)]):
            if "@" in address:
                return " ".join(display.split())[:150], address.strip().lower()
    return "", ""


def _files(part: EmailMessage, body: EmailMessage | None, out: list[MailFile]) -> None:
    """Every part that is not the body: attachments, inline images, forwarded messages."""
    if part is body:
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        inner = part.get_payload(0) if part.is_multipart() else None
        subject = header(inner, "Subject") if isinstance(inner, EmailMessage) else ""
        data = inner.as_bytes() if inner is not None else (part.get_payload(decode=True) or b"")
        out.append(
            MailFile(part.get_filename() or f"{subject or 'forwarded message'}.eml", content_type, data)
        )
        return
    if part.is_multipart():
        for sub in part.iter_parts():
            _files(sub, body, out)
        return
    if content_type.startswith(("multipart/", "message/")):
        return  # delivery-status and friends: reports, which never reach a ticket
    filename = part.get_filename()
    disposition = part.get_content_disposition()
    if content_type in ("text/plain", "text/html") and not filename and disposition != "attachment":
        return  # the other alternative of the body (the HTML twin of the text)
    data = part.get_payload(decode=True) or b""
    if not filename:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        filename = f"{'inline' if disposition != 'attachment' else 'attachment'}-{len(out) + 1}{extension}"
    out.append(MailFile(filename, content_type, data, inline=disposition != "attachment"))


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse a message; raise UnreadableEmail when it has nothing an email must have."""
    if not raw or not raw.strip():
        raise UnreadableEmail("empty message")
    message = message_from_bytes(raw, policy=policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise UnreadableEmail("no headers")
    sender_name, sender = _sender(message)
    body = message.get_body(preferencelist=("plain", "html"))
    text, from_html = "", False
    if body is not None:
        text = decode_text(body)
        if body.get_content_type() == "text/html":
            text, from_html = html_to_text(text), True
    files: list[MailFile] = []
    _files(message, body, files)
    subject = header(message, "Subject")
    return ParsedEmail(
        raw=raw,
        message=message,
        message_id=_message_id(message, raw),
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        recipients=plain_addresses(
            *(header(message, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"))
        ),
        in_reply_to=message_ids(header(message, "In-Reply-To")),
        references=message_ids(header(message, "References")),
        text=text.replace("\r\n", "\n").replace("\x00", "").strip(),
        from_html=from_html,
        files=files,
    )
