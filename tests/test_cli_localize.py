"""``gds localize``: the corrections of the sample with one cell changed, as text, table, JSON and CSV, and
``--apply`` writing reports that ``gds validate`` passes."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.analysis.localize import CORRECTION_COLUMNS
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.show.render import display_width

from .conftest import SAMPLE, edited

GRANTED = "requests.granted.natural_person"  # 297 in the sample, line 121
REVIEW = "\t4\n\t5\n\t1\n\t2\n\t12\n"  # table 四's 行政复议 row: upheld, corrected, other, pending, total


@pytest.fixture
def typo(tmp_path: Path) -> Path:
    """The sample with （一）予以公开 / 自然人 printed 279 instead of 297: one solution, a transposition."""
    path = tmp_path / "typo.txt"
    path.write_text(edited(SAMPLE.read_text("utf-8"), "\t297\n", "\t279\n"), encoding="utf-8")
    return path


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """The sample with the 行政复议 总计 printed 13 instead of 12: five equally small solutions."""
    path = tmp_path / "review.txt"
    path.write_text(edited(SAMPLE.read_text("utf-8"), REVIEW, REVIEW.replace("12", "13")), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_names_the_cell_both_values_the_slip_and_the_place(typo: Path, capsys) -> None:
    code, out, _ = run(capsys, "localize", typo)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("typo.txt  北京市石景山区人民政府 2022年") and "不通过 FAIL — 1 个改法" in lines[0]
    assert lines[1].strip() == "改法 solution 1  置信度 confidence 1.00"
    assert f"{GRANTED}  （一）予以公开 / 自然人: 279 → 297  [transposed_digits]  (第121行 / line 121)" in lines[2]
    assert "the rules determine 297" in lines[3]
    assert "requests.row_total[granted.total]" in lines[4]
    assert lines[-1] == "1 份报告 report(s): 1 份不通过 failing, 0 份通过 passing"


def test_a_passing_report_needs_nothing(capsys) -> None:
    code, out, _ = run(capsys, "localize", SAMPLE)
    assert code == 0
    assert "通过 PASS — 无需更正 nothing to correct" in out
    assert out.splitlines()[-1] == "1 份报告 report(s): 0 份不通过 failing, 1 份通过 passing"


def test_alternatives_are_numbered_best_first(review: Path, capsys) -> None:
    code, out, _ = run(capsys, "localize", "--format", "text", review)
    assert code == 1
    heads = [line.strip() for line in out.splitlines() if line.startswith("  改法 solution")]
    assert heads == [f"改法 solution {k}  置信度 confidence 0.20" for k in range(1, 6)]
    first = out.index("改法 solution 1")
    assert "review_litigation.review.total  行政复议 / 总计: 13 → 12" in out[first : out.index("改法 solution 2")]
    assert "5 equally small solutions" in out
    _, short, _ = run(capsys, "localize", "--max-solutions", "2", review)
    assert short.count("  改法 solution ") == 2 and "only the first 2 are listed" in short


def test_table_in_a_terminal_text_in_a_pipe(typo: Path, review: Path, capsys, monkeypatch) -> None:
    _, piped, _ = run(capsys, "localize", typo)
    assert "┃" not in piped
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, shown, _ = run(capsys, "localize", typo, review)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", shown)  # colours
    assert code == 1
    assert "┃" in shown and max(display_width(line) for line in shown.splitlines() if "│" in line) <= 100
    row = next(line for line in shown.splitlines() if GRANTED in line and "│" in line)
    assert "279 → 297" in row and "transposed_digits" in row and "1.00" in row  # the whole code, on one line
    assert shown.count("├") == 4  # the review report's five solutions in five sections
    for k in range(1, 6):
        assert f"\n  {k} review_litigation.review." in shown  # each alternative's reason, numbered
    assert shown.splitlines()[-1] == "2 份报告 report(s): 2 份不通过 failing, 0 份通过 passing"


def test_json_holds_the_rows_of_localize(typo: Path, capsys) -> None:
    code, out, _ = run(capsys, "localize", "--format", "json", typo, SAMPLE)
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False and data["load_failures"] == [] and data["written"] == []
    assert [(r["report_id"], r["ok"]) for r in data["reports"]] == [("typo.txt", False), (SAMPLE.name, True)]
    expected = gds.localize(gds.load(typo))
    assert [list(r) for r in data["corrections"]] == [CORRECTION_COLUMNS] * len(expected)
    (row,) = data["corrections"]
    assert (row["solution"], row["cell"], row["current"], row["suggested"]) == (1, GRANTED, 279.0, 297.0)
    assert row["rules_repaired"] == list(expected.at[0, "rules_repaired"])
    assert row["determined"] is True and row["slip"] == "transposed_digits" and row["where"] == "line 121"


def test_csv_has_the_columns_of_localize(review: Path, capsys) -> None:
    code, out, _ = run(capsys, "localize", "--format", "csv", review)
    assert code == 1
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == CORRECTION_COLUMNS
    expected = gds.localize(gds.load(review))
    assert list(frame["solution"]) == list(expected["solution"]) == [1, 2, 3, 4, 5]
    assert list(frame["cell"]) == list(expected["cell"])
    assert list(frame["suggested"]) == [float(x) for x in expected["suggested"]]
    assert list(frame["rules_repaired"]) == ["review_litigation.row_total[review.total]"] * 5


def test_apply_writes_json_that_validate_passes(typo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "fixed.json"
    code, text, _ = run(capsys, "localize", typo, "--apply", out)
    assert code == 1  # the exit status is the input's
    assert f"写入 written: {out}" in text
    fixed = gds.load(out)
    assert fixed.value(GRANTED) == 297.0
    assert fixed.cells["value"].sum() == gds.load(SAMPLE).cells["value"].sum()  # every other cell as printed
    assert run(capsys, "validate", out)[0] == 0
    assert not (tmp_path / "typo.json").exists()  # nothing but OUT is written


def test_apply_another_solution(review: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "third.json"
    assert run(capsys, "localize", review, "--apply", out, "--solution", "3")[0] == 1
    row = json.loads(out.read_text("utf-8"))["tables"]["review_litigation"]["review"]
    assert row == {"upheld": 4, "corrected": 6, "other": 1, "pending": 2, "total": 13}
    assert run(capsys, "validate", out)[0] == 0
    code, _, err = run(capsys, "localize", review, "--apply", tmp_path / "ninth.json", "--solution", "9")
    assert code == 1 and "has no solution 9 (it has: 1, 2, 3, 4, 5)" in err
    assert not (tmp_path / "ninth.json").exists()


def test_apply_to_a_folder_for_several_files(typo: Path, review: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "typo.txt").write_text(typo.read_text("utf-8"), encoding="utf-8")  # the same name twice
    out = tmp_path / "fixed"
    code, text, _ = run(
        capsys, "localize", "--format", "json", typo, review, other / "typo.txt", SAMPLE, "--apply", out
    )
    assert code == 1
    data = json.loads(text)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["typo.json", "review.json", "typo-2.json", f"{SAMPLE.stem}.json"]
    )
    assert {w["report_id"]: w["corrected"] for w in data["written"]} == {
        "typo.txt": [GRANTED],
        "review.txt": ["review_litigation.review.total"],
        "typo.txt#2": [GRANTED],
        SAMPLE.name: [],
    }
    assert set(data["corrections"][0]) == set(CORRECTION_COLUMNS)
    assert {r["report_id"] for r in data["corrections"]} == {"typo.txt", "review.txt", "typo.txt#2"}
    assert run(capsys, "validate", *sorted(out.iterdir()))[0] == 0


def test_a_report_without_a_solution_is_not_written(tmp_path: Path, capsys) -> None:
    rules = tmp_path / "impossible.yaml"
    rules.write_text("- id: mine.impossible\n  statement: requests.new.total <= -1\n", encoding="utf-8")
    code, out, err = run(capsys, "localize", "--extra-rules", rules, SAMPLE, "--apply", tmp_path / "out.json")
    assert code == 1
    assert "不通过 FAIL — 无改法 no solution" in out and "contradictory rules?" in out
    assert "(1 份无改法 without a solution)" in out
    assert "✗ 未写出 not written" in err and "has no solution to apply" in err
    assert not (tmp_path / "out.json").exists()


def test_input_errors_exit_2(typo: Path, tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "localize", typo, tmp_path / "missing.txt")
    assert code == 2 and "cannot load" in err and "typo.txt" in out  # the loaded file is still shown
    assert run(capsys, "localize", typo, "--apply", tmp_path / "out.csv")[0] == 2
    (tmp_path / "taken.json").write_text("{}", encoding="utf-8")
    code, _, err = run(capsys, "localize", typo, SAMPLE, "--apply", tmp_path / "taken.json")
    assert code == 2 and "several files need a folder" in err
    copy = tmp_path / "typo.json"
    copy.write_text(gds.load(typo).to_json(), encoding="utf-8")
    code, _, err = run(capsys, "localize", copy, "--apply", copy)
    assert code == 2 and "would overwrite" in err
    assert json.loads(copy.read_text("utf-8"))["tables"]["requests"]["granted"]["natural_person"] == 279
    with pytest.raises(SystemExit):
        main(["localize", str(typo), "--solution", "0"])


def test_the_console_script_has_the_command(typo: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "gov_disclosure_stats.cli", "localize", "--format", "csv", str(typo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(",".join(CORRECTION_COLUMNS))
