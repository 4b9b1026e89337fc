"""Limits on one input file: bytes read, special files, PDF pages and inflated streams, elements (issue 13)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.limits import Limits, current, read_file

from .conftest import SAMPLE

# -- bytes read, special files --------------------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_refused_as_a_device() -> None:
    with pytest.raises(gds.LoadError, match="not a regular file") as info:
        gds.load("/dev/zero")
    assert info.value.path == "/dev/zero"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            gds.load(fifo)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)
    assert outcome, "loading a named pipe blocked"
    assert isinstance(outcome[0], gds.LoadError)
    assert "named pipe" in str(outcome[0]) and "命名管道" in str(outcome[0])
    assert outcome[0].path == str(fifo)


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(gds.LoadError, match="a folder"):
        gds.load(tmp_path)


def test_file_past_max_bytes_is_refused(tmp_path: Path) -> None:
    size = SAMPLE.stat().st_size
    with pytest.raises(gds.LoadError, match="max_bytes") as info:
        gds.load(SAMPLE, limits=Limits(max_bytes=size - 1))
    assert info.value.path == str(SAMPLE)
    assert gds.load(SAMPLE, limits=Limits(max_bytes=size)).agency


def test_read_file_stops_at_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(gds.LoadError, match="larger than 4 KiB"):
        read_file(big, Limits(max_bytes=4096))
    assert read_file(big, Limits(max_bytes=5000)) == b"x" * 5000


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_cli_validate_dev_zero_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "text", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        Limits(max_bytes=0)
    with pytest.raises(ValueError, match="max_pdf_pages"):
        Limits(max_pdf_pages=2.5)  # type: ignore[arg-type]


def test_limits_in_force_only_while_loading() -> None:
    small = Limits(max_elements=10)
    seen: list[Limits] = []
    with gds.limits.applied(small):
        seen.append(current())
    assert seen == [small]
    assert current() == gds.DEFAULT_LIMITS

