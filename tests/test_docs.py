"""The documentation cannot go stale: its Python examples run, and its generated reference is current."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
PYTHON_BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
GENERATED = [("gen_tables.py", "tables-and-codes.md"), ("gen_rules.py", "rules.md")]


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """The ```python blocks of a markdown page with the line number their code starts on."""
    text = page.read_text("utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in PYTHON_BLOCK.finditer(text)]


def test_the_documentation_is_there() -> None:
    names = {p.name for p in PAGES}
    expected = {
        "getting-started.md",
        "loading.md",
        "tables-and-codes.md",
        "rules.md",
        "validation.md",
        "many-reports.md",
        "cli.md",
        "display.md",
        "index.md",
        "embedding.md",
        "localization.md",
    }
    assert expected <= names, f"missing pages: {sorted(expected - names)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_python_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of a page runs, in order, in one namespace per page, from the repository root."""
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for line, code in python_blocks(page):
        # leading newlines keep the page's line numbers in tracebacks
        exec(compile("\n" * (line - 1) + code, str(page), "exec"), namespace)


@pytest.mark.parametrize(("script", "page"), GENERATED)
def test_generated_reference_is_current(script: str, page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page holds exactly what its generator prints now (regenerate with ``python docs/<script> --write``)."""
    monkeypatch.syspath_prepend(str(DOCS))  # as ``python docs/<script>`` has it: its sibling gen_page.py
    generated = runpy.run_path(str(DOCS / script))["generate"]()
    text = (DOCS / page).read_text("utf-8")
    begin, end = generated.splitlines()[0], generated.splitlines()[-1]
    assert text.count(begin) == 1 and text.count(end) == 1, f"docs/{page} must hold the generated part once"
    assert generated in text, f"docs/{page} is stale: run python docs/{script} --write"
