"""The shape the README describes, read from every import in the code (deferred ones too): the
stages import the values package and the stages below them, never each other in a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The bottom of the core: what every stage may import, and which imports nothing above it.
BOTTOM = frozenset({"errors", "limits", "values"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    files = [*(ROOT / "vision").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    return {_module_name(path): path for path in files if "migrations" not in path.parts}


@cache
def _imported(path: Path) -> tuple[str, ...]:
    """Every module name an import statement of this file names, at any depth of the file."""
    return tuple(_names(path))


def _names(path: Path) -> Iterator[str]:
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _own(name: str) -> str | None:
    """The module of this project a dotted name falls in, or None for another library."""
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


@cache
def _graph() -> dict[str, frozenset[str]]:
    graph = {}
    for name, path in _modules().items():
        found = {_own(target) for target in _imported(path)}
        found -= {None, name, "vision", "ui"}
        graph[name] = frozenset(target for target in found if target)
    return graph


def _stage(module: str) -> str:
    """The folder (or top-level module) of vision/ a module belongs to: `api`, `errors`..."""
    parts = module.split(".")
    return parts[1] if parts[0] == "vision" and len(parts) > 1 else parts[0]


def _third_party(library: str) -> set[str]:
    """The modules of the project that import this library."""
    return {
        name
        for name, path in _modules().items()
        if any(target.split(".")[0] == library for target in _imported(path))
    }


def test_no_two_stages_of_the_core_import_each_other():
    edges = {
        (_stage(a), _stage(b))
        for a, targets in _graph().items()
        for b in targets
        if a.startswith("vision.") and b.startswith("vision.") and _stage(a) != _stage(b)
    }
    assert sorted({tuple(sorted(pair)) for pair in edges if pair[::-1] in edges}) == []


def test_no_module_imports_itself_through_a_circle():
    graph, index, low, stack, circles = _graph(), {}, {}, [], []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            circle = []
            while (top := stack.pop()) != node:
                circle.append(top)
            if circle:
                circles.append(sorted([*circle, node]))

    for node in graph:
        if node not in index:
            visit(node)
    assert circles == []


def test_the_values_package_stands_on_errors_and_limits_only():
    above = {
        (name, target)
        for name, targets in _graph().items()
        if _stage(name) == "values"
        for target in targets
        if _stage(target) not in BOTTOM
    }
    assert above == set()


def test_preparing_or_fetching_an_image_knows_no_model_server():
    assert {
        (name, target)
        for name, targets in _graph().items()
        if _stage(name) in {"images", "urls"}
        for target in targets
        if _stage(target) == "api"
    } == set()


def test_only_the_history_speaks_sql():
    speaking = _third_party("sqlalchemy") | _third_party("alembic")
    assert {name for name in speaking if not name.startswith("vision.history")} == set()


def test_only_the_image_stage_opens_images():
    # The echo draws nothing it sends; the probe draws its own test pattern.
    allowed = ("vision.images", "vision.echo", "vision.calibration.probe")
    assert {name for name in _third_party("PIL") if not name.startswith(allowed)} == set()


def test_only_the_documents_stage_opens_pdfs_videos_and_drawings():
    # PDFium, FFmpeg, resvg and the XML checker each decode untrusted files: one place holds them.
    libraries = ("pypdfium2", "av", "resvg_py", "defusedxml")
    opening = set().union(*(_third_party(library) for library in libraries))
    assert opening
    assert {name for name in opening if not name.startswith("vision.images.documents")} == set()


def test_the_core_never_draws_and_the_pages_never_reach_the_network():
    assert {name for name in _third_party("streamlit") if name.startswith("vision")} == set()
    assert {name for name in _third_party("requests") if name.startswith("ui")} == set()
