"""The question side before any answer is written: the plan (what is asked, of which time, in
which conversation) and retrieval (hybrid search with the plan's filters and window)."""
