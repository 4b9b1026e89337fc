"""Loading and validating on a Dask cluster (issue 10, part 4): the same reports, failures and results as locally.

A ``LocalCluster`` of 2 worker processes (one thread each) stands for a real
cluster; the workers read the files at the paths the client lists.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.analysis.corpus import load_many
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.model.synth import consistent_series, inject_errors, mixed_corpus, wide_to_reports
from gov_disclosure_stats.show.render import to_text

from .conftest import CORPUS, NO_CORPUS, SAMPLE
from .test_corpus import crashing_loader

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each; a task whose worker dies once is given up (KilledWorker)."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", silence_logs=40
        )
    with cluster, distributed.Client(cluster) as session:
        yield session


def assert_same_load(here: tuple, there: tuple) -> None:
    """The same reports (values, statuses, issues, ids, sources), failures rows and validation result."""
    (local, local_failures), (remote, remote_failures) = here, there
    assert [r.report_id for r in remote] == [r.report_id for r in local]
    assert [r.source for r in remote] == [r.source for r in local]
    for a, b in zip(local, remote, strict=True):
        assert b.to_dict() == a.to_dict()
        pd.testing.assert_frame_equal(b.cells, a.cells)
        pd.testing.assert_frame_equal(b.issues, a.issues)
    pd.testing.assert_frame_equal(remote_failures, local_failures)
    assert_same_result(gds.validate(remote), gds.validate(local))


def assert_same_result(got: gds.ValidationResult, want: gds.ValidationResult) -> None:
    for name in ("violations", "unverifiable", "reports", "outcomes"):
        if getattr(want, name) is None:
            assert getattr(got, name) is None
        else:
            pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), obj=name)
    pd.testing.assert_frame_equal(got.summary(), want.summary())
    assert got.to_json() == want.to_json()


# -- loading ----------------------------------------------------------------------------------------------------------


def test_the_example_report(client) -> None:
    here = load_many([SAMPLE], workers=1, progress=False)
    there = load_many([SAMPLE], client=client, progress=False)
    assert len(there[0]) == 1 and there[1].empty
    assert_same_load(here, there)
    assert gds.validate(there[0]).ok


def test_the_shared_corpus(client) -> None:
    if not CORPUS.is_dir():
        pytest.skip(NO_CORPUS)
    here = load_many(CORPUS, workers=2, progress=False)
    there = load_many(CORPUS, client=client, progress=False)
    assert len(there[0]) >= 7
    assert_same_load(here, there)
    # the prose figures were read on the workers and travel with the reports
    assert gds.validate(there[0]).summary().set_index("rule_id").filter(like="narrative.", axis=0)["items"].sum() > 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Text reports of 8 agencies over 4 years (some with a changed cell) and of mixed layouts, plus bad files."""
    folder = tmp_path_factory.mktemp("generated")
    series, _ = inject_errors(consistent_series(8, range(2021, 2025), seed=4), 0.2, seed=2)
    for report in wide_to_reports(series):
        (folder / report.agency).mkdir(exist_ok=True)
        (folder / report.agency / f"{report.year}.txt").write_text(to_text(report), "utf-8")
    for i, report in enumerate(wide_to_reports(mixed_corpus(30))):
        (folder / f"mixed-{i:02d}.txt").write_text(to_text(report), "utf-8")
    (folder / "broken.txt").write_text("政府信息公开工作年度报告\n本年度无统计表。", "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    text = SAMPLE.read_text("utf-8")
    (folder / "truncated.txt").write_text(text[: text.index("\t（四）无法提供")], "utf-8")  # loads with issues
    return folder


def test_generated_reports_and_broken_files(client, generated: Path) -> None:
    here = load_many(generated, workers=2, progress=False)
    there = load_many(generated, client=client, progress=False, chunk_files=5)
    assert len(there[0]) == 8 * 4 + 30 + 1
    assert sorted(Path(f).name for f in there[1]["file"]) == ["binary.txt", "broken.txt", "empty.txt"]
    assert_same_load(here, there)
    result = gds.validate(there[0])
    assert (result.summary().set_index("rule_id").loc["continuity.carry_over", "items"]) > 0
    assert not result.ok  # the changed cells are found


def test_strict_and_limits_reach_the_workers(client, generated: Path) -> None:
    here = load_many(generated, workers=2, progress=False, strict=True)
    there = load_many(generated, client=client, progress=False, strict=True)
    assert "truncated.txt" in set(there[1]["file"].map(lambda f: Path(f).name))
    assert_same_load(here, there)
    limits = gds.Limits(max_bytes=3000)
    here = load_many(generated / "机关0", workers=2, progress=False, limits=limits)
    there = load_many(generated / "机关0", client=client, progress=False, limits=limits)
    assert len(there[0]) == 0 and there[1]["message"].str.contains("max_bytes").all()
    assert_same_load(here, there)


def test_a_scheduler_address_connects_for_the_scan(client) -> None:
    reports, failures = load_many([SAMPLE], client=client.scheduler.address, progress=False)
    assert len(reports) == 1 and failures.empty


def slow_loader(path: str) -> gds.Report:
    """Loads the sample, but spins (in Python) on files named ``slow*``."""
    if Path(path).name.startswith("slow"):
        end = time.monotonic() + 120
        while time.monotonic() < end:
            time.sleep(0.01)
    return gds.load(path)


def test_a_file_past_its_time_is_a_timeout_row(client, tmp_path: Path) -> None:
    for name in ["a.txt", "b.txt", "slow.txt", "c.txt"]:
        shutil.copy(SAMPLE, tmp_path / name)
    start = time.monotonic()
    reports, failures = load_many(tmp_path, client=client, progress=False, loader=slow_loader, timeout=1.5)
    assert time.monotonic() - start < 60
    assert sorted(reports.keys["report_id"]) == ["a.txt", "b.txt", "c.txt"]
    here = load_many(tmp_path, workers=2, progress=False, loader=slow_loader, timeout=1.5)[1]
    pd.testing.assert_frame_equal(failures, here)
    # the worker thread was freed: the cluster loads again at once
    assert len(load_many([SAMPLE], client=client, progress=False)[0]) == 1


def test_the_thread_timeout_also_serves_a_scan_outside_the_main_thread(tmp_path: Path) -> None:
    """The code a Dask worker thread runs per file, here in a thread of this process (no timer signal there)."""
    for name in ["a.txt", "slow.txt"]:
        shutil.copy(SAMPLE, tmp_path / name)
    out: list = []
    thread = threading.Thread(target=lambda: out.append(load_many(tmp_path, 1, False, loader=slow_loader, timeout=1)))
    start = time.monotonic()
    thread.start()
    thread.join(60)
    assert time.monotonic() - start < 30
    reports, failures = out[0]
    assert [r.report_id for r in reports] == ["a.txt"]
    assert list(failures["error_type"]) == ["Timeout"] and failures["file"].iloc[0].endswith("slow.txt")


def test_a_crash_is_a_row_and_the_scan_goes_on(client, tmp_path: Path) -> None:
    for i in range(4):
        shutil.copy(SAMPLE, tmp_path / f"good{i}.txt")
    (tmp_path / "boom.txt").write_text("x", "utf-8")
    (tmp_path / "die.txt").write_text("x", "utf-8")
    there = load_many(tmp_path, client=client, progress=False, loader=crashing_loader, chunk_files=3)
    here = load_many(tmp_path, workers=2, progress=False, loader=crashing_loader, chunk_files=3)
    kinds = dict(zip(there[1]["file"].map(lambda f: Path(f).name), there[1]["error_type"], strict=True))
    assert kinds == {"boom.txt": "RuntimeError", "die.txt": "WorkerCrashed"}
    assert_same_load(here, there)
    client.wait_for_workers(2, timeout=60)


# -- gds scan --scheduler ---------------------------------------------------------------------------------------------


def test_gds_scan_on_the_cluster_writes_what_a_local_scan_writes(client, generated: Path, tmp_path: Path) -> None:
    outputs = {}
    for name, extra in (("local", ["--workers", "2"]), ("cluster", ["--scheduler", client.scheduler.address])):
        out = tmp_path / name / "results.csv"
        code = main(["scan", str(generated), "--out", str(out), "--no-progress", *extra])
        assert code == 2  # some files failed to load
        outputs[name] = {p.name: p.read_bytes() for p in out.parent.iterdir()}
    assert len(outputs["cluster"]) == 5
    failures = outputs["cluster"]["results_failures.csv"].decode("utf-8-sig")
    assert outputs["cluster"] == outputs["local"]
    assert "broken.txt" in failures


# -- validate on a Dask DataFrame -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wide() -> pd.DataFrame:
    """Year series and mixed layouts, shuffled, with changed cells and blanks (failing, unverifiable rules)."""
    frame = pd.concat([consistent_series(30, range(2019, 2024), seed=3), mixed_corpus(150)], ignore_index=True)
    frame, _ = inject_errors(frame, 0.15, seed=1)
    frame.loc[frame.index[::17], "requests.new.total"] = np.nan
    return frame.sample(frac=1, random_state=2).reset_index(drop=True)


@pytest.mark.parametrize("options", [{}, {"outcomes": True}, {"blank_as_zero": True}], ids=str)
def test_validate_a_dask_frame_equals_the_pandas_frame(client, wide: pd.DataFrame, options: dict) -> None:
    want = gds.validate(wide, **options)
    got = gds.validate(dd.from_pandas(wide, npartitions=3), **options)
    assert isinstance(got, gds.ValidationResult)
    assert_same_result(got, want)
    assert not got.ok and len(got.unverifiable) + options.get("blank_as_zero", 0) > 0
    assert got.summary().set_index("rule_id").loc["continuity.carry_over", "failed"] > 0


def test_validate_a_dask_frame_renamed_agencies_repeated_ids_and_rules(client, wide: pd.DataFrame) -> None:
    renamed = wide.copy()
    renamed.loc[renamed["year"] == 2023, "agency"] += "（新）"
    agency_map = {f"{a}（新）": a for a in wide["agency"].unique()}
    got = gds.validate(dd.from_pandas(renamed, npartitions=4), agency_map=agency_map)
    assert_same_result(got, gds.validate(renamed, agency_map=agency_map))
    repeated = wide.assign(report_id=np.where(wide.index % 4 == 0, "同一编号", wide["report_id"]))
    got = gds.validate(dd.from_pandas(repeated, npartitions=3))
    assert_same_result(got, gds.validate(repeated))
    assert "同一编号#2" in set(got.reports["report_id"])
    no_ids = wide.drop(columns="report_id")
    assert_same_result(gds.validate(dd.from_pandas(no_ids, npartitions=2)), gds.validate(no_ids))
    rules = ["requests.granted.total <= requests.new.total", *[r for r in gds.catalog() if r.uses_previous]]
    got = gds.validate(dd.from_pandas(wide, npartitions=3), rules=rules)
    assert_same_result(got, gds.validate(wide, rules=rules))
    with pytest.raises(gds.RuleError):
        gds.validate(dd.from_pandas(wide, npartitions=3), rules=[])


def test_validate_a_dask_frame_of_loaded_reports(client, generated: Path) -> None:
    reports, _ = load_many(generated, client=client, progress=False)
    frame = reports.to_wide()
    got = gds.validate(dd.from_pandas(frame, npartitions=3))
    assert_same_result(got, gds.validate(frame))


# -- Dask stays optional ----------------------------------------------------------------------------------------------


def test_importing_the_library_does_not_import_dask() -> None:
    code = (
        "import sys, gov_disclosure_stats; print(sorted(m for m in sys.modules if m.startswith(('dask', 'distrib'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_without_dask_a_helpful_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install "gov_disclosure_stats\[dask\]"') as caught:
        load_many([SAMPLE], client="tcp://127.0.0.1:8786", progress=False)
    assert "需要 dask 与 distributed" in str(caught.value)
    out = tmp_path / "out.csv"
    assert main(["scan", str(SAMPLE), "--out", str(out), "--scheduler", "tcp://127.0.0.1:8786", "--no-progress"]) == 2
    assert "gov_disclosure_stats[dask]" in capsys.readouterr().err
    assert not out.exists()


def test_an_unreachable_scheduler_is_an_error_naming_it(tmp_path: Path, capsys) -> None:
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["scan", str(SAMPLE), "--out", str(tmp_path / "o.csv"), "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    err = capsys.readouterr().err
    assert "tcp://127.0.0.1:9" in err and "连接不上" in err and "cannot reach" in err
