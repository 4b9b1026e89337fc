"""Bad and hostile input that once crashed or gave a silent wrong number (issue 13)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.synth import consistent_series

from .conftest import SAMPLE, edited

# -- two-report rules with a missing operand -------------------------------------------------

_CARRIED_FORWARD = "\t四、结转下年度继续办理\n\t11\n"


def _year_before(text: str, cell: str) -> str:
    """The sample as the 2021 report, its 结转下年度继续办理 total for natural persons replaced by ``cell``."""
    text = edited(text, "2022年政府信息公开工作年度报告", "2021年政府信息公开工作年度报告")
    return edited(text, _CARRIED_FORWARD, f"\t四、结转下年度继续办理\n\t{cell}\n")


@pytest.mark.parametrize("cell", ["", "/", "见附件"])
def test_continuity_with_a_missing_operand_is_unverifiable(tmp_path: Path, cell: str) -> None:
    text = SAMPLE.read_text("utf-8")
    before = tmp_path / "2021.txt"
    before.write_text(_year_before(text, cell), "utf-8")
    reports = [gds.load(SAMPLE), gds.load(before)]
    assert reports[1].year == 2021
    result = gds.validate(reports)
    unverifiable = result.unverifiable[result.unverifiable["rule_id"] == "continuity.carry_over"]
    assert len(unverifiable) == 1
    assert unverifiable["missing"].iloc[0] == ("previous.requests.carried_forward.natural_person",)
    assert unverifiable["related_report_id"].iloc[0] == reports[1].report_id


def test_continuity_with_a_missing_operand_in_a_wide_frame() -> None:
    frame = consistent_series(2, range(2021, 2023), seed=1)
    frame.loc[frame["year"] == 2021, "requests.carried_forward.total"] = np.nan
    frame.loc[frame["year"] == 2022, "proactive.regulations.in_force"] = np.nan
    result = gds.validate(frame)
    missing = set(result.unverifiable["missing"].explode())
    assert "previous.requests.carried_forward.total" in missing
    assert "proactive.regulations.in_force" in missing
    summary = result.summary().set_index("rule_id")
    assert summary.loc["continuity.carry_over", "unverifiable"] == 2


@pytest.mark.parametrize("command", ["validate", "scan"])
def test_cli_on_a_year_with_a_missing_operand(tmp_path: Path, command: str, capsys) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "2022.txt").write_text(SAMPLE.read_text("utf-8"), "utf-8")
    (folder / "2021.txt").write_text(_year_before(SAMPLE.read_text("utf-8"), "/"), "utf-8")
    if command == "validate":
        code = main(["validate", "--format", "text", str(folder / "2021.txt"), str(folder / "2022.txt")])
    else:
        code = main(["scan", str(folder), "--out", str(tmp_path / "out.csv"), "--no-progress", "--workers", "1"])
        assert (tmp_path / "out.csv").exists() and (tmp_path / "out_reports.csv").exists()
    assert code in (0, 1), capsys.readouterr().err


@pytest.mark.parametrize("command", ["validate", "scan"])
def test_cli_crash_is_exit_3_never_1(tmp_path: Path, command: str, monkeypatch, capsys) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("gov_disclosure_stats.cli.validate", broken)
    if command == "validate":
        code = main(["validate", str(SAMPLE)])
    else:
        code = main(["scan", str(SAMPLE), "--out", str(tmp_path / "out.csv"), "--no-progress", "--workers", "1"])
        written = (tmp_path / "out_reports.csv").read_text("utf-8-sig")
        assert "北京市石景山区人民政府" in written  # what was loaded is written before the crash is reported
    assert code == 3
    err = capsys.readouterr().err
    assert "RuntimeError: boom" in err and "internal error" in err and "内部错误" in err
