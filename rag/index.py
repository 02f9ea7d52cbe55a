"""NewsIndex: the one object the CLI, the page and notebooks all use."""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Sequence
from os import PathLike
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .answer import disagree, quoted
from .answer import llm as llm_answer
from .answer.extractive import ExtractiveAnswerer, abstain, candidates
from .answer.llm import LLMSpec, parse_spec
from .answer.verify import verify
from .chat import Message, context_for, search_query, user_turns
from .bm25 import tokenize
from .chunking import DEFAULT_CHUNK_TOKENS
from .config import Settings
from .embedding import Embedder
from .errors import ConfigError, EmptyIndexError, IndexNotFoundError, LLMError, ModelMismatchError, RagError
from .fetch import FetchPolicy
from .ingest import read, write_articles
from .ingest import ingest as run_ingest
from .lock import write_lock
from .rerank import Reranker
from .retrieve import Corpus, Filters, search
from .store import Store
from . import timeline
from .timeline import TIMELINE_K, timeline_topic
from .timeparse import TimeWindow, parse_time
from .types import Answer, AnswerStream, Hit, IngestReport

log = logging.getLogger(__name__)

RERANK_POOL = 30  # fused candidates the reranker re-scores
EARLIEST_AS_OF, LATEST_AS_OF = 1000, 9000  # years: "last year" or "a month wider" must stay a real date
MAX_K = 200  # the most passages (or quotations) one call may ask for


def check_k(k: int, name: str = "k") -> int:
    """`k` if it is a sensible count of results (1..MAX_K), else a ConfigError saying so."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ConfigError(f"{name} must be a whole number from 1 to {MAX_K}, not {k!r}.")
    return k


class NewsIndex:
    """A searchable news corpus in one directory (an embedded Chroma database).

        idx = NewsIndex("data/news")            # creates or opens it
        idx.ingest(["corpus/", "feed.jsonl"])   # IngestReport
        idx.search("Who signed in Istanbul?")   # list[Hit]
        idx.query("What did Putin say?")        # Answer
    """

    def __init__(
        self, path: str | PathLike | None = None, settings: Settings | None = None, *, create: bool = True
    ) -> None:
        """Open the index at `path` (default RAG_HOME/index). With `create=False` a path that holds
        no index is an IndexNotFoundError instead of a new, empty index (for read-only commands)."""
        self.settings = settings or Settings.from_env()
        self.path = Path(path).expanduser() if path is not None else self.settings.home / "index"
        if not self.settings.chroma_url:
            if self.path.exists() and not self.path.is_dir():
                raise ConfigError(f"{self.path} is a file, not an index directory: give --index a directory.")
            if not create and not (self.path / "chroma").is_dir():
                raise IndexNotFoundError(
                    f"There is no index at {self.path}. Check the path (--index or RAG_HOME), or create one "
                    "with `newsrag ingest PATH...`."
                )
        self.store = Store(self.path, self.settings.model, self.settings.chroma_url)
        stored = self.store.stored_model()
        if stored is not None and stored != self.settings.model:
            raise ModelMismatchError(self.settings.chroma_url or str(self.path), stored, self.settings.model)
        self.embedder = Embedder(
            self.settings.model, backend=self.settings.encoder, cache_dir=self.settings.home / "cache" / "encoders"
        )
        self.reranker = Reranker(self.settings.reranker) if self.settings.reranker else None
        self._corpus: Corpus | None = None
        self._llms: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"NewsIndex({str(self.path)!r}, model={self.settings.model!r})"

    # -- writing -------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[str | PathLike] | str | PathLike,
        progress: bool | None = None,
        prune: bool = False,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
    ) -> IngestReport:
        """Add or update the articles under `paths` (files or directories). Unchanged articles are
        skipped before embedding; bad files and records are listed in `report.failed`. With
        `prune`, articles that disappeared from those directories are removed. `include` and
        `exclude` are glob patterns for files inside directories. One writer at a
        time: a second waits for the first (RAG_LOCK_TIMEOUT)."""
        if isinstance(paths, (str, PathLike)):
            paths = [paths]
        paths = list(paths)
        self.store.check_writable()
        loaded = read(paths, include, exclude, FetchPolicy.from_settings(self.settings))  # before the lock: fetching may be slow
        prune_dirs = [p for p in paths if prune and not str(p).startswith(("http://", "https://")) and Path(p).is_dir()]
        with write_lock(self.path, self.settings.lock_timeout):
            report = run_ingest(
                self.store, self.embedder, loaded, DEFAULT_CHUNK_TOKENS, progress,
                batch=self.settings.ingest_batch, prune_dirs=prune_dirs, include=include, exclude=exclude,
            )
        return report  # the next search sees the store's new generation and rebuilds BM25

    def remove(
        self, *, ids: Sequence[str] = (), urls: Sequence[str] = (), sources: Sequence[str] = ()
    ) -> list[str]:
        """Delete the articles with these ids, URLs or outlets; returns the ids removed. A syndicated
        copy of a removed article is promoted to an article of its own (embedded now), so the
        story stays findable under the outlet that still carries it."""
        ids_, urls_, sources_ = set(ids), set(urls), set(sources)
        self.store.check_writable()
        doomed = [a.id for a in self.store.articles() if a.id in ids_ or a.url in urls_ or a.source in sources_]
        with write_lock(self.path, self.settings.lock_timeout):
            self.store.delete_articles(doomed)
            orphaned = [c for c in self.store.copies_of(doomed) if c.id not in set(doomed)]
            if orphaned:
                write_articles(self.store, self.embedder, orphaned, DEFAULT_CHUNK_TOKENS, False,
                               self.settings.ingest_batch, IngestReport(), promoted_ids={c.id for c in orphaned})
        return doomed

    # -- reading -------------------------------------------------------------------------
    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            self._corpus = Corpus.load(self.store)
        return self._corpus

    def _require_articles(self) -> None:
        """Called as each search starts: rebuild the in-memory side (BM25) if any process has
        written to the index since it was built, then insist on there being something to search."""
        if self._corpus is not None and self._corpus.generation != self.store.generation():
            self._corpus = None
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
        check_k(k)
        self._require_articles()
        filters = Filters(since, until, tuple(sources), tuple(article_ids))
        return self._search(question, k, filters)

    def _search(self, text: str, k: int, filters: Filters) -> list[Hit]:
        vector = self.embedder.encode_query(text)
        per_article = self.settings.per_article
        if self.reranker is None:
            return search(self.store, self.corpus, vector, text, k, filters, per_article)
        pool = search(self.store, self.corpus, vector, text, max(RERANK_POOL, k), filters, per_article)
        return self.reranker.rerank(text, pool, k, per_article)

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
        as_of: str | date | None = None,
        llm: str | None = None,
        stream: bool = False,
        fallback: bool = False,
    ) -> Answer | AnswerStream:
        """Answer `question` from the corpus, every sentence cited, or abstain honestly.

        `history` ({"role", "content"} messages) lets a follow-up lean on earlier turns. A time
        the question names ("in March 2020", "last week") becomes a published-date window,
        resolved against `as_of` (default: the RAG_AS_OF setting, else today), unless `since` or
        `until` are given. When nothing was published in that window, the search widens and the
        answer says so.

        `llm` picks the answerer for this call ('extractive', 'ollama:MODEL', 'openai:MODEL@URL',
        'gguf:PATH'; default: the RAG_LLM setting). A generated answer is verified sentence by
        sentence against the passages it cites (`Answer.claims`, `Citation.supported`). With
        `stream=True` the result is an AnswerStream: iterate it for text as it is generated, then
        read `.answer`. An LLM that fails raises an LLMError, or with `fallback=True` gives the
        extractive answer with a `notice` saying why."""
        if k is not None:
            check_k(k)
        self._require_articles()
        spec = parse_spec(self.settings.llm if llm is None else llm)
        today = self._as_of(as_of)
        steps = self._answer(question, history, spec, today, fallback, k=k or self.settings.top_k, since=since,
                             until=until, sources=tuple(sources), article_ids=tuple(article_ids))
        answers = AnswerStream(steps)
        return answers if stream else answers.answer

    def _answer(
        self, question: str, history: Sequence[Message] | None, spec: LLMSpec | None, today: date, fallback: bool,
        *, k: int, since: str | None, until: str | None, sources: tuple[str, ...], article_ids: tuple[str, ...],
    ) -> Generator[str, None, Answer]:
        """The steps of one answer: yields text as it comes, returns the finished Answer."""
        t0 = time.perf_counter()
        notice = ""
        context = context_for(question, history)
        searched = search_query(question, history)
        if spec is not None and user_turns(history):
            try:
                standalone = llm_answer.condense(self._llm(spec), spec, question, history or [])
            except LLMError as exc:
                if not fallback:
                    raise
                standalone, notice = "", self._fallback_notice(spec, exc)
                spec = None
            if standalone:
                searched, context = standalone, ""
        window = None
        if not (since or until):
            window = parse_time(searched if spec else question, today) or (
                parse_time(context, today) if context else None
            )
        coverage = self.corpus.coverage
        if window and coverage and (window.since.isoformat() > coverage[1] or window.until.isoformat() < coverage[0]):
            answer = self._outside_coverage(question, searched, window, coverage, k, sources, article_ids, t0)
            yield answer.text
            return answer
        note = ""
        hits: list[Hit] = []
        topic = timeline_topic(question)
        searched = topic or searched
        for attempt in self._windows(window):
            filters = Filters(attempt[0] if attempt else since, attempt[1] if attempt else until, sources, article_ids)
            hits = self._search(topic, TIMELINE_K, filters) if topic else self._search(searched, k, filters)
            if hits or attempt is None:
                break
        if window and attempt != window.iso():
            where = f"between {window.since} and {window.until}"
            note = (f"Nothing was published {where}; searched " +
                    (f"{attempt[0]} to {attempt[1]} instead. " if attempt else "all dates instead. "))
        t1 = time.perf_counter()
        timings = {"retrieve": t1 - t0}
        if note:
            yield note
        answer = None
        if topic:  # a dated list of the story's articles, whichever answerer is chosen
            answer = timeline.build(question, topic, hits, self.answerer, self._lead)
            yield answer.text
        elif hits and spec is not None:
            try:
                answer = yield from self._generate(spec, question, hits, today, timings)
            except LLMError as exc:
                if not fallback:
                    raise
                notice = self._fallback_notice(spec, exc)
        if answer is None and hits:  # "What did X say?": X's own quotations, when the top articles hold any
            answer = quoted.answer(question, hits, self.store.get_article, self.embedder.encode_many)
            if answer is not None:
                yield answer.text
        if answer is None:
            answer = self.answerer.answer(question, hits, context=context) if hits else abstain(question, hits)
            yield answer.text
        answer.text = note + answer.text
        for claim in answer.claims:  # offsets into the text as shown
            claim.start, claim.end = claim.start + len(note), claim.end + len(note)
        answer.notice = notice
        answer.search_query = searched
        answer.filters = filters.to_dict()
        answer.time_window = (filters.since, filters.until) if window and (filters.since or filters.until) else None
        answer.timings = {**timings, "answer": time.perf_counter() - t1}
        answer.coverage = coverage
        answer.as_of = max((c.published for c in answer.citations if c.published), default=None)
        return answer

    def _generate(
        self, spec: LLMSpec, question: str, hits: list[Hit], today: date, timings: dict[str, float]
    ) -> Generator[str, None, Answer]:
        """A generated answer, streamed, then verified against the passages it cites."""
        t0 = time.perf_counter()
        parts: list[str] = []
        for delta in llm_answer.stream(self._llm(spec), spec, llm_answer.messages(question, hits, today)):
            parts.append(delta)
            yield delta
        t1 = time.perf_counter()
        checked = verify(("".join(parts)).strip(), hits, self.embedder.encode)
        timings.update(generate=t1 - t0, verify=time.perf_counter() - t1)
        if not checked.text or checked.states_nothing:
            answer = abstain(question, hits)
            answer.text = checked.text or llm_answer.NOT_IN_SOURCES
        else:
            notes = disagree.among(checked.citations)  # cited reports that give different figures
            answer = Answer(question, " ".join([checked.text, *notes]), checked.citations, hits=list(hits))
        answer.claims = checked.claims
        answer.answerer = spec.label
        return answer

    def _lead(self, article_id: str) -> tuple[int, int, str] | None:
        got = self.store.get_article(article_id)
        return timeline.lead_sentence(got[1]) if got else None

    def _llm(self, spec: LLMSpec) -> Any:
        """The adapter for `spec`, made once (a gguf model loads once)."""
        if spec.label not in self._llms:
            self._llms[spec.label] = llm_answer.make_llm(spec, self.settings)
        return self._llms[spec.label]

    @staticmethod
    def _fallback_notice(spec: LLMSpec, exc: LLMError) -> str:
        log.warning("the LLM %s failed (%s); answering extractively", spec, exc)
        return f"The LLM ({spec.label}) failed, so this is the extractive answer. {exc}"

    def check_llm(self, llm: str | None = None) -> tuple[str, str]:
        """(answerer, status) for `newsrag info`: 'extractive' needs nothing; an LLM is asked for
        one word and its reply time, or the reason it can't answer, is the status."""
        spec = parse_spec(self.settings.llm if llm is None else llm)
        if spec is None:
            return llm_answer.EXTRACTIVE, "ready (no LLM needed)"
        t0 = time.perf_counter()
        try:
            llm_answer.complete(self._llm(spec), spec, "Reply with the single word OK.")
        except RagError as exc:
            return spec.label, f"NOT answering: {exc}"
        return spec.label, f"answers ({time.perf_counter() - t0:.1f} s for a one-word reply)"

    def quotes(
        self, speaker: str | None = None, about: str | None = None, k: int = 20, *,
        since: str | None = None, until: str | None = None, sources: Sequence[str] = (),
    ) -> list[quoted.QuoteHit]:
        """Direct quotations, with speaker, outlet, date and offsets: those of `speaker` (any form
        of the name: "Putin", "Vladimir Putin"), the most relevant to `about` first (else newest
        first). Quotations whose speaker the article leaves unclear are listed only without
        `speaker`, and then say so (`.speaker` is None)."""
        check_k(k)
        self._require_articles()
        words = set(tokenize(about or ""))
        found: list[quoted.QuoteHit] = []
        for article_id, meta, text in self.store.iter_articles(include_text=True):
            published = meta.get("published") or ""
            if meta.get("duplicate_of") or ((since or until) and not published):
                continue
            if (since and published < since) or (until and published > until):
                continue
            if sources and meta.get("source") not in sources:
                continue
            for h in quoted.hits_of(article_id, meta, text or "", speaker):
                if speaker or not words or words & set(tokenize(f"{h.before} {h.context}")):  # bounds the embedding
                    found.append(h)
        if about:
            return quoted.rank(about, found, self.embedder.encode)[:k]
        return sorted(found, key=lambda h: (h.published or "", -h.quote.start), reverse=True)[:k]

    def timeline(
        self, topic: str, *, since: str | None = None, until: str | None = None, sources: Sequence[str] = (),
        article_ids: Sequence[str] = (), as_of: str | date | None = None,
    ) -> Answer:
        """How a story developed: the key sentence of each relevant article, oldest first, each
        cited (`answer.citations` in date order). Same as asking "How did <topic> develop?"."""
        return self.query(f"How did {topic.strip().rstrip('?')} develop?", since=since, until=until,
                          sources=sources, article_ids=article_ids, as_of=as_of, llm="extractive")

    def _outside_coverage(
        self, question: str, searched: str, window: TimeWindow, coverage: tuple[str, str], k: int,
        sources: Sequence[str], article_ids: Sequence[str], t0: float,
    ) -> Answer:
        """The question names a time the corpus has nothing from: say so, don't answer from other times."""
        filters = Filters(None, None, tuple(sources), tuple(article_ids))
        hits = self._search(searched, k, filters)
        sentences = candidates(hits)
        self.answerer.score(question, sentences)
        answer = abstain(question, hits, sentences)
        side = f"nothing after {coverage[1]}" if window.since.isoformat() > coverage[1] else f"nothing before {coverage[0]}"
        answer.text = (
            f"The corpus has {side} (it covers {coverage[0]} to {coverage[1]}), so it can't say what "
            f"happened {window.text}. The closest coverage from other dates is listed below."
        )
        answer.search_query = searched
        answer.filters = filters.to_dict()
        answer.coverage = coverage
        answer.timings = {"retrieve": time.perf_counter() - t0, "answer": 0.0}
        return answer

    def _as_of(self, as_of: str | date | None) -> date:
        value = as_of or self.settings.as_of
        if not value:
            return date.today()
        try:
            day = value if isinstance(value, date) else date.fromisoformat(value[:10])
        except ValueError:
            raise ConfigError(f"as_of={value!r} is not a date; give it as YYYY-MM-DD.") from None
        if not EARLIEST_AS_OF <= day.year <= LATEST_AS_OF:
            raise ConfigError(f"as_of={day.isoformat()} is outside the years {EARLIEST_AS_OF} to {LATEST_AS_OF} "
                              "that times like 'last week' can be counted from; give a date in that range.")
        return day

    @staticmethod
    def _windows(window: TimeWindow | None) -> list[tuple[str, str] | None]:
        """The window, then a month wider on each side, then no window at all."""
        if window is None:
            return [None]
        wider = (window.since - timedelta(days=31), window.until + timedelta(days=31))
        return [window.iso(), (wider[0].isoformat(), wider[1].isoformat()), None]

    @property
    def answerer(self) -> ExtractiveAnswerer:
        bm25 = self.corpus.bm25
        return ExtractiveAnswerer(
            encode=self.embedder.encode_many,
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
        """What the index holds: articles, chunks, syndicated copies kept once (`copies`), outlets,
        date range, when it last changed (`last_ingested`, UTC), model, path."""
        dates: list[str] = []
        sources: dict[str, int] = {}
        ingested: list[str] = []
        n = 0
        copies = 0
        for _, meta, _ in self.store.iter_articles():
            if meta.get("duplicate_of"):  # a syndicated copy, kept once under its original
                copies += 1
                continue
            n += 1
            if meta.get("ingested"):
                ingested.append(meta["ingested"])
            if meta.get("published"):
                dates.append(meta["published"])
            src = meta.get("source") or "(unknown)"
            sources[src] = sources.get(src, 0) + 1
        return {
            "articles": n,
            "chunks": self.store.chunk_count(),
            "copies": copies,
            "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            "first_date": min(dates) if dates else None,
            "last_date": max(dates) if dates else None,
            "last_ingested": max(ingested) if ingested else None,
            "model": self.settings.model,
            "path": str(self.path),
        }
