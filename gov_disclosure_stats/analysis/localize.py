"""Error localization: the fewest cells to change so that every hard rule holds, and what they must be.

The Fellegi–Holt formulation of R's ``errorlocate``: for a report that fails hard rules, find the sets
of cells of least total weight whose change lets every hard rule hold, each set solved exactly as a
small mixed-integer programme (scipy's HiGHS), one per independent part of the rule system (the
requests table is one part, each review/litigation row another). Within a set, the rules often fix
the value a changed cell must take; recognisers of common slips (:mod:`.slips`) add evidence.
Nothing is changed: :meth:`Report.apply` applies a chosen solution explicitly. scipy is imported on
first use, so importing the package stays light.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import pairwise, product

import numpy as np
import pandas as pd

from ..core.layouts import TABLES, cell_universe, split_code, table_layout
from ..core.rules import CELL_CHECKS, Rule, RuleSet, catalog, check_not_empty
from ..model.collection import ReportSet
from ..model.matrix import ABSENT, CellMatrix, read_as_zero
from ..model.report import LAYOUT_COLUMNS, Report
from ..model.report import REQUIRED_CORRECTION_COLUMNS as REQUIRED_CORRECTION_COLUMNS  # documented here
from ..model.report import apply_corrections as apply_corrections  # documented here; lives with Report
from ..model.result import fmt
from ..validation import narrative
from ..validation.engine import Compiled, Signature, as_matrix, compile_rules, validate
from .slips import (
    Evidence,
    copied_total,
    missing_leading_digit,
    neighbour_value,
    proposals,
    split_or_joined,
    transposed_digits,
)

CORRECTION_COLUMNS = [
    "report_id",
    "solution",
    "cell",
    "label_zh",
    "current",
    "suggested",
    "determined",
    "slip",
    "reason",
    "rules_repaired",
    "confidence",
    "weight",
    "ambiguous",
    "note",
    "where",
]
"""The columns of :func:`localize`'s frame, one row per changed cell of each solution."""
ROLES = ("leaf", "subtotal", "total")
"""Cell roles a ``weights=`` mapping may name: a total is the lone left side of a sum rule (总计, （七）总计),
a subtotal the same for a cell a report prints only sometimes (小计, a printed （三） row); the rest are leaves."""
TIME_LIMIT = 20.0
"""Seconds one MILP may take before the solutions found so far are returned (with a note)."""
_EPS = 1e-9
_BOUNDS = ("non_negative", "integer")
"""The per-cell checks localize repairs (as bounds on the cells); the other checks it reports unrepaired."""


# -- one independent part of a report's rule system ---------------------------------------


@dataclass
class _Fix:
    """One minimal set of changed cells of one part: positions into the part's cells, values, ranges."""

    cells: tuple[int, ...]
    weight: float
    low: np.ndarray  # (len(cells),) least value each changed cell may take (others fixed)
    high: np.ndarray  # greatest value; equal to low where the rules determine it


@dataclass
class _System:
    """``lo <= A @ x <= hi`` over some cells with printed values ``v``, lower bounds and integrality."""

    A: np.ndarray  # (rules × cells)
    lo: np.ndarray
    hi: np.ndarray
    eq: np.ndarray  # (rules,) equalities (``hi - lo`` is twice their tolerance)
    v: np.ndarray
    lb: np.ndarray
    integer: np.ndarray
    w: np.ndarray

    def out_of_bounds(self) -> np.ndarray:
        return (self.v < self.lb) | (self.integer & (self.v != np.rint(self.v)))

    def minimal(self, max_solutions: int) -> tuple[list[_Fix], bool, bool]:
        """The sets of least weight (at most ``max_solutions``), whether more exist, whether time ran out.

        One- and two-cell sets are found directly; where none of them weighs less than any three cells
        could, the MILP decides.
        """
        order = np.sort(self.w)
        two, three = order[:2].sum() if len(order) > 1 else np.inf, order[:3].sum() if len(order) > 2 else np.inf
        found = self._singles()
        if not found or min(f.weight for f in found) >= two - _EPS:
            found += self._pairs()
        if found and min(f.weight for f in found) < three - _EPS:  # nothing larger can weigh as little
            least = min(f.weight for f in found)
            return [f for f in found if f.weight <= least + _EPS], False, False
        return self._enumerate(max_solutions)

    def _singles(self) -> list[_Fix]:
        """Every one-cell change that makes the part hold, with the values the cell may take."""
        s = self.A @ self.v
        violated = (s < self.lo) | (s > self.hi)
        bad = np.flatnonzero(self.out_of_bounds())
        if len(bad) > 1:
            return []
        covers = (self.A[violated] != 0).all(axis=0)
        candidates = np.flatnonzero(covers) if len(bad) == 0 else bad[covers[bad]]
        fixes = []
        acceptable = ~self.out_of_bounds()
        for j in candidates:
            col = self.A[:, j]
            nz = col != 0
            a, b = (self.lo[nz] - s[nz]) / col[nz], (self.hi[nz] - s[nz]) / col[nz]
            low = max(self.v[j] + np.max(np.minimum(a, b), initial=-np.inf), self.lb[j])
            high = self.v[j] + np.min(np.maximum(a, b), initial=np.inf)
            if self.integer[j]:
                low, high = np.ceil(low - 1e-7), np.floor(high + 1e-7)
            if low <= high + 1e-7 and not (acceptable[j] and low <= self.v[j] <= high):
                eq = np.flatnonzero(nz & self.eq)
                if len(eq):  # an equality pins it (to within its tolerance): its exact value
                    k = eq[0]
                    center = self.v[j] + ((self.lo[k] + self.hi[k]) / 2 - s[k]) / col[k]
                    center = np.rint(center) if self.integer[j] else center
                    if low - 1e-7 <= center <= high + 1e-7:
                        low = high = center
                fixes.append(_Fix((int(j),), float(self.w[j]), np.array([low]), np.array([high])))
        return fixes

    def _pairs(self) -> list[_Fix]:
        """Every two-cell change that makes the part hold where neither cell alone does.

        A cell of a minimal set is out of bounds, in a violated rule, or shares a rule with the other.
        """
        s = self.A @ self.v
        violated = (s < self.lo) | (s > self.hi)
        oob = self.out_of_bounds()
        if oob.sum() > 2:
            return []
        support = (self.A != 0).astype(float)
        uncovered = 1.0 - support[violated].T  # (cells × violated rules): 1 where the cell is not in the rule
        touching = (uncovered < 1).any(axis=1) | oob
        first = np.flatnonzero(touching)
        # a in a violated rule (or out of bounds); b too (after a), or sharing a rule with a; together they
        # cover every violated rule and every out-of-bounds cell
        later = np.arange(len(self.v))[None, :] > first[:, None]
        candidate = np.where(touching[None, :], later, (support[:, first].T @ support) > 0)
        candidate &= (uncovered[first] @ uncovered.T) == 0
        if oob.any():
            need = oob.astype(float)
            candidate &= (need[first, None] + need[None, :]) >= oob.sum()
        rows, partners = np.nonzero(candidate)
        fixes = []
        for a, b in zip(first[rows], partners, strict=True):
            fix = self._pair(int(a), int(b), s)
            if fix is not None:
                fixes.append(fix)
        return fixes

    def _pair(self, a: int, b: int, s: np.ndarray) -> _Fix | None:
        """The change of cells ``a`` and ``b`` (both changed) that makes the part hold, if any."""
        cols = self.A[:, [a, b]]
        touched = (cols != 0).any(axis=1)
        equal = touched & self.eq
        if equal.sum() >= 2:
            E, r = cols[equal], ((self.lo + self.hi) / 2 - s)[equal]
            delta, _, rank, _ = np.linalg.lstsq(E, r, rcond=None)
            if rank == 2:
                x = self.v[[a, b]] + delta
                x = np.where(self.integer[[a, b]], np.rint(x), x)
                delta = x - self.v[[a, b]]
                t = s + cols @ delta
                fits = np.all((t >= self.lo - 1e-7) & (t <= self.hi + 1e-7)) and np.all(x >= self.lb[[a, b]])
                if not fits or np.any(delta == 0):
                    return None
                return _Fix((a, b), float(self.w[[a, b]].sum()), x, x.copy())
        fix = self.determine(np.array([a, b]))
        if fix is None or any(lo == hi == self.v[j] for j, lo, hi in zip(fix.cells, fix.low, fix.high, strict=True)):
            return None
        return fix

    def _enumerate(self, max_solutions: int) -> tuple[list[_Fix], bool, bool]:
        """All sets of least weight by MILP with no-good cuts (one more solve proves there are no more).

        Besides ``|x_j - v_j| <= M d_j``, valid cuts make the relaxation tight: every violated rule
        changes a cell, every out-of-bounds cell changes, and a cell of a rule that holds exactly does
        not change alone.
        """
        from scipy import sparse
        from scipy.optimize import Bounds, LinearConstraint, milp

        n = len(self.v)
        s = self.A @ self.v
        violated = (s < self.lo) | (s > self.hi)
        imbalance = np.maximum(self.lo - s, 0) + np.maximum(s - self.hi, 0)
        big = np.ceil(2 * np.abs(self.v).sum() + 2 * np.nan_to_num(imbalance, posinf=0).sum() + 10)
        support = (self.A != 0).astype(float)
        eye = sparse.identity(n, format="csr")
        rows = [
            LinearConstraint(
                sparse.hstack([sparse.csr_matrix(self.A), sparse.csr_matrix((len(self.A), n))]), self.lo, self.hi
            ),
            LinearConstraint(sparse.hstack([eye, -big * eye]), -np.inf, self.v),
            LinearConstraint(sparse.hstack([-eye, -big * eye]), -np.inf, -self.v),
        ]
        if violated.any():
            cover = support[violated]
            rows.append(
                LinearConstraint(sparse.hstack([sparse.csr_matrix(cover.shape), sparse.csr_matrix(cover)]), 1, np.inf)
            )
        exact = ~violated & (self.lo == self.hi)
        k, j = np.nonzero(support[exact])
        if len(k):  # d_j <= sum of the other d_i of the rule
            alone = support[exact][k] * -1.0
            alone[np.arange(len(k)), j] = 1.0
            rows.append(
                LinearConstraint(sparse.hstack([sparse.csr_matrix(alone.shape), sparse.csr_matrix(alone)]), -np.inf, 0)
            )
        lower = np.concatenate([np.maximum(self.lb, self.v - big), self.out_of_bounds().astype(float)])
        bounds = Bounds(lower, np.concatenate([self.v + big, np.ones(n)]))
        integrality = np.concatenate([self.integer.astype(int), np.ones(n, dtype=int)])
        cost = np.concatenate([np.zeros(n), self.w])
        found: list[_Fix] = []
        tol = np.where(self.integer, 0.5, 1e-7 * np.maximum(1, np.abs(self.v)))
        while True:
            res = milp(
                cost, constraints=rows, integrality=integrality, bounds=bounds, options={"time_limit": TIME_LIMIT}
            )
            if res.x is None or (res.status == 1 and found):  # no more; or out of time: keep what is proven
                return found, False, res.status == 1
            changed = np.flatnonzero(np.abs(res.x[:n] - self.v) > tol)
            if res.status == 1:  # out of time before a first optimum: a repair, maybe not the smallest
                fix = self.determine(changed)
                return ([fix] if fix is not None else []), False, True
            if found and self.w[changed].sum() > found[0].weight + _EPS:
                return found, False, False
            if len(found) == max_solutions:
                return found, True, False
            fix = self.determine(changed)
            if fix is not None:
                found.append(fix)
            if len(found) == 1 and fix is not None:  # from now on any set as light as the first will do
                cost = np.zeros(2 * n)
                budget = np.concatenate([np.zeros(n), self.w])
                rows.append(LinearConstraint(budget, -np.inf, fix.weight + 1e-6))
            cut = np.zeros(2 * n)
            cut[n + changed] = 1.0
            rows.append(LinearConstraint(cut, -np.inf, len(changed) - 1))

    def determine(self, changed: np.ndarray) -> _Fix | None:
        """The range each changed cell may take with every other cell at its printed value (None: no fit)."""
        fixed = np.ones(len(self.v), dtype=bool)
        fixed[changed] = False
        A = self.A[:, changed]
        rest = self.A[:, fixed] @ self.v[fixed]
        lo, hi = self.lo - rest, self.hi - rest
        low, high = np.full(len(changed), np.nan), np.full(len(changed), np.nan)
        touched = (A != 0).any(axis=1)
        equal = touched & self.eq
        if equal.any():  # cells the equality rules pin down: their row of the null space is zero
            E = A[equal]
            _, sv, vt = np.linalg.svd(E)
            rank = int((sv > 1e-9 * max(sv.max(initial=0), 1)).sum())
            null = vt[rank:]
            pinned = np.all(np.abs(null) < 1e-9, axis=0) if len(null) else np.ones(len(changed), dtype=bool)
            x = np.linalg.lstsq(E, (lo + hi)[equal] / 2, rcond=None)[0]
            x = np.where(self.integer[changed], np.rint(x), x)
            low[pinned] = high[pinned] = x[pinned]
        for k in np.flatnonzero(np.isnan(low)):
            low[k], high[k] = self._extreme(A, lo, hi, changed, k, 1.0), -self._extreme(A, lo, hi, changed, k, -1.0)
        if np.isnan(low).any():
            return None
        return _Fix(tuple(int(j) for j in changed), float(self.w[changed].sum()), low, high)

    def _extreme(self, A, lo, hi, changed, k, sign) -> float:
        """min (sign 1) or −max (sign −1) of changed cell ``k`` over the changed cells (NaN: no fit)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        cost = np.zeros(len(changed))
        cost[k] = sign
        res = milp(
            cost,
            constraints=LinearConstraint(A, lo, hi),
            integrality=self.integer[changed].astype(int),
            bounds=Bounds(self.lb[changed], np.inf),
            options={"time_limit": TIME_LIMIT},
        )
        if res.status == 3:  # unbounded
            return -np.inf
        return float(res.fun) if res.x is not None else np.nan

    def fits(self, fix: _Fix, k: int, value: float) -> bool:
        """Whether changed cell ``k`` of ``fix`` may take ``value`` (the other changed cells free)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        changed = np.array(fix.cells)
        fixed = np.ones(len(self.v), dtype=bool)
        fixed[changed] = False
        rest = self.A[:, fixed] @ self.v[fixed]
        lower, upper = self.lb[changed].astype(float), np.full(len(changed), np.inf)
        lower[k] = upper[k] = value
        res = milp(
            np.zeros(len(changed)),
            constraints=LinearConstraint(self.A[:, changed], self.lo - rest, self.hi - rest),
            integrality=self.integer[changed].astype(int),
            bounds=Bounds(lower, upper),
        )
        return res.x is not None


# -- what is known about a layout signature -------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Per layout signature: the compiled rules and, per cell, its code, label, role and neighbours."""

    comp: Compiled
    sig: Signature
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    roles: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray
    names: tuple[str, ...]  # instance names, e.g. requests.row_total[granted.total]
    left: np.ndarray  # index of the cell to the left in the same row (−1: none)
    right: np.ndarray
    up: np.ndarray
    down: np.ndarray
    column_mates: tuple[tuple[int, ...], ...]  # the cells of the same table and column in other rows
    parts: dict[bytes, np.ndarray] = dataclasses.field(default_factory=dict, compare=False)

    def components(self, active: np.ndarray) -> np.ndarray:
        """The independent part of each cell, then of each active rule (cells joined by the rules they share)."""
        key = np.packbits(np.isin(np.arange(len(self.comp.instances)), active)).tobytes()
        label = self.parts.get(key)
        if label is None:
            from scipy.sparse import coo_matrix
            from scipy.sparse.csgraph import connected_components

            n, m = len(self.codes), len(active)
            r, c = np.nonzero(self.comp.coef[:, active].T)
            graph = coo_matrix((np.ones(len(r)), (c, n + r)), shape=(n + m, n + m))
            label = connected_components(graph, directed=False)[1]
            if len(self.parts) < 1024:
                self.parts[key] = label
        return label


@cache
def _layout(rules: RuleSet, sig: Signature) -> _Layout:
    comp = compile_rules(rules, sig)
    universe = cell_universe()
    codes = tuple(universe[p] for p in comp.cols)
    index = {c: j for j, c in enumerate(codes)}
    parts = [split_code(c) for c in codes]
    versions = dict(zip(TABLES, sig, strict=False))
    labels = tuple(table_layout(t, versions[t]).cell_label(r, c) for t, r, c in parts)
    summed = {next(iter(i.lhs.coefs)) for i in comp.instances if len(i.lhs.coefs) == 1 and len(i.rhs.coefs) > 1}
    roles = tuple(
        ("subtotal" if opt else "total") if code in summed else "leaf"
        for code, opt in zip(codes, comp.optional_cell, strict=True)
    )
    tol, c = comp.tolerance, comp.constant
    lo = np.select(
        [comp.op == 0, comp.op == 1, comp.op == 2, comp.op == 3, comp.op == 4],
        [c - tol, -np.inf, c - tol, -np.inf, c + tol + 1e-6],
    )
    hi = np.select(
        [comp.op == 0, comp.op == 1, comp.op == 2, comp.op == 3, comp.op == 4],
        [c + tol, c + tol, np.inf, c - tol - 1e-6, np.inf],
    )
    names = tuple(f"{i.rule.id}[{'.'.join(p for p in (i.row, i.column) if p)}]" for i in comp.instances)
    left, right, up, down = (np.full(len(codes), -1, dtype=np.intp) for _ in range(4))
    mates: dict[tuple[str, str], list[int]] = {}
    for table in TABLES:
        lay = table_layout(table, versions[table])
        rows = [r.code for r in lay.cell_rows]
        for row in rows:
            line = [index[f"{table}.{row}.{col}"] for col in lay.row_columns(row) if f"{table}.{row}.{col}" in index]
            for a, b in pairwise(line):
                right[a], left[b] = b, a
        for col in (n.code for n in lay.cell_columns):
            line = [index[f"{table}.{row}.{col}"] for row in rows if f"{table}.{row}.{col}" in index]
            for a, b in pairwise(line):
                down[a], up[b] = b, a
            mates[(table, col)] = line
    column_mates = tuple(tuple(mates.get((t, c), ())) for t, _, c in parts)
    return _Layout(comp, sig, codes, labels, roles, lo, hi, names, left, right, up, down, column_mates)


def _weights(lay: _Layout, weights: Mapping[str, float] | None) -> np.ndarray:
    """Each cell's weight: 1, or what ``weights`` says for its code or else its role."""
    w = np.ones(len(lay.codes))
    if not weights:
        return w
    by_role = {k: v for k, v in weights.items() if k in ROLES}
    for j, (code, role) in enumerate(zip(lay.codes, lay.roles, strict=True)):
        w[j] = weights.get(code, by_role.get(role, 1.0))
    return w


def _check_weights(weights: Mapping[str, float] | None) -> None:
    if not weights:
        return
    known = set(cell_universe())
    for key, value in weights.items():
        if key not in ROLES and key not in known:
            raise ValueError(
                f"weights: 「{key}」既不是单元格代码也不是角色（{'、'.join(ROLES)}） / "
                f"weights: {key!r} is neither a cell code nor a role ({', '.join(ROLES)})"
            )
        if not (isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and value > 0):
            raise ValueError(
                f"weights: {key} 的权重须为正数 / the weight of {key} must be a positive number: {value!r}"
            )


# -- the public function ------------------------------------------------------------------------


def localize(
    x: Report | Iterable[Report] | ReportSet | pd.DataFrame | CellMatrix,
    rules: RuleSet | Iterable[Rule | str] | None = None,
    blank_as_zero: bool = False,
    weights: Mapping[str, float] | None = None,
    max_solutions: int = 10,
    *,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """The cells to change in each report that fails hard rules, and the values they must take.

    Returns one row per changed cell of each minimal solution (columns :data:`CORRECTION_COLUMNS`),
    solutions numbered best first per report; an empty frame with those columns when every report
    passes. Only the hard rules of ``rules`` (default: the catalog) are used, reading missing values
    as :func:`validate` does (``blank_as_zero``): a rule with a missing operand is no constraint.
    ``weights`` maps cell codes or roles (``leaf``, ``subtotal``, ``total``) to positive weights
    (default 1 each: the fewest cells). At most ``max_solutions`` equally small solutions are listed
    per report; the ``note`` says when there were more. An empty ``rules`` is a :class:`RuleError`
    unless ``allow_empty=True``.
    """
    if max_solutions < 1:
        raise ValueError("max_solutions 须至少为 1 / max_solutions must be at least 1")
    _check_weights(weights)
    matrix, reports = as_matrix(x, "localize")
    ruleset = catalog() if rules is None else rules if isinstance(rules, RuleSet) else RuleSet(rules)
    check_not_empty(ruleset, allow_empty)
    hard = RuleSet(r for r in ruleset if r.kind == "hard" and not r.uses_previous)
    checks = {r.check: r.tolerance for r in hard if r.check in CELL_CHECKS}
    verdict = validate(matrix, rules=hard, blank_as_zero=blank_as_zero, allow_empty=True)
    if reports is not None:  # hard narrative rules, on the prose (as validate checks them on reports)
        verdict = narrative.attach(verdict, reports, matrix.meta["report_id"].to_numpy(), hard, blank_as_zero)
    unrepaired = _unrepaired(verdict.violations, hard)
    failing = np.flatnonzero(~verdict.reports["ok"].to_numpy(dtype=bool))
    records: list[dict[str, object]] = []
    signatures = matrix.meta[[LAYOUT_COLUMNS[t] for t in TABLES]].astype(str).to_numpy()
    for i in failing:
        lay = _layout(hard, tuple(signatures[i]))
        report = reports[i] if reports is not None else None
        skipped = unrepaired.get(str(matrix.meta["report_id"].iat[i]), ())
        records += _localize_one(
            lay, matrix, int(i), report, checks, blank_as_zero, _weights(lay, weights), max_solutions, skipped
        )
    frame = pd.DataFrame(records, columns=CORRECTION_COLUMNS)
    text = ["report_id", "cell", "label_zh", "slip", "reason", "note", "where"]
    frame[text] = frame[text].astype("str")
    frame["solution"] = frame["solution"].astype("Int64")
    frame["suggested"] = frame["suggested"].astype("Float64")
    frame["current"] = frame["current"].astype("Float64")
    frame["confidence"] = frame["confidence"].astype(float)
    frame["determined"] = frame["determined"].astype("boolean")
    frame["ambiguous"] = frame["ambiguous"].astype(bool)
    return frame


def _localize_one(
    lay: _Layout,
    matrix: CellMatrix,
    i: int,
    report: Report | None,
    checks: Mapping[str, float],
    blank_as_zero: bool,
    w: np.ndarray,
    max_solutions: int,
    skipped: tuple[str, ...] = (),
) -> list[dict[str, object]]:
    """The correction rows of one failing report (``skipped``: its failing rules that are no linear constraint)."""
    comp = lay.comp
    v = matrix.values[i, comp.cols].copy()
    status = matrix.status[i, comp.cols]
    if blank_as_zero:
        v[read_as_zero(status)] = 0.0
    missing = np.isnan(v)
    absent = (status == ABSENT) & comp.optional_cell
    applies = (absent.astype(np.float32) @ comp.operand) == 0
    unverifiable = ((missing & ~absent).astype(np.float32) @ comp.operand) > 0
    active = np.flatnonzero(applies & ~unverifiable)
    A = comp.coef[:, active].T  # (active rules × cells)
    lo, hi, eq = lay.lo[active], lay.hi[active], comp.op[active] == 0
    value = np.where(missing, 0.0, v)
    lb = np.where(comp.non_negative & ("non_negative" in checks), -checks.get("non_negative", 0.0), -np.inf)
    integer = comp.integer & ("integer" in checks)
    s = A @ value
    violated = (s < lo) | (s > hi)
    bad = ~missing & ((value < lb) | (integer & (np.abs(value - np.rint(value)) > checks.get("integer", 0.0))))

    n = len(v)
    label = lay.components(active)
    parts = sorted(set(label[n + np.flatnonzero(violated)]) | set(label[np.flatnonzero(bad)]))
    if not parts:  # only rules that are no linear constraint fail (a hard present or narrative rule)
        return [_unsolved(matrix, i, _skipped_note(skipped) or _NOTHING_TO_REPAIR)]

    per_part: list[list[tuple[list[dict[str, object]], float, float, int, tuple[int, ...]]]] = []
    capped = timed_out = False
    for part in parts:
        cells = np.flatnonzero((label[:n] == part) & ~missing)
        rows = np.flatnonzero(label[n:] == part)
        if not len(cells):  # a rule over no cell (its cells cancel out): no change of the numbers helps
            names = [lay.names[active[k]].removesuffix("[]") for k in rows[violated[rows]]]
            return [_unsolved(matrix, i, _join(_no_cells_note(names), _skipped_note(skipped)))]
        system = _System(
            A[np.ix_(rows, cells)], lo[rows], hi[rows], eq[rows], value[cells], lb[cells], integer[cells], w[cells]
        )
        fixes, more, late = system.minimal(max_solutions)
        capped, timed_out = capped or more, timed_out or late
        if not fixes:
            return [_unsolved(matrix, i, _join(_TIMED_OUT if timed_out else _CONTRADICTORY, _skipped_note(skipped)))]

        def repaired(j: int, rows: np.ndarray = rows, system: _System = system) -> tuple[str, ...]:
            return tuple(lay.names[active[rows[k]]] for k in np.flatnonzero(violated[rows] & (system.A[:, j] != 0)))

        per_part.append([_describe(lay, system, fix, cells, value, missing, repaired) for fix in fixes])

    combos = list(product(*per_part))
    combos.sort(  # least weight, then the strongest evidence, then totals first, then template order
        key=lambda combo: (
            round(sum(p[1] for p in combo), 9),
            -float(np.prod([p[2] for p in combo])),
            -sum(p[3] for p in combo),
            tuple(g for p in combo for g in p[4]),
        )
    )
    if len(combos) > max_solutions:
        combos, capped = combos[:max_solutions], True
    plausibility = np.array([np.prod([p[2] for p in combo]) for combo in combos])
    confidence = plausibility / plausibility.sum()
    note = _join(_note(len(combos), capped, timed_out, max_solutions), _skipped_note(skipped))
    report_id = matrix.meta["report_id"].iat[i]
    out = []
    for rank, (combo, conf) in enumerate(zip(combos, confidence, strict=True), 1):
        for p in combo:
            for row in p[0]:
                where = report.where(str(row["cell"])) if report is not None else None
                out.append(
                    {
                        "report_id": report_id,
                        "solution": rank,
                        **row,
                        "confidence": round(float(conf), 4),
                        "ambiguous": len(combos) > 1,
                        "note": note,
                        "where": where,
                    }
                )
    return out


def _describe(
    lay: _Layout,
    system: _System,
    fix: _Fix,
    cells: np.ndarray,
    value: np.ndarray,
    missing: np.ndarray,
    repaired: Callable[[int], tuple[str, ...]],
) -> tuple[list[dict[str, object]], float, float, int, tuple[int, ...]]:
    """One part's solution as rows (without report and rank), its weight, plausibility, count of totals
    and cell positions."""
    wanted = {
        int(cells[j]): (float(lo) + 0.0 if lo == hi else None)
        for j, lo, hi in zip(fix.cells, fix.low, fix.high, strict=True)
    }
    rows, plausibility, totals = [], 1.0, 0
    for k, j in enumerate(fix.cells):
        g = int(cells[j])
        current = float(value[g])
        suggested = wanted[g]
        evidence = _evidence(lay, g, current, suggested, value, missing, wanted)
        determined = suggested is not None
        if not determined:
            proposal = _proposal(lay, system, fix, k, g, current, value, missing)
            if proposal is not None:
                suggested, evidence = proposal
        strength = max((e.strength for e in evidence), default=0.0)
        plausibility *= 1 + 4 * strength
        totals += lay.roles[g] != "leaf"
        rows.append(
            {
                "cell": lay.codes[g],
                "label_zh": lay.labels[g],
                "current": current,
                "suggested": suggested,
                "determined": determined,
                "slip": max(evidence, key=lambda e: e.strength).slip if evidence else None,
                "reason": _reason(current, suggested, determined, fix.low[k], fix.high[k], evidence),
                "rules_repaired": repaired(j),
                "weight": float(system.w[j]),
            }
        )
    return rows, fix.weight, plausibility, totals, tuple(sorted(int(cells[j]) for j in fix.cells))


def _evidence(
    lay: _Layout,
    g: int,
    current: float,
    suggested: float | None,
    value: np.ndarray,
    missing: np.ndarray,
    wanted: Mapping[int, float | None],
) -> list[Evidence]:
    """What the recognisers say about changing cell ``g`` from ``current`` to ``suggested``."""

    def printed(j: int) -> float | None:
        return None if j < 0 or missing[j] else float(value[j])

    left, right = _beside(lay, lay.left, g, missing), _beside(lay, lay.right, g, missing)
    before = (printed(left), wanted.get(left)) if printed(left) is not None else None
    beside = (left, right, _beside(lay, lay.up, g, missing), _beside(lay, lay.down, g, missing))
    neighbours = {lay.labels[j]: value[j] for j in beside if j >= 0 and not missing[j]}
    found = [
        transposed_digits(current, suggested),
        missing_leading_digit(current, suggested),
        split_or_joined(current, suggested, printed(right), before),  # type: ignore[arg-type]
        neighbour_value(current, suggested, neighbours),
    ]
    if lay.roles[g] != "leaf":
        mates = {lay.labels[j]: value[j] for j in lay.column_mates[g] if j != g and not missing[j]}
        found.append(copied_total(current, suggested, mates))
    return [e for e in found if e is not None]


def _beside(lay: _Layout, direction: np.ndarray, g: int, missing: np.ndarray) -> int:
    """The printed cell next to ``g`` in a direction (an unprinted subtotal in between is skipped), or −1."""
    j = int(direction[g])
    while j >= 0 and missing[j] and lay.comp.optional_cell[j]:
        j = int(direction[j])
    return j


def _proposal(
    lay: _Layout, system: _System, fix: _Fix, k: int, g: int, current: float, value: np.ndarray, missing: np.ndarray
) -> tuple[float, list[Evidence]] | None:
    """For a cell the rules leave open: a value that undoes a slip and fits the rules, with the evidence."""
    right = _beside(lay, lay.right, g, missing)
    after = None if right < 0 or missing[right] else float(value[right])
    for tries, (candidate, _) in enumerate(proposals(current, after)):
        if tries >= 12:
            break
        if not fix.low[k] <= candidate <= fix.high[k] or not system.fits(fix, k, candidate):
            continue
        found = [
            transposed_digits(current, candidate),
            split_or_joined(current, candidate, after),
            missing_leading_digit(current, candidate),
        ]
        evidence = [dataclasses.replace(e, strength=e.strength / 2) for e in found if e is not None]
        if evidence:
            return candidate, evidence
    return None


def _reason(
    current: float, suggested: float | None, determined: bool, low: float, high: float, evidence: list[Evidence]
) -> str:
    """Why the cell changes and to what, in Chinese and English."""
    if determined:
        zh, en = [f"各规则确定其应为 {fmt(suggested)}"], [f"the rules determine {fmt(suggested)}"]
    else:
        if np.isfinite(high):
            span_zh, span_en = f"（可取 {fmt(low)} 至 {fmt(high)}）", f" ({fmt(low)} to {fmt(high)} would fit)"
        else:
            span_zh, span_en = f"（不小于 {fmt(low)} 的值都可以）", f" (any value from {fmt(low)} up would fit)"
        zh, en = [f"规则不能唯一确定其值{span_zh}"], [f"the rules do not determine its value{span_en}"]
        if suggested is not None:
            zh.append(f"按下述笔误推测为 {fmt(suggested)}")
            en.append(f"{fmt(suggested)} would undo the slip below")
    zh += [e.zh for e in evidence]
    en += [e.en for e in evidence]
    return "；".join(zh) + " / " + "; ".join(en)


def _note(count: int, capped: bool, timed_out: bool, max_solutions: int) -> str:
    parts = []
    if count > 1:
        parts.append(
            f"有 {count} 个同样小的改法，无法唯一确定 / {count} equally small solutions: the choice is ambiguous"
        )
    if capped:
        parts.append(
            f"只列出前 {max_solutions} 个（max_solutions） / only the first {max_solutions} are listed (max_solutions)"
        )
    if timed_out:
        parts.append(
            "求解超时，所列改法可能不全或不是最小 / "
            "the solver hit its time limit: the list may be incomplete or not minimal"
        )
    return "；".join(parts)


_TIMED_OUT = "求解超时 / the solver hit its time limit"
_CONTRADICTORY = (
    "改动现有数字无法使全部硬规则成立（规则互相矛盾？） / "
    "no change of the printed numbers satisfies every hard rule (contradictory rules?)"
)
_NOTHING_TO_REPAIR = "没有可通过改动数字修复的规则不成立 / no failing rule that a change of the numbers could repair"


def _no_cells_note(names: list[str]) -> str:
    return (
        f"不成立的规则 {'、'.join(names)} 不含可改动的单元格，改动数字无法使其成立 / "
        f"the failing rules {', '.join(names)} involve no cell that could change: "
        "no change of the numbers satisfies them"
    )


def _skipped_note(rule_ids: tuple[str, ...]) -> str:
    if not rule_ids:
        return ""
    return (
        f"localize 不修复这些不成立的规则（不是线性规则，请人工核对）：{'、'.join(rule_ids)} / "
        f"localize does not repair these failing rules (they are not linear: check them by hand): {', '.join(rule_ids)}"
    )


def _join(*notes: str) -> str:
    return "；".join(n for n in notes if n)


def _unrepaired(violations: pd.DataFrame, rules: RuleSet) -> dict[str, tuple[str, ...]]:
    """Per report id, its failing rules that localize does not repair: checks other than the cells' bounds."""
    skipped = [r.id for r in rules if r.check is not None and r.check not in _BOUNDS]
    failing = violations[violations["rule_id"].isin(skipped)]
    order = {rule_id: k for k, rule_id in enumerate(skipped)}
    return {
        str(report_id): tuple(sorted(set(group), key=order.__getitem__))
        for report_id, group in failing.groupby("report_id", sort=False)["rule_id"]
    }


def _unsolved(matrix: CellMatrix, i: int, note: str) -> dict[str, object]:
    """The row of a report that localize cannot repair (or that the solver ran out of time on), with why."""
    return {"report_id": matrix.meta["report_id"].iat[i], "ambiguous": False, "note": note}
