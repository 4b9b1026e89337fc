"""Property tests: generated consistent tables pass; any single changed cell is caught and named."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.synth import consistent_wide

LAYOUTS = st.sampled_from([("2021", None), ("2021", "2019"), ("2019", None)])


@settings(max_examples=25, deadline=None)
@given(layout=LAYOUTS, subtotals=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_generated_consistent_tables_pass(layout: tuple[str, str | None], subtotals: bool, seed: int) -> None:
    version, requests_layout = layout
    frame = consistent_wide(5, version, seed=seed, requests_layout=requests_layout, subtotals=subtotals)
    result = gds.validate(frame)
    assert result.ok, result.violations
    assert result.summary()["unverifiable"].sum() == 0


@settings(max_examples=15, deadline=None)
@given(
    layout=LAYOUTS,
    subtotals=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
    delta=st.integers(1, 50).flatmap(lambda d: st.sampled_from([d, -d])),
)
def test_every_single_changed_cell_is_caught_and_named(
    layout: tuple[str, str | None], subtotals: bool, seed: int, delta: int
) -> None:
    version, requests_layout = layout
    base = consistent_wide(1, version, seed=seed, requests_layout=requests_layout, subtotals=subtotals)
    codes = [c for c in base.columns if c.startswith(("requests.", "review_litigation."))]
    frame = pd.concat([base] * len(codes), ignore_index=True)
    frame["report_id"] = codes
    values = frame[codes].to_numpy(copy=True)
    values[np.arange(len(codes)), np.arange(len(codes))] += delta
    frame[codes] = values
    hard = gds.validate(frame).violations.query("severity == 'hard'")
    named = {(r, c) for r, cells in zip(hard["report_id"], hard["cells"], strict=True) for c in cells}
    missed = [code for code in codes if (code, code) not in named]
    assert not missed, f"changes not caught or not named: {missed[:5]}"
