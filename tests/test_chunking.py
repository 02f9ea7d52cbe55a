"""rag.ingest.chunking: exact offsets, the token budget (real tokenizer), overlap, quotations, empty text."""

from __future__ import annotations

import re

import pytest

from conftest import CORPUS, WIKINEWS
from rag.ingest.chunking import chunk_article, estimate_tokens
from rag.text import sentence_spans
from rag.types import Article


def words(text: str) -> int:
    """A deterministic token counter for unit tests: one token per word."""
    return len(text.split())


def art(text: str, title: str = "T") -> Article:
    return Article(id="a", title=title, text=text)


@pytest.fixture(scope="module")
def wikinews_articles() -> list[Article]:
    if not WIKINEWS.exists():
        pytest.skip(f"{WIKINEWS} is missing (../shared is laid beside the repo in CI)")
    from rag.ingest.files import load

    items = list(load([WIKINEWS]))
    articles = [a for a in items if isinstance(a, Article)]
    assert len(articles) == len(items) == 293
    return articles


@pytest.fixture(scope="module")
def count_tokens():
    """The packaged model's real tokenizer (word pieces, no special tokens)."""
    from rag.embedding import Embedder

    return Embedder().count_tokens


@pytest.fixture(scope="module")
def seed_article() -> Article:
    from rag.ingest.files import load

    (a,) = load([CORPUS / "baonghean-putin-negotiations.txt"])
    assert isinstance(a, Article)
    return a


# --- offsets ------------------------------------------------------------------------------
def test_offsets_are_exact_for_every_wikinews_article(wikinews_articles: list[Article]) -> None:
    total = 0
    for a in wikinews_articles:
        chunks = chunk_article(a)
        assert chunks, a.id
        for i, c in enumerate(chunks):
            assert a.text[c.start : c.end] == c.text, (a.id, i)
            assert c.article_id == a.id and c.index == i and c.id == f"{a.id}#{i}"
            assert c.text.strip()
        assert [c.start for c in chunks] == sorted(c.start for c in chunks)
        total += len(chunks)
    assert total > len(wikinews_articles)  # long articles really are split


def test_chunks_cover_all_the_text(wikinews_articles: list[Article]) -> None:
    """No text is lost: between, before and after the chunks there is only whitespace."""
    for a in wikinews_articles:
        chunks = sorted(chunk_article(a), key=lambda c: c.start)
        covered = 0
        for c in chunks:
            assert not a.text[covered : c.start].strip(), (a.id, a.text[covered : c.start][:80])
            covered = max(covered, c.end)
        assert not a.text[covered:].strip(), a.id


def test_sentence_spans_never_cross_a_line_break() -> None:
    text = "First line ends here\nSecond sentence. Third one!\n\nFourth?  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["First line ends here", "Second sentence.", "Third one!", "Fourth?"]


# --- token budget -------------------------------------------------------------------------
def test_most_wikinews_chunks_fit_the_budget_with_the_real_tokenizer(wikinews_articles, count_tokens) -> None:
    max_tokens = 200
    n = over = 0
    for a in wikinews_articles:
        budget = max(16, max_tokens - count_tokens(a.title))
        for c in chunk_article(a, max_tokens=max_tokens, count_tokens=count_tokens):
            n += 1
            over += count_tokens(c.text) > budget
    assert n > 1500
    assert over / n < 0.02, f"{over} of {n} chunks exceed the token budget"


def test_every_wikinews_chunk_fits_the_model_window_with_its_title(wikinews_articles, count_tokens) -> None:
    """What ingest embeds is 'title\\nchunk': it must fit MiniLM's 256 word pieces (2 are special tokens)."""
    for a in wikinews_articles:
        for c in chunk_article(a, max_tokens=200, count_tokens=count_tokens):
            assert count_tokens(f"{a.title}\n{c.text}") + 2 <= 256, (a.id, c.index)


def test_budget_leaves_room_for_the_title() -> None:
    text = " ".join(f"Sentence number {i} has six words." for i in range(40))
    short = chunk_article(art(text, title="Hi"), max_tokens=40, count_tokens=words)
    long_title = chunk_article(art(text, title=" ".join(["word"] * 16)), max_tokens=40, count_tokens=words)
    assert all(words(c.text) <= 40 - 1 for c in short)
    assert all(words(c.text) <= 40 - 16 for c in long_title)
    assert len(long_title) > len(short)


def test_a_single_overlong_sentence_is_split_at_word_boundaries(count_tokens) -> None:
    sentence = "The committee " + ", ".join(f"heard from witness number {i} about the budget" for i in range(80)) + "."
    a = art("Short opening sentence here. " + sentence + " A closing sentence follows.")
    assert count_tokens(sentence) > 400
    chunks = chunk_article(a, max_tokens=100, count_tokens=count_tokens)
    budget = 100 - count_tokens(a.title)
    assert len(chunks) >= 5
    for c in chunks:
        assert a.text[c.start : c.end] == c.text
        assert count_tokens(c.text) <= budget, (count_tokens(c.text), c.text[:60])
        # cut at word boundaries: never in the middle of a word
        assert c.start == 0 or a.text[c.start - 1].isspace()
        assert c.end == len(a.text) or a.text[c.end].isspace()
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(a.text) if not ch.isspace())


def test_an_overlong_sentence_of_uneven_token_density_is_split_within_the_budget(count_tokens) -> None:
    """`_fit` splits a long sentence into equal word counts, assuming every word costs the same
    number of word pieces. Plain words followed by words of a rarer script (Greek here; Hindi in
    the Wikinews corpus) give pieces far over the budget, whose tail the model then never sees."""
    sentence = " ".join(["word"] * 150) + " " + " ".join(["Χαλκιδική-Θεσσαλονίκη"] * 60) + "."
    a = art(sentence)
    chunks = chunk_article(a, max_tokens=100, count_tokens=count_tokens)
    budget = 100 - count_tokens(a.title)
    sizes = [count_tokens(c.text) for c in chunks]
    assert all(n <= budget for n in sizes), f"budget {budget}, chunk sizes {sizes}"


def test_estimate_tokens_is_a_rough_word_piece_count() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("one two three four five six seven eight nine ten") == 14


# --- overlap ------------------------------------------------------------------------------
def test_consecutive_chunks_share_exactly_one_sentence() -> None:
    sentences = [f"Sentence {i} says something new." for i in range(30)]
    a = art(" ".join(sentences))
    chunks = chunk_article(a, max_tokens=21, count_tokens=words)  # budget 20: four 5-word sentences
    assert len(chunks) > 3
    spans = sentence_spans(a.text)
    for prev, nxt in zip(chunks, chunks[1:]):
        inside_prev = [(s, e) for s, e in spans if prev.start <= s and e <= prev.end]
        inside_next = [(s, e) for s, e in spans if nxt.start <= s and e <= nxt.end]
        assert len(inside_prev) == 4
        assert inside_prev[-1] == inside_next[0]  # the last sentence of one is the first of the next
        assert set(inside_prev) & set(inside_next) == {inside_prev[-1]}
    assert chunks[-1].end == len(a.text)


def test_overlap_zero_gives_disjoint_chunks() -> None:
    a = art(" ".join(f"Sentence {i} says something new." for i in range(30)))
    chunks = chunk_article(a, max_tokens=21, overlap=0, count_tokens=words)
    for prev, nxt in zip(chunks, chunks[1:]):
        assert prev.end < nxt.start
    assert "".join(c.text for c in chunks).replace(" ", "") == a.text.replace(" ", "")


def test_a_short_article_is_one_chunk() -> None:
    a = art("Only one sentence. And a second.")
    (c,) = chunk_article(a)
    assert (c.start, c.end, c.text) == (0, len(a.text), a.text)


# --- quotations ---------------------------------------------------------------------------
def test_quotation_followed_by_attribution_stays_one_sentence(seed_article: Article) -> None:
    text = seed_article.text
    tail = "mistakes?\" - President Putin told Carlson."
    end = text.index(tail) + len(tail)
    spans = sentence_spans(text)
    containing = [(s, e) for s, e in spans if s < end - 5 and end - 5 < e]
    assert len(containing) == 1
    s, e = containing[0]
    assert text[s:e].startswith("But why should we make a fuss")
    assert text[s:e].endswith(tail)


def test_continuation_pieces_are_joined_but_new_sentences_are_not() -> None:
    text = 'He said: "Is it over?" - the minister asked. "Yes," she replied. Then they left.'
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got[0] == 'He said: "Is it over?" - the minister asked.'
    assert got[-1] == "Then they left."


# --- empty input --------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "   ", "\n\n \t\n"])
def test_empty_or_whitespace_text_gives_no_chunks(text: str) -> None:
    assert sentence_spans(text) == []
    assert chunk_article(art(text)) == []
    assert chunk_article(art(text), count_tokens=words) == []


def test_chunking_is_deterministic(seed_article: Article) -> None:
    assert chunk_article(seed_article) == chunk_article(seed_article)
    assert all(re.search(r"\w", c.text) for c in chunk_article(seed_article))
