"""The typed values that flow through newsrag: Article, Chunk, Hit, Citation, Claim, Answer,
AnswerStream, IngestReport."""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


def date_int(published: str | None) -> int | None:
    """'2019-01-04' -> 20190104 (Chroma range filters take numbers only)."""
    if not published:
        return None
    digits = published[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


@dataclass(frozen=True)
class Filters:
    """Restrictions on what may be retrieved. Dates are ISO strings, inclusive."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value:
                try:
                    date.fromisoformat(value[:10])
                except ValueError:
                    from .errors import ConfigError

                    raise ConfigError(f"{name}={value!r} is not a date; give it as YYYY-MM-DD.") from None

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.article_ids)

    def where(self) -> dict[str, Any] | None:
        """The same restrictions as a Chroma `where` clause."""
        clauses: list[dict[str, Any]] = []
        if self.since or self.until:  # undated articles (date 0) are outside every window
            clauses.append({"date": {"$gte": max(1, date_int(self.since) or 0)}})
        if self.until:
            clauses.append({"date": {"$lte": date_int(self.until)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.article_ids:
            clauses.append({"article_id": {"$in": list(self.article_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, article: "StoredArticle") -> bool:
        """The same restrictions for one stored article (listings: quotations, removal)."""
        day = date_int(article.published) or 0
        if (self.since or self.until) and day < max(1, date_int(self.since) or 0):
            return False
        if self.until and day > (date_int(self.until) or 0):
            return False
        if self.sources and article.source not in self.sources:
            return False
        return not self.article_ids or article.id in self.article_ids

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Article:
    """One news story, as loaded from a file, record, feed entry or page."""

    id: str
    title: str
    text: str
    source: str = ""
    url: str = ""
    published: str | None = None  # ISO date, YYYY-MM-DD
    author: str = ""
    origin: str = ""  # where it was read from: path, path:line, URL
    notes: tuple[str, ...] = field(default=(), compare=False)  # what the loader had to leave out ("date unreadable")
    inferred: tuple[str, ...] = ()  # fields read off the URL or dateline, not given (rag/ingest/infer.py): source, published

    @property
    def content_hash(self) -> str:
        """Changes whenever anything a reader sees changes (not `origin`)."""
        h = hashlib.sha256()
        for part in (self.title, self.source, self.url, self.published or "", self.author, self.text):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()[:32]

    def __repr__(self) -> str:
        return f"Article({self.id!r}, {self.title[:60]!r}, source={self.source!r}, published={self.published!r})"


@dataclass(frozen=True)
class Chunk:
    """A sentence-aligned span of an article: `article.text[start:end] == text`."""

    article_id: str
    index: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"


@dataclass
class Hit:
    """A retrieved chunk and its scores for one question."""

    article_id: str
    title: str
    source: str
    url: str
    published: str | None
    text: str
    score: float
    start: int
    end: int
    chunk_id: str = ""
    dense_score: float | None = None
    bm25_score: float | None = None
    rerank_score: float | None = None

    def __repr__(self) -> str:
        return f"Hit({self.score:.3f}, {self.title[:50]!r}, {self.source!r}, {self.published})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Citation:
    """A numbered source of an answer: the verbatim quote and where it sits in the article."""

    n: int
    article_id: str
    title: str
    source: str
    url: str
    published: str | None
    quote: str
    start: int
    end: int
    supported: bool | None = None  # set when a generated answer is verified

    def __repr__(self) -> str:
        return f"Citation([{self.n}] {self.title[:40]!r}, {self.source!r}, {self.published}, {self.quote[:40]!r})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def label(self) -> str:
        """'Title — Outlet, 2019-01-04' for source lists."""
        meta = ", ".join(p for p in (self.source, self.published or "") if p)
        return f"{self.title} — {meta}" if meta else self.title


@dataclass
class Claim:
    """One sentence of a generated answer and the verdict on it (rag/answer/verify.py)."""

    text: str  # the sentence as it stands in Answer.text, markers included
    start: int  # offsets into Answer.text
    end: int
    cites: list[int] = field(default_factory=list)  # the [n] it carries
    supported: bool = True
    score: float = 1.0  # how well the cited passages carry it, 0..1
    reason: str = ""  # why it is not supported: "no citation", "'12' is not in [2]", ...

    def __repr__(self) -> str:
        verdict = "supported" if self.supported else f"UNSUPPORTED ({self.reason})"
        return f"Claim({self.text[:50]!r}, cites={self.cites}, {verdict})"


@dataclass
class Note:
    """Something a reader should know about how an answer came about, shown apart from it:
    `widened` (nothing was published in the window asked for, so it was widened), `fallback`
    (the LLM failed, so the extractive answerer answered), `rejected` (the LLM's answer failed its
    check, so the extractive answer is shown and the LLM's text is kept in `Answer.rejected`) or
    `answerer` (the LLM asked for was not used: a timeline is listed from the articles, a time
    outside the corpus is said)."""

    kind: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Answer:
    """What a question gets back: text with [n] markers, the citations behind them, and the hits searched."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    hits: list[Hit] = field(default_factory=list)
    search_query: str = ""  # what was actually searched (differs from `question` for follow-ups)
    filters: dict[str, Any] = field(default_factory=dict)
    time_window: tuple[str, str] | None = None  # published-date window applied, ISO dates
    as_of: str | None = None  # the newest publication date among the cited articles
    coverage: tuple[str, str] | None = None  # first and last publication dates the corpus holds
    related: list[Citation] = field(default_factory=list)  # closest passages when abstaining
    timings: dict[str, float] = field(default_factory=dict)
    answerer: str = "extractive"  # or the RAG_LLM value that generated it
    claims: list[Claim] = field(default_factory=list)  # per-sentence verdicts of a generated answer
    notes: list[Note] = field(default_factory=list)  # how it came about: window widened, LLM fell back
    rejected: str = ""  # the LLM's answer, as it wrote it, when it failed its check and this one is shown instead
    # (a `rejected` note says why; its [n] number the passages in `hits`)

    @property
    def notice(self) -> str:
        """Why the answer is not what was asked for (the LLM failed, or its answer failed its
        check), '' when it is."""
        return " ".join(n.text for n in self.notes if n.kind in ("fallback", "rejected"))

    @property
    def unsupported(self) -> list[Claim]:
        """The sentences the cited passages don't carry (generated answers only)."""
        return [c for c in self.claims if not c.supported]

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        kind = "abstained" if self.abstained else f"{len(self.citations)} citations"
        if self.unsupported:
            kind += f", {len(self.unsupported)} unsupported"
        text = self.text if len(self.text) <= 70 else self.text[:67] + "..."
        return f"<Answer {kind}: {text!r}>"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["time_window"] = list(self.time_window) if self.time_window else None
        d["coverage"] = list(self.coverage) if self.coverage else None
        d["notice"] = self.notice
        return d

    def history_message(self) -> dict[str, Any]:
        """This answer as an assistant turn of a conversation: pass it in the next question's
        `history`, and a follow-up leans on the articles it cited too."""
        return {"role": "assistant", "content": self.text,
                "article_ids": list(dict.fromkeys(c.article_id for c in self.citations))}

    def _repr_markdown_(self) -> str:
        """Jupyter shows the answer as the page does (rag/render.py)."""
        from .render import markdown, view

        return markdown(view(self))


class AnswerStream:
    """What `NewsIndex.query(..., stream=True)` returns: iterate it for the text as it is generated;
    `.answer` is then the final, verified Answer (the same object a call without `stream` gives).
    Reading `.answer` first runs the generation to its end. When the generated answer fails its
    check, the text iterated was the LLM's, and `.answer` is the extractive one (with the LLM's
    text in `.answer.rejected` and a `rejected` note saying why)."""

    def __init__(self, steps: Generator[str, None, Answer]) -> None:
        self._steps = steps
        self._answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        while self._answer is None:
            try:
                delta = next(self._steps)
            except StopIteration as stop:
                self._answer = stop.value
                return
            yield delta

    @property
    def answer(self) -> Answer:
        for _ in self:
            pass
        assert self._answer is not None
        return self._answer

    def __repr__(self) -> str:
        return f"<AnswerStream {'done' if self._answer is not None else 'streaming'}>"


@dataclass(frozen=True)
class StoredArticle:
    """An article as the index holds it (no text unless asked for): what listings, stats and
    pruning read. A syndicated copy has `duplicate_of` set and no chunks of its own."""

    id: str
    title: str
    source: str = ""
    url: str = ""
    published: str | None = None
    author: str = ""
    origin: str = ""  # where it was last read from
    origins: tuple[str, ...] = ()  # every place it was read from, oldest first (pruning checks them all)
    content_hash: str = ""
    chunks: int = 0
    duplicate_of: str = ""
    also_carried_by: tuple[str, ...] = ()
    variant_of: str = ""  # an alike report it differs from in a fact (kept, not collapsed as a copy)
    ingested: str = ""  # when it was last written, UTC ISO
    quotes: str = ""  # its quotations as stored (rag/answer/quoted.py decodes them)
    text: str | None = None
    inferred: tuple[str, ...] = ()  # fields read off its URL or dateline (Article.inferred)

    def article(self) -> Article:
        """Back to an Article (needs the text), e.g. to re-embed a copy whose original went away."""
        return Article(self.id, self.title, self.text or "", self.source, self.url, self.published, self.author,
                       self.origin, inferred=self.inferred)

    def __repr__(self) -> str:
        kind = f", copy of {self.duplicate_of!r}" if self.duplicate_of else ""
        return f"StoredArticle({self.id!r}, {self.title[:50]!r}, {self.source!r}, {self.published}{kind})"


@dataclass
class IndexStats:
    """What an index holds (`NewsIndex.stats()`, `newsrag info`, the page's header)."""

    articles: int = 0  # syndicated copies not counted (see `copies`)
    chunks: int = 0
    copies: int = 0  # syndicated copies kept once, under their original
    sources: dict[str, int] = field(default_factory=dict)  # outlet -> articles, most first
    first_date: str | None = None
    last_date: str | None = None
    last_ingested: str | None = None  # when it last changed, UTC ISO
    inferred: dict[str, int] = field(default_factory=dict)  # field -> articles whose value was inferred (source, published)
    model: str = ""
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __repr__(self) -> str:
        plural = lambda n, word: f"{n} {word}{'s' * (n != 1)}"  # noqa: E731
        dates = f", {self.first_date} to {self.last_date}" if self.first_date else ""
        return (f"<IndexStats {plural(self.articles, 'article')}, {plural(self.chunks, 'chunk')}, "
                f"{plural(len(self.sources), 'outlet')}{dates}, model {self.model}>")


@dataclass
class Failure:
    """One file or record that could not be ingested, and why; with `warning`, something that
    was ingested but not entirely (a date that couldn't be read, a feed cut to its first entries)."""

    where: str  # path, path:line, or URL
    reason: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class IngestReport:
    """What one ingest run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    copies: int = 0  # of those added or updated: syndicated copies kept once
    promoted: int = 0  # copies whose original changed or went away, now articles of their own
    chunks: int = 0
    failed: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)  # ingested, but something was left out
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def __repr__(self) -> str:
        return (
            f"<IngestReport added={self.added} updated={self.updated} unchanged={self.unchanged} "
            f"removed={self.removed} "
            f"chunks={self.chunks} failed={len(self.failed)} in {self.seconds:.1f}s>"
        )

    def summary(self) -> str:
        lines = [
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            + (f"{self.removed} removed, " if self.removed else "")
            + (f"{self.copies} copies of other outlets' stories kept once, " if self.copies else "")
            + (f"{self.promoted} copies promoted to articles, " if self.promoted else "")
            + f"{len(self.failed)} failed ({self.chunks} chunks written in {self.seconds:.1f}s)"
        ]
        lines += [f"  failed: {f}" for f in self.failed]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["failed"] = [str(f) for f in self.failed]
        d["warnings"] = [str(w) for w in self.warnings]
        return d
