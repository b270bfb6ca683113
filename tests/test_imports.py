"""No import cycles in the project's own packages, counting imports inside functions too (a
function-level import that hides a cycle is still a cycle: the two modules cannot be understood,
tested or moved apart)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("intake", "inference")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def own_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imported(tree: ast.AST, here: str, is_package: bool, known: set[str]) -> set[str]:
    """Own modules this module imports, anywhere in it; `from pkg import mod` counts as mod."""
    out: set[str] = set()
    base = here if is_package else here.rpartition(".")[0]
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parent = node.module or ""
            if node.level:
                anchor = base.split(".")[: len(base.split(".")) - (node.level - 1)]
                parent = ".".join([*anchor, parent] if parent else anchor)
            names = [f"{parent}.{alias.name}" for alias in node.names] + [parent]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != here:
                out.add(name)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = own_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges = graph.setdefault(name, set())
        for target in imported(tree, name, path.name == "__init__.py", set(modules)):
            # A package's __init__ is imported on the way to any of its modules; only real
            # module-to-module edges make a cycle worth reporting.
            if not name.startswith(target + ".") and not target.startswith(name + "."):
                edges.add(target)
    return graph


def test_it_finds_no_import_cycles() -> None:
    graph = import_graph()
    assert sum(map(len, graph.values())) > 100  # the walk really read the imports
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        raise AssertionError("import cycle: " + " -> ".join(exc.args[1])) from None


def test_it_would_report_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        assert set(exc.args[1]) == {"a", "b", "c"}
    else:
        raise AssertionError("no cycle found")
