"""Shared fixtures: the sample report copied into the project, and the shared corpus when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "2022_beijing-shijingshan_district-government.txt"
SAMPLE_EXPECTED = DATA / "2022_beijing-shijingshan_district-government.expected.json"
CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"
NO_CORPUS = "../shared/corpus is not here (a fresh clone has no shared folder); CI has it"


def corpus_expected(stem: str) -> dict:
    """The expected values of a corpus report, skipping the test when the corpus is absent."""
    path = CORPUS / f"{stem}.expected.json"
    if not path.exists():
        pytest.skip(NO_CORPUS)
    return json.loads(path.read_text("utf-8"))


@pytest.fixture
def sample_expected() -> dict:
    return json.loads(SAMPLE_EXPECTED.read_text("utf-8"))


@pytest.fixture(scope="module")
def text() -> str:
    """The sample report's plain text."""
    return SAMPLE.read_text("utf-8")


def edited(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def corpus_reports() -> list[Path]:
    """Every report file of the shared corpus (empty when the corpus is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix != ".json" and p.name != "README.md")


def assert_matches_expected(report, expected: dict) -> None:
    """Every cell equal to its expected value, or ``ambiguous`` with the expected value among its candidates
    (a split the table alone cannot settle), and every such cell named by an issue of the report."""
    cells = report.cells.set_index(["table", "row", "column"])
    mismatched = []
    for table, rows in expected["tables"].items():
        for row, columns in rows.items():
            for column, want in columns.items():
                cell = cells.loc[(table, row, column)] if (table, row, column) in cells.index else None
                got = None if cell is None or cell["status"] != "number" else cell["value"]
                if got == want or (want is None and cell is not None and cell["status"] == "blank"):
                    continue
                if (
                    cell is not None
                    and cell["status"] == "ambiguous"
                    and str(want) in cell["raw"].partition(" → ")[2].split(" or ")
                ):
                    continue
                mismatched.append((f"{table}.{row}.{column}", want, None if cell is None else cell["raw"]))
    assert not mismatched, mismatched
    flagged = set(zip(report.issues["table"], report.issues["row"], report.issues["column"], strict=True))
    undecided = report.cells[report.cells["status"].isin(["ambiguous", "unplaced"])]
    for cell in undecided.itertuples(index=False):
        assert (cell.table, cell.row, cell.column) in flagged or (cell.table, cell.row, "") in flagged, cell
