"""A small BM25 index over chunk texts, held as a sparse matrix (scipy) for fast scoring.

Built from what the store holds, so it can never disagree with the vector side; scores every
chunk for a query, and the caller applies the same filters it gives Chroma.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Sequence

import numpy as np

K1 = 1.2
B = 0.75

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


class BM25:
    def __init__(self, texts: Sequence[str]) -> None:
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for r, text in enumerate(texts):
            terms = tokenize(text)
            lengths[r] = len(terms)
            counts: dict[int, int] = {}
            for t in terms:
                col = vocab.setdefault(t, len(vocab))
                counts[col] = counts.get(col, 0) + 1
            rows += [r] * len(counts)
            cols += list(counts)
            vals += list(counts.values())
        self.vocab = vocab
        n = len(texts)
        tf = sparse.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(n, max(1, len(vocab))))
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=tf.shape[1]).astype(np.float32)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / (avg or 1.0))
        tf = tf.tocoo()
        weights = self.idf[tf.col] * tf.data * (K1 + 1) / (tf.data + norm[tf.row])
        self.matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        self.size = n

    def scores(self, query: str) -> np.ndarray:
        cols = sorted({self.vocab[t] for t in tokenize(query) if t in self.vocab})
        if not cols or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.matrix[:, cols].sum(axis=1)).ravel()

    def term_idf(self, term: str) -> float:
        """IDF of an already-tokenized term; a term the corpus never uses is the rarest of all."""
        i = self.vocab.get(term)
        return float(self.idf[i]) if i is not None else float(np.log1p((self.size + 0.5) / 0.5))
