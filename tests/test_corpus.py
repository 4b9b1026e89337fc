"""Corpus scans: ``load_many`` over good and bad files, ``gds scan`` outputs and exit status, ``gds convert``."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.analysis.corpus import FAILURE_COLUMNS, find_files, load_many
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.model.synth import consistent_wide, wide_to_reports
from gov_disclosure_stats.show.render import to_text

from .conftest import SAMPLE

REVIEW_ROW = "\t4\n\t5\n\t1\n\t2\n\t12\n"  # table 四, the 行政复议 row of the sample

GOOD = ["2022_sample.txt", "a/report.txt", "b/deeper/generated-2019.txt", "b/report.txt"]  # sorted by path
PARTIAL = "truncated.txt"  # table 三 cut short, table 四 missing: loads with its issues (refused when strict)
BAD = {
    "empty.txt": "LoadError",
    "binary.txt": "LoadError",
    "image.docx": "LoadError",  # a PNG named .docx: no reader takes it
    "broken.xlsx": "LoadError",  # a zip header and garbage
}


def sample_with(review: str) -> str:
    """The sample with the 行政复议 row replaced (``review`` as five numbers)."""
    text = SAMPLE.read_text("utf-8")
    assert text.count(REVIEW_ROW) == 1
    return text.replace(REVIEW_ROW, "".join(f"\t{n}\n" for n in review.split()))


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A folder of good reports (in sub-folders) and bad files, plus files a scan must skip."""
    root = tmp_path / "corpus"
    (root / "a").mkdir(parents=True)
    (root / "b" / "deeper").mkdir(parents=True)
    shutil.copy(SAMPLE, root / "2022_sample.txt")
    (root / "a" / "report.txt").write_text(sample_with("4 5 1 2 13"), "utf-8")  # loads, fails a hard rule
    (root / "b" / "report.txt").write_text(sample_with("5 5 1 2 13"), "utf-8")  # loads, passes
    generated = wide_to_reports(consistent_wide(1, "2019", seed=7))[0]
    (root / "b" / "deeper" / "generated-2019.txt").write_text(to_text(generated), "utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 8)
    text = SAMPLE.read_text("utf-8")
    (root / "truncated.txt").write_text(text[: text.index("\t（四）无法提供")], "utf-8")  # cut inside table 三
    (root / "image.docx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (root / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"garbage" * 10)
    # old Mac line ends and a comma on the first line: the CSV sniffer raised _csv.Error (a crash, not a LoadError)
    (root / "mac.txt").write_bytes(b"a,b\rc,d\r")
    # skipped: hidden files and folders, Office lock files, unknown suffixes
    (root / ".hidden.txt").write_bytes(b"")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_bytes(b"")
    (root / "~$report.docx").write_bytes(b"")
    (root / "notes.rtf").write_bytes(b"{\\rtf1}")
    return root


# -- load_many ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_every_good_file_loads_every_bad_one_is_listed(mixed: Path, workers: int) -> None:
    reports, failures = load_many(mixed, workers=workers, progress=False)
    # ids are paths relative to the folder, in the folder's sorted order: a/ and b/ keep two report.txt apart
    assert [r.report_id for r in reports] == [*GOOD, PARTIAL]
    assert [r.source for r in reports] == [str(mixed / p) for p in [*GOOD, PARTIAL]]
    assert all(r.issues.empty for r in reports[:-1])
    issues = reports[-1].issues  # the issues travel back from the workers with the report
    assert set(issues["kind"]) == {"missing_cells", "missing_table"}
    assert (issues.loc[issues["kind"] == "missing_table", "table"] == "review_litigation").all()
    assert list(failures.columns) == FAILURE_COLUMNS
    assert sorted(failures["file"]) == sorted(str(mixed / name) for name in [*BAD, "mac.txt"])
    kinds = dict(zip(failures["file"].map(lambda f: Path(f).name), failures["error_type"], strict=True))
    assert kinds.pop("mac.txt") in {"_csv.Error", "LoadError"}  # whichever the reader raises, it is listed
    assert kinds == BAD
    assert failures["message"].str.len().gt(0).all()
    reasons = dict(zip(failures["file"].map(lambda f: Path(f).name), failures["message"], strict=True))
    assert "文件为空" in reasons["empty.txt"] and "the file is empty" in reasons["empty.txt"]
    assert "not a text file" in reasons["binary.txt"]
    strict_reports, strict_failures = load_many(mixed, workers=workers, progress=False, strict=True)
    assert [r.report_id for r in strict_reports] == GOOD
    refused = strict_failures.set_index(strict_failures["file"].map(lambda f: Path(f).name))["message"][PARTIAL]
    assert "不完整" in refused and "requests is incomplete" in refused
    assert str(mixed) not in reasons["empty.txt"]  # the path is in ``file``, not repeated in the message
    # the same values as loading one file
    assert reports[0].to_dict()["tables"] == gds.load(SAMPLE).to_dict()["tables"]
    assert reports[0].agency == "北京市石景山区人民政府"


def test_collection_validates_in_one_pass(mixed: Path) -> None:
    reports, _ = load_many(mixed, workers=2, progress=False)
    result = gds.validate(reports)
    verdict = dict(zip(result.reports["report_id"], result.reports["ok"], strict=True))
    assert verdict == {"2022_sample.txt": True, "a/report.txt": False, "b/report.txt": True,
                       "b/deeper/generated-2019.txt": True, PARTIAL: True}  # fmt: skip
    # the cells the truncated report lacks are not numbers: the rules over them are unverifiable, never failed
    assert result.unverifiable["report_id"].eq(PARTIAL).any()
    failing = result.violations[result.violations["severity"] == "hard"]
    assert set(failing["report_id"]) == {"a/report.txt"}
    assert set(failing["rule_id"]) == {"review_litigation.row_total"}


def test_input_order_and_ids_for_globs_and_lists(mixed: Path) -> None:
    reports, failures = load_many(str(mixed / "**" / "report.txt"), workers=2, progress=False)
    assert [r.report_id for r in reports] == ["a/report.txt", "b/report.txt"]
    assert failures.empty
    paths = [mixed / "b" / "report.txt", mixed / "empty.txt", mixed / "2022_sample.txt", mixed / "a" / "report.txt"]
    reports, failures = load_many(paths, workers=2, progress=False)
    assert [r.report_id for r in reports] == [str(p) for p in paths if p.name != "empty.txt"]
    assert list(failures["file"]) == [str(mixed / "empty.txt")]
    reports, _ = load_many(mixed / "a" / "report.txt", progress=False)
    assert [r.report_id for r in reports] == ["report.txt"]


def test_find_files_and_missing_source(mixed: Path, tmp_path: Path) -> None:
    found = dict((rid, path) for path, rid in find_files(mixed))
    assert sorted(found) == sorted([*GOOD, PARTIAL, *BAD, "mac.txt"])
    assert "notes.rtf" not in found and ".hidden.txt" not in found and ".git/x.txt" not in found
    assert find_files(mixed, exclude=[mixed / "empty.txt"]) == [p for p in find_files(mixed) if p[1] != "empty.txt"]
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        load_many(tmp_path / "nowhere", progress=False)
    assert len(load_many(str(tmp_path / "nowhere" / "*.txt"), progress=False)[0]) == 0


def test_progress_bar_goes_to_stderr(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load_many(mixed / "a", workers=1, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "1/1" in captured.err
    load_many(mixed / "a", workers=1, progress=False)
    assert capsys.readouterr().err == ""


def crashing_loader(path: str) -> gds.Report:
    """A loader for the tests: ``boom`` files raise, ``die`` files kill their worker process."""
    name = Path(path).name
    if name.startswith("boom"):
        raise RuntimeError("reader exploded")
    if name.startswith("die"):
        os._exit(3)
    return gds.load(path)


@pytest.fixture
def crashy(tmp_path: Path) -> Path:
    root = tmp_path / "crashy"
    root.mkdir()
    for i in range(6):
        shutil.copy(SAMPLE, root / f"good{i}.txt")
    (root / "boom.txt").write_text("x", "utf-8")
    (root / "die.txt").write_text("x", "utf-8")
    return root


def test_a_crash_in_one_file_does_not_stop_the_scan(crashy: Path) -> None:
    reports, failures = load_many(crashy, workers=2, progress=False, loader=crashing_loader, chunk_files=2)
    assert [r.report_id for r in reports] == [f"good{i}.txt" for i in range(6)]
    kinds = dict(zip(failures["file"].map(lambda f: Path(f).name), failures["error_type"], strict=True))
    assert kinds == {"boom.txt": "RuntimeError", "die.txt": "WorkerCrashed"}
    messages = dict(zip(failures["file"].map(lambda f: Path(f).name), failures["message"], strict=True))
    assert messages["boom.txt"] == "reader exploded"
    assert "工作进程" in messages["die.txt"] and "worker process died" in messages["die.txt"]


def test_workers_start_safely_when_threads_run(crashy: Path) -> None:
    """With another thread alive (a notebook kernel) workers are not forked from this process."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        reports, failures = load_many(crashy, workers=2, progress=False, loader=crashing_loader)
    finally:
        stop.set()
        thread.join()
    assert len(reports) == 6
    assert set(failures["error_type"]) == {"RuntimeError", "WorkerCrashed"}


# -- gds scan -------------------------------------------------------------------------------------------------------


def read_back(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig")
    return pd.read_parquet(path)


@pytest.mark.parametrize("ext", [".csv", ".parquet"])
def test_scan_writes_flat_files(mixed: Path, tmp_path: Path, ext: str, capsys: pytest.CaptureFixture[str]) -> None:
    if ext == ".parquet":
        pytest.importorskip("pyarrow")
    out = tmp_path / "out" / f"scan{ext}"
    assert main(["scan", str(mixed), "--out", str(out), "--workers", "2", "--no-progress"]) == 2
    violations = read_back(out)
    failures = read_back(out.with_name(f"scan_failures{ext}"))
    reports = read_back(out.with_name(f"scan_reports{ext}"))
    summary = read_back(out.with_name(f"scan_summary{ext}"))
    issues = read_back(out.with_name(f"scan_issues{ext}"))
    # the copies' prose still says 被申请行政复议12件…: soft narrative.review warnings beside the one hard failure
    soft = violations[(violations["severity"] == "soft") & (violations["report_id"] != PARTIAL)]
    assert sorted(soft["rule_id"]) == ["narrative.review"] * 3
    hard = violations[violations["severity"] == "hard"]
    assert len(hard) == 1
    row = hard.iloc[0]
    assert (row["report_id"], row["rule_id"]) == ("a/report.txt", "review_litigation.row_total")
    cells = {f"review_litigation.review.{c}" for c in ("upheld", "corrected", "other", "pending", "total")}
    assert set(row["cells"].split()) == cells
    assert sorted(failures["file"].map(lambda f: Path(f).name)) == sorted([*BAD, "mac.txt"])
    assert list(reports["report_id"]) == [*GOOD, PARTIAL]
    assert reports["ok"].tolist() == [True, False, True, True, True]  # a/report.txt fails
    assert reports["issues"].tolist() == [0, 0, 0, 0, len(issues)]
    assert set(issues["report_id"]) == {PARTIAL} and {"where", "action", "message_en"} <= set(issues.columns)
    assert set(summary.columns) >= {"rule_id", "items", "passed", "failed", "unverifiable"}
    assert int(summary.loc[summary["severity"] == "hard", "failed"].sum()) == 1
    out_text = capsys.readouterr().out
    for label in ("载入 loaded", "有载入问题 with load issues", "载入失败 failed to load", "通过 passing"):
        assert label in out_text
    assert "review_litigation.row_total" in out_text


def test_scan_writes_one_workbook(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "scan.xlsx"
    assert main(["scan", str(mixed), "--out", str(out), "--no-progress"]) == 2
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["violations", "failures", "reports", "summary", "issues"]
    hard = sheets["violations"][sheets["violations"]["severity"] == "hard"]
    assert len(hard) == 1 and len(sheets["failures"]) == len(BAD) + 1
    assert len(sheets["reports"]) == len(GOOD) + 1
    assert " " in sheets["violations"]["cells"].iloc[0]


def test_scan_exit_status(mixed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    shutil.copy(SAMPLE, clean / "sample.txt")
    shutil.copy(mixed / "b" / "report.txt", clean / "other.txt")
    # output inside the scanned folder: a second scan does not read its own results
    for _ in range(2):
        assert main(["scan", str(clean), "--out", str(clean / "results.csv"), "--no-progress"]) == 0
    assert len(pd.read_csv(clean / "results_reports.csv")) == 2
    for result in clean.glob("results*.csv"):
        result.unlink()
    shutil.copy(mixed / "a" / "report.txt", clean / "failing.txt")
    assert main(["scan", str(clean), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 1
    (clean / "empty.txt").write_bytes(b"")
    assert main(["scan", str(clean), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 2
    capsys.readouterr()
    assert main(["scan", str(clean), "--out", str(tmp_path / "r.txt")]) == 2
    assert "unsupported output format" in capsys.readouterr().err
    empty = tmp_path / "nothing"
    empty.mkdir()
    assert main(["scan", str(empty), "--out", str(tmp_path / "r.csv")]) == 2
    assert "no report files found" in capsys.readouterr().err


def test_scan_without_pyarrow_says_how_to_install(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name: str, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError("no pyarrow")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    out = tmp_path / "scan.parquet"
    assert main(["scan", str(mixed), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "pyarrow" in err and "gov_disclosure_stats[parquet]" in err and "需要" in err
    assert not out.exists()


def test_scan_blank_as_zero(tmp_path: Path) -> None:
    folder = tmp_path / "blanks"
    folder.mkdir()
    text = SAMPLE.read_text("utf-8").replace(REVIEW_ROW, "\t4\n\t5\n\t\n\t2\n\t11\n")  # 其他结果 left blank
    (folder / "blank.txt").write_text(text, "utf-8")
    assert main(["scan", str(folder), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 0
    summary = pd.read_csv(tmp_path / "r_summary.csv").set_index("rule_id")
    assert summary.loc["review_litigation.row_total", "unverifiable"] == 1
    assert main(["scan", str(folder), "--out", str(tmp_path / "z.csv"), "--no-progress", "--blank-as-zero"]) == 0
    summary = pd.read_csv(tmp_path / "z_summary.csv").set_index("rule_id")
    assert summary.loc["review_litigation.row_total", "unverifiable"] == 0
    assert pd.read_csv(tmp_path / "z_reports.csv")["blank_as_zero"].all()


# -- gds convert ----------------------------------------------------------------------------------------------------


def test_convert_long_csv_round_trips(tmp_path: Path) -> None:
    source = tmp_path / "sample.txt"
    shutil.copy(SAMPLE, source)
    assert main(["convert", str(source), "--to", "csv"]) == 0
    out = tmp_path / "sample.csv"
    frame = pd.read_csv(out, encoding="utf-8-sig")
    original = gds.load(source)
    assert list(frame.columns) == list(original.to_long().columns)
    assert len(frame) == len(original.cells)
    back = gds.load(out)
    assert back.to_dict()["tables"] == original.to_dict()["tables"]
    assert (back.agency, back.year, back.template) == (original.agency, original.year, original.template)


def test_convert_json_round_trips_and_lists_several(tmp_path: Path) -> None:
    source = tmp_path / "sample.txt"
    shutil.copy(SAMPLE, source)
    assert main(["convert", str(source), "--to", "json", "--out", str(tmp_path / "one.json")]) == 0
    original = gds.load(source)
    assert gds.load(tmp_path / "one.json").to_dict()["tables"] == original.to_dict()["tables"]
    other = tmp_path / "other.txt"
    other.write_text(sample_with("5 5 1 2 13"), "utf-8")
    assert main(["convert", str(source), str(other), "--to", "json", "--out", str(tmp_path / "two.json")]) == 0
    data = json.loads((tmp_path / "two.json").read_text("utf-8"))
    assert isinstance(data, list) and len(data) == 2
    assert data[1]["tables"]["review_litigation"]["review"]["upheld"] == 5


def test_convert_wide_and_other_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "sample.txt"
    shutil.copy(SAMPLE, source)
    assert main(["convert", str(source), "--to", "csv", "--wide", "--out", str(tmp_path / "wide.csv")]) == 0
    wide = pd.read_csv(tmp_path / "wide.csv", encoding="utf-8-sig")
    assert len(wide) == 1 and wide.loc[0, "requests.new.total"] == 530
    back = gds.load(tmp_path / "wide.csv")
    assert back.to_dict()["tables"] == gds.load(source).to_dict()["tables"]
    assert main(["convert", str(source), "--to", "xlsx"]) == 0
    assert len(pd.read_excel(tmp_path / "sample.xlsx", sheet_name="long")) == len(gds.load(source).cells)
    if pytest.importorskip("pyarrow"):
        assert main(["convert", str(source), "--to", "parquet", "--wide"]) == 0
        assert pd.read_parquet(tmp_path / "sample.parquet").loc[0, "requests.new.total"] == 530
    capsys.readouterr()
    assert main(["convert", str(source), "--to", "json", "--wide"]) == 2
    assert "--wide" in capsys.readouterr().err
    json_in = tmp_path / "one.json"
    json_in.write_text(gds.load(source).to_json(), "utf-8")
    assert main(["convert", str(json_in), "--to", "json"]) == 2  # would overwrite its input
    assert "overwrite" in capsys.readouterr().err
    (tmp_path / "empty.txt").write_bytes(b"")
    both = [str(source), str(tmp_path / "empty.txt")]
    assert main(["convert", *both, "--to", "csv", "--out", str(tmp_path / "x.csv")]) == 2
    assert "empty" in capsys.readouterr().err
    assert len(pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig")) == len(gds.load(source).cells)


@pytest.mark.parametrize(("suffix", "wide"), [(".json", False), (".csv", False), (".csv", True), (".xlsx", True)])
def test_files_of_several_reports_read_back_as_a_set(tmp_path: Path, suffix: str, wide: bool) -> None:
    from gov_disclosure_stats.analysis.corpus import write_reports
    from gov_disclosure_stats.model.synth import consistent_series, wide_to_reports

    reports = wide_to_reports(consistent_series(2, range(2021, 2023), seed=9))
    path = write_reports(reports, tmp_path / f"all{suffix}", wide=wide)
    again = gds.ReportSet.read(path)
    assert [r.to_dict()["tables"] for r in again] == [r.to_dict()["tables"] for r in reports]
    assert gds.validate(again).summary().set_index("rule_id").loc["continuity.carry_over", "items"] == 2 * 7
    if suffix == ".csv":
        with pytest.raises(gds.LoadError, match=r"ReportSet\.read"):
            gds.load(path)
