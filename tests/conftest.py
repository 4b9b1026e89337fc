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
