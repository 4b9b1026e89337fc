"""Rows whose numbers ran together: split back by the rules, ambiguous cells marked, impossible runs refused."""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gov_disclosure_stats as gds
from gov_disclosure_stats.core.labels import match_row
from gov_disclosure_stats.core.layouts import table_layout
from gov_disclosure_stats.core.values import STATUS_CODES, Status
from gov_disclosure_stats.loading.assemble import find_tables
from gov_disclosure_stats.loading.digits import resolve, run_together, splits
from gov_disclosure_stats.loading.readers import read_text
from gov_disclosure_stats.model.grid import GridCell
from gov_disclosure_stats.model.matrix import CellMatrix, read_as_zero
from gov_disclosure_stats.model.synth import consistent_wide, wide_to_reports
from gov_disclosure_stats.show.render import to_text
from tests.report_pages import report_page

from .conftest import edited

NEW_ROW = "\t一、本年新收政府信息公开申请数量\n\t504\n\t25\n\t0\n\t0\n\t0\n\t1\n\t530\n"
CARRIED_ROW = "\t二、上年结转政府信息公开申请数量\n\t5\n\t0\n\t0\n\t0\n\t0\n\t1\n\t6\n"
REVIEW_ROW = "".join(f"\t{v}\n" for v in (4, 5, 1, 2, 12, 18, 0, 0, 2, 20, 4, 0, 0, 0, 4))
LAYOUTS = [("2021", None, False), ("2021", "2019", False), ("2019", None, True), ("2021", None, True)]
Pieces = Callable[[str, list[str]], list[str]]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def run_together_text(text: str, pieces: Pieces) -> str:
    """The plain text with the values of table 三's rows and of table 四's row of numbers printed as
    ``pieces(table, values)`` (e.g. all in one line: the cell boundaries lost)."""
    out: list[str] = []
    section = None
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("\t"):
            section = {"三": "requests", "四": "review_litigation"}.get(lines[i][:1], section)
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].startswith("\t"):
            j += 1
        cells = [line[1:] for line in lines[i:j]]
        k = len(cells)
        while k and cells[k - 1].isdigit():
            k -= 1
        values = cells[k:]
        if section == "requests" and k and cells[k - 1] and len(values) >= 7:
            cells = cells[:k] + pieces(section, values)
        elif section == "review_litigation" and k == 0 and len(values) == 15:
            cells = pieces(section, values)
        out += [f"\t{c}" for c in cells]
        i = j
    return "\n".join(out)


def joined(table: str, values: list[str]) -> list[str]:
    return ["".join(values)]


def generated(version: str, requests_layout: str | None, subtotals: bool, seed: int) -> gds.Report:
    return wide_to_reports(
        consistent_wide(1, version, seed=seed, requests_layout=requests_layout, subtotals=subtotals)
    )[0]


def check_recovered(truth: gds.Report, loaded: gds.Report) -> int:
    """Every recovered cell equals the truth or is ambiguous with the truth among its candidates;
    returns how many are ambiguous."""
    expected = truth.cells.set_index(["table", "row", "column"])["value"]
    got = loaded.cells.set_index(["table", "row", "column"])
    assert sorted(got.index) == sorted(expected.index)
    ambiguous = 0
    for key, cell in got.iterrows():
        if cell["status"] == "number":
            assert cell["value"] == expected[key], (key, cell.to_dict(), expected[key])
        else:
            assert cell["status"] == "ambiguous", (key, cell.to_dict())
            assert np.isnan(cell["value"])
            run, _, shown = cell["raw"].partition(" → ")
            assert run.replace(" ", "").isdigit() and str(int(expected[key])) in shown.split(" or "), cell["raw"]
            assert ", split of '" in cell["where"]
            ambiguous += 1
    return ambiguous


# -- the spec's example -------------------------------------------------------------------------


def test_the_spec_example_has_one_split_that_adds_up() -> None:
    candidates = list(splits(["713000074"], 7))
    assert (71, 3, 0, 0, 0, 0, 74) in candidates and len(candidates) == 7  # 28 cuts, 21 with a leading zero
    assert [s for s in candidates if s[-1] == sum(s[:-1])] == [(71, 3, 0, 0, 0, 0, 74)]
    partly = list(splits(["71", "30000", "74"], 7))  # a run never shares a cell with the next
    assert len(partly) == 4 and all(s[:2] in ((7, 1), (71, 3), (71, 30)) for s in partly)
    assert [s for s in partly if s[-1] == sum(s[:-1])] == [(71, 3, 0, 0, 0, 0, 74)]


def test_the_spec_example_row_resolves_by_its_row_total() -> None:
    row = [GridCell("一、本年新收政府信息公开申请数量 713000074", 0, 0, "line 12")]
    run = run_together(row, 7, lambda t: False)
    assert run is not None and run.labels[0].text == "一、本年新收政府信息公开申请数量"
    assert [r.digits for r in run.runs] == ["713000074"]
    layout = table_layout("requests", "2021")
    columns = [c.code for c in layout.cell_columns if not c.is_optional]
    found = resolve(layout, [run.into([("new", c) for c in columns])], {})
    assert [found[("new", c)].candidates for c in columns] == [(71,), (3,), (0,), (0,), (0,), (0,), (74,)]
    assert {f.cell.where for f in found.values()} == {"line 12, split of '713000074'"}
    assert [found[("new", c)].cell.text for c in columns] == ["71", "3", "0", "0", "0", "0", "74"]


def test_the_spec_example_loads_in_a_report() -> None:
    frame = consistent_wide(1, "2021", seed=7)
    columns = table_layout("requests", "2021").leaves("applicants", "columns")
    for column, value in zip(columns, (71, 3, 0, 0, 0, 0), strict=True):
        frame[f"requests.new.{column}"] = value
        stock = frame[f"requests.total_processed.{column}"] + frame[f"requests.carried_forward.{column}"]
        frame[f"requests.carried_over.{column}"] = np.maximum(stock - value, 0)
        frame[f"requests.carried_forward.{column}"] += np.maximum(value - stock, 0)
    for row in ("new", "carried_over", "carried_forward"):
        frame[f"requests.{row}.total"] = sum(frame[f"requests.{row}.{c}"] for c in columns)
    truth = wide_to_reports(frame)[0]
    assert gds.validate(truth).ok
    plain = to_text(truth)
    text = plain.replace(
        "\t一、本年新收政府信息公开申请数量\n" + "".join(f"\t{v}\n" for v in (71, 3, 0, 0, 0, 0, 74)),
        "\t一、本年新收政府信息公开申请数量 713000074\n",
    )
    assert text != plain
    loaded = gds.loads(text, source="scraped.txt")
    assert loaded.tables["requests"].loc["new"].tolist() == [71, 3, 0, 0, 0, 0, 74]
    assert loaded.where("requests.new.natural_person") == f"line {line_of(text, '一、本年新收')}, split of '713000074'"
    assert check_recovered(truth, loaded) == 0
    assert gds.validate(loaded).ok


# -- the sample and generated tables with their numbers run together ------------------------------


def test_sample_rows_run_together_in_every_way_load_the_same(text: str) -> None:
    expected = gds.loads(text, source="sample.txt")
    variants = {
        "label and run in one cell": edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量 504250001530\n"),
        "run in its own cell": edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量\n\t504250001530\n"),
        "partly split": edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量\n\t50425\n\t0001\n\t530\n"),
        "spaces inside a cell": edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量\n\t50425 0001 530\n"),
        "full-width digits": edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量\n\t５０４２５０００１５３０\n"),
        "glued to the label": edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量504250001530\n"),
        "table 四": edited(text, REVIEW_ROW, "\t4512121800220400 04\n"),
    }
    for name, variant in variants.items():
        loaded = gds.loads(variant, source="scraped.txt")
        assert loaded.to_dict()["tables"] == expected.to_dict()["tables"], name
        assert (loaded.cells["status"] == "number").all(), name
    spaced = gds.loads(variants["spaces inside a cell"], source="scraped.txt")
    assert spaced.where("requests.new.natural_person").endswith(", split of '50425'")
    assert spaced.where("requests.new.total") == f"line {line_of(variants['spaces inside a cell'], '50425 0001')}"
    review = gds.loads(variants["table 四"], source="scraped.txt")
    assert review.where("review_litigation.suit_after_review.total").endswith(", split of '04'")


def test_a_web_page_row_run_together_in_one_cell_or_across_merged_cells() -> None:
    page = report_page()
    cells = "".join(f"<td>{v}</td>" for v in (504, 25, 0, 0, 0, 1, 530))
    expected = gds.loads(page, source="report.html")
    for merged in ("<td>504250001530</td>", '<td colspan="7">504250001530</td>'):
        loaded = gds.loads(edited(page, cells, merged), source="report.html")
        assert loaded.to_dict()["tables"] == expected.to_dict()["tables"], merged
        assert loaded.where("requests.new.total") == "table 2, row 4, column 4, split of '504250001530'"


def test_a_label_with_its_numbers_spaced_apart_loads_as_printed(text: str) -> None:
    """Nothing to split: the printed numbers are kept even when they do not add up (validation says so)."""
    variant = edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量 504 25 0 0 0 1 531\n")
    loaded = gds.loads(variant, source="spaced.txt")
    assert loaded.tables["requests"].loc["new"].tolist() == [504, 25, 0, 0, 0, 1, 531]
    failing = gds.validate(loaded).violations
    assert ("requests.row_total", "new") in set(zip(failing["rule_id"], failing["row"], strict=True))


@pytest.mark.parametrize(("version", "requests_layout", "subtotals"), LAYOUTS)
def test_generated_tables_with_every_row_run_together(
    version: str, requests_layout: str | None, subtotals: bool
) -> None:
    ambiguous = 0
    for seed in range(8):
        truth = generated(version, requests_layout, subtotals, seed)
        plain = to_text(truth)
        text = run_together_text(plain, joined)
        assert text.count("\n") < plain.count("\n") - 150  # the rows really lost their boundaries
        ambiguous += check_recovered(truth, gds.loads(text, source=f"generated-{seed}.txt"))
    assert ambiguous < 8 * 10  # a few cells at most: the rules pin almost every split down


def test_generated_tables_with_some_rows_run_together() -> None:
    for seed in range(6):
        truth = generated("2021", None, False, seed)
        text = run_together_text(to_text(truth), random_pieces(random.Random(seed), 0.4, max_cuts=0))
        check_recovered(truth, gds.loads(text, source="some.txt"))


def test_normal_rows_are_never_read_as_run_together(text: str) -> None:
    found, _ = find_tables(read_text(text))
    layouts = {t: table_layout(t, "2021") for t in found}
    widths = {"requests": 7, "review_litigation": 5}
    rows = 0
    for table, width in widths.items():
        for row in (row for part in found[table] for row in part.rows):
            assert run_together(row, width, lambda t, table=table: match_row(t, layouts[table]) is not None) is None
            rows += 1
    assert rows > 30


# -- ambiguity ------------------------------------------------------------------------------------


def test_one_row_with_two_splits_is_ambiguous_where_they_differ() -> None:
    row = [GridCell("一、本年新收政府信息公开申请数量", 0, 0, "line 3"), GridCell("110000011", 0, 1, "line 4")]
    run = run_together(row, 7, lambda t: False)
    layout = table_layout("requests", "2021")
    columns = [c.code for c in layout.cell_columns if not c.is_optional]
    found = resolve(layout, [run.into([("new", c) for c in columns])], {})
    assert [found[("new", c)].candidates for c in columns] == [(1, 11), (0, 10), (0,), (0,), (0,), (0,), (11,)]
    first = found[("new", "natural_person")]
    assert first.ambiguous and first.cell.text == "110000011 → 1 or 11"
    assert first.cell.where == "line 4, split of '110000011'"
    assert not found[("new", "total")].ambiguous and found[("new", "total")].cell.text == "11"


def ambiguous_frame() -> pd.DataFrame:
    """A consistent report whose 予以公开 and 部分公开 rows print 科研机构, 社会公益组织 as 1, 10 and 11, 0: run
    together ("110" both), either row may hold either pair, and the column totals cannot tell which."""
    frame = consistent_wide(1, "2021", seed=11)
    layout = table_layout("requests", "2021")
    columns = layout.leaves("applicants", "columns")
    for row, (research, welfare) in (("granted", (1, 10)), ("partly_granted", (11, 0))):
        frame[f"requests.{row}.research"], frame[f"requests.{row}.social_welfare"] = research, welfare
        frame[f"requests.{row}.commercial"] = 5
        frame[f"requests.{row}.total"] = sum(frame[f"requests.{row}.{c}"] for c in columns)
    for column in [*columns, "total"]:
        processed = sum(frame[f"requests.{r}.{column}"] for r in layout.leaves("outcomes"))
        frame[f"requests.total_processed.{column}"] = processed
        frame[f"requests.new.{column}"] = (
            processed + frame[f"requests.carried_forward.{column}"] - frame[f"requests.carried_over.{column}"]
        )
    assert gds.validate(frame).ok
    return frame


def test_cells_the_rules_cannot_tell_apart_are_ambiguous_not_guessed() -> None:
    truth = wide_to_reports(ambiguous_frame())[0]
    text = run_together_text(to_text(truth), joined)
    loaded = gds.loads(text, source="ambiguous.txt")
    assert check_recovered(truth, loaded) >= 4
    status = loaded.status("requests")
    for row in ("granted", "partly_granted"):
        assert status.loc[row, "research"] == "ambiguous" and status.loc[row, "social_welfare"] == "ambiguous"
        assert pd.isna(loaded.tables["requests"].loc[row, "research"])
        assert status.loc[row, "natural_person"] == "number" and status.loc[row, "total"] == "number"
    raw = loaded.raw("requests")
    assert raw.loc["granted", "research"].endswith(" → 1 or 11")
    assert raw.loc["partly_granted", "social_welfare"].endswith(" → 0 or 10")
    open_rows = int((status == "ambiguous").any(axis=1).sum())
    for blank_as_zero in (False, True):  # an ambiguous cell is never read as 0: its rules stay unverifiable
        summary = gds.validate(loaded, blank_as_zero=blank_as_zero).summary().set_index("rule_id")
        assert summary.loc["requests.row_total", "unverifiable"] == open_rows >= 2
        assert summary.loc["requests.outcome_total", "unverifiable"] >= 2
        assert summary.loc["requests.row_total", "failed"] == summary.loc["requests.outcome_total", "failed"] == 0


def test_the_ambiguous_status_in_matrices_and_files() -> None:
    assert STATUS_CODES[Status.AMBIGUOUS] == 6 and len(set(STATUS_CODES.values())) == len(Status)
    assert not read_as_zero(np.array([STATUS_CODES[Status.AMBIGUOUS]])).any()
    truth = wide_to_reports(ambiguous_frame())[0]
    loaded = gds.loads(run_together_text(to_text(truth), joined), source="ambiguous.txt")
    matrix = CellMatrix.from_reports([loaded])
    back = matrix.to_reports()[0]
    assert (back.status("requests") == loaded.status("requests")).all().all()
    long_csv = loaded.to_long().to_csv(index=False)
    again = gds.loads(long_csv, source="long.csv")
    assert again.status("requests").loc["granted", "research"] == "ambiguous"
    assert again.raw("requests").loc["granted", "research"] == loaded.raw("requests").loc["granted", "research"]
    reprinted = gds.loads(to_text(loaded), source="reprinted.txt")  # the raw text of an ambiguous cell is not a number
    assert reprinted.status("requests").loc["granted", "research"] != "number"


# -- runs that cannot be split -------------------------------------------------------------------------


def load_error(content: str, source: str = "scraped.txt") -> gds.LoadError:
    with pytest.raises(gds.LoadError) as info:
        gds.loads(content, source=source, strict=True)
    return info.value


def test_a_run_no_split_of_which_adds_up_is_refused_with_its_line(text: str) -> None:
    variant = edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量\n\t504250001531\n")
    error = load_error(variant)
    assert error.path == "scraped.txt" and error.where == f"line {line_of(variant, '504250001531')}"
    assert "504250001531" in str(error) and "requests.row_total" in str(error)
    assert "第" in str(error) and "expected 7 values" in str(error)


def test_runs_that_add_up_alone_but_not_together_are_refused(text: str) -> None:
    # each row adds up (505 + 25 + 1 = 531), but 505 + 5 new and carried over in 自然人 break the balance
    variant = edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量\n\t505250001531\n")
    variant = edited(variant, CARRIED_ROW, "\t二、上年结转政府信息公开申请数量\n\t5000016\n")
    error = load_error(variant)
    assert "requests.balance" in str(error)
    assert f"line {line_of(variant, '505250001531')}" in str(error) and f"line {line_of(variant, '5000016')}" in str(
        error
    )


def test_a_table_four_run_that_cannot_add_up_is_refused(text: str) -> None:
    error = load_error(edited(text, REVIEW_ROW, "\t45121218002204000\n"))
    assert "review_litigation.row_total" in str(error) and "45121218002204000" in str(error)


def test_a_search_too_long_gives_up_clearly() -> None:
    row = [
        GridCell("一、本年新收政府信息公开申请数量", 0, 0, "line 3"),
        GridCell("1234567891234567890", 0, 1, "line 4"),
    ]
    run = run_together(row, 7, lambda t: False)
    layout = table_layout("requests", "2021")
    targets = [("new", c.code) for c in layout.cell_columns if not c.is_optional]
    with pytest.raises(gds.LoadError) as info:
        resolve(layout, [run.into(targets)], {}, path="long.txt", max_steps=5)
    assert info.value.where == "line 4" and "more than 5 search steps" in str(info.value)


def test_a_short_row_without_enough_digits_keeps_its_old_message(text: str) -> None:
    error = load_error(edited(text, NEW_ROW, "\t一、本年新收政府信息公开申请数量\n\t504\n\t530\n"))
    assert "row has 3 cells, expected a label and 7 values" in str(error)


# -- property: any consistent table, any way its rows run together ---------------------------------------


def random_pieces(rng: random.Random, share: float, max_cuts: int = 4) -> Pieces:
    """Join a share of the rows, each into up to ``max_cuts + 1`` pieces of consecutive values."""

    def pieces(table: str, values: list[str]) -> list[str]:
        if rng.random() >= share:
            return values
        cuts = sorted(rng.sample(range(1, len(values)), rng.randint(0, min(max_cuts, len(values) - 1))))
        edges = [0, *cuts, len(values)]
        return ["".join(values[a:b]) for a, b in pairwise(edges)]

    return pieces


@settings(max_examples=25, deadline=None)
@given(
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 2**31 - 1),
    share=st.sampled_from([0.3, 0.7, 1.0]),
)
def test_any_consistent_table_run_together_loads_back(
    layout: tuple[str, str | None, bool], seed: int, share: float
) -> None:
    truth = generated(*layout, seed=seed % 10_000)
    text = run_together_text(to_text(truth), random_pieces(random.Random(seed), share))
    loaded = gds.loads(text, source="property.txt")
    check_recovered(truth, loaded)
    hard = gds.validate(loaded).summary().query("severity == 'hard'")
    assert hard["failed"].sum() == 0
