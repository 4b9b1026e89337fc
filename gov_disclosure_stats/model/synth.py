"""Generated reports whose tables are consistent by construction (leaves first, totals summed).

For tests, benchmarks and demos; every value is drawn, every total is computed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.layouts import TABLES, table_layout
from .report import LAYOUT_COLUMNS, Report


def _counts(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 8.0) -> np.ndarray:
    """Small non-negative counts, zero about half the time, as real tables are."""
    return rng.poisson(scale, shape) * (rng.random(shape) < 0.5)


def consistent_wide(
    n: int,
    version: str = "2021",
    seed: int = 0,
    requests_layout: str | None = None,
    subtotals: bool = False,
) -> pd.DataFrame:
    """``n`` consistent reports as a wide DataFrame (one row per report).

    ``requests_layout="2019"`` with ``version="2021"`` prints （六）其他处理 as one
    row; ``subtotals=True`` adds the group subtotal rows and the 法人或其他组织
    subtotal column that some reports print.
    """
    rng = np.random.default_rng(seed)
    cells: dict[str, np.ndarray] = {}
    req = table_layout("requests", requests_layout or version)
    apps = req.leaves("applicants", "columns")
    orgs = req.leaves("organisations", "columns")
    leaves = req.leaves("outcomes")
    outcome = _counts(rng, (n, len(leaves), len(apps)))
    rows: dict[str, np.ndarray] = dict(zip(leaves, outcome.transpose(1, 0, 2), strict=True))
    rows["total_processed"] = outcome.sum(axis=1)
    rows["carried_forward"] = _counts(rng, (n, len(apps)), 3.0)
    stock = rows["total_processed"] + rows["carried_forward"]
    rows["carried_over"] = np.floor(rng.random(stock.shape) * (stock + 1) * 0.2).astype(np.int64)
    rows["new"] = stock - rows["carried_over"]
    if subtotals:
        for group in req.printable_groups:
            rows[group] = sum(rows[leaf] for leaf in req.leaves(group))
    for row, value in rows.items():
        for j, col in enumerate(apps):
            cells[f"requests.{row}.{col}"] = value[:, j]
        cells[f"requests.{row}.total"] = value.sum(axis=1)
        if subtotals:
            cells[f"requests.{row}.org_subtotal"] = value[:, [apps.index(c) for c in orgs]].sum(axis=1)

    review = table_layout("review_litigation", version)
    parts = review.leaves("results", "columns")
    for node in review.cell_rows:
        values = _counts(rng, (n, len(parts)), 4.0)
        for j, col in enumerate(parts):
            cells[f"review_litigation.{node.code}.{col}"] = values[:, j]
        cells[f"review_litigation.{node.code}.total"] = values.sum(axis=1)

    proactive = table_layout("proactive", version)
    for row, col in proactive.cells:
        kind = proactive.column_type(col)
        if kind == "money":
            value = np.round(rng.random(n) * 10000, 4)
        elif kind == "signed":
            value = rng.integers(-20, 21, n)
        else:
            value = rng.poisson(60, n)
        cells[f"proactive.{row}.{col}"] = value

    meta = {
        "report_id": [f"synthetic-{version}-{seed}-{i}" for i in range(n)],
        "agency": [f"机关{i}" for i in range(n)],
        "year": np.full(n, 2022 if version == "2021" else 2020),
        "template": np.full(n, version),
        **{LAYOUT_COLUMNS[t]: np.full(n, version) for t in TABLES},
    }
    meta[LAYOUT_COLUMNS["requests"]] = np.full(n, requests_layout or version)
    return pd.concat([pd.DataFrame(meta), pd.DataFrame(cells, dtype="float64")], axis=1)


def wide_to_reports(frame: pd.DataFrame) -> list[Report]:
    """Reports from the rows of a wide DataFrame (non-NaN cells become printed numbers)."""
    from .matrix import CellMatrix

    return CellMatrix.from_wide(frame).to_reports()


def inject_errors(frame: pd.DataFrame, rate: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Change one cell of about ``rate`` of the reports by a non-zero amount.

    Returns the altered frame and what was changed (``row``, ``cell``, ``old``, ``new``).
    """
    rng = np.random.default_rng(seed)
    codes = [c for c in frame.columns if c.startswith(("requests.", "review_litigation.")) and frame[c].notna().all()]
    chosen = np.flatnonzero(rng.random(len(frame)) < rate)
    cells = rng.choice(codes, len(chosen))
    out = frame.copy()
    old = out.to_numpy()[chosen, [out.columns.get_loc(c) for c in cells]].astype(float) if len(chosen) else np.array([])
    new = old + rng.choice([-3, -2, -1, 1, 2, 3, 10], len(chosen))
    new = np.where(new < 0, old + 1, new)
    for code in set(cells):
        mask = cells == code
        out.loc[out.index[chosen[mask]], code] = new[mask]
    return out, pd.DataFrame({"row": chosen, "cell": cells, "old": old, "new": new})


def consistent_series(agencies: int, years: range, seed: int = 0) -> pd.DataFrame:
    """Reports of ``agencies`` agencies over consecutive ``years`` (2021 layout) that also carry over:
    each year's 上年结转 is the year before's 结转下年度, and 现行有效件数 follows 制发 and 废止.
    """
    frames = [consistent_wide(agencies, "2021", seed=seed + k) for k in range(len(years))]
    req = table_layout("requests", "2021")
    columns = req.leaves("applicants", "columns")
    for k, (year, frame) in enumerate(zip(years, frames, strict=True)):
        frame["agency"] = [f"机关{i}" for i in range(agencies)]
        frame["year"] = year
        frame["report_id"] = [f"机关{i}-{year}" for i in range(agencies)]
        if k == 0:
            continue
        before = frames[k - 1]
        for col in columns:
            carried = before[f"requests.carried_forward.{col}"].to_numpy()
            stock = (frame[f"requests.total_processed.{col}"] + frame[f"requests.carried_forward.{col}"]).to_numpy()
            short = np.maximum(carried - stock, 0)  # carry forward more where this year cannot absorb it
            frame[f"requests.carried_forward.{col}"] += short
            frame[f"requests.carried_over.{col}"] = carried
            frame[f"requests.new.{col}"] = stock + short - carried
        for row in ("carried_forward", "carried_over", "new"):
            frame[f"requests.{row}.total"] = sum(frame[f"requests.{row}.{col}"] for col in columns)
        for row in ("regulations", "normative_documents"):
            base = before[f"proactive.{row}.in_force"].to_numpy()
            issued = frame[f"proactive.{row}.issued"].to_numpy()
            repealed = np.minimum(frame[f"proactive.{row}.repealed"].to_numpy(), base + issued)
            frame[f"proactive.{row}.repealed"] = repealed
            frame[f"proactive.{row}.in_force"] = base + issued - repealed
    return pd.concat(frames, ignore_index=True)


def mixed_corpus(n: int, error_rate: float = 0.05) -> pd.DataFrame:
    """``n`` reports in the mix of layouts real corpora have (2021; 2021 with （六） as one row; 2019 and
    2021 with printed subtotals), one cell changed in ``error_rate`` of them; a distinct agency each."""
    parts = [
        consistent_wide(n * 6 // 10, "2021", seed=1),
        consistent_wide(n * 2 // 10, "2021", seed=2, requests_layout="2019"),
        consistent_wide(n * 1 // 10, "2019", seed=3, subtotals=True),
    ]
    parts.append(consistent_wide(n - sum(len(p) for p in parts), "2021", seed=4, subtotals=True))
    frame = pd.concat(parts, ignore_index=True)
    frame["agency"] = [f"第{i}号机关" for i in range(n)]
    frame["report_id"] = [f"synthetic-{i}" for i in range(n)]
    return inject_errors(frame, error_rate, seed=5)[0]


def without_table(frame: pd.DataFrame, table: str, rows: np.ndarray) -> pd.DataFrame:
    """A copy of ``frame`` whose reports at ``rows`` (a boolean mask) left ``table`` blank: every cell NaN.

    Each blank cell is a ``cells.present`` warning: with the 2019 request layout's reports of
    :func:`mixed_corpus` and the proactive table, many soft violations.
    """
    out = frame.copy()
    codes = [c for c in out.columns if str(c).startswith(f"{table}.")]
    out.loc[np.asarray(rows, dtype=bool), codes] = np.nan
    return out
