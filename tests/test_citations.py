"""Every quote newsrag can cite is verbatim: `article.text[start:end] == quote`, over the whole corpus."""

from __future__ import annotations

from rag.answer.extractive import abstain, candidates
from rag.retrieve import _hit


def test_every_chunk_and_every_quotable_sentence_is_verbatim(wikinews_index) -> None:
    texts = {aid: text for aid, _, text in wikinews_index.store.iter_articles(include_text=True)}
    corpus = wikinews_index.corpus
    sentences = 0
    for cid, meta, text in zip(corpus.ids, corpus.metas, corpus.texts):
        hit = _hit(cid, meta, text)
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
        assert wikinews_index.article(c.article_id)["text"][c.start : c.end] == c.quote
