"""The import graph of the installed `guanxi` package: no module imports itself through
others (no cycle), and imports sit at module top (none inside a function).

Every module of the package is located through importlib and read with `ast` (its code
is not run), and every import is resolved to the module it names: those at module top,
under `if TYPE_CHECKING:` and inside functions alike.
"""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "guanxi"

# Imports that must stay inside a function, each with the reason: (module, imported) ->
# why. Only what truly must be lazy belongs here (an optional driver, a tool imported only
# when its command runs).
LAZY: dict[tuple[str, str], str] = {}


@dataclass(frozen=True, slots=True)
class Import:
    """One import statement of a module: what it names, where, and whether it runs only
    when a function is called."""

    module: str
    target: str
    line: int
    in_function: bool


def _find(name: str) -> Path | None:
    """The source file of module `name`, or None when there is no such module."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _named(tree: ast.AST) -> Iterator[str]:
    """Every absolute module name an import in `tree` mentions, and its prefixes."""
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        for name in names:
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                yield ".".join(parts[:end])


def _modules() -> dict[str, Path]:
    """Every module of the installed package: name -> its source file. Subpackages are
    walked, and so is every module an import names (an editable install may map a
    subpackage to a directory of its own, which walking the parent does not show)."""
    root = _find(PACKAGE)
    assert root is not None, f"{PACKAGE} is not installed"
    found: dict[str, Path] = {}
    todo = [(PACKAGE, root)]
    while todo:
        name, path = todo.pop()
        if name in found:
            continue
        found[name] = path
        more: set[str] = set()
        if path.name == "__init__.py":
            more |= {f"{name}.{info.name}" for info in pkgutil.iter_modules([str(path.parent)])}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        more |= {n for n in _named(tree) if n.startswith(f"{PACKAGE}.")}
        for candidate in sorted(more - set(found)):
            source = _find(candidate)
            if source is not None:
                todo.append((candidate, source))
    return found


MODULES = _modules()


def _functions_around(tree: ast.AST) -> dict[ast.AST, bool]:
    """For each node, whether it sits inside a function."""
    inside: dict[ast.AST, bool] = {}

    def visit(node: ast.AST, in_function: bool) -> None:
        inside[node] = in_function
        nested = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef
                                           | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, nested)

    visit(tree, False)
    return inside


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name `from … import` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(module: str, path: Path) -> Iterator[Import]:
    """The package's own modules that `module` imports, one per name imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    inside = _functions_around(tree)
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node)
            # `from package import name` imports the submodule `name` when there is one.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            if target in MODULES and target != module:
                yield Import(module, target, node.lineno, inside[node])
            elif target.startswith(f"{PACKAGE}.") or target == PACKAGE:
                # A name inside a module: the module is the nearest known prefix.
                parts = target.split(".")
                while parts and ".".join(parts) not in MODULES:
                    parts.pop()
                owner = ".".join(parts)
                if owner and owner != module:
                    yield Import(module, owner, node.lineno, inside[node])
            elif inside[node]:
                yield Import(module, target, node.lineno, True)


IMPORTS = [i for name, path in sorted(MODULES.items()) for i in _imports(name, path)]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for found in IMPORTS:
        if found.target in MODULES:
            graph[found.module].add(found.target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path back to its start) per strongly connected group of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_path_around(graph, group) for group in groups]


def _path_around(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A path from the group's first module back to itself, inside the group."""
    start = min(group)
    previous: dict[str, str] = {}
    todo = [start]
    while todo:
        node = todo.pop(0)
        for target in sorted(graph[node] & group):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if target not in previous:
                previous[target] = node
                todo.append(target)
    return sorted(group)


def test_the_package_is_found_with_its_subpackages() -> None:
    assert {"guanxi.store.facade", "guanxi.checks.registry", "guanxi.server.app"} <= set(MODULES)


def test_no_module_imports_itself_through_others() -> None:
    cycles = [" → ".join(cycle) for cycle in _cycles(_graph())]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_imports_sit_at_module_top() -> None:
    lazy = [f"{i.module}:{i.line} imports {i.target} inside a function"
            for i in IMPORTS if i.in_function and (i.module, i.target) not in LAZY]
    assert not lazy, ("move these imports to the top of their module (or, if one must be "
                      "lazy, add it to LAZY with the reason):\n" + "\n".join(lazy))


def test_every_lazy_import_allowed_is_still_there() -> None:
    present = {(i.module, i.target) for i in IMPORTS if i.in_function}
    assert set(LAZY) <= present, sorted(set(LAZY) - present)


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c", "a"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_a_cycle_is_found_and_named_as_a_path(graph: dict[str, set[str]],
                                              expected: list[list[str]]) -> None:
    assert _cycles(graph) == expected
