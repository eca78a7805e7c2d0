# ruff: noqa: RUF001 - natural-language text: its punctuation is meant.
"""Message texts for the bench data set, built from the demo's stories (pure, no I/O).

A text is rendered together with its search form: the form `core.search.normalize` gives it, which
is what the product indexes. Normalizing a million tickets' conversations one by one costs minutes,
so each template is split at its placeholders once, its literal pieces are normalized once, and a
rendered text's search form is the normalized pieces and values joined by spaces. That is only
the same as normalizing the whole text when every placeholder sits next to a separator
(whitespace, punctuation or a CJK character, which normalize sets apart anyway); a template where
one does not is normalized whole instead, so the result is always exactly the product's.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

from supportdesk.core.search.normalize import fold, is_cjk_term, normalize
from supportdesk.demo.data import LANGUAGES
from supportdesk.demo.writing import agree

_NOT_WORD = re.compile(r"^[\W_]+$")
# Where a sentence ends: Latin punctuation before a space, or CJK full stops (no space after).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？])")
_FORMATTER = string.Formatter()

# How a mail client introduces the quoted message in a reply, per language.
QUOTE_HEADERS = {
    "en": "On {date}, {sender} wrote:",
    "vi": "Vào {date}, {sender} đã viết:",
    "pl": "W dniu {date}, {sender} pisze:",
    "zh-hans": "{sender} 于 {date} 写道：",
    "zh-hant": "{sender} 於 {date} 寫道：",
}


def _separates(char: str) -> bool:
    """Whether `char`, beside a placeholder, keeps the value a word of its own in normalize."""
    if char.isspace() or is_cjk_term([char]):
        return True
    return unicodedata.category(char).startswith("P") and bool(_NOT_WORD.match(fold(char) or " "))


@dataclass(frozen=True, slots=True)
class Template:
    """A text with {placeholders}, gender markers already resolved."""

    literals: tuple[str, ...]  # one more than fields
    fields: tuple[str, ...]
    normalized: tuple[str, ...]  # normalize() of each literal
    piecewise: bool  # whether joining normalized pieces equals normalizing the whole

    @classmethod
    def compile(cls, text: str) -> Template:
        literals: list[str] = []
        fields: list[str] = []
        pending = ""
        for literal, field, _spec, _conversion in _FORMATTER.parse(text):
            pending += literal
            if field is None:
                continue
            literals.append(pending)
            fields.append(field)
            pending = ""
        literals.append(pending)
        piecewise = True
        for index in range(len(fields)):
            before, after = literals[index], literals[index + 1]
            left_ok = not before or _separates(before[-1])
            right_ok = not after or _separates(after[0])
            # An empty literal between two placeholders glues their values together.
            if (index > 0 and not before) or not (left_ok and right_ok):
                piecewise = False
        return cls(tuple(literals), tuple(fields), tuple(normalize(x) for x in literals), piecewise)

    def fill(self, values: Mapping[str, str]) -> str:
        """The text with `values` filled in (for text that is not indexed)."""
        out = [self.literals[0]]
        for index, field in enumerate(self.fields, 1):
            out.append(values[field])
            out.append(self.literals[index])
        return "".join(out)

    def render(self, values: Mapping[str, str], folded: Mapping[str, str]) -> tuple[str, str]:
        """The text with `values` filled in, and its normalized (search) form."""
        if not self.fields:
            return self.literals[0], self.normalized[0]
        literals, normalized = self.literals, self.normalized
        raw = [literals[0]]
        norm = [normalized[0]] if normalized[0] else []
        for index, field in enumerate(self.fields, 1):
            raw.append(values[field])
            raw.append(literals[index])
            if self.piecewise:
                value = folded[field]
                if value:
                    norm.append(value)
                if normalized[index]:
                    norm.append(normalized[index])
        text = "".join(raw)
        return text, " ".join(norm) if self.piecewise else normalize(text)


# Placeholders whose values are codes of capital letters, digits and hyphens, different on
# every ticket: normalize() lower-cases them and turns the hyphens into spaces, done here directly.
CODES = frozenset({"order", "invoice", "last4", "tracking"})
_CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
# The normalized form of the other values (names, dates, amounts, devices): they repeat a lot.
_NORMALIZED: dict[str, str] = {}


class Folded(dict[str, str]):
    """The normalized form of a ticket's placeholder values, computed on first use."""

    def __init__(self, values: Mapping[str, str]):
        super().__init__()
        self.raw = values

    def __missing__(self, key: str) -> str:
        raw = self.raw[key]
        if key in CODES and _CODE.match(raw):
            value = raw.lower().replace("-", " ")
        elif raw in _NORMALIZED:
            value = _NORMALIZED[raw]
        else:
            value = _NORMALIZED[raw] = normalize(raw)
        self[key] = value
        return value


@dataclass(frozen=True, slots=True)
class Sentences:
    """A paragraph as sentences, so a message can leave one out now and then."""

    parts: tuple[Template, ...]
    joiner: str  # " " between Latin sentences, "" between CJK ones


class Phrasebook:
    """One language's texts, compiled on first use for each (writer, reader) gender pair."""

    def __init__(self, module: ModuleType):
        self.module = module
        self.code: str = module.LANGUAGE
        self.cjk = self.code.startswith("zh")
        self._templates: dict[tuple[str, str, str], Template] = {}
        self._sentences: dict[tuple[str, str, str], Sentences] = {}
        self.scenarios: Mapping[str, Mapping[str, str | tuple[str, ...]]] = module.SCENARIOS
        self.common: Mapping[str, tuple[str, ...]] = module.COMMON
        self.greeting: str = module.GREETING
        self.agent_signoff: str = module.AGENT_SIGNOFF
        self.customer_signoffs: tuple[str, ...] = module.CUSTOMER_SIGNOFFS
        self.quote_header = Template.compile(QUOTE_HEADERS[self.code])

    def template(self, text: str, writer: str, reader: str) -> Template:
        key = (text, writer, reader)
        found = self._templates.get(key)
        if found is None:
            found = self._templates[key] = Template.compile(agree(text, writer=writer, reader=reader))
        return found

    def sentences(self, text: str, writer: str, reader: str) -> Sentences:
        key = (text, writer, reader)
        found = self._sentences.get(key)
        if found is None:
            resolved = agree(text, writer=writer, reader=reader)
            pieces = [p for p in _SENTENCE_END.split(resolved) if p]
            found = self._sentences[key] = Sentences(
                tuple(Template.compile(p) for p in pieces), "" if self.cjk else " "
            )
        return found

    def scenario_text(self, scenario: str, part: str) -> str:
        text = self.scenarios[scenario][part]
        assert isinstance(text, str)
        return text

    def subjects(self, scenario: str) -> tuple[str, ...]:
        subjects = self.scenarios[scenario]["subjects"]
        assert isinstance(subjects, tuple)
        return subjects


PHRASEBOOKS: dict[str, Phrasebook] = {code: Phrasebook(module) for code, module in LANGUAGES.items()}


class Composer:
    """Builds one message: paragraphs separated by blank lines, and its normalized form."""

    __slots__ = ("folded", "norm", "raw", "values")

    def __init__(self, values: Mapping[str, str], folded: Mapping[str, str]):
        self.values, self.folded = values, folded
        self.raw: list[str] = []
        self.norm: list[str] = []

    def add(self, template: Template) -> None:
        text, norm = template.render(self.values, self.folded)
        self.raw.append(text)
        if norm:
            self.norm.append(norm)

    def add_sentences(self, sentences: Sentences, keep: list[bool]) -> None:
        """A paragraph of the sentences whose `keep` flag is set (the first always is)."""
        texts: list[str] = []
        for index, part in enumerate(sentences.parts):
            if index and not keep[index]:
                continue
            text, norm = part.render(self.values, self.folded)
            texts.append(text)
            if norm:
                self.norm.append(norm)
        self.raw.append(sentences.joiner.join(texts))

    def add_plain(self, text: str, norm: str) -> None:
        self.raw.append(text)
        if norm:
            self.norm.append(norm)

    def text(self) -> str:
        return "\n\n".join(self.raw)

    def normalized(self) -> str:
        return " ".join(self.norm)
