"""Every quote newsrag can cite is verbatim: `article.text[start:end] == quote`, over the whole corpus."""

from __future__ import annotations

from rag.answer.sentences import abstain, candidates
from rag.ask.retrieve import hit_from


def test_every_chunk_and_every_quotable_sentence_is_verbatim(wikinews_index) -> None:
    texts = {a.id: a.text for a in wikinews_index.store.articles(include_text=True)}
    sentences = 0
    for cid, meta, text in wikinews_index.store.iter_chunks():
        hit = hit_from(cid, meta, text)
        article = texts[hit.article_id]
        assert article[hit.start : hit.end] == hit.text, cid
        for s in candidates([hit], passages=1):
            assert article[s.start : s.end] == s.text, (cid, s.text)
            sentences += 1
    assert len(texts) == 294 and sentences > 5000


def test_related_coverage_quotes_are_verbatim_too(wikinews_index) -> None:
    hits = wikinews_index.search("Which country won the Eurovision Song Contest in 2019?", k=8)
    answer = abstain("q", hits, [])  # no sentences: whole passages are cited
    assert answer.abstained and answer.related
    for c in answer.related:
        assert wikinews_index.article(c.article_id).text[c.start : c.end] == c.quote
