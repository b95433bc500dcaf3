"""Progress bars on standard error for long loops (building, evaluating)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def progress_bar(items: Iterable[T], label: str, enabled: bool, unit: str = "items") -> Iterable[T]:
    """``items``, wrapped in a tqdm bar when ``enabled`` (imported only then)."""
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit=f" {unit}", file=sys.stderr, mininterval=0.5)
