"""The one exception every reader raises for a file it skips (with the reason)."""


class UnreadableFile(Exception):
    """Raised with the reason a file is skipped."""
