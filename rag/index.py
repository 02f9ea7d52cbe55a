"""NewsIndex: the one object the CLI, the page and notebooks all use."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from .answer.extractive import ExtractiveAnswerer, abstain
from .chat import Message, context_for, search_query
from .chunking import DEFAULT_CHUNK_TOKENS
from .config import Settings
from .embedding import Embedder
from .errors import EmptyIndexError, ModelMismatchError
from .ingest import ingest as run_ingest
from .retrieve import Corpus, Filters, search
from .store import Store
from .types import Answer, Hit, IngestReport

log = logging.getLogger(__name__)


class NewsIndex:
    """A searchable news corpus in one directory (an embedded Chroma database).

        idx = NewsIndex("data/news")            # creates or opens it
        idx.ingest(["corpus/", "feed.jsonl"])   # IngestReport
        idx.search("Who signed in Istanbul?")   # list[Hit]
        idx.query("What did Putin say?")        # Answer
    """

    def __init__(self, path: str | PathLike | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.path = Path(path).expanduser() if path is not None else self.settings.home / "index"
        self.store = Store(self.path, self.settings.model)
        stored = self.store.stored_model()
        if stored is not None and stored != self.settings.model:
            raise ModelMismatchError(str(self.path), stored, self.settings.model)
        self.embedder = Embedder(self.settings.model)
        self._corpus: Corpus | None = None

    def __repr__(self) -> str:
        return f"NewsIndex({str(self.path)!r}, model={self.settings.model!r})"

    # -- writing -------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | PathLike] | str | PathLike, progress: bool | None = None) -> IngestReport:
        """Add or update the articles under `paths` (files or directories). Unchanged articles are
        skipped before embedding; bad files and records are listed in `report.failed`."""
        if isinstance(paths, (str, PathLike)):
            paths = [paths]
        report = run_ingest(self.store, self.embedder, paths, DEFAULT_CHUNK_TOKENS, progress)
        if report.added or report.updated:
            self._corpus = None  # the BM25 side is rebuilt from the store on next use
        return report

    # -- reading -------------------------------------------------------------------------
    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            self._corpus = Corpus.load(self.store)
        return self._corpus

    def _require_articles(self) -> None:
        if not self.corpus.ids:
            raise EmptyIndexError(str(self.path))

    def search(
        self,
        question: str,
        k: int = 10,
        *,
        since: str | None = None,
        until: str | None = None,
        sources: Sequence[str] = (),
        article_ids: Sequence[str] = (),
    ) -> list[Hit]:
        """The `k` best passages for `question`: dense and BM25 fused, filters applied to both."""
        self._require_articles()
        filters = Filters(since, until, tuple(sources), tuple(article_ids))
        return self._search(question, k, filters)

    def _search(self, text: str, k: int, filters: Filters) -> list[Hit]:
        vector = self.embedder.encode([text])[0]
        return search(self.store, self.corpus, vector, text, k, filters, self.settings.per_article)

    def query(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        *,
        k: int | None = None,
        since: str | None = None,
        until: str | None = None,
        sources: Sequence[str] = (),
        article_ids: Sequence[str] = (),
    ) -> Answer:
        """Answer `question` from the corpus, every sentence cited, or abstain honestly.
        `history` ({"role", "content"} messages) lets a follow-up lean on earlier turns."""
        self._require_articles()
        t0 = time.perf_counter()
        filters = Filters(since, until, tuple(sources), tuple(article_ids))
        searched = search_query(question, history)
        hits = self._search(searched, k or self.settings.top_k, filters)
        t1 = time.perf_counter()
        if hits:
            answer = self.answerer.answer(question, hits, context=context_for(question, history))
        else:
            answer = abstain(question, hits)
        t2 = time.perf_counter()
        answer.search_query = searched
        answer.filters = filters.to_dict()
        answer.timings = {"retrieve": t1 - t0, "answer": t2 - t1}
        return answer

    @property
    def answerer(self) -> ExtractiveAnswerer:
        bm25 = self.corpus.bm25
        return ExtractiveAnswerer(
            encode=self.embedder.encode,
            idf=bm25.term_idf if bm25 else (lambda t: 1.0),
            threshold=self.settings.abstain_threshold,
        )

    def article(self, article_id: str) -> dict[str, Any] | None:
        """An article's metadata and full text (`text`), or None."""
        got = self.store.get_article(article_id)
        if got is None:
            return None
        meta, text = got
        return {"id": article_id, **meta, "text": text}

    def stats(self) -> dict[str, Any]:
        """What the index holds: articles, chunks, outlets, date range, model, path."""
        dates: list[str] = []
        sources: dict[str, int] = {}
        n = 0
        for _, meta, _ in self.store.iter_articles():
            n += 1
            if meta.get("published"):
                dates.append(meta["published"])
            src = meta.get("source") or "(unknown)"
            sources[src] = sources.get(src, 0) + 1
        return {
            "articles": n,
            "chunks": self.store.chunk_count(),
            "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            "first_date": min(dates) if dates else None,
            "last_date": max(dates) if dates else None,
            "model": self.settings.model,
            "path": str(self.path),
        }
