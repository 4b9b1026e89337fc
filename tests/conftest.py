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
