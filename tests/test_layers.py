"""The layers import one way: documents → analysis → search → answer → service → Discord.

Checked statically over every file's imports (also those inside functions and
under ``TYPE_CHECKING``), and at run time for the core never loading discord.
"""

import ast
import subprocess
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
CORE = [
    "bot.documents.corpus",
    "bot.analysis.analyzer",
    "bot.search.index",
    "bot.answer.answerer",
    "bot.answer.render",
    "bot.cli",
]
# Packages a layer must not import from.
UPPER = ("bot.service", "bot.cli", "bot.cli_text", "bot.evaluation", "bot.docs_eval")
FORBIDDEN = {
    "bot.documents": ("bot.analysis", "bot.search", "bot.answer", "bot.discord_app", *UPPER),
    "bot.analysis": ("bot.documents", "bot.search", "bot.answer", "bot.discord_app", *UPPER),
    "bot.search": ("bot.answer", "bot.discord_app", *UPPER),
    "bot.answer": ("bot.discord_app", *UPPER),
}
DISCORD_PACKAGES = ("bot.discord_app", "bot.harness")
DISCORD_OUTSIDE_ALLOWED: set[str] = set()


def module_name(path: Path, root: Path = BOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = BOT) -> set[str]:
    """Every module ``path`` imports, absolute names (``from bot.x import y`` gives both)."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules(root: Path = BOT) -> dict[str, set[str]]:
    return {module_name(p, root): imports_of(p, root) for p in sorted(root.rglob("*.py"))}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def cycles_in(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for after in graph.get(node, ()):
                if after == start:
                    found.append(" → ".join([*path, after]))
                elif after not in seen:
                    seen.add(after)
                    stack.append((after, [*path, after]))
    return found


def discord_graph(root: Path = BOT) -> dict[str, set[str]]:
    """Imports among the modules of bot.discord_app."""
    found = modules(root)
    return {
        module: {n for n in names if within(n, "bot.discord_app") and n in found}
        for module, names in found.items()
        if within(module, "bot.discord_app")
    }


def test_the_scanner_sees_lazy_type_checking_and_relative_imports(tmp_path):
    root = tmp_path / "bot"
    (root / "discord_app").mkdir(parents=True)
    (root / "discord_app" / "__init__.py").write_text("")
    (root / "discord_app" / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n"
    )
    (root / "discord_app" / "b.py").write_text("def f():\n    import bot.discord_app.a\n")
    (root / "discord_app" / "c.py").write_text("def g():\n    import discord.ui\n")
    assert imports_of(root / "discord_app" / "a.py", root) >= {"bot.discord_app.b"}
    assert "discord.ui" in imports_of(root / "discord_app" / "c.py", root)
    assert cycles_in(discord_graph(root))  # a → b → a, though neither imports at load time


def test_lower_layers_never_import_higher_ones():
    violations = [
        f"{module} imports {name}"
        for module, names in modules().items()
        for layer, banned in FORBIDDEN.items()
        if within(module, layer)
        for name in names
        if any(within(name, b) for b in banned)
    ]
    assert violations == []


def test_only_the_discord_packages_import_discord():
    violations = [
        f"{module} imports {name}"
        for module, names in modules().items()
        if not any(within(module, p) for p in DISCORD_PACKAGES)
        and module not in DISCORD_OUTSIDE_ALLOWED
        for name in names
        if within(name, "discord")
    ]
    assert violations == []


def test_the_discord_layer_has_no_import_circle():
    graph = discord_graph()
    assert cycles_in(graph) == []
    # The three that used to import each other now import one way only.
    client, commands, buttons = (f"bot.discord_app.{m}" for m in ("client", "commands", "buttons"))
    assert commands in graph[client] and buttons in graph[client]
    assert client not in graph[commands] | graph[buttons]
    assert commands not in graph[buttons]


def test_core_modules_do_not_import_discord():
    code = (
        "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('discord' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
