"""Validation of many reports: every way in gives the same result, the wide frame read block by block equals
the matrix, Arrow-backed columns are read, and a corpus with many violations gets every message in full."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.core.layouts import TABLES, table_layout
from gov_disclosure_stats.core.rules import catalog
from gov_disclosure_stats.model.matrix import CellMatrix, WideCells, column_of, universe_index
from gov_disclosure_stats.model.report import LAYOUT_COLUMNS
from gov_disclosure_stats.model.result import VIOLATION_COLUMNS, fmt
from gov_disclosure_stats.model.synth import consistent_series, mixed_corpus, wide_to_reports, without_table
from gov_disclosure_stats.validation.engine import compile_rules


@pytest.fixture(scope="module")
def messy() -> pd.DataFrame:
    """Mixed layouts and errors; blanks, negatives, fractions, numbers past 2**53, a repeated id; year pairs."""
    frame = mixed_corpus(1500, 0.2)
    rng = np.random.default_rng(3)
    codes = [c for c in frame.columns if c.count(".") == 2]
    values = frame[codes].to_numpy(copy=True)
    rows, cols = rng.integers(0, len(frame), 400), rng.integers(0, len(codes), 400)
    values[rows, cols] = rng.choice([np.nan, -3.0, 2.5, 1e17, -np.inf], 400)
    frame[codes] = values
    frame.loc[7, "report_id"] = frame.loc[8, "report_id"]  # made unique as ...#2
    series = consistent_series(60, range(2021, 2024), seed=2)
    series.loc[::7, "requests.carried_over.natural_person"] += 1
    series.loc[::11, "proactive.regulations.in_force"] = np.nan
    return pd.concat([frame, series], ignore_index=True)


def _same(a: gds.ValidationResult, b: gds.ValidationResult) -> None:
    pd.testing.assert_frame_equal(a.violations[VIOLATION_COLUMNS], b.violations[VIOLATION_COLUMNS])
    pd.testing.assert_frame_equal(a.unverifiable, b.unverifiable)
    pd.testing.assert_frame_equal(a.summary(), b.summary())
    assert a.reports["ok"].tolist() == b.reports["ok"].tolist()


@pytest.mark.parametrize("blank_as_zero", [False, True])
def test_wide_frame_matrix_and_reports_give_one_result(messy: pd.DataFrame, blank_as_zero: bool) -> None:
    wide = gds.validate(messy, blank_as_zero=blank_as_zero)
    assert len(wide.violations) > 1000 and len(wide.unverifiable) > 0
    assert "continuity.carry_over" in set(wide.violations["rule_id"])
    matrix = gds.validate(CellMatrix.from_wide(messy), blank_as_zero=blank_as_zero)
    _same(wide, matrix)
    pd.testing.assert_frame_equal(wide.reports, matrix.reports)
    sample = messy.iloc[::9]
    _same(
        gds.validate(sample, blank_as_zero=blank_as_zero),
        gds.validate(wide_to_reports(sample), blank_as_zero=blank_as_zero),
    )


def test_results_are_sorted_by_report_then_rule(messy: pd.DataFrame) -> None:
    v = gds.validate(messy).violations
    order = {r.id: i for i, r in enumerate(catalog())}
    keys = list(zip(v["report_id"], v["rule_id"].map(order), strict=True))
    assert keys == sorted(keys)
    assert v.index.equals(pd.RangeIndex(len(v)))


def test_blocks_of_a_wide_frame_are_the_matrix(messy: pd.DataFrame) -> None:
    """Whatever rows and cells the engine asks for, reading them from the frame gives the matrix's numbers."""
    matrix, cells = CellMatrix.from_wide(messy), WideCells(messy)
    pd.testing.assert_frame_equal(cells.meta, matrix.meta)
    rng = np.random.default_rng(0)
    layouts = matrix.meta[[LAYOUT_COLUMNS[t] for t in TABLES]].to_numpy()
    for rows in (np.arange(100, 1124), np.sort(rng.choice(len(messy), 300, replace=False))):
        sig = tuple(layouts[rows[0]])
        rows = rows[(layouts[rows] == sig).all(axis=1)]  # one layout signature, as the engine's blocks
        positions = compile_rules(catalog(), sig).cols
        values, status = cells.block(rows, positions)
        assert np.array_equal(values, matrix.values[np.ix_(rows, positions)].T, equal_nan=True)
        assert np.array_equal(status, matrix.status[np.ix_(rows, positions)].T)
    assert (matrix.status == 8).any()  # out_of_range cells were among them


def test_arrow_backed_columns_are_read() -> None:
    pytest.importorskip("pyarrow", reason="pyarrow (the parquet extra) is not installed")
    frame = mixed_corpus(800, 0.2)
    frame.loc[3, "requests.new.total"] = np.nan  # a null in an Arrow column is a blank
    texts = frame["requests.new.commercial"].map(lambda v: str(int(v))).astype(object)
    texts[5] = "/"  # a text column: cells as printed
    frame["requests.new.commercial"] = texts
    arrow = frame.convert_dtypes(dtype_backend="pyarrow")
    arrow["requests.new.commercial"] = texts.astype("string[pyarrow]")
    assert str(arrow["requests.new.total"].dtype).endswith("[pyarrow]")
    assert str(arrow["requests.new.commercial"].dtype).startswith("string")
    _same(gds.validate(arrow), gds.validate(frame))
    matrix = CellMatrix.from_wide(arrow)
    at = universe_index()
    assert matrix.status[3, at["requests.new.total"]] == 2  # blank
    assert matrix.status[5, at["requests.new.commercial"]] == 3  # not applicable


def _expected_message(row: pd.Series, sig: tuple[str, ...], zh: bool) -> str:
    """A violation's message as formatting one violation at a time gives it."""
    rule = catalog().get(row["rule_id"])
    if rule.check is not None:
        table, r, c = row["cells"][0].split(".")
        label = table_layout(table, sig[TABLES.index(table)]).cell_label(r, c)
        base = (rule.message_zh if zh else rule.message_en).format(cell_label=label)
    else:
        (instance,) = [
            i for i in compile_rules(catalog(), sig).instances if (i.rule.id, i.cells) == (row["rule_id"], row["cells"])
        ]
        base = instance.message_zh if zh else instance.message_en
    left, right, diff = fmt(row["lhs"]), fmt(row["rhs"]), fmt(row["imbalance"])
    if len(row["cells"]) == 1:
        if np.isnan(row["lhs"]):
            return base
        return base + (f"（值 {left}）" if zh else f" (value {left})")
    return base + (
        f"（左边 {left}，右边 {right}，差 {diff}）" if zh else f" (left {left}, right {right}, difference {diff})"
    )


def test_many_violations_get_every_message() -> None:
    frame = mixed_corpus(600, 0.2)
    lacking = (frame["layout.requests"] == "2019").to_numpy()
    many = without_table(frame, "proactive", lacking)
    result = gds.validate(many)
    v = result.violations
    present = v[v["rule_id"] == "cells.present"]
    per_report = {v: len(table_layout("proactive", v).cells) for v in ("2019", "2021")}
    assert len(present) == sum(per_report[t] for t in many.loc[lacking, "layout.proactive"])
    assert len(v) > len(present) > 0
    layouts = result.reports.set_index("report_id")[[LAYOUT_COLUMNS[t] for t in TABLES]]
    for _, row in v.sample(250, random_state=1).iterrows():
        sig = tuple(layouts.loc[row["report_id"]])
        assert row["message_zh"] == _expected_message(row, sig, zh=True)
        assert row["message_en"] == _expected_message(row, sig, zh=False)
    assert result.to_json()  # every row serializes


def test_column_of_infers_as_pandas_does() -> None:
    uniques = np.array(["a", "b", None], dtype=object)
    for codes in ([0, 1, 0, -1], [2, 2], [1, 2, -1], []):
        codes = np.array(codes, dtype=np.intp)
        expected = pd.Series([None if c < 0 else uniques[c] for c in codes])
        pd.testing.assert_series_equal(pd.Series(column_of(uniques, codes)), expected)
