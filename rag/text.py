"""Text analysis every step shares: word tokens for lexical matching, and sentences.

- `tokenize`: lower-cased, Porter-stemmed word tokens without stopwords, near-synonyms folded
  (BM25, the answerers' term coverage and the verification of generated sentences all count
  the same tokens);
- `sentence_spans`: sentence offsets by NLTK's Punkt model as shipped inside llama-index-core
  (no download), a line break always ending a sentence;
- `seen_lowercase`: whether Punkt's training text used a word in lower case (a common word,
  not a name), for the quotation extractor;
- `fact_difference`: where two texts that say the same thing give a fact differently ("in
  Tampa" / "in Glendale"): a syndicated copy that differs so is no copy, and two reports that
  differ so disagree.
"""

from __future__ import annotations

import difflib
import importlib.abc
import importlib.util
import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from .lexicon import MONTH_NAMES, NUMBER_WORDS, WEEKDAYS

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
    _import_nltk()
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


class _Optional(importlib.abc.MetaPathFinder):
    """Refuses the optional imports nltk tries at import time for features we don't use."""

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001, ANN201
        if name.split(".")[0] == "sklearn" or name.startswith("scipy.stats"):
            raise ImportError(f"{name} is not loaded for nltk here")
        return None


def _import_nltk() -> None:
    """Import nltk without the scipy.stats and scikit-learn it loads when they are installed
    (for collocation statistics and a parser's classifier: 1.5 to 2.5 s of a cold `newsrag ask`);
    it takes their absence in its stride. Only while nltk itself loads: they import normally after."""
    import sys

    if "nltk" in sys.modules:
        return
    blocker = _Optional()
    sys.meta_path.insert(0, blocker)
    try:
        import nltk  # noqa: F401
    finally:
        sys.meta_path.remove(blocker)


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
    _import_nltk()
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


_FULL_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+")  # two or more capitalised words
_NOT_NAMES = frozenset([*MONTH_NAMES, *WEEKDAYS, *"""a an the in on at by for from with to of as after before since
    during when while and but if so""".split()])  # words that open a capitalised run without being a name


def full_names(text: str) -> list[list[str]]:
    """The names of two or more capitalised words in `text`, each once, as their words ("In October
    Eliud Kipchoge and Brigid Kosgei ..." -> [["Eliud", "Kipchoge"], ["Brigid", "Kosgei"]])."""
    out = []
    for span in dict.fromkeys(_FULL_NAME.findall(text)):
        words = span.split()
        while words and (seen_lowercase(words[0], only=True) or words[0].lower() in _NOT_NAMES):
            words = words[1:]  # "In October Eliud Kipchoge": the name is Eliud Kipchoge
        if len(words) >= 2:
            out.append(words)
    return out


_FACT_WORDS = frozenset([*NUMBER_WORDS, *MONTH_NAMES, *WEEKDAYS])
_PUNCT = ".,;:!?\"“”'’()[]"


def _fact(word: str, ignore: Collection[str]) -> bool:
    core = word.strip(_PUNCT)
    if not core or core.lower() in ignore:
        return False
    return any(c.isdigit() for c in core) or core.lower() in _FACT_WORDS or core[0].isupper()


def alike(a: str, b: str) -> float:
    """How much of their wording two texts share, 0..1 (difflib's ratio over words)."""
    fold = lambda text: [w.strip(_PUNCT).lower() for w in text.split()]  # noqa: E731
    return difflib.SequenceMatcher(None, fold(a), fold(b), autojunk=False).ratio()


def fact_difference(a: str, b: str, ignore: Collection[str] = (), edge: int = 0) -> tuple[str, str] | None:
    """(what `a` says, what `b` says instead) at the first place two alike texts differ in a fact
    (a number, a name, a place, a month or weekday), or None when they differ only in wording.
    Differences within `edge` words of either end (bylines, datelines) and in `ignore` words
    (outlets' own names) don't count."""
    wa, wb = a.split(), b.split()
    fold = lambda words: [w.strip(_PUNCT).lower() for w in words]  # noqa: E731
    ops = difflib.SequenceMatcher(None, fold(wa), fold(wb), autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal" or i1 < edge or i2 > len(wa) - edge or j1 < edge or j2 > len(wb) - edge:
            continue
        if any(_fact(w, ignore) for w in wa[i1:i2] + wb[j1:j2]):
            return " ".join(wa[i1:i2]).strip(_PUNCT) or "-", " ".join(wb[j1:j2]).strip(_PUNCT) or "-"
    return None
