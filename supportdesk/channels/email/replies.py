"""Splitting an email reply into what the person wrote now and the quoted history and signature
below it (pure). The new part is shown; the rest is kept, folded away.

How it decides, line by line (the phrasings per language live in `reply_patterns`):

1. Every line gets a kind: empty, text, quoted (">", "|", "Name>"), a quote header ("On … wrote:"
   in many languages and clients, possibly wrapped over several lines; "-----Original
   Message-----"; an Outlook block "From: … Sent: … To: … Subject: …"), a signature delimiter
   ("-- "), a drawn delimiter ("______"), or a "Sent from my iPhone" line. Fenced code blocks
   (```) are always text.
2. History quoted *before* anything new (a reply written below the quote) is folded when it has a
   quote header; a bare ">" quote at the top is an excerpt being answered and stays.
3. The first quote header after the new text ends the new part, unless it only introduces a
   quoted excerpt that the writer then answers below (an interleaved reply): then the quote and
   the answer stay, and only the header line is folded.
4. From the end of what is left: trailing quotes, delimiters, a short signature after "-- " or a
   drawn line, trailing "Sent from my …" lines, and contact lines after a closing ("Thanks,\nAnn"
   stays; the phone number and address below the name go).

Conservative by design: a block is only called a signature when it is short and clearly
separated, and the new part is never empty when the message had text (everything would be kept
as new instead). Nothing is lost: every line ends in exactly one of the two parts. Patterns run
on single lines or a few joined lines of bounded length, so a 1 MB message is split in linear
time.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from supportdesk.channels.email import reply_patterns as patterns

EMPTY, TEXT, QUOTE, HEADER, DELIMITER, SIG_DELIMITER, MOBILE = "etqhdsm"

# Lines longer than this are prose (or data), never a header or a signature line.
MAX_PATTERN_LINE = 400
# A wrapped quote header spans at most this many lines (blank ones included) …
HEADER_WINDOW = 6
# … of which at most this many have text.
HEADER_WINDOW_TEXT_LINES = 5
# A block after "-- " is a signature only when it is at most this big.
SIGNATURE_MAX_LINES = 15
SIGNATURE_MAX_CHARS = 1500
# A block below a drawn line ("_____") is a footer only when it is at most this big.
FOOTER_MAX_LINES = 12
FOOTER_MAX_CHARS = 1500
# Only so much HTML is searched for a client's quote marker.
MAX_HTML_SCAN = 2_000_000

_QUOTE_LINE = re.compile(r"^[ \t]{0,3}>")
_PIPE_QUOTE = re.compile(r"^[ \t]{0,3}\|(?:\s|$)")
_DIGIT = re.compile(r"\d")
_SUPERCITE = re.compile(r"^[ \t]{0,3}([A-Za-z][\w.-]{0,11})>(?:\s|$)")
_DEGREE = re.compile(r"(?:\b[A-Z][a-z]?\.){2}$|\b(?:Jr|Sr|Dr|Esq|Inc|Ltd)\.$")
_BRACKETS = " \t()<>[]*"


@dataclass(frozen=True)
class _Header:
    start: int
    end: int  # exclusive
    # A strong header has a date or an address in it (or is a separator or field block); a weak
    # one is a bare "Ann wrote:" and only counts in front of quoted lines.
    strong: bool


def extract_reply(text: str, *, html: str = "") -> tuple[str, str]:
    """(the new text, the quoted history and signature). Never returns an empty new text when
    the message had any text: if everything looks quoted, the whole text is kept as new.

    `html` is the message's HTML body when it has one: when the text itself shows no quote
    header, the quote markers mail clients put in HTML (Gmail's gmail_quote, Thunderbird's
    moz-cite-prefix, Outlook's reply header, …) tell where the history starts. Without `text`,
    the text is taken from the HTML."""
    source = text or ""
    if not source.strip() and html:
        source = html_to_text(html)
    lines = [line.rstrip() for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if not any(lines):
        return "", ""
    fenced = _fenced_lines(lines)
    kinds = _line_kinds(lines, fenced)
    headers = _find_headers(lines, kinds, fenced)
    keep = _select(lines, kinds, headers, html)
    new = _join(line for line, kept in zip(lines, keep, strict=True) if kept)
    if not new.strip():
        return _join(lines), ""
    rest = _join(line for line, kept in zip(lines, keep, strict=True) if not kept)
    return new, rest


def _join(lines: object) -> str:
    return "\n".join(lines).strip("\n")  # type: ignore[arg-type]


# --- Line kinds ------------------------------------------------------------------------------


def _fenced_lines(lines: list[str]) -> list[bool]:
    """Lines inside a closed ``` code fence (the fences included): always kept as text."""
    fences = [i for i, line in enumerate(lines) if line.lstrip().startswith("```")]
    fenced = [False] * len(lines)
    for opening, closing in zip(fences[::2], fences[1::2], strict=False):
        for i in range(opening, closing + 1):
            fenced[i] = True
    return fenced


def _line_kinds(lines: list[str], fenced: list[bool]) -> list[str]:
    supercite: dict[str, int] = {}
    for line in lines:
        match = _SUPERCITE.match(line)
        if match:
            supercite[match.group(1)] = supercite.get(match.group(1), 0) + 1
    kinds = []
    for line, in_fence in zip(lines, fenced, strict=True):
        stripped = line.strip()
        if in_fence:
            kinds.append(TEXT if stripped else EMPTY)
        elif not stripped:
            kinds.append(EMPTY)
        elif (
            _QUOTE_LINE.match(line)
            or _pipe_quote(line, stripped)
            or ((match := _SUPERCITE.match(line)) and supercite[match.group(1)] >= 2)
        ):
            kinds.append(QUOTE)
        elif patterns.SIGNATURE_DELIMITER.match(stripped):
            kinds.append(SIG_DELIMITER)
        elif set(stripped.replace(" ", "")) <= patterns.DELIMITER_CHARS:
            kinds.append(DELIMITER)
        elif len(stripped) <= 160 and patterns.MOBILE_SIGNATURE.match(stripped.strip(_BRACKETS)):
            kinds.append(MOBILE)
        else:
            kinds.append(TEXT)
    return kinds


def _pipe_quote(line: str, stripped: str) -> bool:
    """ "| quoted" (some webmails); a Markdown table row ("| a | b |") is not one."""
    return stripped == "|" or (bool(_PIPE_QUOTE.match(line)) and not stripped.endswith("|"))


# --- Quote headers ---------------------------------------------------------------------------


def _find_headers(lines: list[str], kinds: list[str], fenced: list[bool]) -> list[_Header]:
    """Every quote header, in order; their lines' kinds become HEADER."""
    headers: list[_Header] = []
    i, n = 0, len(lines)
    while i < n:
        if kinds[i] != TEXT or fenced[i] or len(lines[i]) > MAX_PATTERN_LINE:
            i += 1
            continue
        found = _separator(lines[i], i) or _field_block(lines, fenced, i) or _wrote(lines, kinds, fenced, i)
        if found is None:
            i += 1
            continue
        headers.append(found)
        for j in range(found.start, found.end):
            kinds[j] = HEADER
        i = found.end
    return headers


def _separator(line: str, i: int) -> _Header | None:
    """ "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded
    message:", "------------------ 原始邮件 ------------------"."""
    stripped = line.strip()
    core = stripped.strip(patterns.SEPARATOR_DECORATION).replace("\xa0", " ")
    phrase = " ".join(core.split()).casefold()
    if phrase not in patterns.SEPARATOR_PHRASES:
        return None
    decorated = stripped.startswith(("-", "_", "=", "*")) and "--" in stripped
    if phrase in patterns.DECORATED_ONLY and not decorated:
        return None
    return _Header(i, i + 1, strong=True)


def _field_name(line: str) -> str | None:
    match = patterns.FIELD_LINE.match(line.strip().replace("\xa0", " "))
    if match is None:
        return None
    name = " ".join(match.group(1).split()).casefold()
    return name if name in patterns.FROM_FIELDS or name in patterns.OTHER_FIELDS else None


def _field_block(lines: list[str], fenced: list[bool], i: int) -> _Header | None:
    """An Outlook-style block: a From field and at least two other fields, one per line, with
    at most two wrapped lines and one blank line between fields."""
    if _field_name(lines[i]) is None:
        return None
    names: set[str] = set()
    last, wrapped, blank = i, 0, 0
    for j in range(i, min(len(lines), i + 20)):
        if fenced[j]:
            break
        name = _field_name(lines[j]) if len(lines[j]) <= MAX_PATTERN_LINE else None
        if name is not None:
            names.add(name)
            last, wrapped, blank = j, 0, 0
        elif not lines[j].strip():
            blank += 1
            if blank > 1:
                break
        else:
            wrapped += 1
            if wrapped > 2 or blank:
                break
    if not names & patterns.FROM_FIELDS or len(names - patterns.FROM_FIELDS) < 2:
        return None
    return _Header(i, last + 1, strong=True)


def _verb_at_end(candidate: str) -> int | None:
    """Where the "wrote" verb starts when the candidate ends with it and a colon (or Zoho's
    dashes); plain string checks, so that ordinary lines cost next to nothing."""
    body = candidate.rstrip(patterns.HEADER_END_CHARS)
    ending = candidate[len(body) :]
    if not (":" in ending or "：" in ending or "--" in ending):
        return None
    tail = body[-40:].lower()
    if not tail.endswith(patterns.WROTE_WORDS):
        return None
    for word in patterns.WROTE_WORDS:
        if tail.endswith(word):
            start = len(body) - len(word)
            if word in patterns.WROTE_CJK_WORDS or start == 0 or not body[start - 1].isalpha():
                return start
    return None


def _header_strength(candidate: str) -> bool | None:
    """True for a full quote header, False for a bare "Ann wrote:", None for neither. Each
    check is a bounded search; see the table in `reply_patterns`."""
    last = candidate[-1]
    dated = candidate[:4].isdigit()
    if last not in ":：->" and not dated:
        return None
    verb = _verb_at_end(candidate) if last != ">" else None
    if verb is not None:
        head = candidate[:verb]
        if patterns.START.match(candidate) and _DIGIT.search(candidate):
            return True
        if candidate[0].isdigit() and len(_DIGIT.findall(head)) >= 3:
            return True
        if "@" in head:
            ends = [m.end() for m in patterns.EMAIL.finditer(head)]
            if ends and len(head) - ends[-1] <= patterns.EMAIL_TO_VERB_CHARS:
                return True
    if last in ":：":
        if (
            patterns.START.match(candidate)
            and _DIGIT.search(candidate)
            and patterns.VERB_MIDDLE.search(candidate)
        ):
            return True
        if "@" in candidate and "schrieb am" in candidate.lower() and patterns.SCHRIEB_AM.search(candidate):
            return True
        if "@" in candidate[-patterns.EMAIL_TAIL_CHARS :]:
            address = patterns.EMAIL_AT_END.search(
                candidate, max(0, len(candidate) - patterns.EMAIL_TAIL_CHARS)
            )
            if address is not None and patterns.TIME.search(candidate, 0, address.start()):
                return True
    if dated and patterns.GMAIL_DATE.match(candidate):
        return True
    if verb is not None and verb <= patterns.NAME_BEFORE_VERB_CHARS and candidate[0] not in " :：>":
        return False
    return None


def _candidate(parts: list[str]) -> str:
    return " ".join(" ".join(parts).replace("\xa0", " ").split())


def _wrote(lines: list[str], kinds: list[str], fenced: list[bool], i: int) -> _Header | None:
    """ "On … wrote:" and its relatives starting at line i, over up to HEADER_WINDOW lines when
    line i looks like the opening of one."""
    first = lines[i].strip()
    opener = bool(patterns.HEADER_OPENER.search(first[:80]))
    parts: list[str] = []
    for j in range(i, min(len(lines), i + HEADER_WINDOW)):
        stripped = lines[j].strip()
        if j > i and (fenced[j] or len(stripped) > MAX_PATTERN_LINE or kinds[j] == HEADER):
            break
        if not stripped:
            continue
        parts.append(stripped)
        candidate = _candidate(parts)
        if len(parts) > HEADER_WINDOW_TEXT_LINES or len(candidate) > patterns.MAX_HEADER_CHARS:
            break
        strength = _header_strength(candidate)
        if strength is not None:
            start = _later_start(lines, i, j) if j > i else i
            if not strength and not _quote_follows(kinds, j + 1):
                return None
            return _Header(start, j + 1, strong=strength)
        if not opener:
            break
    return None


def _later_start(lines: list[str], i: int, j: int) -> int:
    """A header found over lines i..j may have swallowed a line of the reply above it ("2 things
    left" + "On Mon, … wrote:"); when a later line opens a header on its own, start there."""
    for start in range(i + 1, j + 1):
        rest = [line.strip() for line in lines[start : j + 1] if line.strip()]
        candidate = _candidate(rest)
        if candidate and patterns.START.match(candidate) and _header_strength(candidate):
            return start
    return i


def _quote_follows(kinds: list[str], k: int) -> bool:
    while k < len(kinds) and kinds[k] == EMPTY:
        k += 1
    return k < len(kinds) and kinds[k] == QUOTE


# --- Choosing the new part -------------------------------------------------------------------


def _select(lines: list[str], kinds: list[str], headers: list[_Header], html: str) -> list[bool]:
    n = len(lines)
    keep = [True] * n
    first_text = next((i for i, kind in enumerate(kinds) if kind == TEXT), None)
    if first_text is None:
        return keep
    # History above the new text (a reply written below the quote) goes when it has a header.
    if any(h.start < first_text for h in headers):
        for i in range(first_text):
            keep[i] = False
    cut = n
    for header in headers:
        if header.start < first_text:
            continue
        if _interleaved(kinds, header):
            if header.strong:
                for i in range(header.start, header.end):
                    keep[i] = False
            continue
        cut = header.start
        break
    if cut == n and html:
        hint = _html_quote_line(html, lines)
        if hint is not None and first_text < hint < n:
            cut = hint
    for i in range(cut, n):
        keep[i] = False
    _trim_tail(lines, kinds, keep, first_text, cut)
    return keep


def _interleaved(kinds: list[str], header: _Header) -> bool:
    """The header introduces a quoted excerpt that the writer answers below it."""
    k = header.end
    while k < len(kinds) and kinds[k] == EMPTY:
        k += 1
    if k >= len(kinds) or kinds[k] != QUOTE:
        return False
    while k < len(kinds) and kinds[k] in (QUOTE, EMPTY):
        k += 1
    return k < len(kinds) and kinds[k] == TEXT


def _trim_tail(lines: list[str], kinds: list[str], keep: list[bool], first: int, cut: int) -> None:
    """Fold trailing quotes, delimiters and signatures of the kept part, repeatedly."""
    kept = [i for i in range(first, cut) if keep[i]]

    def fold_from(position: int) -> None:
        for i in kept[position:]:
            keep[i] = False
        del kept[position:]

    # kept[0] is the first line of text, so "text before position" is "position > 0".
    while kept:
        last = kept[-1]
        if kinds[last] in (EMPTY, DELIMITER, SIG_DELIMITER, HEADER):
            fold_from(len(kept) - 1)
            continue
        if kinds[last] == QUOTE:
            position = len(kept) - 1
            while position > 0 and kinds[kept[position - 1]] in (QUOTE, EMPTY):
                position -= 1
            if position == 0:
                return
            fold_from(position)
            continue
        position = _tail_signature(lines, kinds, kept)
        if position is None:
            return
        fold_from(position)


def _tail_signature(lines: list[str], kinds: list[str], kept: list[int]) -> int | None:
    for finder in (_after_delimiter, _mobile_lines, _contact_lines):
        position = finder(lines, kinds, kept)
        if position:
            return position
    return None


def _small(lines: list[str], indices: list[int], max_lines: int, max_chars: int) -> bool:
    texts = [lines[i].strip() for i in indices if lines[i].strip()]
    return len(texts) <= max_lines and sum(map(len, texts)) <= max_chars


def _strong_delimiter(line: str) -> bool:
    drawn = line.replace(" ", "").replace("\t", "")
    return "ᐧ" in drawn or (set(drawn) == {"_"} and len(drawn) >= 4) or len(drawn) >= 6


def _after_delimiter(lines: list[str], kinds: list[str], kept: list[int]) -> int | None:
    """The first "-- " or drawn line below which only a short block follows. Walks up from
    the end, so the tail only grows and the walk stops once it is too big to be a signature."""
    found = None
    count = chars = 0
    for position in range(len(kept) - 1, -1, -1):
        i = kept[position]
        if (kinds[i] == SIG_DELIMITER and count <= SIGNATURE_MAX_LINES and chars <= SIGNATURE_MAX_CHARS) or (
            kinds[i] == DELIMITER
            and count <= FOOTER_MAX_LINES
            and chars <= FOOTER_MAX_CHARS
            and _strong_delimiter(lines[i])
        ):
            found = position
        stripped = lines[i].strip()
        if stripped:
            count += 1
            chars += len(stripped)
        if count > max(SIGNATURE_MAX_LINES, FOOTER_MAX_LINES) + 1:
            break
        if chars > max(SIGNATURE_MAX_CHARS, FOOTER_MAX_CHARS) + MAX_PATTERN_LINE:
            break
    return found


def _mobile_lines(lines: list[str], kinds: list[str], kept: list[int]) -> int | None:
    """The first "Sent from my …" line followed only by more of them (and at most two short
    lines: "Ann" under "Sent from my iPhone")."""
    found = None
    others = 0
    for position in range(len(kept) - 1, -1, -1):
        i = kept[position]
        if kinds[i] == MOBILE:
            found = position
        elif kinds[i] in (TEXT, QUOTE, HEADER):
            others += 1
            if others > 2 or len(lines[i].strip()) > 40:
                break
    return found


def _valediction(line: str) -> bool:
    phrase = line.strip().rstrip(",.!;:—–- ").strip().casefold()
    return phrase in patterns.VALEDICTIONS


def _contact_lines(lines: list[str], kinds: list[str], kept: list[int]) -> int | None:
    """Phone numbers, addresses and web sites under the writer's name at the very end.

    "Thanks,\\nAnn" is kept; under it, a block of short lines with contact details goes. With
    no closing line, a last paragraph counts only if it starts with a name and has at least two
    contact lines."""
    start = len(kept)
    while start > 0 and kinds[kept[start - 1]] == TEXT:
        start -= 1
    paragraph = kept[start:]
    if not 1 <= len(paragraph) <= 10 or any(len(lines[i].strip()) > 100 for i in paragraph):
        return None
    closing = max((p for p, i in enumerate(paragraph) if _valediction(lines[i])), default=None)
    needed = 1
    if closing is not None:
        block_start = closing + 2
    elif start > 0 and _valediction(_previous_text(lines, kept, start)):
        block_start = 1
    else:
        name = lines[paragraph[0]].strip()
        if any(ch.isdigit() for ch in name) or len(name.split()) > 5 or _ends_sentence(name):
            return None
        block_start, needed = 0, 2
    block = [lines[i].strip() for i in paragraph[block_start:]]
    if not block or any(line.endswith(("?", ":", "：")) for line in block):
        return None
    contacts = sum(1 for line in block if patterns.CONTACT_LINE.match(line))
    if contacts < needed or contacts * 3 < len(block):
        return None
    return start + block_start


def _ends_sentence(line: str) -> bool:
    """Ends like a sentence ("Call me."), not like a name ("John Doe, Ph.D.")."""
    return line[-1] in ":?!" or (line[-1] == "." and not _DEGREE.search(line))


def _previous_text(lines: list[str], kept: list[int], start: int) -> str:
    for i in reversed(kept[:start]):
        if lines[i].strip():
            return lines[i]
    return ""


# --- HTML ------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "tr",
        "li",
        "blockquote",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "dd",
        "dt",
    ]
)
_SKIPPED_TAGS = frozenset({"style", "script", "head", "title"})
# Where mail clients start the quoted history in HTML; the tag that holds the marker is the
# boundary. Literal words only, so the scan is linear.
_HTML_QUOTE_MARKER = re.compile(
    r"gmail_quote|gmail_attr|moz-cite-prefix|yahoo_quoted|divRplyFwdMsg|appendonsend"
    r"|OutlookMessageHeader|protonmail_quote|zwchr|stopSpelling|isReplyContent|isForwardContent"
    r"|mail-editor-reference-message-container|ms-outlook-mobile-reference-message"
    r"|type=\"?cite|border-top:\s?solid #(?:B5C4DF|E1E1E1)",
    re.IGNORECASE,
)


class _TextOfHtml(HTMLParser):
    """Readable lines of an HTML body; text inside <blockquote> is marked "> " per level."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list] = [[0, ""]]
        self.depth = 0
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "br":
            self.lines.append([self.depth, ""])
        elif tag in _BLOCK_TAGS:
            if tag == "blockquote":
                self.depth += 1
            self.lines.append([self.depth, ""])

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK_TAGS:
            self.lines.append([self.depth, ""])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS and tag != "br":
            if tag == "blockquote":
                self.depth = max(0, self.depth - 1)
            self.lines.append([self.depth, ""])

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.lines[-1][1] += data

    def text(self) -> str:
        out: list[str] = []
        for depth, raw in self.lines:
            words = " ".join(raw.split())
            line = ("> " * depth + words).rstrip()
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip("\n")


def html_to_text(html: str) -> str:
    """Plain text of an HTML mail body, one line per block, quoted blocks marked with ">"."""
    parser = _TextOfHtml()
    # Broken markup yields whatever text was read before the parser gave up.
    with contextlib.suppress(Exception):
        parser.feed(html[:MAX_HTML_SCAN])
        parser.close()
    return parser.text()


def _html_quote_line(html: str, lines: list[str]) -> int | None:
    """The line of `lines` where the HTML's quoted history starts, by matching the text in
    front of the client's quote marker; None when there is no marker or no match."""
    marker = _HTML_QUOTE_MARKER.search(html, 0, MAX_HTML_SCAN)
    if marker is None:
        return None
    tag_start = html.rfind("<", 0, marker.start())
    before = "".join(html_to_text(html[: max(tag_start, 0)]).split())
    anchor = before[-60:]
    if not anchor:
        return None
    owners: list[int] = []
    chars: list[str] = []
    for index, line in enumerate(lines):
        for ch in line:
            if not ch.isspace():
                chars.append(ch)
                owners.append(index)
    found = "".join(chars).find(anchor)
    if found < 0:
        return None
    return owners[found + len(anchor) - 1] + 1
