"""The layers of docs/architecture.md: the import contract holds, no module is part of an import cycle,
the public names and the documented module paths import."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.model import upcalls

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["core", "model", "loading", "validation", "analysis", "show"]

# Module paths the documentation names from before the layers, and where each module lives now.
MOVED = {
    "comparison": "analysis.comparison",
    "corpus": "analysis.corpus",
    "digits": "loading.digits",
    "errors": "core.errors",
    "flow": "loading.flow",
    "grid": "model.grid",
    "layouts": "core.layouts",
    "limits": "core.limits",
    "localize": "analysis.localize",
    "narrative": "validation.narrative",
    "readers": "loading.readers",
    "readers.markdown": "loading.readers.markdown",
    "readers.pdf_streams": "loading.readers.pdf_streams",
    "render": "show.render",
    "schemas": "validation.schemas",
    "slips": "analysis.slips",
    "synth": "model.synth",
    "values": "core.values",
}


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph.modules:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
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
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """Every import of the package, inside functions and under TYPE_CHECKING too."""
    return grimp.build_graph("gov_disclosure_stats", cache_dir=None)


def test_import_contracts_hold():
    """`lint-imports` with the contracts of pyproject.toml (layers, no cycles within a package, heavy
    third-party packages only in their layer), as .ci/run runs it."""
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert command, "import-linter is in the test extra"
    run = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_no_module_is_part_of_an_import_cycle(graph):
    """Across the whole package, the package __init__ included (it imports every layer, nothing imports it)."""
    assert _cycles(graph) == []
    assert not graph.find_modules_that_directly_import("gov_disclosure_stats")


def test_the_cycle_check_sees_a_cycle(graph):
    """An import from the model up to the display (as Report._repr_html_ once had) would be caught."""
    graph.add_import(importer="gov_disclosure_stats.model.report", imported="gov_disclosure_stats.show.display")
    try:
        assert any("gov_disclosure_stats.model.report" in c for c in _cycles(graph))
    finally:
        graph.remove_import(importer="gov_disclosure_stats.model.report", imported="gov_disclosure_stats.show.display")


def test_every_module_is_in_a_layer(graph):
    top = {m.split(".")[1] for m in graph.modules if m.count(".") >= 1}
    assert top == {*LAYERS, "cli"}


def test_each_layer_says_what_lives_there_and_what_it_may_import():
    for layer in LAYERS:
        doc = importlib.import_module(f"gov_disclosure_stats.{layer}").__doc__
        assert doc and "May import" in doc, layer


@pytest.mark.parametrize("name", gds.__all__)
def test_every_public_name_imports(name):
    namespace: dict[str, object] = {}
    exec(f"from gov_disclosure_stats import {name}", namespace)
    assert namespace[name] is getattr(gds, name)


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_documented_module_paths_still_import(old, new):
    """The old path is the new module itself (not a copy): patching one patches the other."""
    assert importlib.import_module(f"gov_disclosure_stats.{old}") is importlib.import_module(
        f"gov_disclosure_stats.{new}"
    )


def test_documented_names_at_their_old_paths():
    from gov_disclosure_stats.corpus import LoadInterrupted, write_reports
    from gov_disclosure_stats.limits import current
    from gov_disclosure_stats.localize import REQUIRED_CORRECTION_COLUMNS, apply_corrections, localize
    from gov_disclosure_stats.readers import read_text, register
    from gov_disclosure_stats.render import rich_tables

    assert localize is gds.localize
    assert apply_corrections is gds.Report.apply.__globals__["apply_corrections"]
    assert REQUIRED_CORRECTION_COLUMNS[0] == "report_id"
    assert all(callable(f) for f in (current, read_text, register, rich_tables, write_reports))
    assert issubclass(LoadInterrupted, BaseException)
    assert gds.narrative.__name__ == "gov_disclosure_stats.validation.narrative"


def test_the_model_upcalls_are_all_provided():
    """Report._repr_html_, Report.to_wide, ReportSet.validate and ValidationResult._repr_html_ reach their layer."""
    assert set(upcalls._PROVIDED) == set(upcalls.NAMES)
    for name, path in upcalls.NAMES.items():
        module, function = path.rsplit(".", 1)
        assert upcalls._PROVIDED[name] is getattr(importlib.import_module(module), function)


def test_cli_runs_as_a_module():
    run = subprocess.run(
        [sys.executable, "-m", "gov_disclosure_stats.cli", "--help"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and "validate" in run.stdout
