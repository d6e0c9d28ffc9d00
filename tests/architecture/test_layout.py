"""The package's shape, checked: no import cycles, the layers' rules, small files.

Every module of `gemba` is parsed (not imported) and each `import` inside it, at any
depth (a function-level import is still a dependency), becomes an edge. Importing
`a.b.c` runs the `__init__.py` of `a` and `a.b` first, so it depends on those too; a
module's own ancestor packages are left out (Python has loaded them before it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "gemba"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
# The top of the package: the factory, the extensions, the defaults and the CLI's entry.
TOP_LEVEL = {"__init__.py", "extensions.py", "config.py", "cli.py"}
# Imports a layer may not make: (importer prefix, imported prefix, why).
FORBIDDEN = [
    ("gemba.domain", "flask", "domain code is pure: no Flask"),
    ("gemba.domain", "flask_wtf", "domain code is pure: no Flask"),
    ("gemba.domain", "sqlalchemy", "domain code is pure: no database"),
    ("gemba.domain", "flask_sqlalchemy", "domain code is pure: no database"),
    ("gemba.domain", "gemba.", "domain code depends on nothing else of Gemba"),
    ("gemba.models", "gemba.", "models depend only on models"),
    ("gemba.platform", "gemba.", "plumbing serves features and depends on none"),
]
# What each forbidden rule still allows, as importer prefix -> imported prefixes.
ALLOWED = {
    "gemba.domain": ("gemba.domain",),
    "gemba.models": ("gemba.models",),
    "gemba.platform": ("gemba.platform", "gemba.extensions", "gemba.models", "gemba.domain"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.relative_to(PACKAGE).parts:
            yield path


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Every module this file imports, resolved to the most specific known module."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules else base)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in sources()}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        imported = set()
        for module in imports_of(path, modules):
            parts = module.split(".")
            imported.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        graph[name] = (imported & modules) - ancestors - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_layers_import_only_what_they_may():
    broken = []
    for path in sources():
        name = module_name(path)
        for imported in imports_of(path, set()):
            for importer, target, why in FORBIDDEN:
                allowed = ALLOWED.get(importer, ())
                if (
                    name.startswith(importer)
                    and (imported == target.rstrip(".") or imported.startswith(target))
                    and not imported.startswith(allowed)
                ):
                    broken.append(f"{name} imports {imported}: {why}")
    assert broken == []


def test_only_the_factory_extensions_config_and_cli_at_the_top():
    loose = {p.name for p in PACKAGE.glob("*.py")} - TOP_LEVEL
    assert loose == set()


@pytest.mark.parametrize("path", list(sources()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_small_files_and_functions(path: Path):
    text = path.read_text()
    assert text.count("\n") <= MAX_FILE_LINES, f"{path.name} is over {MAX_FILE_LINES} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
