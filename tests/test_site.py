"""The documentation site builds without a warning, and its API reference covers the public API."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import gov_disclosure_stats as gds

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "reference"
DIRECTIVE = re.compile(r"^::: *(gov_disclosure_stats(?:\.\w+)*) *$", re.MULTILINE)
SITE_PACKAGES = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")


def _missing_site_packages() -> list[str]:
    missing = []
    for name in SITE_PACKAGES:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(name)
    return missing


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """``mkdocs build --strict``: no broken link or anchor, no page left out of the nav, no docstring warning."""
    missing = _missing_site_packages()
    if missing:
        pytest.skip(f"the docs extra is not installed (pip install -e '.[docs]'): missing {', '.join(missing)}")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    problems = [line for line in build.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert build.returncode == 0, "mkdocs build --strict failed:\n" + ("\n".join(problems) or build.stderr[-3000:])
    assert (tmp_path / "site" / "reference" / "index.html").exists()


def _resolve(path: str) -> object:
    """The object a ``:::`` directive documents: a module, or an attribute of one."""
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        parent, _, name = path.rpartition(".")
        if not parent:
            raise
        return getattr(_resolve(parent), name)


def test_the_api_reference_covers_the_public_api() -> None:
    """Every name of ``gds.__all__`` is documented by a ``:::`` directive of docs/reference/*.md."""
    directives = {m[1] for page in REFERENCE.glob("*.md") for m in DIRECTIVE.finditer(page.read_text("utf-8"))}
    assert directives, "docs/reference/*.md hold no ::: directives"
    documented = [_resolve(d) for d in sorted(directives)]

    def covered(name: str) -> bool:
        obj = getattr(gds, name)
        owner = obj.__module__ if isinstance(obj, type) or callable(obj) else None  # None: a constant
        return any(
            target is obj
            or (isinstance(target, ModuleType) and vars(target).get(name) is obj and owner in (None, target.__name__))
            for target in documented
        )

    missing = [name for name in gds.__all__ if not covered(name)]
    assert not missing, f"public names missing from docs/reference/: {missing}"
