"""The pieces the quotation extractor works with: the Quote it returns, and its working parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .words import TIME

NAMED, PRONOUN, ROLE, UNCERTAIN = "named", "pronoun", "role", "uncertain"


@dataclass(frozen=True)
class Quote:
    """A direct quotation: `article_text[start:end] == text` (the words without the marks)."""

    text: str
    start: int
    end: int
    speaker: str | None
    confidence: str  # "named", "pronoun" or "uncertain"
    sentence_start: int  # the sentence(s) holding the quotation and its attribution
    sentence_end: int

    def __repr__(self) -> str:
        words = self.text if len(self.text) <= 50 else self.text[:47] + "..."
        return f"Quote({words!r} — {self.speaker or '?'}, {self.confidence}, {self.start}:{self.end})"


@dataclass
class Tok:
    start: int
    end: int
    text: str
    kind: str  # "w" word, "n" number, "p" punctuation, "q" a whole quotation, "x" an interview label
    quote: int = -1  # index of the quotation a "q" token stands for

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".")

    def word(self) -> bool:
        return self.kind == "w"

    def capital(self) -> bool:
        """Could be part of a name: capitalised (or 'al-Assad'), not a month, day or 'I'."""
        if self.kind != "w" or self.low in TIME or self.text == "I" or self.text[:2] in ("I'", "I’"):
            return False
        return self.text[0].isupper() or bool(re.match(r"[a-z]{1,3}-[A-Z]", self.text))

    def lower_word(self) -> bool:
        return self.kind == "w" and self.text[0].islower()

    def possessive(self) -> bool:
        return self.text.endswith(("'s", "’s"))


@dataclass
class Attr:
    """Who a quotation is attributed to, before surname expansion."""

    confidence: str = UNCERTAIN
    name: tuple[int, int] | None = None  # offsets of the name in the text
    pronoun: int = -1  # token index of "he/she/they"
    direct: bool = False  # a reporting verb right next to the quotation
    cue: bool = False  # some attribution cue was found (even if it gave no speaker)
    until: int = -1  # end offset of the attribution clause when it comes after the quotation
    coordinated: bool = False  # the verb has no subject of its own: 'X arrived and said'
    resolved: str = ""  # with confidence ROLE: the person the article names in that role


@dataclass
class Raw:
    open: int  # offset of the opening mark (or of the paragraph start for an orphan close)
    close: int  # offset of the closing mark, or the paragraph end when left open
    start: int  # the words
    end: int
    unclosed: bool = False
    continues: bool = False  # closes a quotation the previous paragraph left open, without an opening mark
    attr: Attr = field(default_factory=Attr)
    speaker: str | None = None
    confidence: str = UNCERTAIN
    sent_start: int = 0
    sent_end: int = 0
    alone: bool = False  # nothing but the quotation (and punctuation) in its sentence(s)
