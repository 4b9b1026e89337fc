"""Bad and hostile input that once crashed or gave a silent wrong number (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.core.values import Status, parse_cell
from gov_disclosure_stats.model.synth import consistent_series

from .conftest import SAMPLE, SAMPLE_EXPECTED, edited

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


# -- rules that cannot check anything, or would exhaust the machine --------------------------


@pytest.mark.parametrize(
    ("statement", "match"),
    [
        ("requests.new.martians == 0", "martians"),
        ("requests.{row}.martians == 0", "martians"),
        ("sum(requests.@martians.total) == 0", "@martians"),
        ("mars.new.total == 0", "mars"),
        ("requests.new.total / requests.carried_over.total == 1", "linear"),
        ("requests.new.total * requests.carried_over.total == 1", "linear"),
        ("requests.new.total / 0 == 1", "division by zero"),
        ("requests.new.total / (2 - 2) == 1", "division by zero"),
        ("requests.new.total == 1e400", "out of range"),
        ("requests.new.total == " + "9" * 400, "out of range"),
        ("requests.new.total * 1e308 * 10 == 0", "out of range"),
        ("1 == 2", "no cell"),
        ("requests.new.total == 0\x00", "cannot read"),
        ("-" * 9000 + "requests.new.total == 0", "cannot read|nests"),
        ("-" * 100 + "requests.new.total == 0", "nests too deeply"),
        ("(" * 300 + "requests.new.total" + ")" * 300 + " == 0", "cannot read|nests"),
        ("2 * (" * 40 + "requests.new.total" + ")" * 40 + " == 0", "nests too deeply"),
        (" + ".join(["requests.new.total"] * 5000) + " == 0", "too long"),
        (" + ".join(["sum(requests.@outcomes.@applicants)"] * 20) + " == 0", "too many terms"),
    ],
)
def test_bad_rules_are_rule_errors_when_made(statement: str, match: str) -> None:
    with pytest.raises(gds.RuleError, match=match) as caught:
        gds.rule(statement, id="mine.bad")
    assert "mine.bad" in str(caught.value)


@pytest.mark.parametrize("tolerance", ["abc", "", float("nan"), -1, float("inf"), True, None])
def test_bad_tolerances(tolerance: object) -> None:
    with pytest.raises(gds.RuleError, match=r"mine\.tol.*tolerance") as caught:
        gds.rule("requests.new.total >= 0", id="mine.tol", tolerance=tolerance)  # type: ignore[arg-type]
    assert "容差" in str(caught.value)
    with pytest.raises(gds.RuleError, match="tolerance"):
        gds.RuleSet.from_yaml("- id: x\n  statement: requests.new.total >= 0\n  tolerance: .nan")


def test_good_tolerances_are_floats() -> None:
    assert gds.rule("requests.new.total >= 0", id="t", tolerance=2).tolerance == 2.0


def test_long_sums_and_limits_can_be_raised() -> None:
    statement = " + ".join(["requests.new.total"] * 300) + " == 0"
    (inst,) = gds.core.rules.expand(gds.rule(statement, id="sum300"), gds.layouts.layouts("2021"))
    assert inst.lhs.coefs == {"requests.new.total": 300.0}
    deep = "2 * (" * 40 + "requests.new.total" + ")" * 40 + " == 0"
    with gds.rule_limits(max_depth=100) as limits:
        assert limits.max_depth == 100
        gds.rule(deep, id="deep")
    assert gds.core.rules.current_rule_limits() == gds.RuleLimits()
    with pytest.raises(gds.RuleError):
        gds.rule(deep, id="deep")
    with pytest.raises(TypeError), gds.rule_limits(max_nodes=3):
        pass
    with pytest.raises(ValueError), gds.rule_limits(max_depth=0):
        pass


@pytest.mark.parametrize(
    "message",
    ["{row_label:>2000000000}", "{x}", "{row_label.__class__}", "{0}", "{}", "{", "{row_label!a}", "{cell_label}"],
)
def test_message_templates_use_known_placeholders_only(message: str) -> None:
    with pytest.raises(gds.RuleError, match=r"mine\.msg"):
        gds.rule("requests.new.total >= 0", id="mine.msg", message_en=message)
    with pytest.raises(gds.RuleError):
        gds.RuleSet.from_records([{"id": "x", "statement": "requests.new.total >= 0", "message_zh": message}])


def test_plain_message_formats_are_kept() -> None:
    rule = gds.rule("requests.{row}.total >= 0", id="ok", message_en="{row_label:>12}: {{not}} negative")
    inst = next(gds.core.rules.expand(rule, gds.layouts.layouts("2021")))
    assert inst.message_en.endswith(": {not} negative") and len(inst.message_en) >= 12 + 15


def test_cell_check_messages_use_cell_label() -> None:
    gds.Rule(id="c", statement="{cell} >= 0", check="non_negative", message_en="'{cell_label}' < 0")
    with pytest.raises(gds.RuleError, match="row_label"):
        gds.Rule(id="c", statement="{cell} >= 0", check="non_negative", message_en="'{row_label}' < 0")


def test_empty_rule_sets_need_to_be_asked_for(tmp_path: Path, capsys) -> None:
    report = gds.load(SAMPLE)
    with pytest.raises(gds.RuleError, match="allow_empty"):
        gds.validate(report, rules=[])
    assert gds.validate(report, rules=[], allow_empty=True).ok
    with pytest.raises(gds.RuleError, match="allow_empty"):
        gds.localize(report, rules=gds.RuleSet())
    for text in ("", "[]", "# nothing\n"):
        with pytest.raises(gds.RuleError, match="empty"):
            gds.RuleSet.from_yaml(text)
        assert gds.RuleSet.from_yaml(text, allow_empty=True) == gds.RuleSet()
    with pytest.raises(gds.RuleError, match="empty"):
        gds.RuleSet.from_json("[]")
    path = tmp_path / "empty.yaml"
    path.write_text("", "utf-8")
    assert main(["validate", "--rules", str(path), str(SAMPLE)]) == 2
    assert "empty.yaml" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text",
    [
        "- requests.new.total >= 0",
        "{id: x}",
        "- id: 1\n  statement: requests.new.total >= 0",
        "- id: x\n  statement: 5",
        "[" * 5000 + "]" * 5000,
        "- id: x\n  statement: [1]",
        ": : :",
    ],
)
def test_malformed_rule_files_are_rule_errors(text: str) -> None:
    with pytest.raises(gds.RuleError):
        gds.RuleSet.from_yaml(text)
    with pytest.raises(gds.RuleError):
        gds.RuleSet.from_json("[" * 100000 + "]" * 100000)


# -- numbers that are not what they look like, or too large to hold ---------------------------


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("19①2", Status.TEXT),
        ("²252", Status.TEXT),
        ("12²", Status.TEXT),
        ("٣٤", Status.TEXT),
        ("𝟏𝟐", Status.TEXT),
        ("½", Status.TEXT),
        ("9" * 401, Status.OUT_OF_RANGE),
        ("1" + "0" * 30, Status.OUT_OF_RANGE),
        (str(2**63), Status.OUT_OF_RANGE),
        (str(2**53 + 1), Status.OUT_OF_RANGE),
        ("-" + str(2**53 + 1), Status.OUT_OF_RANGE),
        ("9,007,199,254,740,993", Status.OUT_OF_RANGE),
        ("1000000000000万元", Status.OUT_OF_RANGE),
    ],
)
def test_digit_lookalikes_and_huge_numbers_are_never_numbers(raw: str, status: Status) -> None:
    cell = parse_cell(raw, "yuan" if "元" in raw else None)
    assert cell.status is status and cell.value is None
    assert cell.note and " / " in cell.note  # bilingual: why it is not a number


@pytest.mark.parametrize(("raw", "value"), [("１２", 12), (str(2**53), 2**53), ("0009", 9), ("22（其中①件）", 22)])
def test_full_width_digits_and_the_largest_exact_number_still_count(raw: str, value: int) -> None:
    cell = parse_cell(raw)
    assert cell.status is Status.NUMBER and cell.value == value


_ODD_CELLS = ["504.5", "1" + "0" * 30, str(2**63), "9" * 401, "19①2", "²252", "１２"]


@pytest.fixture(params=_ODD_CELLS)
def odd_report(request, tmp_path: Path) -> tuple[str, Path]:
    """The sample with its 结转下年度继续办理 / 自然人 cell printed as ``request.param``."""
    path = tmp_path / "odd.txt"
    path.write_text(
        edited(SAMPLE.read_text("utf-8"), _CARRIED_FORWARD, f"\t四、结转下年度继续办理\n\t{request.param}\n")
    )
    return request.param, path


def test_every_step_copes_with_odd_numbers(odd_report: tuple[str, Path], tmp_path: Path, capsys) -> None:
    raw, path = odd_report
    report = gds.load(path)
    cell = report.cells[(report.cells["row"] == "carried_forward") & (report.cells["column"] == "natural_person")]
    status, value = cell["status"].iloc[0], cell["value"].iloc[0]
    table = report.tables["requests"]
    shown = table.at["carried_forward", "natural_person"]
    if raw == "504.5":  # a fraction in a count column: a number that fails cells.integer, never rounded
        assert status == "number" and shown == 504.5 and str(table["natural_person"].dtype) == "Float64"
    elif raw == "１２":
        assert status == "number" and shown == 12 and str(table["natural_person"].dtype) == "Int64"
    else:
        assert status in ("text", "out_of_range") and np.isnan(value) and pd.isna(shown)
        assert str(table["natural_person"].dtype) == "Int64"
    data = json.loads(report.to_json())
    assert data["tables"]["requests"]["carried_forward"]["natural_person"] == (
        504.5 if raw == "504.5" else 12 if raw == "１２" else None
    )
    result = gds.validate(report)
    failing = set(result.violations["rule_id"])
    if raw == "504.5":
        assert "cells.integer" in failing
    assert "-9223372036854775808" not in result.to_json()
    gds.localize(report)
    report.labelled("requests")
    report.status("requests")
    report._repr_html_()
    result._repr_html_()
    for form in ("table", "text", "json"):
        assert main(["validate", "--format", form, str(path)]) in (0, 1)
    out = capsys.readouterr().out
    assert "-9223372036854775808" not in out
    for to in ("csv", "json", "xlsx"):
        target = tmp_path / f"odd.{to}"
        assert main(["convert", str(path), "--to", to, "--out", str(target)]) == 0, capsys.readouterr().err
        again = gds.load(target)
        assert again.tables["requests"].at["carried_forward", "natural_person"] is shown or (
            again.tables["requests"].at["carried_forward", "natural_person"] == shown
        )


def test_verdict_never_prints_a_wrapped_integer() -> None:
    frame = consistent_series(1, [2022], seed=5)
    frame["requests.new.natural_person"] = 2.0**52
    frame["requests.new.total"] = 2.0**52
    rule = gds.rule("1e6 * requests.new.natural_person <= 0", id="mine.big")
    result = gds.validate(frame, rules=[rule])
    assert result.violations["message_en"].str.contains(r"4\.503599627370496e\+21").all()
    assert "-9223372036854775808" not in result.violations["message_en"].iloc[0]
    from gov_disclosure_stats.cli import render

    assert "-9223372036854775808" not in render(result)


# -- the library's own errors, never raw ones ------------------------------------------------


def _wide(n: int = 2) -> pd.DataFrame:
    return consistent_series(n, [2022], seed=7)


def test_strings_in_a_wide_frame_read_as_printed_cells() -> None:
    frame = _wide().astype({"requests.new.natural_person": object, "requests.new.total": object})
    frame.loc[0, "requests.new.natural_person"] = "abc"
    frame.loc[1, "requests.new.natural_person"] = ""
    frame.loc[0, "requests.new.total"] = "/"
    frame.loc[1, "requests.new.total"] = str(int(frame.loc[1, "requests.new.total"]))  # "504": a number
    matrix = gds.CellMatrix.from_wide(frame)
    reports = matrix.to_reports()
    status = [r.cells.set_index(["row", "column"]).loc[("new", "natural_person"), "status"] for r in reports]
    assert status == ["text", "blank"]
    assert reports[0].cells.set_index(["row", "column"]).loc[("new", "total"), "status"] == "not_applicable"
    assert reports[1].value("requests.new.total") == float(frame.loc[1, "requests.new.total"])
    result = gds.validate(frame)
    assert set(result.unverifiable["report_id"]) == set(matrix.meta["report_id"])
    assert result.ok


def test_huge_numbers_in_a_wide_frame_are_out_of_range() -> None:
    frame = _wide()
    frame["requests.new.natural_person"] = [1e30, np.inf]
    matrix = gds.CellMatrix.from_wide(frame)
    column = gds.model.matrix.universe_index()["requests.new.natural_person"]
    assert (matrix.status[:, column] == gds.values.STATUS_CODES[Status.OUT_OF_RANGE]).all()
    assert np.isnan(matrix.values[:, column]).all()
    reports = gds.ReportSet.from_wide(frame).reports
    assert pd.isna(reports[0].tables["requests"].at["new", "natural_person"])
    assert "out_of_range" in set(reports[0].cells["status"])
    gds.validate(frame).to_json()
    objects = _wide().astype({"requests.new.natural_person": object})
    objects.loc[0, "requests.new.natural_person"] = 10**30
    assert "out_of_range" in set(gds.ReportSet.from_wide(objects).reports[0].cells["status"])


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"template": "2030"}, "2030"),
        ({"template": None}, "template"),
        ({"layout.requests": "2030"}, "layout.requests"),
        ({"year": "abc"}, "year"),
        ({"year": 2022.5}, "year"),
        ({"requests.new.martians": 1}, "martians"),
    ],
)
def test_bad_wide_frames_are_data_errors(change: dict, match: str) -> None:
    frame = _wide().astype({"year": object}).copy().assign(**change)
    with pytest.raises(gds.DataError, match=match):
        gds.validate(frame)
    with pytest.raises(ValueError):  # a DataError is a ValueError too
        gds.ReportSet.from_wide(frame)


def test_a_wide_frame_without_template_is_a_data_error() -> None:
    with pytest.raises(gds.DataError, match="template"):
        gds.validate(_wide().drop(columns="template"))


def _json_with(value: str) -> bytes:
    text = SAMPLE_EXPECTED.read_text("utf-8")
    old = '"carried_forward": {\n    "natural_person": 11,'
    assert text.count(old) == 1
    return text.replace(old, '"carried_forward": {\n    "natural_person": ' + value + ",").encode()


@pytest.mark.parametrize("value", [str(10**30), str(2**63), "9" * 401, "1e400", "-1e300"])
def test_huge_numbers_in_json_are_out_of_range(value: str) -> None:
    report = gds.loads(_json_with(value), source="huge.json")
    cell = report.cells.set_index(["table", "row", "column"]).loc[("requests", "carried_forward", "natural_person")]
    assert cell["status"] == "out_of_range" and np.isnan(cell["value"])
    report.tables  # noqa: B018
    report.to_json()
    gds.validate(report).to_json()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ('{"tables": ' + "[" * 100_000 + "]" * 100_000 + "}", "nests too deeply"),
        ('{"year": ' + str(10**30) + ', "tables": {}}', "out of range"),
        ('{"year": 2022, "tables": {"requests": {"new": {"total": ' + "9" * 5000 + "}}}}", "JSON"),
    ],
)
def test_hostile_json_is_a_load_error(data: str, match: str) -> None:
    with pytest.raises(gds.LoadError, match=match):
        gds.loads(data.encode(), source="hostile.json")


@pytest.mark.parametrize("value", [str(10**30), "1e400", "9" * 401, "inf"])
def test_huge_numbers_in_long_and_wide_files_are_out_of_range(value: str, tmp_path: Path) -> None:
    report = gds.load(SAMPLE)
    long = report.to_long()
    at = (long["row"] == "carried_forward") & (long["column"] == "natural_person")
    long = long.astype({"value": object})
    long.loc[at, ["value", "raw"]] = value
    path = tmp_path / "long.csv"
    long.to_csv(path, index=False)
    wide = report.to_wide().astype(object)
    wide["requests.carried_forward.natural_person"] = value
    wide_path = tmp_path / "wide.csv"
    wide.to_csv(wide_path, index=False)
    for again in (gds.load(path), gds.load(wide_path)):
        cell = again.cells.set_index(["table", "row", "column"]).loc[("requests", "carried_forward", "natural_person")]
        assert cell["status"] == "out_of_range" and np.isnan(cell["value"])
        again.tables  # noqa: B018


@pytest.mark.parametrize("value", [10**30, 10**400, float("inf")])
def test_report_from_dict_refuses_huge_numbers(value: float) -> None:
    data = json.loads(SAMPLE_EXPECTED.read_text("utf-8"))
    data["tables"]["requests"]["carried_forward"]["natural_person"] = value
    report = gds.Report.from_dict(data)
    assert pd.isna(report.tables["requests"].at["carried_forward", "natural_person"])
    assert "out_of_range" in set(report.cells["status"])


def test_one_rule_string_is_one_rule_not_its_characters() -> None:
    rules = gds.RuleSet("requests.new.total >= 0")
    assert [r.statement for r in rules] == ["requests.new.total >= 0"]
    assert gds.validate(gds.load(SAMPLE), rules="requests.new.total >= 0").summary()["items"].tolist() == [1]
