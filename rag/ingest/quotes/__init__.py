"""Direct quotations and who said them, with exact character offsets (pure: no I/O, no model).

Called at ingest for every article and by "What did X say about Y?" answers, so a wrong speaker
is worse than none: every rule below prefers "uncertain" to a guess.

Quotations
    Double marks, straight or curly (outlets mix them: “...mistakes?" is one quotation). A mark
    opens after a space or the paragraph start and closes before a space or punctuation; curly
    marks say which they are. A quotation may run over several sentences. One left open at the end
    of a paragraph runs to its end (the news convention continues it in the next paragraph with an
    opening mark only). Quotations of fewer than four words ("scare quotes": the Kremlin "boss") and
    titles in Title Case are dropped unless a reporting verb attributes them directly.

Attribution, within the quotation's own sentence(s)
    1. a reporting verb right before the opening mark: `Putin said: "..."`, `Putin said "..."`,
       `According to X, "..."`, `X, who led the petition, said, "..."`;
    2. else right after the closing mark: `"...," Putin said` / `"...," said Putin` / `"..." -
       President Putin told Carlson` / `"...", according to Amnesty International` / `"...," he said`.
       After a quotation that ended its sentence, only a short clause with a plain reporting verb
       counts ('." Putin told Carlson.'), never a new statement ('." Amnesty has called for...');
    3. else the last reporting cue earlier in the sentence, skipping asides ('— which the BBC noted
       as unusual —'); a participle takes its clause's subject ('X criticised it, saying "..."');
    4. else a colon with no reporting verb (`X disagreed with these findings: "..."`) takes the
       subject of the sentence's first verb, only when that subject opens the sentence;
    5. else a quotation alone in its sentence, right after a sentence whose quotation was
       attributed, continues it (confidence "pronoun"; the same across a paragraph break when the
       first paragraph's quotation was left open and the next one opens with a mark).
    A quotation that is mentioned rather than said ('the term "natural born Citizen"', 'the sign
    read "..."') is attributed to no one.

Speakers
    The capitalised name right next to the verb: titles and what precedes them are stripped
    ("Russian President Vladimir Putin" -> "Vladimir Putin"), a surname alone is expanded to the one
    full name the article gave earlier ("Putin" -> "Vladimir Putin", "Erdogan" -> "Recep Tayyip
    Erdoğan"; two candidates: left as is). A common noun ("the ministry said", "a spokesperson
    told"), a possessive, two joined names ("X and Y said"), a name after a preposition ("a
    spokesperson for X said"; but "Marc Ouellet of the Holy See said" is Ouellet) or a bare title
    ("the Russian president said") give "uncertain". Organisations with proper names are speakers.
    "he/she said" resolves to the last person named in the same paragraph, never an earlier one;
    not when two people are named in the stretch it would be resolved over, nor when the last name
    might be a person the article gives no evidence for ("Sayyid Ali Hosseini Khamenei" once):
    a person is someone with a title, a speaker, or a full name whose surname the article also
    uses alone. "they said" resolves only to an organisation that spoke earlier in the paragraph.
"""

from __future__ import annotations

import re

from ...text import sentence_spans
from .marks import find_quotes
from .names import ArticleNames, fold_words
from .paragraph import Paragraph
from .parts import NAMED, PRONOUN, ROLE, UNCERTAIN, Quote, Raw
from .words import FUNCTION, MARK, MIN_WORDS, TITLES

__all__ = ["NAMED", "PRONOUN", "ROLE", "UNCERTAIN", "Quote", "extract_quotes", "fold_words", "speaker_key",
           "speaker_matches"]


def extract_quotes(text: str) -> list[Quote]:
    """Every direct quotation in `text` with its speaker, in order of appearance."""
    if not MARK.search(text):
        return []  # most of the cost is reading the article's names; skip it when nothing is quoted
    spans = sentence_spans(text)
    article = ArticleNames(text, spans)
    out: list[Raw] = []
    carried = False  # the previous paragraph ended inside a quotation
    prev_para: list[Raw] = []
    for para in re.finditer(r"[^\n]+", text):
        raws = find_quotes(text, para.start(), para.end(), carried)
        if not raws:
            carried = False
            prev_para = []
            continue
        paragraph = Paragraph(article, para.start(), para.end(), raws)
        paragraph.attribute()
        if prev_para and prev_para[-1].unclosed and opens_paragraph(text, para.start(), raws[0]):
            across_paragraphs(prev_para[-1], raws[0])
        paragraph.continue_all()
        carried = raws[-1].unclosed
        prev_para = raws
        out.extend(raws)
    return [
        Quote(text[r.start : r.end], r.start, r.end, r.speaker, r.confidence, r.sent_start, r.sent_end)
        for r in out
        if keep(text, r)
    ]


def speaker_matches(quote: Quote, name: str) -> bool:
    """Whether `name` ("Putin", "President Putin", "agnes callamard") names the quote's speaker.

    Case and accents are ignored, titles in `name` are dropped; every remaining word of `name` must
    be a word of the speaker's name, or the speaker's (a surname left unexpanded) be the last of them."""
    if not quote.speaker or quote.confidence == UNCERTAIN:
        return False
    said = fold_words(quote.speaker)
    asked = [w for w in fold_words(name) if w not in TITLES and w not in FUNCTION]
    if not said or not asked:
        return False
    if all(w in said for w in asked):
        return True
    return said[-1] == asked[-1] and all(w in asked for w in said)




def speaker_key(name: str) -> str:
    """The one name word every speaker `speaker_matches(_, name)` accepts must have ('' if none):
    the last word of `name` once titles are dropped. An index looks speakers up by it."""
    asked = [w for w in fold_words(name) if w not in TITLES and w not in FUNCTION]
    return asked[-1] if asked else ""


def keep(text: str, r: Raw) -> bool:
    """Drop scare quotes and titles ("boss", "Gone with the Wind") unless attributed directly."""
    words = re.findall(r"\w[\w'’-]*", text[r.start : r.end])
    if not any(c.isalpha() for c in text[r.start : r.end]):
        return False
    long_words = [w for w in words if len(w) >= 4]
    title_case = (bool(long_words) and all(w[0].isupper() for w in long_words)
                  and not re.search(r"[.!?,]", text[r.start : r.end]))
    if len(words) >= MIN_WORDS and not title_case:
        return True
    return r.attr.direct and r.confidence != UNCERTAIN


def opens_paragraph(text: str, para_start: int, raw: Raw) -> bool:
    return not raw.continues and not text[para_start : raw.open].strip()


def across_paragraphs(first: Raw, second: Raw) -> None:
    """The news convention: a quotation left open at a paragraph's end goes on in the next one,
    which opens with a mark. The part without a speaker takes the other part's (named only)."""
    if first.confidence == UNCERTAIN and second.confidence == NAMED and not first.attr.cue:
        first.speaker, first.confidence = second.speaker, PRONOUN
    elif second.confidence == UNCERTAIN and first.confidence != UNCERTAIN and not second.attr.cue:
        second.speaker, second.confidence = first.speaker, PRONOUN
