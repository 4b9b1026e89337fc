"""The package's one ``validate``: a Dask DataFrame partition by partition, anything else by the engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ..core.rules import Rule, RuleSet
from ..model.matrix import CellMatrix
from ..model.report import Report
from ..model.result import ValidationResult
from . import engine
from .dask_frames import is_dask_frame, validate_frame


def validate(
    x: Report | Iterable[Report] | pd.DataFrame | CellMatrix,
    rules: RuleSet | Iterable[Rule | str] | None = None,
    blank_as_zero: bool = False,
    agency_map: Mapping[str, str] | None = None,
    outcomes: bool = False,
    *,
    allow_empty: bool = False,
) -> ValidationResult:
    """Check one report, many reports or a wide DataFrame against the rule catalog.

    Returns a :class:`ValidationResult`; it never raises for failing rules.
    ``rules`` defaults to the built-in :func:`catalog`; strings are read as user
    rules. ``blank_as_zero=True`` reads blank cells and rows a report left out
    (never "/" or text) as 0. Rules over two years (``continuity.*``) run on every pair of reports of one
    agency in consecutive years; ``agency_map`` maps renamed agencies' old names
    to one name so that their reports pair up. ``outcomes=True`` also keeps
    every applicable instance's outcome (passed / failed / unverifiable) in
    ``result.outcomes``. An empty ``rules`` would check nothing: it is a
    :class:`RuleError` unless ``allow_empty=True``.
    A Dask DataFrame in the wide shape is checked partition by partition (:mod:`.dask_frames`), with the same result.
    """
    if is_dask_frame(x):
        return validate_frame(x, rules, blank_as_zero, agency_map, outcomes, allow_empty=allow_empty)
    return engine.validate(x, rules, blank_as_zero, agency_map, outcomes, allow_empty=allow_empty)
