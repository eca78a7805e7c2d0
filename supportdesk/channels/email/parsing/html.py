"""HTML mail bodies: made safe to show, and turned into readable plain text (for search,
previews and mail without a text part).

The HTML is first run through nh3 (html5ever: linear, never fails on broken markup, drops script
and style content, comments and unknown elements). Its output is well-formed, with quoted and
escaped attributes, so the converter below reads it with one simple tokenizing expression; that
is linear, and several times faster than the standard library's HTMLParser.
"""

from __future__ import annotations

import operator
import re
from itertools import accumulate

from supportdesk.core.text import sanitize_html

MAX_HTML_CHARS = 1_000_000  # longer HTML bodies are cut for display (the whole is attached)
MAX_NESTING = 200
# Below this many tags even the worst nesting costs html5ever little; the check is skipped.
CHECK_NESTING_FROM_TAGS = 3_000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,20})(?=[\s/>])")
_STEP = {"": 1, "/": -1}
_NO_NESTING = {
    "p", "li", "td", "th", "tr", "dt", "dd", "option", "optgroup", "colgroup", "tbody", "thead",
    "tfoot", "br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "param",
    "source", "track", "wbr", "rt", "rp",
}  # fmt: skip
_NESTING_TAG = re.compile(
    r"<(/?)(?=[a-zA-Z])(?!(?:" + "|".join(sorted(_NO_NESTING, key=len, reverse=True)) + r")[\s/>])"
    r"[a-zA-Z][a-zA-Z0-9]{0,20}[\s/>]",
    re.I,
)
_BLOCK = {
    "div", "table", "tbody", "thead", "tfoot", "center", "address", "article", "aside", "footer",
    "header", "section", "main", "nav", "figure", "figcaption", "dl", "dd", "dt", "details", "summary",
    "caption", "tr", "li",
}  # fmt: skip
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote"}
_STRUCTURE = _BLOCK | _PARAGRAPH | {"br", "td", "th", "hr", "a", "img"}
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,20})([^<>]{0,4000})>|([^<]+)|<")
_ATTRIBUTE = re.compile(r"""\b(href|alt)\s*=\s*"([^"]{0,4000})\"""")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)
_HEAD_OPEN = re.compile(r"<head[\s>]", re.I)
_HEAD_CLOSE = re.compile(r"</head\s*>", re.I)


def meta_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in a <meta> tag, if any (first 4 KB only)."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def strip_head(html: str) -> str:
    """The document without its <head> (title, styles, meta): none of it is message content."""
    opening = _HEAD_OPEN.search(html, 0, 20_000)
    if opening is None:
        return html
    closing = _HEAD_CLOSE.search(html, opening.end())
    if closing is None:
        return html
    return html[: opening.start()] + html[closing.end() :]


def _max_depth(html: str) -> int:
    """The deepest nesting of (non-exempt) tags, computed with C-level iteration only: the
    depth walk floored at zero is prefix sum minus running minimum (a reflected random walk)."""
    steps = list(accumulate(map(_STEP.__getitem__, _NESTING_TAG.findall(html))))
    if not steps:
        return 0
    floors = accumulate(steps, min, initial=0)
    next(floors)
    return max(map(operator.sub, steps, floors))


def limit_nesting(html: str, max_depth: int = MAX_NESTING) -> str:
    """Drop the tags (not the text) nested deeper than `max_depth`.

    html5ever checks the whole stack of open elements for many tags, so a hostile document of
    100 000 nested <div>s costs minutes in nh3; no real mail nests more than a few dozen levels.
    Elements that close themselves implicitly (p, li, td, …) or never hold content do not count.
    """
    if html.count("<") < CHECK_NESTING_FROM_TAGS or _max_depth(html) <= max_depth:
        return html
    depth = 0
    pieces: list[str] = []
    last = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _NO_NESTING:
            continue
        if closing:
            if depth > max_depth:
                pieces.append(html[last : match.start()])
                last = match.end()
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > max_depth:
                pieces.append(html[last : match.start()])
                last = match.end()
    if not pieces:
        return html
    pieces.append(html[last:])
    return "".join(pieces)


def clean_html(html: str) -> str:
    """Mail HTML as we store and show it: head removed, nesting bounded, sanitized."""
    return sanitize_html(limit_nesting(strip_head(html[:MAX_HTML_CHARS])))


class _Writer:
    """Accumulates text with block structure: owed line breaks, quote prefixes, list markers."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.pending_breaks = 0
        self.at_start = True
        self.pending_space = False
        self.quote_depth = 0
        self.pre_depth = 0
        self.lists: list[list[int | None]] = []
        self.links: list[tuple[str, int]] = []
        self.cells = 0

    def line_break(self, count: int) -> None:
        if not self.at_start:
            self.pending_breaks = max(self.pending_breaks, count)
        self.pending_space = False

    def emit(self, text: str) -> None:
        if not text:
            return
        if self.pending_breaks:
            self.out.append("\n" * self.pending_breaks)
            self.pending_breaks = 0
            self.out.append("> " * self.quote_depth)
        elif self.at_start:
            self.out.append("> " * self.quote_depth)
        elif self.pending_space:
            self.out.append(" ")
        self.pending_space = False
        self.at_start = False
        self.out.append(text)

    def text(self, raw: str) -> None:
        data = _unescape(raw) if "&" in raw else raw
        if self.pre_depth:
            head, newline, rest = data.replace("\r\n", "\n").partition("\n")
            if head:
                self.emit(head)
            if newline:
                prefix = "> " * self.quote_depth
                self.out.append("\n" + prefix + rest.replace("\n", "\n" + prefix))
                self.at_start = self.pending_space = False
            return
        if data[:1].isspace() and not self.at_start:
            self.pending_space = True
        words = _SPACES.sub(" ", data).strip()
        if words:
            self.emit(words)
            if data[-1:].isspace():
                self.pending_space = True

    def start(self, tag: str, attributes: str) -> None:
        if tag == "br":
            if self.pending_breaks:
                self.pending_breaks += 1
            elif not self.at_start:
                self.out.append("\n" + "> " * self.quote_depth)
            self.pending_space = False
        elif tag in _PARAGRAPH:
            self.line_break(1 if self.lists else 2)
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
            elif tag in ("ul", "ol"):
                self.lists.append([1 if tag == "ol" else None])
        elif tag == "li":
            self.line_break(1)
            marker = "-"
            if self.lists and self.lists[-1][0] is not None:
                number = self.lists[-1][0]
                marker = f"{number}."
                self.lists[-1][0] = number + 1
            self.emit("  " * max(0, len(self.lists) - 1) + marker)
            self.pending_space = True
        elif tag in ("td", "th"):
            if self.cells:
                self.pending_space = True
            self.cells += 1
        elif tag == "hr":
            self.line_break(1)
            self.emit("---")
            self.line_break(1)
        elif tag in _BLOCK:
            self.line_break(1)
            self.cells = 0 if tag == "tr" else self.cells
        elif tag == "a":
            self.links.append((_attribute(attributes, "href"), len(self.out)))
        elif tag == "img":
            alt = " ".join(_attribute(attributes, "alt").split())
            if alt and len(alt) < 100:
                self.emit(f"[{alt}]")

    def end(self, tag: str) -> None:
        if tag in _PARAGRAPH:
            if tag == "blockquote" and self.quote_depth:
                self.quote_depth -= 1
            elif tag == "pre" and self.pre_depth:
                self.pre_depth -= 1
            elif tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self.line_break(1 if self.lists else 2)
        elif tag in _BLOCK:
            self.line_break(1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            self._link_target(href, "".join(self.out[start:]))

    def _link_target(self, href: str, shown: str) -> None:
        """Show where a link goes, unless its text already says so."""
        if not href or href.startswith(("#", "cid:")):
            return
        target = href
        if href.lower().startswith("mailto:"):
            target = href[7:].split("?", 1)[0]
        visible = shown.strip()
        if visible and _bare(visible) == _bare(target):
            return
        self.pending_space = bool(visible)
        self.emit(f"({target})" if visible else target)


def _unescape(text: str) -> str:
    """Undo the escapes html5ever's serializer writes (the only ones in clean_html output);
    "&amp;" last, so that an escaped "&amp;lt;" becomes the text "&lt;"."""
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u00a0")
        .replace("&quot;", '"')
        .replace("&#39;", "'")
        .replace("&amp;", "&")
    )


def _attribute(attributes: str, name: str) -> str:
    for match in _ATTRIBUTE.finditer(attributes):
        if match.group(1) == name:
            return _unescape(match.group(2)).strip()
    return ""


def _bare(value: str) -> str:
    value = value.lower().strip().rstrip("/")
    for prefix in ("mailto:", "https://", "http://", "www."):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def html_to_text(html: str, *, cleaned: bool = False) -> str:
    """Readable text: paragraphs and line breaks kept, lists as "- item" / "1. item", links as
    "text (url)", quotes as "> ", no head, script or style content. Pass `cleaned=True` for
    HTML that already went through clean_html()."""
    if not html or not html.strip():
        return ""
    writer = _Writer()
    for closing, tag, attributes, text in _TOKEN.findall(html if cleaned else clean_html(html)):
        if text:
            writer.text(text)
        elif not tag:
            writer.text("<")
        else:
            tag = tag.lower()
            if tag not in _STRUCTURE:
                continue  # inline markup (b, span, font, …) does not change the text
            if closing:
                writer.end(tag)
            else:
                writer.start(tag, attributes)
    lines = [line.rstrip() for line in "".join(writer.out).replace("\u00a0", " ").split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
