"""Answering: the excerpt, its highlights and attribution, rendered for a reader."""
