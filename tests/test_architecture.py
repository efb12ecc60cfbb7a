"""The shape of the code: no import cycle among drdata's modules, and packages that only import downwards.

Read from the source with ``ast`` (every import, at the top of a module or inside a function), so the test sees
what a reader sees. Imports under ``if TYPE_CHECKING:`` are annotations only: they count for the layer order,
not for cycles. The layer order is also written down in docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "drdata"

# Bottom to top: a package may import its own modules and the packages below it, never one above.
LAYERS = [
    "drdata",  # the package itself: __version__ (its public API is looked up lazily, by name)
    "io",  # atomic files, parquet streams
    "extract",  # Terraform code blocks out of markdown answers
    "hcl",  # parsing (tree-sitter, python-hcl2), the parsed model, the parse cache
    "terraform",  # provider schema extract, terraform validate
    "detectors",  # the registry (Category, rules, findings) and the helpers rules share
    "catalog",  # one module per failure category
    "taxonomy",  # the named category sets, derived from the registry
    "corpus",  # inputs: task folders, prompts, the hand-written reports and their title mapping
    "verify",  # one answer against the taxonomy
    "rewards",  # GRPO rewards from verify's verdicts
    "labeling",  # pair labels, the batch applier (unit, engines, journal) and the LabelRun store
    "stats",  # statistics of a run: pure, a run in, tables out
    "plots",  # figures of the statistics
    "reports",  # Markdown from labels and statistics: pure
    "export",  # Hugging Face datasets and publishing
    "explore",  # Jupyter: one task side by side, the task browser, the shared label run, tables that fit
    "verbs",  # label, stats, report, export, publish: composes the layers, reads and writes
    "cli",  # parses arguments, calls one verb, prints
]

# The registry imports every module of the catalog (plugin discovery: the category modules register themselves).
DISCOVERY = {("drdata.detectors.registry", "drdata.catalog")}
# Upward look-ups by name at call time, each for a caller outside the layers (Jupyter, the notebooks).
LOOKUPS = {
    ("drdata.labeling.pair", "drdata.reports.render"),  # PairLabels._repr_markdown_, Jupyter's display hook
    ("drdata.stats", "drdata.verbs"),  # drdata.stats.labeled_run, which the notebooks import from there
}


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return out


MODULES = _modules()


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"))


def _imports(module: str) -> tuple[set[str], set[str], set[str]]:
    """(runtime imports, TYPE_CHECKING imports, importlib look-ups by literal name) of a drdata module."""
    path, is_pkg = MODULES[module]
    package = module if is_pkg else module.rpartition(".")[0]
    runtime: set[str] = set()
    typing: set[str] = set()
    lookups: set[str] = set()

    def targets(node) -> set[str]:
        if isinstance(node, ast.Import):
            return {a.name for a in node.names}
        base = node.module or ""
        if node.level:
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
        # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name`` imports mod.
        return {f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names}

    def visit(node, into: set[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                for sub in child.body:
                    visit_one(sub, typing)
                for sub in child.orelse:
                    visit_one(sub, into)
            else:
                visit_one(child, into)

    def visit_one(node, into: set[str]) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            into.update(t for t in targets(node) if t.split(".")[0] == "drdata")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args and isinstance(node.args[0], ast.Constant)
              and str(node.args[0].value).startswith("drdata")):
            lookups.add(node.args[0].value)
        visit(node, into)

    visit(ast.parse(path.read_text(encoding="utf-8")), runtime)
    known = lambda names: {n for n in names if n in MODULES and n != module}  # noqa: E731
    return known(runtime), known(typing), known(lookups)


IMPORTS = {m: _imports(m) for m in MODULES}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "drdata"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
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
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return found


def test_the_graph_is_read_from_the_source():
    # Guards the test itself: a parser that found no imports would pass every check below.
    assert len(MODULES) > 100
    runtime, _, _ = IMPORTS["drdata.labeling.batch"]
    assert {"drdata.labeling.engines", "drdata.labeling.journal", "drdata.labeling.store"} <= runtime
    _, typing, _ = IMPORTS["drdata.stats.run"]
    assert "drdata.labeling.store" in typing
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycle_among_modules():
    graph = {m: runtime for m, (runtime, _, _) in IMPORTS.items()}
    assert _cycles(graph) == []


def test_every_package_has_a_place_in_the_layers():
    assert {_layer(m) for m in MODULES} == set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_point_down(module):
    runtime, typing, _ = IMPORTS[module]
    here = LAYERS.index(_layer(module))
    upward = sorted(t for t in runtime | typing
                    if LAYERS.index(_layer(t)) > here and (module, t) not in DISCOVERY)
    assert upward == [], f"{module} imports from layers above it"


def test_upward_lookups_by_name_are_the_listed_ones():
    lazy_apis = {"drdata", "drdata.export"}  # packages whose public names load their modules on first use
    found = {(m, t) for m, (_, _, looked_up) in IMPORTS.items() if m not in lazy_apis for t in looked_up}
    assert found == LOOKUPS


def test_the_layer_order_is_the_one_the_docs_give():
    doc = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "Layers, bottom to top: " + ", ".join(f"`{name}`" for name in LAYERS) + "." in doc
