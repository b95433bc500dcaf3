"""👍/👎 votes, appended one JSON line each; users are stored as salted hashes, never ids.

The salt lives in a file beside the log (created once, mode 0600), so hashes
stay stable across restarts but cannot be reversed by someone holding only
the log. Each vote is one ``write`` of one line on a file opened for append,
so a crash leaves at worst a missing or cut-off last line; the next vote starts
on a fresh line, so a cut-off line never corrupts the one after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from pathlib import Path

SALT_BYTES = 16


class FeedbackError(Exception):
    """The vote could not be stored (read-only folder, full disk...)."""


class FeedbackLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._salt: bytes | None = None
        self._lock = threading.Lock()  # votes are written from worker threads

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
        data = _json_line(entry)
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    if _ends_without_newline(fd):
                        data = b"\n" + data  # an earlier write was cut off: start afresh
                    _write_all(fd, data)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise FeedbackError(exc.strerror or str(exc)) from None
        return entry

    def _load_salt(self) -> bytes:
        with self._lock:
            if self._salt is None:
                self._salt = self._read_or_create_salt()
            return self._salt

    def _read_or_create_salt(self) -> bytes:
        salt_path = self.path.with_name(self.path.name + ".salt")
        try:
            salt = bytes.fromhex(salt_path.read_text().strip())
            if len(salt) >= SALT_BYTES:  # an empty salt would be no salt at all
                return salt
        except (OSError, ValueError):
            pass
        salt = secrets.token_bytes(SALT_BYTES)
        try:
            salt_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = salt_path.with_name(salt_path.name + ".tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(salt.hex())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, salt_path)
        except OSError:
            pass  # the salt still works for this run; the vote itself reports errors
        return salt


def _json_line(entry: dict) -> bytes:
    """One JSON line in UTF-8; text that UTF-8 cannot hold (lone surrogates) is escaped."""
    try:
        return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(entry, ensure_ascii=True) + "\n").encode("ascii")


def _ends_without_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    if size <= 0:
        return False
    try:
        return os.pread(fd, 1, size - 1) != b"\n"
    except OSError:
        return False  # not seekable (a device): nothing to repair


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(28, "No space left on device")
        view = view[written:]
