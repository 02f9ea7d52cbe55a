"""Real-looking synthetic news for the scale benchmarks: any number of articles made of sentences
drawn from the Wikinews articles in ../shared, each with a made-up name of its own (so the
vocabulary keeps growing with the corpus, as news does), dates over three years, 12 outlets,
five chunks an article. Deterministic for a seed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

OUTLETS = ["Reuters", "AP", "BBC", "Al Jazeera", "DW", "NPR", "Guardian", "Le Monde", "NHK", "ABC", "CBC", "AFP"]
SYLLABLES = ["ka", "to", "ri", "men", "sa", "lo", "ver", "an", "de", "mi", "nor", "el", "ta", "po", "su"]
CHUNKS_PER_ARTICLE = 5


@lru_cache(maxsize=2)
def sentences(shared: Path) -> tuple[str, ...]:
    from rag.text import sentence_spans

    out = []
    for line in open(Path(shared) / "data" / "wikinews-en-2019-2021" / "articles.jsonl", encoding="utf-8"):
        text = json.loads(line)["text"]
        out += [text[a:b] for a, b in sentence_spans(text) if 30 < b - a < 400]
    return tuple(out)


def articles(n: int, shared: Path, seed: int, start: int = 0) -> Iterator[tuple[dict, list[tuple[int, int, str]]]]:
    """`n` articles as (record fields, [(start, end, text) of each chunk]), numbered from `start`."""
    pool = sentences(shared)
    rng = random.Random(seed)
    for a in range(start, start + n):
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5))).capitalize()
        parts = [f"{name} " + " ".join(rng.choice(pool) for _ in range(rng.randint(3, 5)))
                 for _ in range(CHUNKS_PER_ARTICLE)]
        spans, pos = [], 0
        for p in parts:
            spans.append((pos, pos + len(p), p))
            pos += len(p) + 2
        day = rng.randrange(3 * 365)
        y, d = 2019 + day // 365, day % 365
        record = {"id": f"syn{seed}-{a:07d}", "title": f"{name} " + rng.choice(pool)[:60].rsplit(" ", 1)[0],
                  "text": "\n\n".join(parts), "source": OUTLETS[a % len(OUTLETS)],
                  "url": f"https://example.org/{seed}/{a}", "published": f"{y}-{1 + d // 31 % 12:02d}-{1 + d % 28:02d}"}
        yield record, spans
