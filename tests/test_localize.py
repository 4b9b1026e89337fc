"""Error localization: on generated consistent tables with injected slips, the changed cells are among the
minimal solutions and the suggested values restore the originals; the real 洪泽区 2023 table; apply."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gov_disclosure_stats as gds
from gov_disclosure_stats.analysis.localize import CORRECTION_COLUMNS, REQUIRED_CORRECTION_COLUMNS
from gov_disclosure_stats.analysis.slips import (
    copied_total,
    missing_leading_digit,
    neighbour_value,
    proposals,
    split_or_joined,
    transposed_digits,
)
from gov_disclosure_stats.core.layouts import table_layout
from gov_disclosure_stats.model.synth import consistent_wide, wide_to_reports

from .conftest import CORPUS, NO_CORPUS, SAMPLE

LAYOUTS = {
    "2021": ("2021", None, False),
    "2021-one-row-other-handling": ("2021", "2019", False),
    "2019-printed-subtotals": ("2019", None, True),
}
HONGZE = CORPUS / "2023_huaian-hongze_district-government.pdf"


def generated(layout: str, seed: int = 0) -> pd.DataFrame:
    version, requests_layout, subtotals = LAYOUTS[layout]
    return consistent_wide(1, version, seed=seed, requests_layout=requests_layout, subtotals=subtotals)


def printed(frame: pd.DataFrame, table: str = "requests") -> dict[str, int]:
    """The printed cells of one table of a one-report frame, in template order."""
    return {c: int(frame[c].iat[0]) for c in frame.columns if c.startswith(f"{table}.") and frame[c].notna().all()}


def right_of(frame: pd.DataFrame, code: str) -> str | None:
    """The printed cell to the right of ``code`` in its row."""
    table, row, _ = code.split(".")
    layout = table_layout(table, str(frame[f"layout.{table}"].iat[0]))
    line = [f"{table}.{row}.{c}" for c in layout.row_columns(row) if frame.get(f"{table}.{row}.{c}") is not None]
    line = [c for c in line if frame[c].notna().all()]
    k = line.index(code)
    return line[k + 1] if k + 1 < len(line) else None


# -- the slips, each as a change of a consistent table (the first cell is the one the slip hit) ----------


def wrong_leaf(frame: pd.DataFrame) -> dict[str, int]:
    return {"requests.granted.natural_person": int(frame["requests.granted.natural_person"].iat[0]) + 7}


def wrong_total(frame: pd.DataFrame) -> dict[str, int]:
    return {"requests.total_processed.total": int(frame["requests.total_processed.total"].iat[0]) + 3}


def transposed(frame: pd.DataFrame) -> dict[str, int]:
    for code, value in printed(frame).items():
        text = str(value)
        for i in range(len(text) - 1):
            if text[i] != text[i + 1] and text[i + 1] != "0":
                return {code: int(text[:i] + text[i + 1] + text[i] + text[i + 2 :])}
    raise AssertionError("no cell with two different adjacent digits")


def joined(frame: pd.DataFrame) -> dict[str, int]:
    cells = printed(frame)
    for code, value in cells.items():
        right = right_of(frame, code)
        if value > 0 and right is not None:
            return {code: int(f"{value}{cells[right]}")}
    raise AssertionError("no cell to join")


def split(frame: pd.DataFrame) -> dict[str, int]:
    cells = printed(frame)
    for code, value in cells.items():
        right = right_of(frame, code)
        if value >= 10 and right is not None and cells[right] != int(str(value)[-1]):
            return {code: int(str(value)[:-1]), right: int(str(value)[-1])}
    raise AssertionError("no cell to split")


def neighbour(frame: pd.DataFrame) -> dict[str, int]:
    cells = printed(frame)
    for code, value in cells.items():
        right = right_of(frame, code)
        if right is not None and cells[right] >= 10 and cells[right] != value:
            return {code: cells[right]}
    raise AssertionError("no neighbour to copy")


def copied(frame: pd.DataFrame) -> dict[str, int]:
    totals = {c: v for c, v in printed(frame).items() if c.endswith(".total")}
    codes = list(totals)
    for a, b in zip(codes[1:], codes, strict=False):
        if totals[b] >= 10 and totals[a] != totals[b]:
            return {a: totals[b]}
    raise AssertionError("no total to copy")


def leading_digit(frame: pd.DataFrame) -> dict[str, int]:
    for code, value in printed(frame).items():
        if value >= 10:
            return {code: int(str(value)[1:])}
    raise AssertionError("no cell of two digits")


SLIPS: dict[str, tuple[Callable[[pd.DataFrame], dict[str, int]], str | None]] = {
    "wrong_leaf": (wrong_leaf, None),
    "wrong_total": (wrong_total, None),
    "transposed": (transposed, "transposed_digits"),
    "joined": (joined, "split_or_joined"),
    "split": (split, "split_or_joined"),
    "neighbour": (neighbour, "neighbour_value"),
    "copied_total": (copied, "copied_total"),
    "missing_leading_digit": (leading_digit, "missing_leading_digit"),
}


def inject(frame: pd.DataFrame, changes: dict[str, int]) -> pd.DataFrame:
    out = frame.copy()
    for code, value in changes.items():
        assert out[code].iat[0] != value, f"{code} is already {value}"
        out[code] = float(value)
    return out


def solutions(corrections: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return {int(s): part.set_index("cell") for s, part in corrections.groupby("solution")}


def the_solution(corrections: pd.DataFrame, cells: set[str]) -> pd.DataFrame:
    """The solution that changes exactly ``cells`` (failing the test when there is none)."""
    found = [part for part in solutions(corrections).values() if set(part.index) == cells]
    listed = [sorted(p.index) for p in solutions(corrections).values()]
    assert found, f"{sorted(cells)} is not among the minimal solutions {listed[:5]}"
    return found[0]


# -- one and two slips of each kind -------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", SLIPS)
def test_one_slip_is_found_and_undone(layout: str, kind: str) -> None:
    make, slip = SLIPS[kind]
    frame = generated(layout)
    changes = make(frame)
    corrections = gds.localize(inject(frame, changes), max_solutions=50)
    assert list(corrections.columns) == CORRECTION_COLUMNS
    solution = the_solution(corrections, set(changes))
    for code in changes:
        assert solution.at[code, "suggested"] == frame[code].iat[0]
        assert solution.at[code, "determined"]
        assert solution.at[code, "current"] == changes[code]
        assert solution.at[code, "rules_repaired"], "a changed cell names the rules it repairs"
    if slip is not None:
        first = next(iter(changes))
        assert solution.at[first, "slip"] == slip, solution.at[first, "reason"]
    if len(solutions(corrections)) == 1:
        assert solution["confidence"].eq(1.0).all() and not solution["ambiguous"].any()


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", SLIPS)
def test_two_slips_are_found_and_undone(layout: str, kind: str) -> None:
    """The slip in the request table with a wrong leaf elsewhere in it, or with one in table 四."""
    make, _ = SLIPS[kind]
    frame = generated(layout, seed=1)
    changes = make(frame)
    rows = {c.split(".")[1] for c in changes}
    cols = {c.split(".")[2] for c in changes}
    other = next(
        c
        for c in printed(frame)
        if c.split(".")[1] not in rows | {"total_processed"} and c.split(".")[2] not in cols | {"total"}
    )
    for second in (other, "review_litigation.suit_direct.total"):
        both = {**changes, second: int(frame[second].iat[0]) + 4}
        corrections = gds.localize(inject(frame, both), max_solutions=50)
        solution = the_solution(corrections, set(both))
        for code in both:
            assert solution.at[code, "suggested"] == frame[code].iat[0]


@settings(max_examples=30, deadline=None)
@given(
    layout=st.sampled_from(list(LAYOUTS)),
    seed=st.integers(0, 2**31 - 1),
    picks=st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from([-3, -1, 1, 2, 5, 10, 40])), min_size=1, max_size=2
    ),
)
def test_any_one_or_two_changed_cells(layout: str, seed: int, picks: list[tuple[int, int]]) -> None:
    """The changed cells are a minimal solution unless fewer cells explain the tables; every solution listed
    repairs the report; suggested values restore the originals where the solution is the true one."""
    frame = generated(layout, seed=seed)
    codes = [c for c in frame.columns if c.startswith(("requests.", "review_litigation.")) and frame[c].notna().all()]
    changes: dict[str, int] = {}
    for pick, delta in picks:
        code = codes[pick % len(codes)]
        changes[code] = max(int(frame[code].iat[0]) + delta, 0)
    changes = {c: v for c, v in changes.items() if v != frame[c].iat[0]}
    if not changes:
        return
    broken = inject(frame, changes)
    corrections = gds.localize(broken, max_solutions=100)
    if gds.validate(broken).ok:  # the changes cancelled out
        assert corrections.empty
        return
    found = solutions(corrections)
    sizes = {len(part) for part in found.values()}
    assert len(sizes) == 1, "every solution listed is equally small (default weights)"
    report = wide_to_reports(broken)[0]
    for number, part in found.items():
        if part["suggested"].notna().all():
            assert gds.validate(report.apply(corrections, solution=number)).ok
    truth = [part for part in found.values() if set(part.index) == set(changes)]
    if sizes.pop() < len(changes) or "max_solutions" in corrections["note"].iat[0]:
        return  # fewer cells explain it, or the true set is beyond the listed ones
    assert truth, f"{sorted(changes)} not among {[sorted(p.index) for p in found.values()]}"
    for code, row in truth[0].iterrows():
        if row["determined"]:
            assert row["suggested"] == frame[code].iat[0]


# -- layouts, subtotals, blanks --------------------------------------------------------------------


def test_a_wrong_printed_subtotal_is_found() -> None:
    frame = generated("2019-printed-subtotals")
    for code in ("requests.withheld.natural_person", "requests.granted.org_subtotal"):
        corrections = gds.localize(inject(frame, {code: int(frame[code].iat[0]) + 5}))
        solution = the_solution(corrections, {code})
        assert solution.at[code, "suggested"] == frame[code].iat[0]
        assert any(
            r.startswith(("requests.group_subtotal", "requests.org_subtotal"))
            for r in solution.at[code, "rules_repaired"]
        )


def test_an_unprinted_subtotal_is_no_constraint() -> None:
    """Without the printed subtotal row the subtotal rules do not apply: the wrong leaf alone is found."""
    frame = generated("2019-printed-subtotals")
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("requests.withheld.")])
    code = "requests.withheld_process.natural_person"
    corrections = gds.localize(inject(frame, {code: int(frame[code].iat[0]) + 2}))
    solution = the_solution(corrections, {code})
    assert not any(r.startswith("requests.group_subtotal[withheld") for r in solution.at[code, "rules_repaired"])


def test_blank_cells_follow_validate() -> None:
    """A blank makes its rules unverifiable, so they constrain nothing; ``blank_as_zero`` reads it as 0."""
    frame = generated("2021")
    zero = next(c for c, v in printed(frame).items() if v == 0 and not c.endswith("total"))
    frame[zero] = np.nan
    code = "requests.carried_forward.total"
    broken = inject(frame, {code: int(frame[code].iat[0]) + 6})
    for blank_as_zero in (False, True):
        corrections = gds.localize(broken, blank_as_zero=blank_as_zero)
        assert {zero} not in [set(p.index) for p in solutions(corrections).values()]
        solution = the_solution(corrections, {code})
        assert solution.at[code, "suggested"] == frame[code].iat[0]
    # a blank where a number belongs: read as 0 it breaks its rules, and localization blames it
    total = "requests.new.total"
    frame[total] = np.nan
    assert gds.localize(frame).empty
    corrections = gds.localize(frame, blank_as_zero=True)
    solution = the_solution(corrections, {total})
    assert solution.at[total, "current"] == 0 and solution.at[total, "suggested"] == printed(generated("2021"))[total]


def test_a_passing_report_gives_an_empty_frame() -> None:
    corrections = gds.localize(gds.load(SAMPLE))
    assert corrections.empty and list(corrections.columns) == CORRECTION_COLUMNS


# -- ambiguity, weights, caps ----------------------------------------------------------------------


def test_ambiguous_choices_are_all_listed_and_noted() -> None:
    """A wrong 行政复议 leaf: any one of the row's cells can be changed to repair it."""
    frame = generated("2021")
    code = "review_litigation.review.upheld"
    corrections = gds.localize(inject(frame, {code: int(frame[code].iat[0]) + 3}))
    found = solutions(corrections)
    assert len(found) > 1 and all(len(p) == 1 for p in found.values())
    assert {code} in [set(p.index) for p in found.values()]
    assert corrections["ambiguous"].all()
    assert "ambiguous" in corrections["note"].iat[0] and "无法唯一确定" in corrections["note"].iat[0]
    assert corrections.groupby("solution")["confidence"].first().sum() == pytest.approx(1.0, abs=1e-3)
    assert next(iter(found.values())).index[0] == "review_litigation.review.total", (
        "totals first when nothing else tells"
    )


def test_weights_by_role_and_by_code() -> None:
    frame = generated("2021")
    broken = inject(frame, {"review_litigation.review.total": int(frame["review_litigation.review.total"].iat[0]) + 3})
    cheap_total = gds.localize(broken, weights={"total": 0.5})
    assert list(cheap_total["cell"]) == ["review_litigation.review.total"] and not cheap_total["ambiguous"].any()
    dear_total = gds.localize(broken, weights={"review_litigation.review.total": 3})
    assert "review_litigation.review.total" not in set(dear_total["cell"])
    assert (dear_total["weight"] == 1).all()
    with pytest.raises(ValueError, match="neither a cell code nor a role"):
        gds.localize(broken, weights={"totals": 2})
    with pytest.raises(ValueError, match="positive"):
        gds.localize(broken, weights={"leaf": 0})


def test_the_number_of_solutions_is_capped_with_a_note() -> None:
    frame = generated("2021")
    code = "review_litigation.review.upheld"
    corrections = gds.localize(inject(frame, {code: int(frame[code].iat[0]) + 3}), max_solutions=2)
    assert corrections["solution"].max() == 2
    assert "max_solutions" in corrections["note"].iat[0]
    with pytest.raises(ValueError, match="max_solutions"):
        gds.localize(frame, max_solutions=0)


def test_a_cell_the_rules_leave_open_has_no_suggested_value() -> None:
    """A negative count in table 二 breaks cells.non_negative, and no sum rule says what it should be."""
    frame = generated("2021")
    broken = inject(frame, {"proactive.penalty.decisions": -5})
    corrections = gds.localize(broken)
    assert list(corrections["cell"]) == ["proactive.penalty.decisions"]
    row = corrections.iloc[0]
    assert pd.isna(row["suggested"]) and not row["determined"]
    assert "do not determine" in row["reason"] and "不能唯一确定" in row["reason"]
    report = wide_to_reports(broken)[0]
    with pytest.raises(ValueError, match="do not determine"):
        report.apply(corrections)
    filled = corrections.assign(suggested=pd.array([5.0], dtype="Float64"))
    assert gds.validate(report.apply(filled)).ok


# -- inputs and apply ------------------------------------------------------------------------------


def test_collections_give_the_same_answer_as_one_report() -> None:
    frames = [generated("2021", seed=s) for s in range(3)]
    frames[0] = inject(frames[0], transposed(frames[0]))
    frames[2] = inject(frames[2], wrong_total(frames[2]))
    wide = pd.concat(frames, ignore_index=True)
    wide["report_id"] = ["a", "b", "c"]
    reports = wide_to_reports(wide)
    together = gds.localize(reports)
    assert set(together["report_id"]) == {"a", "c"}
    for name, report in zip("ac", (reports[0], reports[2]), strict=True):
        alone = gds.localize(report)
        pd.testing.assert_frame_equal(alone, together[together["report_id"] == name].reset_index(drop=True))
    pd.testing.assert_frame_equal(gds.localize(gds.ReportSet(reports)), together)
    from_wide = gds.localize(wide)
    pd.testing.assert_frame_equal(from_wide.drop(columns="where"), together.drop(columns="where"))
    with pytest.raises(TypeError, match="localize"):
        gds.localize(gds.validate(reports))  # type: ignore[arg-type]


def test_apply_returns_a_new_corrected_report_with_a_trace() -> None:
    text = SAMPLE.read_text("utf-8")
    assert text.count("\t297\n") == 1
    broken = gds.loads(text.replace("\t297\n", "\t279\n"), source="typo.txt")
    corrections = gds.localize(broken)
    assert len(corrections) == 1
    row = corrections.iloc[0]
    assert (row["cell"], row["current"], row["suggested"], row["slip"]) == (
        "requests.granted.natural_person",
        279,
        297,
        "transposed_digits",
    )
    assert row["where"] == broken.where("requests.granted.natural_person")
    fixed = broken.apply(corrections)
    assert fixed is not broken and gds.validate(fixed).ok and not gds.validate(broken).ok
    assert fixed.value("requests.granted.natural_person") == 297
    assert broken.value("requests.granted.natural_person") == 279
    cell = fixed.cells[(fixed.cells["row"] == "granted") & (fixed.cells["column"] == "natural_person")].iloc[0]
    assert cell["raw"] == "279" and "corrected 279 → 297" in cell["where"] and "已更正" in cell["where"]
    assert fixed.to_dict()["tables"] == gds.load(SAMPLE).to_dict()["tables"]
    with pytest.raises(ValueError, match="no solution 2"):
        broken.apply(corrections, solution=2)
    assert gds.load(SAMPLE).apply(corrections).to_dict() == gds.load(SAMPLE).to_dict()  # nothing for it


def test_the_published_hongze_2023_table_four() -> None:
    """行政复议 10+1+0+0 printed with 总计 0, 复议后起诉 5 with 总计 0 (the corpus README)."""
    if not HONGZE.exists():
        pytest.skip(NO_CORPUS)
    report = gds.load(HONGZE)
    corrections = gds.localize(report)
    found = solutions(corrections)
    for part in found.values():
        assert part.at["review_litigation.review.total", "suggested"] == 11
    first = found[1]
    assert set(first.index) == {"review_litigation.review.total", "review_litigation.suit_after_review.total"}
    assert first.at["review_litigation.suit_after_review.total", "suggested"] == 5
    assert {"review_litigation.review.total", "review_litigation.suit_after_review.upheld"} in [
        set(p.index) for p in found.values()
    ]
    assert corrections["where"].str.startswith("page 4").all()
    assert gds.validate(report.apply(corrections)).ok


# -- the recognisers on their own ------------------------------------------------------------------


def test_the_recognisers() -> None:
    assert transposed_digits(279, 297).slip == "transposed_digits"  # type: ignore[union-attr]
    assert transposed_digits(792, 297).strength < transposed_digits(279, 297).strength  # type: ignore[union-attr]
    assert transposed_digits(279, 298) is None and transposed_digits(279, None) is None
    assert missing_leading_digit(97, 297) is not None and missing_leading_digit(24, 1024) is not None
    assert missing_leading_digit(297, 97) is None
    assert split_or_joined(2, 20, after=0).strength > 0.8  # type: ignore[union-attr]
    assert split_or_joined(20, 2, after=0) is not None
    assert split_or_joined(0, 5, before=(2, 20)) is not None
    assert split_or_joined(7, 5, after=3) is None
    assert neighbour_value(36, 12, {"左": 36}) is not None
    assert neighbour_value(3, 12, {"左": 3}) is None, "small numbers coincide by chance"
    assert copied_total(530, 525, {"本年新收": 530}) is not None and copied_total(0, 5, {"x": 0}) is None
    assert [v for v, _ in proposals(279, after=4)][:3] == [729.0, 297.0, 2794.0]


def test_a_user_rule_over_money_is_solved_within_its_tolerance() -> None:
    frame = generated("2021")
    frame["proactive.penalty.decisions"] = 100.0
    frame["proactive.fees.amount_10k_yuan"] = 12.4456
    fee = gds.rule(
        "proactive.fees.amount_10k_yuan == proactive.penalty.decisions * 0.123456", "user.fee", tolerance=5e-5
    )
    rules = [*gds.catalog(), fee]
    corrections = gds.localize(frame, rules=rules)
    assert list(corrections["cell"]) == ["proactive.fees.amount_10k_yuan"]  # 100.81 decisions is no count
    assert corrections.at[0, "suggested"] == pytest.approx(12.3456) and corrections.at[0, "determined"]
    assert gds.validate(wide_to_reports(frame)[0].apply(corrections), rules=rules).ok


def test_the_direct_search_agrees_with_the_milp(monkeypatch: pytest.MonkeyPatch) -> None:
    """One- and two-cell repairs are found without the MILP: on every part solved, both give the same sets."""
    import sys

    system = sys.modules["gov_disclosure_stats.analysis.localize"]._System
    direct = system.minimal
    compared = []

    def both(self, max_solutions: int):  # type: ignore[no-untyped-def]
        fast, slow = direct(self, 200), self._enumerate(200)
        assert {tuple(sorted(f.cells)) for f in fast[0]} == {tuple(sorted(f.cells)) for f in slow[0]}
        for f in fast[0]:
            twin = next(g for g in slow[0] if sorted(g.cells) == sorted(f.cells))
            order = np.argsort(f.cells), np.argsort(twin.cells)
            assert np.allclose(f.low[order[0]], twin.low[order[1]]) and np.allclose(
                f.high[order[0]], twin.high[order[1]]
            )
        compared.append(len(fast[0]))
        return fast

    monkeypatch.setattr(system, "minimal", both)
    rng = np.random.default_rng(7)
    for layout in LAYOUTS:
        frame = pd.concat([generated(layout, seed=s) for s in range(4)], ignore_index=True)
        codes = [
            c for c in frame.columns if c.startswith(("requests.", "review_litigation.")) and frame[c].notna().all()
        ]
        for i in range(len(frame)):
            for code in rng.choice(codes, i % 3 + 1, replace=False):
                frame.loc[i, code] = frame.loc[i, code] + rng.choice([1, 2, 5])
        frame["report_id"] = [f"r{i}" for i in range(len(frame))]
        for weights in (None, {"total": 1.5}, {"leaf": 1.2, "subtotal": 0.8}):
            gds.localize(frame, weights=weights, max_solutions=200)
    assert len(compared) >= 30


# -- what localize cannot repair, and corrections that do not fit ----------------------------------


def test_apply_refuses_the_corrections_of_another_report_with_the_same_id() -> None:
    """A draft and a revision of one report share a report_id; localize numbers the repeat ``#2``."""
    text = SAMPLE.read_text("utf-8")
    draft = gds.loads(text.replace("\t297\n", "\t279\n"), source="same.txt")
    revision = gds.loads(text.replace("\t4\n\t5\n\t1\n\t2\n\t12\n", "\t4\n\t5\n\t1\n\t2\n\t13\n"), source="same.txt")
    corrections = gds.localize([draft, revision])
    assert set(corrections["report_id"]) == {"same.txt", "same.txt#2"}
    assert gds.validate(draft.apply(corrections)).ok
    with pytest.raises(ValueError, match=r"is 297, but the corrections give its current value as 279") as caught:
        revision.apply(corrections)
    assert "requests.granted.natural_person" in str(caught.value) and "distinct report_id" in str(caught.value)
    assert "report_id" in str(caught.value) and "原值为 279" in str(caught.value)
    # only the repeat failed: its rows are all under same.txt#2, which no report's id is
    clean = gds.loads(text, source="same.txt")
    renumbered = gds.localize([clean, draft])
    assert set(renumbered["report_id"]) == {"same.txt#2"}
    for report in (clean, draft):
        with pytest.raises(ValueError, match=r"only for the renumbered same\.txt#2.*distinct report_id"):
            report.apply(renumbered)
    named = gds.localize([clean, gds.loads(text.replace("\t297\n", "\t279\n"), source="draft.txt")])
    assert clean.apply(named).to_dict() == clean.to_dict()  # a distinct id: nothing for it


def test_apply_checks_each_current_value_and_the_required_columns() -> None:
    text = SAMPLE.read_text("utf-8")
    broken = gds.loads(text.replace("\t297\n", "\t279\n"), source="typo.txt")
    corrections = gds.localize(broken)
    assert set(REQUIRED_CORRECTION_COLUMNS) <= set(CORRECTION_COLUMNS)
    for column in REQUIRED_CORRECTION_COLUMNS:
        with pytest.raises(ValueError, match=f"lack the columns: {column}"):
            broken.apply(corrections.drop(columns=column))
    with pytest.raises(ValueError, match="current value as 278"):
        broken.apply(corrections.assign(current=pd.array([278.0], dtype="Float64")))
    with pytest.raises(ValueError, match="current value as —"):
        broken.apply(corrections.assign(current=pd.array([None], dtype="Float64")))
    with pytest.raises(ValueError, match=r"has no cell requests\.granted\.legal_service"):
        broken.apply(corrections.assign(cell="requests.granted.legal_service"))
    minimal = corrections[list(REQUIRED_CORRECTION_COLUMNS)]
    assert broken.apply(minimal).value("requests.granted.natural_person") == 297


def test_a_blank_read_as_zero_is_corrected_with_a_trace() -> None:
    """With ``blank_as_zero`` a blank cell's ``current`` is 0; applied, the trace says it was not printed."""
    frame = generated("2021")
    code = "requests.granted.natural_person"
    frame[code] = np.nan
    report = wide_to_reports(frame)[0]
    corrections = gds.localize(report, blank_as_zero=True)
    solution = the_solution(corrections, {code})
    assert solution.at[code, "current"] == 0
    fixed = report.apply(corrections)
    assert gds.validate(fixed, blank_as_zero=True).ok and fixed.value(code) == generated("2021")[code].iat[0]
    where = fixed.where(code)
    assert where is not None and "原缺" in where and "not printed →" in where and "—" not in where
    with pytest.raises(ValueError, match="is —, but the corrections give its current value as 5"):
        report.apply(corrections.assign(current=pd.array([5.0], dtype="Float64")))
    blank = corrections.assign(current=pd.array([None], dtype="Float64"))
    assert report.apply(blank).value(code) == fixed.value(code)


def test_a_rule_over_no_cell_gives_an_unsolved_row() -> None:
    """Its cells cancel out, so no change of the numbers repairs it: a row with a note, and apply says why."""
    report = gds.load(SAMPLE)
    impossible = gds.rule("requests.new.total >= requests.new.total + 1", "user.impossible")
    corrections = gds.localize(report, rules=[*gds.catalog(), impossible])
    assert len(corrections) == 1 and pd.isna(corrections.at[0, "solution"]) and pd.isna(corrections.at[0, "cell"])
    note = corrections.at[0, "note"]
    assert "user.impossible" in note and "involve no cell that could change" in note and "不含可改动的单元格" in note
    with pytest.raises(ValueError, match=r"no solution to apply: .*user\.impossible.*no cell that could change"):
        report.apply(corrections)


def hardened(rule_id: str) -> gds.RuleSet:
    """The catalog with one rule made hard."""
    return gds.RuleSet(dataclasses.replace(r, kind="hard") if r.id == rule_id else r for r in gds.catalog())


def test_failing_rules_localize_does_not_repair_are_named() -> None:
    """A hard present check or a hard narrative rule is no linear constraint: a row says localize leaves it."""
    frame = generated("2021")
    code = "requests.granted.natural_person"
    frame[code] = np.nan
    present = hardened("cells.present")
    assert not gds.validate(frame, rules=present).ok
    alone = gds.localize(frame, rules=present)
    assert len(alone) == 1 and pd.isna(alone.at[0, "solution"])
    assert "does not repair these failing rules" in alone.at[0, "note"] and "cells.present" in alone.at[0, "note"]
    with pytest.raises(ValueError, match=r"no solution to apply: .*cells\.present"):
        wide_to_reports(frame)[0].apply(alone)
    both = gds.localize(frame, rules=present, blank_as_zero=True)  # read as 0 it breaks sums too: those are solved
    solution = the_solution(both, {code})
    assert solution.at[code, "suggested"] == generated("2021")[code].iat[0]
    assert "cells.present" in solution.at[code, "note"]
    text = SAMPLE.read_text("utf-8")
    assert text.count("共受理依申请530件") == 1
    stated = gds.loads(text.replace("共受理依申请530件", "共受理依申请531件"), source="prose.txt")
    narrative = hardened("narrative.requests_received")
    assert not gds.validate(stated, rules=narrative).ok
    for reports in (stated, gds.ReportSet([stated])):
        corrections = gds.localize(reports, rules=narrative)
        assert len(corrections) == 1 and "narrative.requests_received" in corrections.at[0, "note"]
    assert gds.localize(stated).empty, "soft narrative rules are not localize's business"


def test_weights_may_be_numpy_numbers_but_not_bools() -> None:
    frame = generated("2021")
    code = "review_litigation.review.total"
    broken = inject(frame, {code: int(frame[code].iat[0]) + 3})
    assert list(gds.localize(broken, weights={"total": np.float64(0.5)})["cell"]) == [code]
    assert code not in set(gds.localize(broken, weights={code: np.int64(3)})["cell"])
    for bad in (True, np.nan, -1):
        with pytest.raises(ValueError, match="positive"):
            gds.localize(broken, weights={"leaf": bad})


def test_apply_on_an_unsolvable_report_gives_its_note() -> None:
    report = gds.load(SAMPLE)
    above = gds.rule("requests.new.total >= requests.carried_over.total + 1000", "user.above")
    below = gds.rule("requests.new.total <= requests.carried_over.total - 1000", "user.below")
    corrections = gds.localize(report, rules=[*gds.catalog(), above, below])
    assert len(corrections) == 1 and pd.isna(corrections.at[0, "solution"])
    assert "contradictory rules" in corrections.at[0, "note"]
    with pytest.raises(ValueError, match=r"no solution to apply: .*contradictory rules\?\)$"):
        report.apply(corrections)
