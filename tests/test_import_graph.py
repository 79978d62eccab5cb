"""The import graph of `analysis` and `generation` has no cycles.

A cycle makes import order matter and drags heavy modules into light ones (importing a pure
filter would start the whole pipeline). Edges are the imports that run when a module is
imported: module-level statements (also inside a module-level `if`, `try` or class body), never
those inside functions, nor those under `if TYPE_CHECKING:`. Importing `a.b.c` also runs the
packages `a` and `a.b`, so those are edges too: a package whose `__init__` imports a module
that imports back from the package is a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("analysis", "generation", "app_pages")


def module_names(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the packages under `root`."""
    names = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _dependency_statements(tree: ast.Module):
    """Every import of a module, at any depth: one deferred into a function is still a
    dependency (it only hides the circle until the function runs). `if TYPE_CHECKING:` blocks
    are left out, since they never run."""
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node.test)
        for statement in node.body
        for child in ast.walk(statement)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped:
            yield node


def _imported(node: ast.stmt, module: str, is_package: bool, modules: set[str]) -> list[str]:
    """The modules a statement names: `from x import y` names the submodule x.y where there is
    one, else x itself (y is a name x defines)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
        base = ".".join([*anchor, base] if base else anchor)
    named = [f"{base}.{alias.name}" for alias in node.names]
    return [name if name in modules else base for name in named]


def _ancestors(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:n]) for n in range(1, len(parts))}


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the modules of `packages` its import runs (itself excluded).

    Importing a.b.c runs a and a.b too, except the packages that enclose the importing module:
    Python has started those before the module itself, so a package's __init__ that re-exports
    its submodules is no circle, while a submodule importing a name from that __init__ is.
    """
    modules = module_names(root, packages)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        enclosing = _ancestors(module)
        targets = set()
        for node in _dependency_statements(tree):
            for name in _imported(node, module, is_package, set(modules)):
                targets |= ({name} | (_ancestors(name) - enclosing)) & set(modules)
        graph[module] = targets - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _describe(component: frozenset[str], graph: dict[str, set[str]]) -> str:
    edges = [f"{a} -> {b}" for a in sorted(component) for b in sorted(graph[a] & component)]
    return "{" + ", ".join(sorted(component)) + "}: " + "; ".join(edges)


def test_import_graph_has_no_cycles():
    graph = import_graph(REPO_ROOT, PACKAGES)
    unexpected = cycles(graph)
    assert not unexpected, "import cycles:\n" + "\n".join(_describe(c, graph) for c in unexpected)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(
    ("a_text", "is_cycle"),
    [
        ("from pkg import b\n", True),
        ("import pkg.b\n", True),
        ("from pkg.b import thing\n", True),
        ("from . import b\n", True),
        ("if True:\n    from pkg import b\n", True),
        ("try:\n    import pkg.b\nexcept ImportError:\n    pass\n", True),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import b\n",
            False,
        ),
        ("def f():\n    from pkg import b\n", True),  # deferred, still a dependency
        ("import os\n", False),
    ],
)
def test_import_graph_finds_cycles_through_any_import_that_runs(tmp_path, a_text, is_cycle):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": a_text, "pkg/b.py": "from pkg import a\n"})
    found = cycles(import_graph(tmp_path, ("pkg",)))
    assert found == ([frozenset({"pkg.a", "pkg.b"})] if is_cycle else [])


@pytest.mark.parametrize(
    ("heavy_text", "is_cycle"),
    [
        ("from pkg.sub import light\n", False),  # a sibling submodule, through the package
        ("from pkg.sub import helper\n", True),  # a name the package's __init__ defines
    ],
)
def test_import_graph_package_facades(tmp_path, heavy_text, is_cycle):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from pkg.sub.heavy import run\n\ndef helper(): ...\n",
            "pkg/sub/heavy.py": heavy_text,
            "pkg/sub/light.py": "",
        },
    )
    found = cycles(import_graph(tmp_path, ("pkg",)))
    assert found == ([frozenset({"pkg.sub", "pkg.sub.heavy"})] if is_cycle else [])
