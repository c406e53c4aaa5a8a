"""Turn an email's body into the Markdown text of a ticket: HTML to text, and the quoted
history and signature trimmed from replies."""

import re
from html.parser import HTMLParser

# Text that Markdown would read as markup; escaped so HTML text shows as it was written.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")
_LINE_START_SPECIALS = re.compile(r"^(\s*)([#>+-]|\d+[.)])(?=\s)")
_SKIPPED = {"script", "style", "head", "title", "template", "noscript", "object", "svg"}
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "dl"}
_LINES = {"div", "tr", "li", "dt", "dd", "section", "article", "header", "footer", "address", "center"}
_SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.I)


class _HtmlToText(HTMLParser):
    """A small HTML-to-Markdown converter: paragraphs, line breaks, lists, quotes, links,
    emphasis and code; everything else is its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current = ""
        self.quote = 0  # blockquote depth: lines get "> " prefixes
        self.line_quote = 0
        self.pre = 0
        self.skip = 0
        self.lists: list[list] = []  # ["ul" | "ol", counter]
        self.links: list[str | None] = []

    # Lines -------------------------------------------------------------------------------
    def _write(self, text: str) -> None:
        if not self.current:
            self.line_quote = self.quote
        self.current += text

    def _newline(self) -> None:
        if self.current.strip() or self.pre:
            self.lines.append("> " * self.line_quote + self.current.rstrip())
        self.current = ""

    def _blank(self) -> None:
        """End the paragraph: one blank line, inside the quote it belongs to."""
        self._newline()
        if not self.lines:
            return
        blank, last = ("> " * self.quote).rstrip(), self.lines[-1]
        if last.strip(" >"):
            self.lines.append(blank)
        elif last.count(">") > self.quote:
            self.lines[-1] = blank  # leaving a quote: its closing blank line belongs outside

    # Parser callbacks --------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in _SKIPPED:
            self.skip += 1
        elif self.skip:
            return
        elif tag == "br":
            self._newline()
        elif tag == "hr":
            self._blank()
            self.lines.append("* * *")
            self._blank()
        elif tag in ("b", "strong"):
            self._write("**")
        elif tag in ("i", "em"):
            self._write("*")
        elif tag == "code" and not self.pre:
            self._write("`")
        elif tag == "a":
            href = (attrs.get("href") or "").strip()
            self.links.append(href if _SAFE_LINK.match(href) else None)
            if self.links[-1]:
                self._write("[")
        elif tag == "img" and attrs.get("alt"):
            self._write(f"[image: {self._escape(attrs['alt'])}]")
        elif tag in ("td", "th") and self.current.strip():
            self._write("  ")
        elif tag in _PARAGRAPHS:
            self._blank()
            if tag == "blockquote":
                self.quote += 1
            elif tag == "pre":
                self.lines.append("> " * self.quote + "```")
                self.pre += 1
            elif tag in ("ul", "ol"):
                self.lists.append([tag, 0])
            elif tag[0] == "h" and tag[1:].isdigit():
                self._write("#" * int(tag[1:]) + " ")
        elif tag in _LINES:
            self._newline()
            if tag == "li":
                kind, count = self.lists[-1] if self.lists else ("ul", 0)
                if self.lists:
                    self.lists[-1][1] += 1
                indent = "  " * max(len(self.lists) - 1, 0)
                self._write(f"{indent}{count + 1}. " if kind == "ol" else f"{indent}- ")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skip = max(self.skip - 1, 0)
        elif self.skip:
            return
        elif tag in ("b", "strong"):
            self._write("**")
        elif tag in ("i", "em"):
            self._write("*")
        elif tag == "code" and not self.pre:
            self._write("`")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self._write(f"]({href})")
        elif tag in _PARAGRAPHS:
            if tag == "pre" and self.pre:
                self._newline()
                self.pre -= 1
                self.lines.append("> " * self.quote + "```")
            elif tag == "blockquote":
                self._newline()
                self.quote = max(self.quote - 1, 0)
            elif tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self._blank()
        elif tag in _LINES:
            self._newline()

    def handle_data(self, data):
        if self.skip:
            return
        if self.pre:
            parts = data.split("\n")
            for n, part in enumerate(parts):
                if n:
                    self._newline()
                self._write(part)
            return
        text = re.sub(r"\s+", " ", data)
        if not self.current.strip():
            text = text.lstrip()
            if not text:
                return
            text = _LINE_START_SPECIALS.sub(r"\1\\\2", self._escape(text))
        else:
            text = self._escape(text)
        self._write(text)

    @staticmethod
    def _escape(text: str) -> str:
        return _MARKDOWN_SPECIALS.sub(r"\\\1", text)

    def text(self) -> str:
        self._newline()
        out = "\n".join(line.rstrip() for line in self.lines)
        return re.sub(r"\n{3,}", "\n\n", out).strip()


def html_to_text(html: str) -> str:
    """Plain, Markdown-safe text of an HTML body (quotes become "> " lines)."""
    parser = _HtmlToText()
    parser.feed(html or "")
    parser.close()
    return parser.text()


# Where the quoted history of a reply starts, as mail programs write it.
_ATTRIBUTION = re.compile(
    r"^\s*(On\s.{1,300}\swrote|Le\s.{1,300}\sa\s+écrit|Am\s.{1,300}\sschrieb\s.{1,300}|El\s.{1,300}\sescribió)"
    r"\s*:\s*$",
    re.I | re.S,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht)\s*-{2,}\s*$", re.I
)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_HEADER_FROM = re.compile(r"^\s*\**(From|De|Von)\s*:\**\s", re.I)
_HEADER_NEXT = re.compile(r"^\s*\**(Sent|Date|Envoyé|Gesendet|To|Subject)\s*:", re.I)
_SIGNATURE = re.compile(r"^-- ?$")
_MOBILE_FOOTER = re.compile(r"^\s*(Sent from my \w[\w ]{0,30}|Get Outlook for \w+)\s*$", re.I)


def _history_start(lines: list[str]) -> int | None:
    for n, line in enumerate(lines):
        if _ORIGINAL.match(line):
            return n
        # Gmail wraps a long "On <date>, <name> <address> wrote:" over two or three lines.
        for span in (1, 2, 3):
            if line.lstrip().lower().startswith(("on ", "le ", "am ", "el ")) and _ATTRIBUTION.match(
                " ".join(lines[n : n + span])
            ):
                return n
        following = [later for later in lines[n + 1 : n + 5] if later.strip()]
        if _RULE.match(line) and following and _HEADER_FROM.match(following[0]):
            return n
        if _HEADER_FROM.match(line) and following and _HEADER_NEXT.match(following[0]):
            return n
    return None


def strip_signature(text: str) -> str:
    """The text above the "-- " signature delimiter and a trailing "Sent from my phone"."""
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if _SIGNATURE.match(line):
            lines = lines[:n]
            break
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and _MOBILE_FOOTER.match(lines[-1]):
        lines.pop()
    return "\n".join(lines).strip()


def trim_reply(text: str) -> str:
    """The new part of a reply: without the quoted history, quoted lines and signature.

    When trimming would leave nothing (a reply that is all quote), the text is kept whole.
    """
    lines = text.splitlines()
    start = _history_start(lines)
    if start is not None:
        lines = lines[:start]
    kept = [line for line in lines if not line.lstrip().startswith(">")]
    trimmed = strip_signature("\n".join(kept))
    return trimmed or text.strip()
