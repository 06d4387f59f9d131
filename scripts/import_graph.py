"""The import graph of the metacompress package, and whether it has a circle.

Reads every module under metacompress/ with ``ast`` (nothing is imported) and records the
package modules each one imports at its top level. Prints the graph between subpackages and
every circle among modules' top-level imports; exits 1 when there is one. Imports inside
functions run later, on first call; circles that need one of those are listed too, as
deferred circles, and fail the check only with --strict.

    .venv/bin/python scripts/import_graph.py            # package graph and the cycle check
    .venv/bin/python scripts/import_graph.py --modules  # every module's own imports too
    .venv/bin/python scripts/import_graph.py --strict   # deferred circles fail as well
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PACKAGE = "metacompress"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = (root.name, *path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def resolve(current: str, package_init: bool, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import ...`` inside ``current``."""
    if level == 0:
        return target or ""
    base = current.split(".") if package_init else current.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def top_level_imports(path: Path, modules: set[str], root: Path = ROOT, deferred: bool = False) -> set[str]:
    """The package modules ``path`` imports when it is loaded (statements at module level,
    including those under ``if``/``try`` there, but not inside functions or classes); with
    ``deferred``, also the imports inside functions, which run on first call."""
    current = module_name(path, root)
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in _everywhere(tree) if deferred else _module_level(tree.body):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = resolve(current, is_package(path), node.level, node.module)
            # ``from . import x`` may import the submodule x, or a name defined in the package
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != current:
                found.add(name)
    return found


def _module_level(body: list[ast.stmt]):
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or _type_checking_only(node):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from _module_level([c for c in children if isinstance(c, ast.stmt)] +
                                         [s for h in children if isinstance(h, ast.excepthandler) for s in h.body])


def _everywhere(tree: ast.Module):
    """Every node but those of ``if TYPE_CHECKING:`` blocks, which never run."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not (isinstance(c, ast.stmt) and _type_checking_only(c)))


def _type_checking_only(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` blocks: read by type checkers, never run, so they make no circle."""
    test = getattr(node, "test", None) if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def module_graph(root: Path = ROOT, deferred: bool = False) -> dict[str, set[str]]:
    paths = sorted(root.rglob("*.py"))
    modules = {module_name(path, root) for path in paths}
    return {module_name(path, root): top_level_imports(path, modules, root, deferred) for path in paths}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (or a self-import), each
    as a sorted list: a circle of imports lies inside one of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # iterative Tarjan: the graph is small, but recursion limits are no one's business here
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph between subpackages (metacompress.code, metacompress.relations, ...); a
    top-level module such as metacompress.audit is its own node."""

    def group(name: str) -> str:
        parts = name.split(".")
        return ".".join(parts[:2])

    packages: dict[str, set[str]] = {}
    for module, imports in graph.items():
        edges = packages.setdefault(group(module), set())
        edges.update(group(target) for target in imports if group(target) != group(module))
    return packages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", action="store_true", help="also print every module's top-level imports")
    parser.add_argument("--strict", action="store_true", help="fail on circles through imports inside functions too")
    args = parser.parse_args(argv)
    graph = module_graph()
    print("package graph (top-level imports between subpackages):")
    for package, imports in sorted(package_graph(graph).items()):
        print(f"  {package} -> {', '.join(sorted(imports)) or '(nothing)'}")
    if args.modules:
        print("module graph:")
        for module, imports in sorted(graph.items()):
            print(f"  {module} -> {', '.join(sorted(imports)) or '(nothing)'}")
    found = cycles(graph)
    deferred = [c for c in cycles(module_graph(deferred=True)) if c not in found]
    for title, components in (("import circle(s)", found), ("deferred import circle(s), through imports inside functions", deferred)):
        if components:
            print(f"{len(components)} {title}:")
            for component in components:
                print("  " + " <-> ".join(component))
    if found or (args.strict and deferred):
        return 1
    print(f"no import circle among the top-level imports of {len(graph)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
