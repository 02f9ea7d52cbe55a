"""NewsIndex: the one object the CLI, the page and notebooks all use.

A question goes one way through it: plan (rag/ask/plan.py) -> retrieve (rag/ask/retrieve.py)
-> answer (the answerers of rag/answer/, tried in the order rag/answer/__init__.py gives) ->
check (rag/check/). See `_steps`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Sequence
from dataclasses import replace
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

from .answer import order
from .answer import llm as llm_answer
from .answer.base import Answerer, Draft
from .answer.coverage import Abstainer, OutsideCoverage
from .answer.extractive import ExtractiveAnswerer
from .answer.llm import LLMAnswerer, LLMSpec, parse_spec
from .answer.quoted import QuoteAnswerer, QuoteHit, hits_of, rank
from .answer.timeline import TimelineAnswerer
from .ask.context import widen
from .ask.conversation import Message, user_turns
from .ask.plan import Plan, make_plan, outlets_named
from .ask.rerank import Reranker
from .ask.retrieve import Retrieval, retrieve, search
from .check import check
from .config import Settings
from .embedding import Embedder
from .errors import ConfigError, EmptyIndexError, IndexNotFoundError, LLMError, ModelMismatchError, RagError
from .ingest import read, write_articles
from .ingest import ingest as run_ingest
from .ingest.chunking import DEFAULT_CHUNK_TOKENS
from .ingest.fetch import FetchPolicy
from .store import Store, write_lock
from .text import tokenize
from .types import Answer, AnswerStream, Filters, Hit, IndexStats, IngestReport, Note, StoredArticle

log = logging.getLogger(__name__)

RERANK_POOL = 30  # fused candidates the reranker re-scores
EARLIEST_AS_OF, LATEST_AS_OF = 1000, 9000  # years: "last year" or "a month wider" must stay a real date
MAX_K = 200  # the most passages (or quotations) one call may ask for
QUOTE_POOL = 60  # passages searched for `quotes(about=...)` without a speaker: their articles' quotations
SPEAKER_ARTICLES = 50  # the most articles quoting a question's speaker that its search also looks in


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
        self, path: str | PathLike | None = None, settings: Settings | None = None, *, create: bool = True,
        store: Store | None = None, embedder: Embedder | None = None,
    ) -> None:
        """Open the index at `path` (default RAG_HOME/index). With `create=False` a path that holds
        no index is an IndexNotFoundError instead of a new, empty index (for read-only commands).
        `store` and `embedder` replace the ones the settings describe (tests give in-memory ones)."""
        self.settings = settings or Settings.from_env()
        self.path = Path(path).expanduser() if path is not None else self.settings.home / "index"
        if store is None and not self.settings.chroma_url:
            if self.path.exists() and not self.path.is_dir():
                raise ConfigError(f"{self.path} is a file, not an index directory: give --index a directory.")
            if not create and not (self.path / "chroma").is_dir():
                raise IndexNotFoundError(
                    f"There is no index at {self.path}. Check the path (--index or RAG_HOME), or create one "
                    "with `newsrag ingest PATH...`."
                )
        self.store = store or Store(self.path, self.settings.model, self.settings.chroma_url)
        stored = self.store.stored_model()
        if stored is not None and stored != self.settings.model:
            raise ModelMismatchError(self.settings.chroma_url or str(self.path), stored, self.settings.model)
        self.embedder = embedder or Embedder(
            self.settings.model, backend=self.settings.encoder, cache_dir=self.settings.home / "cache" / "encoders",
            device=self.settings.device,
        )
        self.reranker = Reranker(self.settings.reranker) if self.settings.reranker else None
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
        if report.chunks:
            self.embedder.cache_onnx()  # torch is loaded now: leave the next process a fast encoder
        return report

    def remove(
        self, *, ids: Sequence[str] = (), urls: Sequence[str] = (), sources: Sequence[str] = ()
    ) -> list[str]:
        """Delete the articles with these ids, URLs or outlets; returns the ids removed. A syndicated
        copy of a removed article is promoted to an article of its own (embedded now), so the
        story stays findable under the outlet that still carries it."""
        ids_, urls_, sources_ = set(ids), set(urls), set(sources)
        self.store.check_writable()
        doomed = self.store.matching(sorted(ids_), sorted(urls_), sorted(sources_))
        with write_lock(self.path, self.settings.lock_timeout):
            self.store.delete_articles(doomed)
            orphaned = [c for c in self.store.copies_of(doomed) if c.id not in set(doomed)]
            if orphaned:
                write_articles(self.store, self.embedder, orphaned, DEFAULT_CHUNK_TOKENS, False,
                               self.settings.ingest_batch, IngestReport(), promoted_ids={c.id for c in orphaned})
        return doomed

    # -- reading -------------------------------------------------------------------------
    def _require_articles(self) -> None:
        """Called as each search starts: bring the lexical side up to date with any process's
        writes, then insist on there being something to search."""
        if not self.store.refresh():
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
            return search(self.store, vector, text, k, filters, per_article)
        pool = search(self.store, vector, text, max(RERANK_POOL, k), filters, per_article)
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
        answer's notes say so. An outlet of the index the question names ("What did the BBC
        report ...?") has its reports searched first, the others still found, unless `sources`
        is given.

        `llm` picks the answerer for this call ('extractive', 'ollama:MODEL', 'openai:MODEL@URL',
        'gguf:PATH'; default: the RAG_LLM setting). A generated answer is verified sentence by
        sentence against the passages it cites (`Answer.claims`, `Citation.supported`). With
        `stream=True` the result is an AnswerStream: iterate it for text as it is generated, then
        read `.answer`. An LLM that fails raises an LLMError, or with `fallback=True` gives the
        extractive answer with a note (`Answer.notice`) saying why. A generated answer that fails
        its check (rag/check: mostly unsupported or uncited, or echoing the prompt's markup) is
        not shown either: the extractive answer is, with a `rejected` note (in `Answer.notice`)
        and the LLM's text in `Answer.rejected`."""
        if k is not None:
            check_k(k)
        self._require_articles()
        plan = make_plan(
            question, history, filters=Filters(since, until, tuple(sources), tuple(article_ids)),
            k=k or self.settings.top_k, answerer=parse_spec(self.settings.llm if llm is None else llm),
            today=self._as_of(as_of),
        )
        answers = AnswerStream(self._steps(plan, history, fallback))
        return answers if stream else answers.answer

    def _steps(self, plan: Plan, history: Sequence[Message] | None, fallback: bool) -> Generator[str, None, Answer]:
        """One question, top to bottom: yields the answer's text as it is written, returns the
        checked Answer (when a generated answer fails its check, the text yielded was the LLM's
        and the Answer returned is the extractive one: see `check`)."""
        t0 = time.perf_counter()
        notes: list[Note] = []
        plan = self._condense(plan, history, fallback, notes)
        if plan.speaker and not plan.filters.article_ids:  # "what did X say": the article table knows where X is quoted
            plan = replace(plan, speaker_articles=tuple(self.store.quoting_ids(plan.speaker, plan.filters)[:SPEAKER_ARTICLES]))
        if not plan.filters.sources:  # "What did the BBC report ...": that outlet's reports count for more
            plan = replace(plan, outlets=outlets_named(plan.question, self.store.outlets()))
        found = retrieve(plan, self._search, self.store.coverage())
        t1 = time.perf_counter()
        draft = yield from self._write(plan, found, fallback, notes)
        answer = check(draft, plan, found, self.embedder.encode, notes,
                       instead=lambda: self._without_llm(plan, found))
        answer.timings = {"retrieve": t1 - t0, **answer.timings, "answer": time.perf_counter() - t1}
        return answer

    def with_context(self, found: Retrieval) -> Retrieval:
        """The passages found, each with the whole sentences around it in its article, up to
        RAG_CONTEXT_PAD characters a side (rag/ask/context.py): what an LLM's prompt gets."""
        if self.settings.context_pad <= 0 or not found.hits:
            return found
        ids = list(dict.fromkeys(h.article_id for h in found.hits))
        texts = {a.id: a.text or "" for a in self.store.with_text(ids)}
        return replace(found, hits=widen(found.hits, texts, self.settings.context_pad))

    def _condense(self, plan: Plan, history: Sequence[Message] | None, fallback: bool, notes: list[Note]) -> Plan:
        """With an LLM answerer, a question asked in a conversation is rewritten by the LLM into a
        standalone one, which is then what is searched."""
        spec = plan.answerer
        if spec is None or not user_turns(history):
            return plan
        try:
            standalone = llm_answer.condense(self._llm(spec), spec, plan.question, history or [])
        except LLMError as exc:
            if not fallback:
                raise
            notes.append(self._fallback_note(spec, exc))
            return replace(plan, answerer=None)
        return plan.condensed(standalone) if standalone else plan

    def _write(self, plan: Plan, found: Retrieval, fallback: bool, notes: list[Note]) -> Generator[str, None, Draft]:
        """The first answerer in the plan's order that doesn't decline; an LLM that fails falls
        back to the next one (with a note) when `fallback`, else its LLMError is raised."""
        if plan.answerer is not None and "llm" not in order(plan, found):
            notes.append(Note("answerer", f"{plan.answerer.label} was not asked: this answer is listed from the "
                                          "articles themselves."))
        for name in order(plan, found):
            answerer = self._answerer(name, plan)
            try:  # an LLM reads each passage with the sentences around it; the extractive answerer quotes the passages
                draft = yield from answerer.answer(plan, self.with_context(found) if name == "llm" else found)
            except LLMError as exc:
                if not fallback or plan.answerer is None:
                    raise
                notes.append(self._fallback_note(plan.answerer, exc))
                continue
            if draft is not None:
                return draft
        return (yield from Abstainer().answer(plan, found))  # unreachable: "abstain" never declines

    def _without_llm(self, plan: Plan, found: Retrieval) -> Draft:
        """The draft the plan's answerers give without the LLM (the extractive answer, a speaker's
        quotations), written at once: it replaces a generated answer that failed its check."""
        steps = self._write(replace(plan, answerer=None), found, False, [])
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def _answerer(self, name: str, plan: Plan) -> Answerer:
        if name == "llm" and plan.answerer is not None:
            return LLMAnswerer(plan.answerer, self._llm(plan.answerer))
        made = {"extractive": lambda: self.answerer, "quotes": lambda: QuoteAnswerer(self.store.article, self.embedder.encode_many),
                "timeline": lambda: TimelineAnswerer(self.answerer, self.store.article),
                "outside": lambda: OutsideCoverage(self.answerer), "abstain": Abstainer}
        return made[name]()

    def _llm(self, spec: LLMSpec) -> Any:
        """The adapter for `spec`, made once (a gguf model loads once)."""
        if spec.label not in self._llms:
            self._llms[spec.label] = llm_answer.make_llm(spec, self.settings)
        return self._llms[spec.label]

    @staticmethod
    def _fallback_note(spec: LLMSpec, exc: LLMError) -> Note:
        log.warning("the LLM %s failed (%s); answering extractively", spec, exc)
        return Note("fallback", f"The LLM ({spec.label}) failed, so this is the extractive answer. {exc}")

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
    ) -> list[QuoteHit]:
        """Direct quotations, with speaker, outlet, date and offsets: those of `speaker` (any form
        of the name: "Putin", "Vladimir Putin"), the most relevant to `about` first (else newest
        first). Quotations whose speaker the article leaves unclear are listed only without
        `speaker`, and then say so (`.speaker` is None)."""
        check_k(k)
        self._require_articles()
        admitted = Filters(since, until, tuple(sources))
        if speaker:  # the article table knows who is quoted where
            found = [h for a in self.store.quoting(speaker, admitted) for h in hits_of(a, speaker)]
        elif about:  # quotations in the articles whose passages are about it, sharing its words
            words = set(tokenize(about))
            ids = list(dict.fromkeys(h.article_id for h in self._search(about, QUOTE_POOL, admitted)))
            found = [h for a in self.store.with_text(ids) if not a.duplicate_of for h in hits_of(a)
                     if words & set(tokenize(f"{h.before} {h.context}"))]  # bounds the embedding
        else:
            found = self._newest_quotes(k, admitted)
        if about:
            return rank(about, found, self.embedder.encode)[:k]
        return sorted(found, key=lambda h: (h.published or "", -h.quote.start), reverse=True)[:k]

    def _newest_quotes(self, k: int, admitted: Filters) -> list[QuoteHit]:
        """At least `k` quotations from the newest articles that hold any (fewer if there aren't)."""
        found: list[QuoteHit] = []
        page = max(8, k)
        for offset in range(0, 10**9, page):
            articles = self.store.with_quotes(admitted, page, offset)
            found += [h for a in articles for h in hits_of(a)]
            if len(found) >= k or len(articles) < page:
                return found
        return found

    def timeline(
        self, topic: str, *, since: str | None = None, until: str | None = None, sources: Sequence[str] = (),
        article_ids: Sequence[str] = (), as_of: str | date | None = None,
    ) -> Answer:
        """How a story developed: the key sentence of each relevant article, oldest first, each
        cited (`answer.citations` in date order). Same as asking "How did <topic> develop?"."""
        return self.query(f"How did {topic.strip().rstrip('?')} develop?", since=since, until=until,
                          sources=sources, article_ids=article_ids, as_of=as_of, llm="extractive")

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

    @property
    def answerer(self) -> ExtractiveAnswerer:
        """The extractive answerer over this index (its term weights come from the lexical side)."""
        return ExtractiveAnswerer(
            encode=self.embedder.encode_many,
            idf=self.store.term_idf,
            threshold=self.settings.abstain_threshold,
        )

    def article(self, article_id: str) -> StoredArticle | None:
        """An article as stored, with its full text (`.text`), or None."""
        return self.store.article(article_id)

    def articles(self) -> list[StoredArticle]:
        """Every article the index holds (no text; syndicated copies have `duplicate_of` set)."""
        return list(self.store.articles())

    def stats(self) -> IndexStats:
        """What the index holds: articles, chunks, syndicated copies kept once (`copies`), outlets,
        date range, when it last changed (`last_ingested`, UTC), model, path."""
        return replace(self.store.stats(), model=self.settings.model, path=str(self.path))
