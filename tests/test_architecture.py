"""The package by stage (docs/arkitektur.md): imports run only downwards and close no circle.

Stages, lowest first: base < data < analysis < report < render < publish < cli. A module may import
its own stage and the ones below. Imports inside functions count too (they hide the real graph,
but not from this test).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ojlib"
STAGES = ("base", "data", "analysis", "report", "render", "publish", "cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    name = ".".join(parts)
    return name.removesuffix(".__init__")


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """ojlib modules that ``path`` imports anywhere in its code (a package import counts as its module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("ojlib"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("ojlib")}
    return {m for m in out if m in modules}


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def test_every_module_lives_in_a_stage():
    loose = [m for m in _modules() if _stage(m) is None and m not in ("ojlib", "ojlib.__main__")]
    assert not loose, f"modules outside the stage folders: {loose}"


def test_no_import_runs_up_a_stage():
    modules = _modules()
    upward = []
    for name, path in modules.items():
        own = _stage(name)
        for target in _imports(path, modules):
            theirs = _stage(target)
            if own is not None and theirs is not None and theirs > own:
                upward.append(f"{name} ({STAGES[own]}) -> {target} ({STAGES[theirs]})")
    assert not upward, "imports from a lower stage to a higher one:\n" + "\n".join(sorted(upward))


def test_no_import_circles():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    # a package's __init__ importing its own submodules is not a circle of modules
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def strongconnect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    assert not cycles, f"import circles: {cycles}"


@pytest.mark.parametrize("gone", ["compare", "shared"])
def test_no_facade_modules(gone):
    assert not (PACKAGE / f"{gone}.py").exists()
