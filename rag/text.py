"""Text analysis every step shares: word tokens for lexical matching, and sentences.

- `tokenize`: lower-cased, Porter-stemmed word tokens without stopwords, near-synonyms folded
  (BM25, the answerers' term coverage and the verification of generated sentences all count
  the same tokens);
- `sentence_spans`: sentence offsets by NLTK's Punkt model as shipped inside llama-index-core
  (no download), a line break always ending a sentence;
- `seen_lowercase`: whether Punkt's training text used a word in lower case (a common word,
  not a name), for the quotation extractor.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

STOPWORDS = frozenset(
    """a an and are as at be been being but by did do does for from had has have he her him his how
    i in into is it its of on or she so than that the their them then there these they this those
    to was were what when where which who whom whose why will with would you your about after
    before said says also not no yes can could should may might""".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Porter stem ('supplying' -> 'suppli'), cached: news vocabularies repeat a lot."""
    return _porter().stem(word, to_lowercase=False) if len(word) > 3 and not word.isdigit() else word


@lru_cache(maxsize=1)
def _porter():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


# Words news writes interchangeably for the things people ask about most (after stemming).
SAME = {
    "dead": "die", "death": "die", "kill": "die", "fatal": "die",
    "wound": "injur", "hurt": "injur",
    "aboard": "board",
    "detain": "arrest",
}


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens without stopwords; near-synonyms folded (SAME)."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w not in STOPWORDS:
            t = stem(w)
            out.append(SAME.get(t, t))
    return out


@lru_cache(maxsize=1)
def punkt():
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    spec = importlib.util.find_spec("llama_index.core")
    if spec and spec.submodule_search_locations:
        bundled = Path(list(spec.submodule_search_locations)[0]) / "_static" / "nltk_cache"
        if str(bundled) not in nltk.data.path:
            nltk.data.path.append(str(bundled))
    return PunktTokenizer("english")


_PARAGRAPH = re.compile(r"[^\n]+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence; a line break always ends a sentence."""
    spans: list[tuple[int, int]] = []
    tokenizer = punkt()
    for para in _PARAGRAPH.finditer(text):
        base = para.start()
        for s, e in tokenizer.span_tokenize(para.group()):
            spans.append((base + s, base + e))
    spans = [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans if text[s:e].strip()]
    return _join_continuations(text, spans)


_CONTINUATION = re.compile(r"[-–—a-z,;:)]")


def _join_continuations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Punkt splits after a quotation's closing mark ('...mistakes?" - Putin told Carlson.');
    a piece that starts like the rest of a sentence (a dash, lower case) is joined to the one before."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _CONTINUATION.match(text[s]) and "\n" not in text[out[-1][1] : s]:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out



# Punkt's orthographic flags (nltk.tokenize.punkt): how its training text used each word.
_ORTHO_MID_UC, _ORTHO_BEG_LC, _ORTHO_MID_LC, _ORTHO_UNK_LC = 1 << 2, 1 << 4, 1 << 5, 1 << 6
_ORTHO_LC = _ORTHO_BEG_LC | _ORTHO_MID_LC | _ORTHO_UNK_LC


@lru_cache(maxsize=1)
def _ortho_context() -> dict[str, int]:
    from nltk.tokenize.punkt import load_punkt_params

    punkt()  # puts the bundled model on nltk's path
    import nltk

    return dict(load_punkt_params(nltk.data.find("tokenizers/punkt_tab/english/")).ortho_context)


def seen_lowercase(word: str, only: bool = False) -> bool:
    """Punkt's training corpus saw this word in lower case (a common word, not a name); `only`:
    and never capitalised inside a sentence ("fellow", unlike "Mark" or "Bill")."""
    flags = _ortho_context().get(word.lower(), 0)
    return bool(flags & _ORTHO_LC) and not (only and flags & _ORTHO_MID_UC)
