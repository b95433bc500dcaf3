"""The benchmark scripts are not run by the suite, so check that what they import from
the bot still exists: a renamed function must not break them silently."""

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bot_imports(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot"):
            found += [(node.module, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_every_name_a_bench_script_imports_from_the_bot_exists(script):
    for module, name in bot_imports(script):
        imported = importlib.import_module(module)
        assert hasattr(imported, name) or importlib.util.find_spec(f"{module}.{name}"), (
            f"{script.name}: {module}.{name}"
        )
