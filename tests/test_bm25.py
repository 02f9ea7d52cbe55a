"""rag.store.lexical and rag.text: tokenizing (stopwords, stemming) and ranking on a toy corpus."""

from __future__ import annotations

import numpy as np
import pytest

from rag.store.lexical import BM25
from rag.text import STOPWORDS, stem, tokenize

DOCS = [
    "The council met on Monday to discuss the city budget.",  # 0
    "The council approved the budget after a long debate.",  # 1
    "A zebra escaped from the city zoo and ran into the council chamber.",  # 2
    "Weather: rain on Monday, sun on Tuesday.",  # 3
    "Russia said it would keep supplying weapons; the supplies continue.",  # 4
]


@pytest.fixture(scope="module")
def index() -> BM25:
    return BM25(DOCS)


def ranking(index: BM25, query: str) -> list[int]:
    scores = index.scores(query)
    return [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]


def test_rare_term_outweighs_common_terms(index: BM25) -> None:
    # "council" is in three documents, "zebra" in one: the zebra document wins.
    assert ranking(index, "council zebra")[0] == 2
    assert index.term_idf("zebra") > index.term_idf("council") > 0


def test_documents_without_query_terms_score_zero(index: BM25) -> None:
    scores = index.scores("budget")
    assert scores.shape == (len(DOCS),)
    assert set(np.flatnonzero(scores)) == {0, 1}
    assert scores[2] == scores[3] == scores[4] == 0


def test_more_matching_terms_rank_higher(index: BM25) -> None:
    assert ranking(index, "council budget Monday")[0] == 0


def test_repeated_term_scores_higher_but_saturates() -> None:
    once = BM25(["apple pie recipe", "apple apple apple pie", "pear tart"]).scores("apple")
    assert once[1] > once[0] > 0
    # saturation: three occurrences are worth well under three times one
    assert once[1] < 3 * once[0]


def test_stemming_matches_inflected_forms(index: BM25) -> None:
    assert stem("supplying") == stem("supplies") == stem("supply") == "suppli"
    assert stem("weapons") == stem("weapon")
    assert ranking(index, "supply weapon") == [4]
    assert ranking(index, "approves")[0] == 1  # 'approved' in the text


def test_short_words_and_numbers_are_not_stemmed() -> None:
    assert stem("was") == "was"
    assert stem("2019") == "2019"
    assert stem("1234567") == "1234567"


def test_tokenize_lowercases_drops_stopwords_and_stems() -> None:
    assert tokenize("The Council was DISCUSSING the budgets, and they said no.") == ["council", "discuss", "budget"]
    assert {"the", "and", "what", "said", "who"} <= STOPWORDS


def test_stopword_only_query_scores_zero(index: BM25) -> None:
    assert tokenize("What did they do about the") == []
    assert not index.scores("What did they do about the").any()


@pytest.mark.parametrize("query", ["", "   ", "?!", "unseenword"])
def test_empty_or_unknown_query_gives_zeros(index: BM25, query: str) -> None:
    scores = index.scores(query)
    assert scores.shape == (len(DOCS),)
    assert not scores.any()


def test_empty_corpus() -> None:
    empty = BM25([])
    assert empty.size == 0
    assert empty.scores("anything").shape == (0,)


def test_an_unseen_term_counts_as_the_rarest(index: BM25) -> None:
    seen = [index.term_idf(t) for t in index.vocab]
    assert index.term_idf("zzzz") >= max(seen) > 0


def test_length_normalisation_prefers_the_shorter_document() -> None:
    bm = BM25(["election result", "election " + " ".join(f"filler{i}" for i in range(40))])
    s = bm.scores("election")
    assert s[0] > s[1] > 0
