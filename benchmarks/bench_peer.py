"""Peer benchmark: newsrag's retrieval next to llama-index's default pipeline, same corpus, same
questions, same MiniLM weights, one run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/bench_peer.py [--shared ../shared] [--limit-articles N --limit-questions N]

Peer: `VectorStoreIndex.from_documents` (default SentenceSplitter, default Document metadata
handling) over a `ChromaVectorStore` in an embedded Chroma, `HuggingFaceEmbedding` on the packaged
MiniLM, no LLM, `as_retriever(similarity_top_k=10)`. It has no chat memory: a follow-up is searched
as its last turn alone. Ours: `NewsIndex` asked through `rag.evaluate.ask` (follow-ups as the
conversation). Metrics are article-level and use `rag.evaluate.summarize` for both systems.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
ROOT = Path(__file__).resolve().parents[1]
K = 10
COLS = ("hit@1", "hit@5", "hit@10", "mrr@10")


def subset(articles: Path, questions: list[dict[str, Any]], limit: int, tmp: Path) -> Path:
    """The first `limit` articles plus the gold articles of `questions`, as a JSONL file (development runs)."""
    gold = {g for q in questions for g in q.get("gold_ids") or []}
    lines = articles.read_text(encoding="utf-8").splitlines()
    keep = [l for i, l in enumerate(lines) if l.strip() and (i < limit or json.loads(l)["id"] in gold)]
    out = tmp / "articles.jsonl"
    out.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return out


def run_ours(paths: list[Path], questions: list[dict[str, Any]], tmp: Path) -> tuple[list, float, str]:
    from rag.config import Settings
    from rag.evaluate import ask, score
    from rag.index import NewsIndex

    idx = NewsIndex(tmp / "ours", Settings(home=tmp))
    idx.embedder.model  # load the model outside the timed ingest
    t = time.perf_counter()
    report = idx.ingest(paths, progress=False)
    ingest_s = time.perf_counter() - t
    assert report.ok, report.summary()
    ask(idx, questions[0])  # warm up (BM25 side, first query)
    results = [score(q, ask(idx, q, k=K)) for q in questions]
    return results, ingest_s, f"{report.added} articles, {report.chunks} chunks"


def run_peer(paths: list[Path], questions: list[dict[str, Any]], tmp: Path) -> tuple[list, float, str]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, Settings, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from rag.embedding import packaged_model_path
    from rag.evaluate import Result
    from rag.ingest.files import load
    from rag.types import Failure

    Settings.llm = None  # retrieval only
    Settings.embed_model = HuggingFaceEmbedding(model_name=str(packaged_model_path()))  # loaded outside the timing
    client = chromadb.PersistentClient(path=str(tmp / "peer"), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("peer")

    t = time.perf_counter()
    articles = {}
    for item in load(paths):
        assert not isinstance(item, Failure), str(item)
        articles[item.id] = item  # the later record wins, as in our ingest
    docs = [Document(text=a.text, metadata={"article_id": a.id, "title": a.title}) for a in articles.values()]
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    index = VectorStoreIndex.from_documents(docs, storage_context=storage)
    ingest_s = time.perf_counter() - t

    retriever = index.as_retriever(similarity_top_k=K)
    retriever.retrieve(questions[0]["question"])  # warm up
    results = []
    for q in questions:
        t = time.perf_counter()
        nodes = retriever.retrieve(q["question"])  # a follow-up: its last turn alone
        retrieve_s = time.perf_counter() - t
        gold = set(q.get("gold_ids") or [])
        ranked = [n.node.metadata["article_id"] for n in nodes[:K]]
        rank = next((i + 1 for i, a in enumerate(ranked) if a in gold), None)
        results.append(Result(q["id"], q["type"], rank, None, False, False, bool(gold), None, retrieve_s, 0.0))
    return results, ingest_s, f"{len(docs)} documents, {collection.count()} nodes"


def by_type(results: list) -> dict[str, dict[str, float | int]]:
    """hit@k and MRR per type and overall over the answerable questions (n counts those)."""
    from rag.evaluate import summarize

    answerable = [r for r in results if r.answerable]
    rows = {t: summarize(r for r in answerable if r.type == t) for t in sorted({r.type for r in answerable})}
    return {**rows, "overall": summarize(answerable)}


def p50_ms(results: list) -> float:
    """Median retrieval latency over every question, unanswerable ones included."""
    from rag.evaluate import summarize

    return float(summarize(results)["retrieve_p50_s"]) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    ap.add_argument("--limit-articles", type=int, default=None, help="first N articles plus the questions' gold ones")
    ap.add_argument("--limit-questions", type=int, default=None, help="N questions spread over the set")
    args = ap.parse_args()

    from rag.evaluate import load_questions

    shared = Path(args.shared)
    articles = shared / "data" / "wikinews-en-2019-2021" / "articles.jsonl"
    questions = load_questions(shared / "eval" / "wikinews_dev.jsonl")
    if args.limit_questions:  # evenly spaced, so every type is represented
        questions = questions[:: max(1, len(questions) // args.limit_questions)][: args.limit_questions]
    with tempfile.TemporaryDirectory(prefix="newsrag-peer-") as tmp_dir:
        tmp = Path(tmp_dir)
        if args.limit_articles is not None:
            articles = subset(articles, questions, args.limit_articles, tmp)
        paths = [articles, ROOT / "corpus"]
        ours, ours_ingest, ours_size = run_ours(paths, questions, tmp)
        peer, peer_ingest, peer_size = run_peer(paths, questions, tmp)
    o, p = by_type(ours), by_type(peer)

    print(f"\n{len(questions)} questions; hit@k and MRR@10 are article-level over answerable questions.\n")
    head = [f"ours {c}" for c in COLS] + [f"peer {c}" for c in COLS]
    print("| type | n | " + " | ".join(head) + " |")
    print("|---|---|" + "---|" * len(head))
    for name in o:
        cells = [f"{o[name][c]:.3f}" for c in COLS] + [f"{p[name][c]:.3f}" for c in COLS]
        print(f"| {name} | {o[name]['n']} | " + " | ".join(cells) + " |")
    print()
    for label, size, ingest_s, results in (
        ("ours (newsrag: hybrid dense + BM25, RRF, per-article cap)", ours_size, ours_ingest, ours),
        ("peer (llama-index default: VectorStoreIndex + Chroma, top-10)", peer_size, peer_ingest, peer),
    ):
        print(f"- {label}: {size}; ingest {ingest_s:.1f} s; retrieval p50 {p50_ms(results):.0f} ms")
    print("- follow-ups: ours searches the conversation; the peer (no chat memory) searches the last turn alone.")
    print(f"- hit@k/MRR leave out the {sum(not r.answerable for r in ours)} unanswerable questions; "
          "latencies cover every question (ours: the last turn's search, query time parsing included).")


if __name__ == "__main__":
    main()
