"""The package's shape: every module imports only its own part and the parts below it
(each subpackage's docstring names them), and no two modules import each other in a circle.

Read from the source with ``ast`` (function-level imports included: an import made on
first use still points somewhere), so this holds for every code path, not just the ones
a test happens to run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gradstep

PACKAGE = Path(gradstep.__file__).resolve().parent
# What each part may import, besides itself: down this list only.
MAY_IMPORT = {
    "core": set(),
    "layout": set(),
    "program": {"core", "layout"},
    "lab": {"core", "program"},
    "training": {"core", "program"},
    "notebook": {"core", "program", "layout"},
    # the top: the command line, `python -m gradstep`, micrograd's gradstep.nn, the package itself
    "cli": {"core", "layout", "program", "lab", "training", "notebook"},
    "__main__": {"cli"},
    "nn": {"training"},
    "__init__": {"core", "program", "notebook"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(["gradstep", *parts])


def imports_of(path: Path) -> set[str]:
    """The gradstep modules one file imports (absolute, relative, at any depth of the code)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "gradstep"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "gradstep":
                continue
            out.add(target)
            # `from gradstep.x import y` where y is a module of x
            for alias in node.names:
                sub = PACKAGE.joinpath(*target.split(".")[1:], alias.name)
                if sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file():
                    out.add(f"{target}.{alias.name}")
    return out - {name}


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}
GRAPH = {m: {t for t in imports_of(p) if t in MODULES} for m, p in MODULES.items()}


def test_every_part_is_known():
    assert {part_of(m) for m in MODULES} == set(MAY_IMPORT)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    part = part_of(module)
    upward = sorted(t for t in GRAPH[module] if part_of(t) != part and part_of(t) not in MAY_IMPORT[part])
    assert not upward, f"{module} ({part}) imports {upward}: {part} may import only {sorted(MAY_IMPORT[part])}"


def find_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components larger than one module (iterative)."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


def test_no_import_circles():
    assert not find_circles(GRAPH), f"import circles: {find_circles(GRAPH)}"


def test_the_checks_would_see_a_circle_and_an_upward_import():
    """The checks above fail on a package that breaks the rules (the old train <-> fast_trainer)."""
    assert find_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_circles({"a": {"b"}, "b": set()}) == []
    source = "from gradstep.training import trainer\nfrom ..program.compiler import compile_program\n"
    fake = PACKAGE / "core" / "_fake_for_test.py"
    try:
        fake.write_text(source)
        found = imports_of(fake)
    finally:
        fake.unlink()
    assert found == {"gradstep.training", "gradstep.training.trainer", "gradstep.program.compiler"}
    assert not MAY_IMPORT["core"] & {part_of(m) for m in found}
