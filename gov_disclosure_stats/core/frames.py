"""Columns for new pandas frames, built with the dtypes pandas would infer, without a Python object per row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def as_inferred(column: pd.Series) -> Any:
    """The values of ``column`` for a new frame to hold with the dtype pandas infers for them: the column's
    own array when it has that dtype (text as ``str``), else its values as numpy."""
    if len(column) and column.dtype == pd.Series(["x"]).dtype:
        return column.array
    return column.to_numpy()


def column_of(uniques: Any, codes: np.ndarray) -> Any:
    """``uniques[codes]`` (None where a code is -1) with the dtype pandas infers for those values, built by one
    take: a column of many rows and few distinct values without a Python object per row."""
    missing = codes < 0
    used = np.bincount(codes[~missing], minlength=len(uniques)) > 0
    values, mapped = uniques[used], np.append(np.cumsum(used) - 1, -1)[codes]
    if missing.any():
        values = np.append(np.asarray(values, dtype=object), None)
        mapped[missing] = len(values) - 1
    return pd.Series(values).array.take(mapped)
