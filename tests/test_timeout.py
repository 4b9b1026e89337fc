"""Time per file in load_many / gds scan, and stopping a scan with Ctrl-C or SIGTERM (issue 13)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.analysis.corpus import LoadInterrupted, load_many
from gov_disclosure_stats.cli import main

from .conftest import SAMPLE

ROOT = Path(__file__).parents[1]


def slow_loader(path: str) -> gds.Report:
    """Loads the sample, but hangs (in Python) on files named ``slow*``."""
    if Path(path).name.startswith("slow"):
        time.sleep(120)
    return gds.load(path)


def _folder(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in names:
        shutil.copy(SAMPLE, folder / name)
    return folder


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.mark.parametrize("workers", [1, 2])
def test_file_past_the_timeout_is_a_failure_row_and_the_scan_goes_on(tmp_path: Path, workers: int) -> None:
    folder = _folder(tmp_path, ["a.txt", "b.txt", "slow.txt", "c.txt", "d.txt"])
    before = _children()
    start = time.monotonic()
    reports, failures = load_many(
        folder, workers=workers, progress=False, loader=slow_loader, timeout=1.5, chunk_files=2
    )
    assert time.monotonic() - start < 60
    assert sorted(reports.keys["report_id"]) == ["a.txt", "b.txt", "c.txt", "d.txt"]
    assert list(failures["error_type"]) == ["Timeout"]
    assert failures["file"].iloc[0].endswith("slow.txt")
    assert "1.5" in failures["message"].iloc[0] and "秒" in failures["message"].iloc[0]
    time.sleep(0.5)
    assert _children() <= before, "a worker outlived load_many"


def test_timeout_none_waits(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["a.txt", "b.txt"])
    reports, failures = load_many(folder, workers=2, progress=False, timeout=None)
    assert len(reports) == 2 and failures.empty


def test_limits_reach_the_workers(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt"])
    reports, failures = load_many(folder, workers=2, progress=False, limits=gds.Limits(max_bytes=1000))
    assert len(reports) == 0
    assert set(failures["error_type"]) == {"LoadError"}
    assert failures["message"].str.contains("max_bytes").all()


def test_cli_scan_timeout_and_limit_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, ["a.txt", "b.txt"])
    out = tmp_path / "out.csv"
    code = main(["scan", str(folder), "--out", str(out), "--no-progress", "--timeout", "30", "--limit", "max_bytes=1K"])
    assert code == 2
    failures = (tmp_path / "out_failures.csv").read_text("utf-8-sig")
    assert failures.count("the file is larger than 1 KiB") == 2
    with pytest.raises(SystemExit):
        main(["scan", str(folder), "--out", str(out), "--limit", "max_apples=3"])
    assert "unknown limit" in capsys.readouterr().err


_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
import gov_disclosure_stats.analysis.corpus as corpus
from gov_disclosure_stats.cli import main
from tests.test_timeout import slow_loader
corpus.load = slow_loader  # the workers (forked) hang on slow*.txt
sys.exit(main(["scan", {folder!r}, "--out", {out!r}, "--no-progress", "--workers", "2", "--timeout", "0"]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_scan_kills_its_workers_and_writes_what_is_done(tmp_path: Path, stop: signal.Signals) -> None:
    folder = _folder(tmp_path, ["a.txt", "b.txt", "slow1.txt", "slow2.txt"])
    out = tmp_path / "out.csv"
    script = textwrap.dedent(_SCRIPT).format(root=str(ROOT), folder=str(folder), out=str(out))
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline and len(workers) < 2:  # both workers hang on a slow file
        time.sleep(0.3)
        workers = [p for p in parent.children(recursive=True) if "resource_tracker" not in " ".join(p.cmdline())]
    time.sleep(2.0)
    os.kill(process.pid, stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
    failures = tmp_path / "out_failures.csv"
    assert failures.exists(), err
    reports = (tmp_path / "out_reports.csv").read_text("utf-8-sig")
    assert "a.txt" in reports and "b.txt" in reports
    time.sleep(0.5)
    assert workers and not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)


def test_load_interrupted_is_a_keyboard_interrupt() -> None:
    assert issubclass(LoadInterrupted, KeyboardInterrupt)
