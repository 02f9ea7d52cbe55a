"""Getting articles in: read files, records, pages and feeds (fetched under one policy), then
chunk, embed, de-duplicate and write them, each article isolated from the others."""

from .pipeline import Loaded, ingest, read, write_articles

__all__ = ["Loaded", "ingest", "read", "write_articles"]
