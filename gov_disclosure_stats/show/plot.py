"""Failure rates of validated reports: as a table (:func:`failure_rate_table`) and as a chart (:func:`failure_rates`).

Per rule, the share of checked items that fail (from ``result.summary()``);
per year, agency or template, the share of reports failing each rule. Chart texts are
English (rule ids are ASCII); agency names use an installed Chinese font where there is one
(:mod:`.fonts`), and English codes with one warning where there is none. The chart needs
matplotlib (``pip install "gov_disclosure_stats[plot]"``), imported only when a chart is drawn.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import fonts

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..model.result import ValidationResult

BY = ("rule", "year", "agency", "template")
UNITS = ("item", "report")
RATE_COLUMNS = ["rule_id", "severity", "checked", "failed", "rate"]
_COLOURS = {"hard": "#d62728", "soft": "#f0a020"}


def _check(by: str, unit: str | None) -> str:
    if by not in BY:
        raise ValueError(f"by 应为 {' / '.join(BY)} 之一 / by must be one of {', '.join(BY)}, not {by!r}")
    unit = unit or ("item" if by == "rule" else "report")
    if unit not in UNITS:
        raise ValueError(f"unit 应为 item 或 report / unit must be 'item' or 'report', not {unit!r}")
    return unit


def failure_rate_table(result: ValidationResult, by: str = "rule", *, unit: str | None = None) -> pd.DataFrame:
    """The failure rates that :func:`failure_rates` draws, one row per rule (and per group).

    Columns: (``year`` / ``agency`` / ``template`` when grouped,) ``rule_id``, ``severity``,
    ``checked``, ``failed``, ``rate`` = failed / checked (NaN where nothing was checked).

    ``unit="item"`` (the default for ``by="rule"``) counts rule instances: unverifiable ones
    are not checked. ``unit="report"`` (the default when grouped) counts reports: a report fails a
    rule when one of its instances fails. Counting per group needs to know which reports each rule
    applied to: a result made with ``validate(..., outcomes=True)`` knows; without it, every report
    of the group counts as checked for each rule that checked anything (``table.attrs["checked"]``
    says which), and ``unit="item"`` per group is refused.
    """
    unit = _check(by, unit)
    summary = result.summary()
    severity = dict(zip(summary["rule_id"], summary["severity"], strict=True))
    order = {r: i for i, r in enumerate(summary["rule_id"])}
    outcomes = result.outcomes
    if by == "rule" and unit == "item":
        checked = summary["passed"] + summary["failed"]
        table = summary.assign(checked=checked)[["rule_id", "severity", "checked", "failed"]]
        return _rates(table, "rule instances checked (passed + failed)")
    key = None if by == "rule" else by
    meta = result.reports[["report_id"] + ([key] if key else [])]
    if not len(meta) and (outcomes is not None or unit == "report"):  # nothing validated: nothing checked
        keys = [*([key] if key else []), "rule_id"]
        rows = [(r, 0, 0) for r in summary["rule_id"]] if key is None else []  # no groups
        counted = pd.DataFrame(rows, columns=[*keys, "checked", "failed"])
        described = "nothing was validated"
    elif outcomes is not None:
        done = outcomes[outcomes["outcome"] != "unverifiable"].merge(meta, on="report_id", how="left")
        done = done.assign(failed=done["outcome"] == "failed")
        if unit == "report":
            done = done.groupby(["report_id", "rule_id", *([key] if key else [])], dropna=False, sort=False).agg(
                failed=("failed", "any")
            )
            done = done.reset_index()
        keys = [*([key] if key else []), "rule_id"]
        counted = done.groupby(keys, dropna=False, sort=False).agg(checked=("failed", "size"), failed=("failed", "sum"))
        counted = _every_rule(counted.reset_index(), meta, key, summary)
        described = f"{'rule instances' if unit == 'item' else 'reports'} checked (validate(..., outcomes=True))"
    elif unit == "item":
        raise ValueError(
            f"按{by}统计规则实例需要 validate(..., outcomes=True) 的结果 / counting rule instances per {by} needs "
            "a result of validate(..., outcomes=True); unit='report' works without it"
        )
    else:
        counted = _reports_failing(result, meta, key, summary)
        described = "every report of the group, for each rule that checked anything (no outcomes kept)"
    counted = counted.assign(severity=counted["rule_id"].map(severity))
    counted = counted.assign(_order=counted["rule_id"].map(order).fillna(len(order)))
    counted = counted.sort_values([*([key] if key else []), "_order"], kind="stable").drop(columns="_order")
    columns = [*([key] if key else []), "rule_id", "severity", "checked", "failed"]
    return _rates(counted[columns].reset_index(drop=True), described)


def _every_rule(counted: pd.DataFrame, meta: pd.DataFrame, key: str | None, summary: pd.DataFrame) -> pd.DataFrame:
    """One row per group and rule, with 0 checked and failed where the rule never applied."""
    keys = [*([key] if key else []), "rule_id"]
    groups = [(g,) for g in meta[key].drop_duplicates()] if key else [()]
    full = pd.DataFrame([(*g, r) for g in groups for r in summary["rule_id"]], columns=keys)
    full = full.merge(counted, on=keys, how="left").fillna({"checked": 0, "failed": 0})
    return full.astype({"checked": int, "failed": int})


def _reports_failing(
    result: ValidationResult, meta: pd.DataFrame, key: str | None, summary: pd.DataFrame
) -> pd.DataFrame:
    """Per group and rule: the reports of the group (for rules that checked anything) and those failing."""
    applied = summary.loc[(summary["passed"] + summary["failed"]) > 0, "rule_id"]
    sizes = meta.groupby(key, dropna=False).size() if key else pd.Series({None: len(meta)})
    grid = pd.DataFrame(
        [(g, r, int(n)) for g, n in sizes.items() for r in summary["rule_id"]], columns=["_g", "rule_id", "checked"]
    )
    grid.loc[~grid["rule_id"].isin(applied), "checked"] = 0
    failing = result.violations[["report_id", "rule_id"]].drop_duplicates().merge(meta, on="report_id", how="left")
    failing = failing.assign(_g=failing[key] if key else None)
    counts = failing.groupby(["_g", "rule_id"], dropna=False).size().rename("failed").reset_index()
    grid = grid.merge(counts, on=["_g", "rule_id"], how="left").fillna({"failed": 0})
    grid["failed"] = grid["failed"].astype(int)
    return grid.rename(columns={"_g": key}) if key else grid.drop(columns="_g")


def _rates(table: pd.DataFrame, checked: str) -> pd.DataFrame:
    table = table.astype({"checked": int, "failed": int})
    table = table.assign(rate=(table["failed"] / table["checked"].where(table["checked"] > 0)).astype(float))
    table.attrs["checked"] = checked
    return table


# -- the chart ----------------------------------------------------------------------------------------


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            '绘图需要 matplotlib：pip install "gov_disclosure_stats[plot]" / '
            'plotting needs matplotlib: pip install "gov_disclosure_stats[plot]"'
        ) from exc
    return plt


def _group_labels(groups: list[str], result: ValidationResult, by: str) -> tuple[list[str], dict[str, Any]]:
    """The heatmap's row labels and the Text keywords that draw them.

    ASCII labels as they are. Chinese ones (agency names) in an installed CJK font through matplotlib's
    font fallback (the user's font first); without one, in English: an ASCII name taken from the
    group's report ids (a file name less its year and extension), else ``agency 1``, ``agency 2``…
    numbered in the order of :func:`failure_rate_table`'s groups, with one warning per process.
    """
    if all(label.isascii() for label in groups):
        return groups, {}
    font = fonts.cjk_font()
    if font is not None:
        return groups, {"fontfamily": fonts.families(font)}
    names = _english_names(result, by)
    labels = [label if label.isascii() else names.get(label, label) for label in groups]
    fonts.warn_missing(
        "英文代号标注中文名称（报告 id 或 agency 1、agency 2…）",
        "English codes for the Chinese names (from the report ids, or agency 1, agency 2, ...)",
    )
    return labels, {}


_YEAR = re.compile(r"^(19|20)\d\d[_\-. ]+|[_\-. ]+(19|20)\d\d$")


def _english_names(result: ValidationResult, by: str) -> dict[str, str]:
    """An ASCII label for each non-ASCII group: its reports' common file name, or ``{by} N``, never twice the same."""
    meta = result.reports[["report_id", by]].astype(str)
    order = sorted(meta[by].unique())
    names: dict[str, str] = {}
    used: set[str] = set()
    for n, group in enumerate(order, start=1):
        if group.isascii():
            used.add(group)
            continue
        stems = {_stem(rid) for rid in meta.loc[meta[by] == group, "report_id"]}
        name = stems.pop() if len(stems) == 1 else ""
        if not name or not name.isascii() or name in used:
            name = f"{by} {n}"
        names[group] = name
        used.add(name)
    return names


def _stem(report_id: str) -> str:
    """A report id less a repeat number (``#2``), its file extension and a year at either end."""
    stem = re.sub(r"#\d+$", "", report_id)
    stem = re.sub(r"\.[A-Za-z]{2,5}$", "", stem)
    return _YEAR.sub("", stem).strip("_-. ")


def failure_rates(
    result: ValidationResult,
    by: str = "rule",
    *,
    ax: Axes | None = None,
    top: int | None = None,
    unit: str | None = None,
) -> Axes:
    """Draw the failure rates of :func:`failure_rate_table` on a matplotlib Axes and return it.

    ``by="rule"``: one horizontal bar per rule that checked anything (red hard, amber soft),
    ``top`` keeps the rules with the highest rates. ``by="year"``, ``"agency"`` or
    ``"template"``: a heatmap of groups × rules, ``top`` keeps the groups with the highest
    rates.
    """
    plt = _pyplot()
    from matplotlib.ticker import PercentFormatter

    table = failure_rate_table(result, by=by, unit=unit)
    what = "items" if (unit or ("item" if by == "rule" else "report")) == "item" else "reports"
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    if by == "rule":
        shown = table[table["checked"] > 0]
        if top is not None:
            shown = shown.nlargest(top, "rate", keep="first")
        shown = shown.iloc[::-1]  # the first rule on top
        ax.barh(
            shown["rule_id"],
            shown["rate"],
            color=[_COLOURS.get(s, "#7f7f7f") for s in shown["severity"]],
        )
        for y, (rate, failed, checked) in enumerate(zip(shown["rate"], shown["failed"], shown["checked"], strict=True)):
            ax.annotate(f" {failed:,}/{checked:,}", (rate, y), va="center", fontsize=8)
        ax.set_xlabel(f"share of checked {what} failing")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlim(0, max(float(shown["rate"].max()) * 1.25 if len(shown) else 0, 0.01))
        ax.set_title("Rule failure rates")
        return ax
    grid = table[table["checked"] > 0].pivot_table(index=by, columns="rule_id", values="rate", dropna=False, sort=True)
    grid = grid[[r for r in table["rule_id"].drop_duplicates() if r in grid.columns]]
    if top is not None:
        grid = grid.loc[grid.max(axis=1).nlargest(top, keep="first").index]
    ax.set_title(f"Rule failure rates by {by}")
    if not grid.size:  # nothing validated, or no rule checked anything
        ax.text(0.5, 0.5, "nothing checked", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    image = ax.imshow(np.ma.masked_invalid(grid.to_numpy(dtype=float)), aspect="auto", cmap="Reds", vmin=0)
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=45, ha="right", fontsize=8)
    labels, font = _group_labels([str(i) for i in grid.index], result, by)
    ax.set_yticks(range(grid.shape[0]), labels, fontsize=8, **font)
    if grid.size <= 400:
        values = grid.to_numpy(dtype=float)
        dark = np.nanmax(values, initial=0) / 2
        for (i, j), rate in np.ndenumerate(values):
            if not np.isnan(rate):
                colour = "white" if dark and rate > dark else "black"
                ax.text(j, i, f"{rate:.0%}", ha="center", va="center", fontsize=7, color=colour)
    ax.figure.colorbar(image, ax=ax, label=f"share of {what} failing")
    return ax
