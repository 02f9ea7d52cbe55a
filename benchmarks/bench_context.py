"""The context an answerer gets: newsrag's passages next to llama-index's default pipeline, one
run, the same corpus, the same MiniLM weights.

    .venv/bin/python benchmarks/bench_context.py [--shared ../shared] [--sets rgb,stories] [--json]
    .venv/bin/python benchmarks/bench_context.py --sweep   # ranking alone: per-article caps x fusion weights
                                                           # (stories from dev + tune: the split is never tuned on)

For each question with an answer:
- answer-in-context@1 / @5: the gold answer string (every part of a many-part RGB answer;
  whitespace and case normalised) is inside the first 1 / 5 passages handed to the answerer;
- chars@1 / chars@5: the characters of those passages (mean per question): what that context costs;
- positive@1 (RGB): the first passage is one of the question's `positive` passages.

Sets:
- `rgb`: ../shared/data/rgb/en_fact.json, its positive + negative passages as the corpus (one
  passage an article; the negatives are on-topic passages without the answer).
- `stories`: the Wikinews corpus, with the questions of benchmarks/eval/ (the split never tuned
  on, and the tune set) whose gold article shares its story with at least STORY_SIBLINGS other
  articles (article-level MiniLM cosine ≥ SAME_STORY, published within STORY_DAYS): the questions
  where several reports of one story compete for the passages.

Ours: `NewsIndex.query(question, history)`'s `hits`, in order: the passages the extractive
answerer was given (a follow-up asked as its conversation), and, for each `--pads` value above 0,
the windows an LLM's prompt gets (`NewsIndex.with_context`: the whole sentences around each
passage up to RAG_CONTEXT_PAD characters a side, windows of one article merged).
Peer: llama-index's defaults: `SentenceSplitter` (1024 tokens, 200 overlap) over one `Document`
an article, an in-memory `VectorStoreIndex`, `as_retriever(similarity_top_k=5)`; the embedding is
a `BaseEmbedding` over rag's encoder, so both sides use the same vectors. A follow-up is its last
turn alone (the peer has no chat memory).

RGB is CC BY-NC-SA 4.0 and Wikinews CC BY 2.5: read from ../shared, never copied into the repo.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_rgb import contains  # noqa: E402

K = 5
AS_OF = "2026-11-30"
SAME_STORY = 0.5  # article-vector cosine above which two Wikinews articles tell one story
STORY_DAYS = 30  # and published this close
STORY_SIBLINGS = 1  # a "stories" question's gold article has at least this many such siblings


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def found(texts: list[str], answers: list[Any]) -> bool:
    """Any accepted answer (an RGB answer: every part) inside the joined texts."""
    joined = " \n ".join(texts)
    return any(contains(joined, a) for a in answers)


def rgb_set(shared: Path) -> tuple[list[dict], list[dict]]:
    """(corpus records, questions) of RGB's English set."""
    from bench_rgb import corpus

    raw = [json.loads(x) for x in (shared / "data" / "rgb" / "en_fact.json").read_text(encoding="utf-8").splitlines() if x.strip()]
    questions = [{"id": f"rgb-{r['id']}", "question": r["query"], "answers": [r["answer"]],
                  "positive": {f"rgb-{r['id']}-positive-{i}" for i in range(len(r["positive"]))}} for r in raw]
    return corpus(raw, wrong=False), questions


QUESTION_FILES = {"split": ROOT / "benchmarks" / "eval" / "wikinews_split.jsonl",
                  "tune": ROOT / "benchmarks" / "eval" / "wikinews_tune.jsonl"}


def stories_set(shared: Path, embed: Any, sets: tuple[str, ...] = ("split", "tune")) -> tuple[list[dict], list[dict]]:
    """(Wikinews articles, the questions of `sets` (split, tune, dev) on stories told by several
    articles). The sweep uses dev and tune only: the split is never tuned on."""
    from shared_data import articles

    arts = articles(shared)
    ids = list(arts)
    vecs = embed([f"{arts[i]['title']}. {arts[i]['text'][:1500]}" for i in ids])
    day = {i: date.fromisoformat(arts[i]["date"][:10]) for i in ids}
    sims = vecs @ vecs.T
    siblings = {}
    for a, i in enumerate(ids):
        close = [j for b, j in enumerate(ids) if b != a and sims[a, b] >= SAME_STORY and abs((day[i] - day[j]).days) <= STORY_DAYS]
        siblings[i] = close
    questions = []
    files = {**QUESTION_FILES, "dev": shared / "eval" / "wikinews_dev.jsonl"}
    for name in sets:
        for line in files[name].read_text(encoding="utf-8").splitlines():
            q = json.loads(line) if line.strip() else None
            if not q or not q.get("gold_ids") or not q.get("answer"):
                continue
            if max(len(siblings.get(g, [])) for g in q["gold_ids"]) < STORY_SIBLINGS:
                continue
            questions.append({"id": q["id"], "question": q["question"], "turns": q.get("turns"),
                              "answers": [q["answer"], *q.get("answer_aliases", [])]})
    records = [{"id": i, "title": a["title"], "date": a["date"], "url": a["url"], "source": a["source"], "text": a["text"]}
               for i, a in arts.items()]
    return records, questions


def ours(records: list[dict], questions: list[dict], tmp: Path, pads: list[int]) -> dict[int, tuple[list[dict], dict]]:
    """Our passages for each question, once per context pad (the index is built once)."""
    from rag.config import Settings
    from rag.index import NewsIndex

    src = tmp / "ours.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    t = time.perf_counter()
    report = NewsIndex(tmp / "ours-index", Settings(home=tmp, as_of=AS_OF)).ingest([src], progress=False)
    ingest_s = time.perf_counter() - t
    assert report.ok, report.summary()
    from rag.ask.retrieve import Retrieval

    index = NewsIndex(tmp / "ours-index", Settings(home=tmp, as_of=AS_OF))
    hits, took = [], []
    for q in questions:
        history: list[dict] = []
        t = time.perf_counter()
        for turn in (q.get("turns") or [q["question"]])[:-1]:
            history += [{"role": "user", "content": turn}, index.query(turn, history).history_message()]
        hits.append(index.query((q.get("turns") or [q["question"]])[-1], history).hits)
        took.append(time.perf_counter() - t)
    out = {}
    for pad in pads:  # the windows an LLM's prompt gets at this pad (0: the passages themselves)
        padded = NewsIndex(tmp / "ours-index", Settings(home=tmp, as_of=AS_OF, context_pad=pad))
        rows = []
        for q, found in zip(questions, hits):
            shown = padded.with_context(Retrieval(hits=found)).hits
            rows.append({"id": q["id"], "texts": [h.text for h in shown], "ids": [h.article_id for h in shown]})
        out[pad] = rows, {"ingest_s": round(ingest_s, 1), "passages": index.stats().chunks,
                          "query_p50_s": round(statistics.median(took), 3)}
    return out


class _Embedding:
    """A llama-index BaseEmbedding over rag's encoder (made lazily: llama-index is imported late)."""

    @staticmethod
    def make(embedder: Any) -> Any:
        from llama_index.core.embeddings import BaseEmbedding

        class RagEmbedding(BaseEmbedding):
            def _get_query_embedding(self, query: str) -> list[float]:
                return embedder.encode([query])[0].tolist()

            async def _aget_query_embedding(self, query: str) -> list[float]:
                return self._get_query_embedding(query)

            def _get_text_embedding(self, text: str) -> list[float]:
                return embedder.encode([text])[0].tolist()

            def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
                return embedder.encode(list(texts)).tolist()

        return RagEmbedding(model_name="packaged MiniLM (rag's encoder)", embed_batch_size=64)


def peer(records: list[dict], questions: list[dict], embedder: Any) -> tuple[list[dict], dict]:
    from llama_index.core import Document, Settings, VectorStoreIndex

    Settings.llm = None
    Settings.embed_model = _Embedding.make(embedder)
    t = time.perf_counter()
    docs = [Document(text=r["text"], metadata={"article_id": r["id"], "title": r.get("title", "")}) for r in records]
    index = VectorStoreIndex.from_documents(docs)
    ingest_s = time.perf_counter() - t
    retriever = index.as_retriever(similarity_top_k=K)
    rows, took = [], []
    for q in questions:
        t = time.perf_counter()
        nodes = retriever.retrieve((q.get("turns") or [q["question"]])[-1])
        took.append(time.perf_counter() - t)
        rows.append({"id": q["id"], "texts": [n.node.get_content() for n in nodes],
                     "ids": [n.node.metadata["article_id"] for n in nodes]})
    return rows, {"ingest_s": round(ingest_s, 1), "passages": len(index.docstore.docs),
                  "query_p50_s": round(statistics.median(took), 3)}


def score(rows: list[dict], questions: list[dict]) -> dict[str, float]:
    by_id = {q["id"]: q for q in questions}
    out: dict[str, float] = {}
    for k in (1, K):
        out[f"in_context@{k}"] = sum(found(r["texts"][:k], by_id[r["id"]]["answers"]) for r in rows) / len(rows)
        out[f"chars@{k}"] = statistics.mean(sum(len(t) for t in r["texts"][:k]) for r in rows)
    if all("positive" in q for q in questions):
        out["positive@1"] = sum(bool(r["ids"]) and r["ids"][0] in by_id[r["id"]]["positive"] for r in rows) / len(rows)
    return {k: round(v, 3) if v < 10 else round(v) for k, v in out.items()}


def sweep(records: list[dict], questions: list[dict], tmp: Path, per_articles: list[int],
          weights: list[float]) -> list[dict]:
    """The first K passages of `rag.ask.retrieve.search` (the question as typed, no plan) for each
    per-article cap and dense weight of the fusion: what ranking alone does, on one index."""
    from rag.ask.retrieve import search
    from rag.config import Settings
    from rag.index import NewsIndex

    src = tmp / "sweep.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    index = NewsIndex(tmp / "sweep-index", Settings(home=tmp, as_of=AS_OF))
    assert index.ingest([src], progress=False).ok
    vectors = {q["id"]: index.embedder.encode([(q.get("turns") or [q["question"]])[-1]])[0] for q in questions}
    out = []
    for cap in per_articles:
        for w in weights:
            rows = []
            for q in questions:
                text = (q.get("turns") or [q["question"]])[-1]
                hits = search(index.store, vectors[q["id"]], text, K, per_article=cap, dense_weight=w)
                rows.append({"id": q["id"], "texts": [h.text for h in hits], "ids": [h.article_id for h in hits]})
            out.append({"per_article": cap, "dense_weight": w, **score(rows, questions)})
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--sets", default="rgb,stories")
    p.add_argument("--pads", default="0,300,600", help="our context pads to compare (RAG_CONTEXT_PAD values)")
    p.add_argument("--sweep", action="store_true", help="instead: ranking alone over per-article caps and fusion weights")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    pads = [int(x) for x in args.pads.split(",")]

    from rag.embedding import Embedder

    embedder = Embedder()
    results: dict[str, Any] = {}
    if args.sweep:
        for name in args.sets.split(","):
            records, questions = (rgb_set(args.shared) if name == "rgb"
                                  else stories_set(args.shared, embedder.encode, ("dev", "tune")))  # never the split
            with tempfile.TemporaryDirectory() as tmp:
                rows = sweep(records, questions, Path(tmp), [1, 2, 3], [0.5, 1.0, 1.5, 2.0])
            print(f"### {name}: {len(questions)} questions, ranking alone (search, no plan), top {K}\n")
            cols = [c for c in rows[0] if c not in ("chars@1",)]
            print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
            for r in rows:
                print("| " + " | ".join(str(r[c]) for c in cols) + " |")
            print()
        return 0
    for name in args.sets.split(","):
        records, questions = rgb_set(args.shared) if name == "rgb" else stories_set(args.shared, embedder.encode)
        with tempfile.TemporaryDirectory() as tmp:
            mine = ours(records, questions, Path(tmp), pads)
        peer_rows, peer_info = peer(records, questions, embedder)
        results[name] = {"questions": len(questions), "articles": len(records),
                         **{("ours: the passages (extractive answerer)" if not pad else f"ours: LLM prompt, context pad {pad}"):
                            {**score(rows, questions), **info} for pad, (rows, info) in mine.items()},
                         "llama-index default": {**score(peer_rows, questions), **peer_info}}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for name, r in results.items():
        print(f"### {name}: {r['questions']} questions over {r['articles']} articles\n")
        rows = {who: m for who, m in r.items() if isinstance(m, dict)}
        cols = [c for c in ("positive@1", "in_context@1", "in_context@5", "chars@1", "chars@5", "passages", "query_p50_s")
                if c in rows["llama-index default"]]
        print("| pipeline | " + " | ".join(cols) + " |")
        print("|---|" + "---|" * len(cols))
        for who, m in rows.items():
            print(f"| {who} | " + " | ".join(str(m.get(c, "")) for c in cols) + " |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
