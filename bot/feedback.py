"""👍/👎 votes, appended one JSON line each; users are stored as salted hashes, never ids.

The salt lives in a file beside the log (created once, mode 0600), so hashes
stay stable across restarts but cannot be reversed by someone holding only
the log. Each vote is one ``write`` of one line on a file opened for append,
so a crash leaves at worst a missing line, never a corrupt one.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path


class FeedbackError(Exception):
    """The vote could not be stored (read-only folder, full disk...)."""


class FeedbackLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._salt: bytes | None = None

    def user_hash(self, user_id: int) -> str:
        return hashlib.blake2b(
            str(user_id).encode(), key=self._load_salt(), digest_size=12
        ).hexdigest()

    def record(self, *, question: str, result_ids: list[str], vote: str, user_id: int) -> dict:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "vote": vote,
            "question": question,
            "results": result_ids,
            "user": self.user_hash(user_id),
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            raise FeedbackError(exc.strerror or str(exc)) from None
        return entry

    def _load_salt(self) -> bytes:
        if self._salt is None:
            salt_path = self.path.with_name(self.path.name + ".salt")
            try:
                self._salt = bytes.fromhex(salt_path.read_text().strip())
            except (OSError, ValueError):
                self._salt = secrets.token_bytes(16)
                try:
                    salt_path.parent.mkdir(parents=True, exist_ok=True)
                    temporary = salt_path.with_name(salt_path.name + ".tmp")
                    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "w") as handle:
                        handle.write(self._salt.hex())
                    os.replace(temporary, salt_path)
                except OSError:
                    pass  # the salt still works for this run; the vote itself reports errors
        return self._salt
