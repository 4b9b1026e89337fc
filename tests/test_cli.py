"""The ``gds`` command: verdicts, JSON output and exit status."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from gov_disclosure_stats import catalog, load, validate
from gov_disclosure_stats.cli import main, render
from gov_disclosure_stats.show.render import print_validation

from .conftest import SAMPLE


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    text = SAMPLE.read_text("utf-8")
    head, tail = text.split("\t4\n\t5\n\t1\n\t2\n\t12\n", 1)  # table 四, 行政复议 row
    path = tmp_path / "broken.txt"
    path.write_text(head + "\t4\n\t5\n\t1\n\t2\n\t13\n" + tail, "utf-8")
    return path


def test_sample_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "通过 PASS" in out and "北京市石景山区人民政府" in out


def test_failing_report_exit_1_names_rule_cell_and_numbers(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "review_litigation.row_total" in out
    assert "review_litigation.review.total" in out
    assert "行政复议" in out and "左边 13，右边 12" in out
    assert "line " in out


def test_json_output(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", str(SAMPLE), str(broken)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert [r["ok"] for r in data["reports"]] == [True, False]
    assert data["violations"][0]["rule_id"] == "review_litigation.row_total"
    assert data["load_failures"] == []


def test_unloadable_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", "utf-8")
    assert main(["validate", str(SAMPLE), str(empty)]) == 2
    captured = capsys.readouterr()
    assert "empty.txt" in captured.err and "通过 PASS" in captured.out


def test_rules_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "yaml"]) == 0
    assert "requests.balance" in capsys.readouterr().out


def test_extra_rules_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "mine.yaml"
    rules.write_text("- id: mine.granted_small\n  statement: requests.granted.total <= 100\n", "utf-8")
    assert main(["validate", "--extra-rules", str(rules), str(SAMPLE)]) == 1
    assert "mine.granted_small" in capsys.readouterr().out


def test_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gov_disclosure_stats.cli", "validate", str(SAMPLE)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_missing_rule_file_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--rules", "no-such-rules.yaml", str(SAMPLE)]) == 2
    assert "no-such-rules.yaml" in capsys.readouterr().err


def test_rule_without_row_or_column_is_located_by_its_first_cell(tmp_path: Path, capsys) -> None:
    rules = tmp_path / "mine.yaml"
    rules.write_text("- id: mine.withheld\n  statement: sum(requests.@withheld.total) <= 20\n", "utf-8")
    assert main(["validate", "--extra-rules", str(rules), str(SAMPLE)]) == 1
    out = capsys.readouterr().out
    assert "None" not in out and "mine.withheld [hard] requests.withheld_state_secret.total" in out


def test_diff_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = tmp_path / "edited.txt"
    edited.write_text(SAMPLE.read_text("utf-8").replace("\n\t297\n", "\n\t279\n", 1), "utf-8")
    assert main(["diff", str(SAMPLE), str(SAMPLE)]) == 0
    capsys.readouterr()
    assert main(["diff", str(SAMPLE), str(edited)]) == 1
    out = capsys.readouterr().out
    assert "requests.granted.natural_person" in out and "297 → 279" in out and "newly_failing" in out
    assert main(["diff", "--format", "json", str(SAMPLE), str(edited)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [c["delta"] for c in data["cells"]] == [-18]
    assert {r["movement"] for r in data["rules"]} == {"still_passing", "newly_failing"}
    assert main(["diff", "--format", "csv", str(SAMPLE), str(edited)]) == 1
    assert capsys.readouterr().out.startswith("table,row,column,label_zh,a,b,delta,rel_change,status,note")


def test_rules_text_lines_up_every_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rules = list(catalog())
    assert len(lines) == 2 * len(rules)
    longest = max(len(r.id) for r in rules)
    assert longest > 30  # narrative.requests_carried_forward: longer than a fixed 30 columns
    starts = set()
    for rule, line, message in zip(rules, lines[::2], lines[1::2], strict=True):
        assert line.startswith(rule.id + " ") and line[longest + 2 :].startswith(f"{rule.kind:4}  {rule.statement}")
        assert message.strip() == f"{rule.message_zh} / {rule.message_en}".strip()
        starts |= {line.index(rule.statement, longest), len(message) - len(message.lstrip())}
    assert starts == {longest + 8}  # statements and messages in one column


def test_text_and_table_outputs_print_the_same_lines(broken: Path) -> None:
    blank = broken.with_name("blank.txt")
    blank.write_text(
        SAMPLE.read_text("utf-8").replace("\t4\n\t5\n\t1\n\t2\n\t12\n", "\t4\n\t\n\t1\n\t2\n\t12\n"), "utf-8"
    )
    reports = [load(broken), load(blank)]
    result = validate(reports)
    text = render(result)
    console = Console(record=True, width=400)
    print_validation(result, reports, console)
    table = console.export_text()
    numbered = re.compile(r"^  ([✗!?])\d+ ")
    for line in text.splitlines():  # the table output numbers the marks: ✗1, !2
        assert line in table or any(numbered.sub(r"  \1 ", t) == line for t in table.splitlines()), line
    assert "? review_litigation.row_total: 1 项无法核验 unverifiable" in text
    assert text.splitlines()[-1] == table.rstrip().splitlines()[-1]
    assert text.splitlines()[0] == "broken.txt  北京市石景山区人民政府 2022年  模板 template 2021: 不通过 FAIL"


def test_load_issues_are_shown_and_strict_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    short = tmp_path / "short.txt"
    row = "\t二、上年结转政府信息公开申请数量\n\t5\n"
    short.write_text(SAMPLE.read_text("utf-8").replace(row, "\t二、上年结转\n", 1), "utf-8")
    assert main(["validate", str(short), "--format", "text"]) == 0  # loads; the rules over the row are unverifiable
    out = capsys.readouterr().out
    assert "1 个载入问题 load issue(s)" in out and "第110行 / line 110" in out and "unplaced" in out
    assert main(["validate", str(short), "--format", "json"]) == 0
    issues = json.loads(capsys.readouterr().out)["load_issues"]
    assert [(i["row"], i["kind"], i["where"]) for i in issues] == [("carried_over", "short_row", "line 110")]
    assert main(["validate", str(short), "--strict"]) == 2
    assert "expected a label and 7 values" in capsys.readouterr().err
