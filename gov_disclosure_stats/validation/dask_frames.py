"""Beyond one machine: loading files and validating a wide frame on a Dask cluster (the optional ``dask`` extra).

>>> reports, failures = gds.load_many("reports/", client="tcp://10.0.0.5:8786")   # doctest: +SKIP
>>> gds.validate(dask.dataframe.read_parquet("wide/*.parquet"))                     # doctest: +SKIP

Loading sends tasks of a few files to the cluster's workers; each worker runs
the same per-file code as a local worker process (limits, ``strict``, the
timeout, failures as rows, the prose figures), so the results are the same
reports and failures rows as locally. Validating a Dask DataFrame checks each
partition where it lives; the rules over two years go to the partitions that
hold an agency's reports, and the parts are put together into the one
:class:`~gov_disclosure_stats.ValidationResult` the pandas frame gives.

Nothing here imports Dask until it is used.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from ..core.layouts import TABLES
from ..core.rules import CELL_CHECKS, Rule, RuleSet, catalog, check_not_empty
from ..model.collection import agency_keys
from ..model.matrix import unique_ids
from ..model.report import LAYOUT_COLUMNS
from ..model.result import SUMMARY_COLUMNS, ValidationResult
from .engine import CHUNK_ROWS, consecutive_pairs, validate

INSTALL = 'pip install "gov_disclosure_stats[dask]"'
"""How to install what this module needs."""

def need_distributed() -> ModuleType:
    """The ``distributed`` package, or an ImportError saying how to install it."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed
    except ImportError:
        raise ImportError(
            f"在 Dask 集群上运行需要 dask 与 distributed，请安装：{INSTALL} / "
            f"running on a Dask cluster needs dask and distributed: {INSTALL}"
        ) from None
    return distributed


def is_dask_frame(x: object) -> bool:
    """True for a Dask DataFrame (told by its class, without importing Dask)."""
    return type(x).__module__.split(".")[0] == "dask" and hasattr(x, "to_delayed") and hasattr(x, "columns")


# -- validating a Dask DataFrame --------------------------------------------------------------------------------------


def validate_frame(
    frame: Any,
    rules: RuleSet | Sequence[Rule | str] | None = None,
    blank_as_zero: bool = False,
    agency_map: Mapping[str, str] | None = None,
    outcomes: bool = False,
    *,
    allow_empty: bool = False,
) -> ValidationResult:
    """:func:`~gov_disclosure_stats.validate` of a Dask DataFrame in the wide shape, partition by partition.

    Each partition is checked where it is (the rules of one year); the
    reports of the year pairs are grouped by agency (a hash of the agency
    key, as a shuffle) for the rules over two years. The result equals that
    of the whole frame in pandas: the same rows in the same order. Report ids
    repeated across partitions get ``#2``… as in one frame.
    """
    import dask

    if not hasattr(frame, "to_delayed") or not hasattr(frame, "columns"):
        raise TypeError("validate() 需要 Dask DataFrame / validate() takes a Dask DataFrame here, not a Series")
    ruleset = catalog() if rules is None else rules if isinstance(rules, RuleSet) else RuleSet(rules)
    check_not_empty(ruleset, allow_empty)
    one_year = RuleSet([r for r in ruleset if not r.uses_previous])
    two_years = RuleSet([r for r in ruleset if r.uses_previous])
    parts = frame.to_delayed()
    ids_of = frame["report_id"] if "report_id" in frame.columns else frame.index
    given = dask.compute(*[dask.delayed(_as_ids)(p) for p in ids_of.to_delayed()])
    fixed = _unique_ids(given)
    checked = dask.compute(
        *[
            dask.delayed(_check_part)(p, ids, one_year, blank_as_zero, outcomes)
            for p, ids in zip(parts, fixed, strict=True)
        ]
    )
    meta = pd.concat([r.reports.drop(columns=["ok", "blank_as_zero"]) for r in checked], ignore_index=True)
    current, before = consecutive_pairs(meta, agency_map) if two_years else (np.array([], int),) * 2
    paired: tuple[ValidationResult, ...] = ()
    if len(current):
        sizes = [len(i) for i in given]
        starts = np.cumsum([0, *sizes])
        involved = np.zeros(len(meta), dtype=bool)
        involved[current] = involved[before] = True
        buckets = max(1, frame.npartitions)
        split = [
            dask.delayed(_split_pairs, nout=buckets)(
                p, ids, np.flatnonzero(involved[starts[i] : starts[i + 1]]), agency_map, buckets
            )
            for i, (p, ids) in enumerate(zip(parts, fixed, strict=True))
        ]
        paired = dask.compute(
            *[
                dask.delayed(_check_pairs)([s[b] for s in split], two_years, blank_as_zero, agency_map, outcomes)
                for b in range(buckets)
            ]
        )
    return _combined(ruleset, meta, [*checked, *paired], (current, before), blank_as_zero, outcomes)


def _as_ids(part: pd.Series | pd.Index) -> list[str]:
    """A partition's report ids as ``CellMatrix.from_wide`` reads them."""
    return [str(i) for i in (part if isinstance(part, pd.Index) else part.astype(str))]


def _unique_ids(given: Sequence[list[str]]) -> list[list[str] | None]:
    """Per partition, the ids made unique over the whole frame, or None where they are unique as they are."""
    every = unique_ids([i for ids in given for i in ids])
    out: list[list[str] | None] = []
    start = 0
    for ids in given:
        mine = every[start : start + len(ids)]
        out.append(None if mine == ids else mine)
        start += len(ids)
    return out


def _with_ids(part: pd.DataFrame, ids: list[str] | None) -> pd.DataFrame:
    return part if ids is None else part.assign(report_id=ids)


def _check_part(
    part: pd.DataFrame, ids: list[str] | None, rules: RuleSet, blank_as_zero: bool, outcomes: bool
) -> ValidationResult:
    """A partition's reports checked on the rules of one year."""
    return validate(_with_ids(part, ids), rules, blank_as_zero, outcomes=outcomes, allow_empty=True)


def _split_pairs(
    part: pd.DataFrame, ids: list[str] | None, rows: np.ndarray, agency_map: Mapping[str, str] | None, buckets: int
) -> tuple[pd.DataFrame, ...]:
    """A partition's reports that belong to a year pair, in ``buckets`` pieces by a hash of their agency key."""
    part = _with_ids(part, ids).iloc[rows]
    keys = agency_keys(part["agency"].tolist(), agency_map)
    bucket = np.array([zlib.crc32(str(k).encode()) % buckets for k in keys], dtype=np.intp)
    return tuple(part[bucket == b] for b in range(buckets))


def _check_pairs(
    pieces: list[pd.DataFrame],
    rules: RuleSet,
    blank_as_zero: bool,
    agency_map: Mapping[str, str] | None,
    outcomes: bool,
) -> ValidationResult:
    """The rules over two years on every report of some agencies (all of each agency's paired reports)."""
    return validate(pd.concat(pieces), rules, blank_as_zero, agency_map, outcomes=outcomes, allow_empty=True)


def _combined(
    rules: RuleSet,
    meta: pd.DataFrame,
    parts: Sequence[ValidationResult],
    pairs: tuple[np.ndarray, np.ndarray],
    blank_as_zero: bool,
    outcomes: bool,
) -> ValidationResult:
    """One result from the partitions' results, its rows in the order the whole frame gives them."""
    order = {r.id: i for i, r in enumerate(rules)}
    violations = _concat([p.violations for p in parts])
    violations = violations.sort_values(
        ["report_id", "rule_id"], key=lambda s: s.map(order) if s.name == "rule_id" else s, kind="stable"
    ).reset_index(drop=True)
    counts = {r.id: np.zeros(4, dtype=np.int64) for r in rules}
    for part in parts:
        for row in part.summary().itertuples(index=False):
            counts[row.rule_id] += (row.items, row.passed, row.failed, row.unverifiable)
    summary = pd.DataFrame([(r.id, r.kind, *counts[r.id]) for r in rules], columns=SUMMARY_COLUMNS)
    jobs = _JobOrder(rules, meta, pairs)
    unverifiable = jobs.sorted(_concat([p.unverifiable for p in parts]))
    kept = jobs.sorted(_concat([p.outcomes for p in parts if p.outcomes is not None])) if outcomes else None
    hard = violations.loc[violations["severity"] == "hard", "report_id"].unique()
    reports = meta.assign(ok=~meta["report_id"].isin(hard), blank_as_zero=blank_as_zero)
    return ValidationResult(violations, summary, unverifiable, reports, blank_as_zero, kept)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after another; the first when all are empty (its columns kept)."""
    full = [f for f in frames if len(f)]
    if not full:
        return frames[0].iloc[:0]
    if len(full) == 1:
        return full[0].reset_index(drop=True)
    return pd.concat(full, ignore_index=True).infer_objects()  # None beside text is missing text, as in one frame


class _JobOrder:
    """The order the engine gives rows made block by block: reports grouped by layout signature (the year
    pairs after all single reports), blocks of ``CHUNK_ROWS``, in a block the per-cell rules one by one and
    then the linear rules, each report by report."""

    def __init__(self, rules: RuleSet, meta: pd.DataFrame, pairs: tuple[np.ndarray, np.ndarray]) -> None:
        self.block = CHUNK_ROWS
        self.step = {r.id: i for i, r in enumerate(r for r in rules if r.check in CELL_CHECKS)}
        self.position = pd.Index(meta["report_id"])
        signature = meta[[LAYOUT_COLUMNS[t] for t in TABLES]].astype(str).agg("|".join, axis=1).to_numpy()
        self.signature = signature
        self.rank = pd.Series(signature).groupby(signature).cumcount().to_numpy()
        current, before = pairs
        self.pair_signature = np.array([f"{a}|{b}" for a, b in zip(signature[current], signature[before], strict=True)])
        self.pair_rank = pd.Series(self.pair_signature).groupby(self.pair_signature).cumcount().to_numpy()
        self.pair_of = {(int(c), int(b)): j for j, (c, b) in enumerate(zip(current, before, strict=True))}

    def sorted(self, frame: pd.DataFrame) -> pd.DataFrame:
        if frame is None or len(frame) < 2:
            return frame
        row = self.position.get_indexer(frame["report_id"])
        related = frame["related_report_id"]
        pair = related.notna().to_numpy()
        signature = self.signature[row].astype(object)
        rank = self.rank[row].copy()
        if pair.any():
            before = self.position.get_indexer(related[pair])
            j = np.array([self.pair_of[(int(c), int(b))] for c, b in zip(row[pair], before, strict=True)])
            signature[pair] = self.pair_signature[j]
            rank[pair] = self.pair_rank[j]
        keys = pd.DataFrame(
            {
                "pair": pair,
                "signature": signature,
                "block": rank // self.block,
                "step": frame["rule_id"].map(self.step).fillna(len(self.step)).to_numpy(),
                "rank": rank,
            }
        )
        order = keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()
        return frame.iloc[order].reset_index(drop=True)
