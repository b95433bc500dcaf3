"""Passages to index terms, ranking engines, the index on disk and the query."""
