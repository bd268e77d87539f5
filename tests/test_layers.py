"""The house keeps its shape: the layers contract (import-linter, in pyproject.toml) holds,
no module imports itself round a cycle, and no module grows past 400 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

SOURCE = Path(__file__).parent.parent / "src" / "microup"
MAX_LINES = 400


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_a_cycle() -> None:
    """Type-checking imports count too: a cycle there is still two modules that cannot be
    understood apart."""
    sys.setrecursionlimit(10_000)
    graph = grimp.build_graph("microup", include_external_packages=False)
    assert _cycles(graph) == []


def test_the_layers_contract_holds() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"],
        capture_output=True,
        text=True,
        cwd=SOURCE.parent.parent,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_no_module_is_longer_than_400_lines() -> None:
    long = {
        str(path.relative_to(SOURCE)): lines
        for path in SOURCE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
