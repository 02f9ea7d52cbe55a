"""Answerers: turn a question and its hits into an Answer with citations."""
