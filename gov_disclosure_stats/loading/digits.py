"""Rows whose numbers ran together: the digit runs split back into cells by the rules.

Text scraped from a page can lose a table row's cell boundaries, so that
"一、本年新收政府信息公开申请数量 713000074" holds the seven numbers 71, 3, 0,
0, 0, 0, 74. :func:`run_together` tells such a row (a label, then fewer digit
runs than the row has cells) from a normal one. :func:`resolve` splits the runs
of one table: every split of a row's runs into its cells (no leading zeros, a
run never shares a cell with the next), kept when the rules within the row hold
(``requests.row_total``, ``review_litigation.row_total``, a printed
``org_subtotal``), then jointly across rows by the column rules
(``requests.outcome_total``, ``requests.balance``, printed group subtotals).
The rules are the hard equalities of the catalog, expanded on the table's
layout; nothing here re-types them.

A cell whose value is the same in every split that survives is a number (its
``where`` says which run it was split from); a cell whose value differs is
*ambiguous*: no value, its candidates kept in its raw text
(``"110000011 → 1 or 11"``). No surviving split is a :class:`LoadError`
naming the run; so is a search that would take more than :data:`MAX_STEPS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import accumulate, combinations, pairwise
from typing import NamedTuple

from ..core.errors import LoadError, zh_place
from ..core.layouts import TableLayout, table_layout
from ..core.rules import catalog, expand
from ..core.values import Status, normalize_text, parse_cell
from ..model.grid import GridCell

Key = tuple[str, str]  # (row code, column code)

MAX_STEPS = 500_000
"""Search steps per table (splits tried, row by row and then jointly) before :func:`resolve` gives up."""

MAX_SHOWN = 6
"""Candidate values listed in an ambiguous cell's raw text."""

MAX_PLACES = 8
"""Places of rows named in one error message."""

EXACT_CELLS = 3
"""Up to this many cells left, a row's search checks the exact sums the digits left can make."""

_RUN = re.compile(r"[0-9]+(?:\s+[0-9]+)*")
_TRAILING = re.compile(r"(?P<label>.*?[^0-9\s])\s*(?P<digits>[0-9]+(?:\s+[0-9]+)*)")


class Run(NamedTuple):
    """The digits of one printed cell, or of one space-separated part of it, and that cell."""

    digits: str
    cell: GridCell


@dataclass(frozen=True)
class RunRow:
    """A row whose numbers ran together: its label cells, its digit runs and the cells they fill.

    ``targets`` are the ``(row, column)`` codes of the cells, in printed order;
    the reader sets them once it has matched the label (:meth:`into`).
    """

    labels: tuple[GridCell, ...]
    runs: tuple[Run, ...]
    targets: tuple[Key, ...] = ()

    @property
    def text(self) -> str:
        """The runs as printed, separated by a space: ``"71 30000 74"``."""
        return " ".join(run.digits for run in self.runs)

    @property
    def where(self) -> str:
        """Where the first run was printed."""
        return self.runs[0].cell.where

    @property
    def label(self) -> str:
        """The last label cell's text (for messages)."""
        return " ".join(self.labels[-1].text.split()) if self.labels else ""

    def into(self, targets: Sequence[Key]) -> RunRow:
        """The same row filling ``targets``."""
        return replace(self, targets=tuple(targets))


def _run_digits(text: str) -> list[str] | None:
    """The digit runs of a cell that holds only digits (several runs when separated by spaces), else None."""
    text = normalize_text(text)
    return text.split() if _RUN.fullmatch(text) else None


def _fits(row: Sequence[GridCell], n: int, is_label: Callable[[str], bool]) -> bool:
    """True when the row reads as labels and its last ``n`` cells as values, no label among the values."""
    if len(row) <= n:
        return False
    labelled = False
    for cell in row[:-n]:
        status = parse_cell(cell.text).status
        if status is Status.NUMBER:
            return False
        labelled = labelled or status is not Status.BLANK
    if not labelled:
        return False
    values = row[-n:]
    filled = 0
    for cell in values:
        text = cell.text
        if text.isdigit():  # the common case, a bare count: no parsing
            filled += 1
        elif parse_cell(text).status is Status.TEXT and is_label(text):
            return False
        elif not cell.empty:
            filled += 1
    # one run of n digits or more and the rest empty: a cell merged across the row (HTML colspan), not a count
    if filled > 1 or values[0].empty:
        return True
    first = _run_digits(values[0].text)
    return not (first and sum(map(len, first)) >= n)


def run_together(row: Sequence[GridCell], n: int, is_label: Callable[[str], bool]) -> RunRow | None:
    """The row as labels and digit runs for ``n`` cells, or None unless its numbers ran together.

    Only a row that does not read as labels and ``n`` values (``is_label`` tells
    a row label printed where a value should be; one run of ``n`` digits or more
    followed by empty cells is a run merged across the row) is looked at: its
    last filled cells hold only digits, after a label cell (or at the end of the
    label cell's own text: ``"一、本年新收… 713000074"``), and they are fewer
    than ``n`` numbers but at least ``n`` digits. Empty cells around the runs
    (merged positions) are passed over. A label followed by exactly ``n``
    space-separated numbers in one cell is a run row too, with nothing to split.
    """
    if _fits(row, n, is_label):
        return None
    runs: list[Run] = []
    k = len(row)
    while k and row[k - 1].empty:  # positions a run merged across the row's columns leaves empty
        k -= 1
    while k and (digits := _run_digits(row[k - 1].text)) is not None:
        runs[:0] = [Run(d, row[k - 1]) for d in digits]
        k -= 1
    while k and row[k - 1].empty:  # positions a label merged across columns leaves empty
        k -= 1
    if k == 0:
        return None
    label = row[k - 1]
    text = normalize_text(label.text)
    trailing = _TRAILING.fullmatch(text)
    if trailing is not None:
        runs[:0] = [Run(d, label) for d in trailing["digits"].split()]
        label = label._replace(text=trailing["label"])
    if parse_cell(label.text).status is not Status.TEXT or not runs or len(runs) > n:
        return None
    if sum(len(run.digits) for run in runs) < n:
        return None
    return RunRow((*row[: k - 1], label), tuple(runs))


def unlabelled_run(cells: Sequence[GridCell], n: int) -> RunRow | None:
    """Cells that hold only digits, fewer than ``n`` numbers but at least ``n`` digits, as a run row without
    a label (table 四 printed as one row of numbers); None otherwise."""
    runs: list[Run] = []
    for cell in cells:
        digits = _run_digits(cell.text)
        if digits is None:
            return None
        runs += [Run(d, cell) for d in digits]
    if not runs or len(runs) > n or sum(len(run.digits) for run in runs) < n:
        return None
    return RunRow((), tuple(runs))


# -- splitting one row -----------------------------------------------------------------------


def splits(runs: Sequence[str], n: int) -> Iterator[tuple[int, ...]]:
    """Every split of digit runs into ``n`` numbers, in order: each run into one or more numbers, no
    number with a leading zero (``"0"`` itself is a number).

    Of the 28 ways to cut ``"713000074"`` into 7 numbers, the 7 without a leading zero.
    """
    for run in runs:
        if not run.isdigit():
            raise ValueError(f"not a run of digits: {run!r}")
    text = "".join(runs)
    forced = set(accumulate(len(run) for run in runs[:-1]))
    free = [i for i in range(1, len(text)) if i not in forced]
    if len(forced) > n - 1:
        return
    for cuts in combinations(free, n - 1 - len(forced)):
        edges = [0, *sorted([*cuts, *forced]), len(text)]
        parts = [text[a:b] for a, b in pairwise(edges)]
        if all(p == "0" or p[0] != "0" for p in parts):
            yield tuple(int(p) for p in parts)


class _Budget:
    """Search steps left for one table."""

    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _TooMany


class _TooMany(Exception):
    """The search would take more than :data:`MAX_STEPS` steps."""


@dataclass
class _Equation:
    """``sum(coef * cell) == constant`` over unknown cells, a rule instance with its known cells moved right."""

    rule: str
    coefs: dict[tuple[int, int], int]  # (run row index, cell index in the row) → coefficient
    constant: int


class _Split(NamedTuple):
    values: tuple[int, ...]
    runs: tuple[int, ...]  # the run each cell was cut from


def _row_splits(row: RunRow, equations: Sequence[_Equation], index: int, budget: _Budget) -> list[_Split]:
    """The splits of one row's runs into its cells that satisfy the equations over this row only.

    A depth-first search that fills the cells from the end of the row when that
    puts each equation's total first (a row total is printed last). A partial
    split is dropped as soon as an equation can no longer hold: when the cells
    still to fill are all the equation's parts, their sum must be one the digits
    left can be split into (between the least and the greatest such sum, no
    part longer than the sum; exactly, for the last few cells); otherwise each
    lies between 0 and the largest number the digits left could make. A cell
    too big for an equation ends the lengths tried for it.
    """
    n = len(row.targets)
    text = "".join(run.digits for run in row.runs)
    size = len(text)
    run_of = [r for r, run in enumerate(row.runs) for _ in run.digits]
    local = [
        ({j: c for (r, j), c in eq.coefs.items() if r == index}, eq.constant)
        for eq in equations
        if all(r == index for r, _ in eq.coefs)
    ]
    backward = _totals_last(local)
    order = list(range(n - 1, -1, -1)) if backward else list(range(n))
    step_of = {j: t for t, j in enumerate(order)}
    touched: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    last_step = [max(step_of[j] for j in coefs) for coefs, _ in local]
    for k, (coefs, _) in enumerate(local):
        for j, c in coefs.items():
            touched[step_of[j]].append((k, c))
    # per equation and step: the sums of the positive and of the negative coefficients of the cells filled
    # later, and the one coefficient of all of them when the equation reads every cell left, each alike
    later_pos = [[0] * n for _ in local]
    later_neg = [[0] * n for _ in local]
    uniform: list[list[int | None]] = [[None] * n for _ in local]
    for k, (coefs, _) in enumerate(local):
        for t in range(n):
            rest = [coefs.get(order[u], 0) for u in range(t + 1, n)]
            later_pos[k][t] = sum(c for c in rest if c > 0)
            later_neg[k][t] = sum(c for c in rest if c < 0)
            uniform[k][t] = rest[0] if rest and rest[0] and rest.count(rest[0]) == len(rest) else None
    # a cell whose coefficient has the sign of every later one is capped: the later ones can only add to it
    capped = [
        [(c, k) for k, c in touched[t] if all(c * x >= 0 for x in _later(local[k][0], order, t))] for t in range(n)
    ]
    low, _ = _sum_bounds(row, backward, n, size)
    capped_bounds: dict[int, tuple[list[list[int | None]], list[list[int | None]]]] = {}
    constants = [b for _, b in local]
    acc = [0] * len(local)
    values = [0] * n
    cut_from = [0] * n
    out: list[_Split] = []

    sums: dict[tuple[int, int], frozenset[int]] = {(0, 0): frozenset({0})}

    def exact_sums(rest: int, cells: int) -> frozenset[int]:
        """Every sum the ``rest`` digits left make when split into ``cells`` cells (for few cells)."""
        if (rest, cells) not in sums:
            found: set[int] = set()
            for length in range(1, rest - cells + 2) if cells else ():
                a, b = (rest - length, rest) if backward else (size - rest, size - rest + length)
                if run_of[a] != run_of[b - 1]:
                    break
                if length == 1 or text[a] != "0":
                    value = int(text[a:b])
                    found.update(value + x for x in exact_sums(rest - length, cells - 1))
            sums[(rest, cells)] = frozenset(found)
        return sums[(rest, cells)]

    def fits(t: int, rest: int) -> bool:
        cells_left = n - t - 1
        bound = 10 ** (rest - cells_left + 1) - 1 if cells_left else 0
        for k, _ in touched[t]:
            gap = constants[k] - acc[k]
            if t == last_step[k]:
                if gap:
                    return False
                continue
            c = uniform[k][t]
            if c is not None:  # the cells left sum to gap / c, none of them more than that sum
                total, remainder = divmod(gap, c)
                if remainder or total < 0:
                    return False
                longest = len(str(total))
                if longest not in capped_bounds:
                    capped_bounds[longest] = _sum_bounds(row, backward, n, longest)
                lows, highs = capped_bounds[longest]
                lo, hi = lows[rest][cells_left], highs[rest][cells_left]
                if lo is None or not lo <= total <= hi:  # type: ignore[operator]
                    return False
                if cells_left <= EXACT_CELLS and total not in exact_sums(rest, cells_left):
                    return False
            elif not later_neg[k][t] * bound <= gap <= later_pos[k][t] * bound:
                return False
        return True

    def fill(t: int, pos: int) -> None:
        budget.spend()
        j = order[t]
        cells_left = n - t - 1
        if backward:
            longest = min(pos - _run_start(run_of, pos - 1), pos - cells_left)
            spans = [(pos - length, pos) for length in range(1, longest + 1)]
        else:
            longest = min(_run_end(run_of, pos) - pos, size - pos - cells_left)
            spans = [(pos, pos + length) for length in range(1, longest + 1)]
        for a, b in spans:
            if b - a > 1 and text[a] == "0":
                continue
            rest = a if backward else size - b
            if low[rest][cells_left] is None:  # the digits left cannot be split into the cells left
                continue
            value = int(text[a:b])
            if any(
                c * value > constants[k] - acc[k] if c > 0 else c * value < constants[k] - acc[k] for c, k in capped[t]
            ):
                break  # too big for an equation, and a longer cell only makes a bigger number
            for k, c in touched[t]:
                acc[k] += c * value
            values[j], cut_from[j] = value, run_of[a]
            if fits(t, rest):
                if cells_left:
                    fill(t + 1, a if backward else b)
                else:
                    out.append(_Split(tuple(values), tuple(cut_from)))
            for k, c in touched[t]:
                acc[k] -= c * value

    fill(0, size if backward else 0)
    return out


def _later(coefs: dict[int, int], order: list[int], t: int) -> list[int]:
    """The coefficients of the cells filled after step ``t``."""
    return [coefs[j] for j in order[t + 1 :] if j in coefs]


def _run_start(run_of: list[int], i: int) -> int:
    """Where the run holding digit ``i`` starts."""
    while i and run_of[i - 1] == run_of[i]:
        i -= 1
    return i


def _run_end(run_of: list[int], i: int) -> int:
    """Where the run holding digit ``i`` ends (exclusive)."""
    while i + 1 < len(run_of) and run_of[i + 1] == run_of[i]:
        i += 1
    return i + 1


def _sum_bounds(
    row: RunRow, backward: bool, n: int, longest: int
) -> tuple[list[list[int | None]], list[list[int | None]]]:
    """The least and greatest sums of the ways to split the digits left into the cells left, no cell
    longer than ``longest`` digits.

    ``low[d][r]`` is for the ``d`` digits still to split (the first ``d`` when
    filling backward, the last ``d`` when forward) into ``r`` cells; None when
    they cannot be (a run needs a cell of its own, a cell no leading zero).
    """
    text = "".join(run.digits for run in row.runs)
    run_of = [r for r, run in enumerate(row.runs) for _ in run.digits]
    if not backward:  # the last d digits, read from the end: the same recursion on the reversed row
        text, run_of = text[::-1], run_of[::-1]
    size = len(text)
    low: list[list[int | None]] = [[None] * (n + 1) for _ in range(size + 1)]
    high: list[list[int | None]] = [[None] * (n + 1) for _ in range(size + 1)]
    low[0][0] = high[0][0] = 0
    for d in range(1, size + 1):
        for length in range(1, min(d, longest) + 1):
            a = d - length
            if run_of[a] != run_of[d - 1]:
                break
            digits = text[a:d] if backward else text[a:d][::-1]
            if length > 1 and digits[0] == "0":
                continue
            value = int(digits)
            for r in range(1, n + 1):
                below_low, below_high = low[a][r - 1], high[a][r - 1]
                if below_low is None or below_high is None:
                    continue
                if low[d][r] is None or below_low + value < low[d][r]:  # type: ignore[operator]
                    low[d][r] = below_low + value
                if high[d][r] is None or below_high + value > high[d][r]:  # type: ignore[operator]
                    high[d][r] = below_high + value
    return low, high


def _totals_last(local: Sequence[tuple[dict[int, int], int]]) -> bool:
    """True when the equations' totals (their lone positive cell) sit after their parts, as row totals do."""
    votes = 0
    for coefs, _ in local:
        pos = [j for j, c in coefs.items() if c > 0]
        neg = [j for j, c in coefs.items() if c < 0]
        if len(pos) == 1 and neg:
            votes += 1 if pos[0] > max(neg) else -1
        elif len(neg) == 1 and pos:
            votes += 1 if neg[0] > max(pos) else -1
    return votes > 0


# -- the rules of a table ----------------------------------------------------------------------


@cache
def _instances(table: str, version: str) -> tuple[tuple[str, tuple[tuple[Key, int], ...], float], ...]:
    """The catalog's hard equalities on one layout as ``(rule id, ((row, column), coefficient)…, constant)``:
    ``sum(coefficient * cell) == constant``."""
    layout = table_layout(table, version)
    out = []
    for rule in catalog():
        if rule.kind != "hard" or rule.check is not None or rule.uses_previous or rule.table != table:
            continue
        for inst in expand(rule, {table: layout}):
            if inst.op != "==":
                continue
            coefs: dict[Key, int] = {}
            for side, sign in ((inst.lhs, 1), (inst.rhs, -1)):
                for code, coef in side.coefs.items():
                    _, row, column = code.split(".")
                    coefs[(row, column)] = coefs.get((row, column), 0) + int(sign * coef)
            out.append((rule.id, tuple(coefs.items()), inst.rhs.constant - inst.lhs.constant))
    return tuple(out)


def _equations(layout: TableLayout, rows: Sequence[RunRow], known: Mapping[Key, float | None]) -> list[_Equation]:
    """The rule instances that read a cell of a run, with the known cells moved to the right.

    An instance that reads a cell the table lacks, or a printed cell that is
    not a number, says nothing about the split and is left out.
    """
    where = {key: (r, j) for r, row in enumerate(rows) for j, key in enumerate(row.targets)}
    out = []
    for rule, terms, constant in _instances(layout.table, layout.version):
        coefs: dict[tuple[int, int], int] = {}
        for key, coef in terms:
            if key in where:
                coefs[where[key]] = coefs.get(where[key], 0) + coef
            elif (value := known.get(key)) is not None:
                constant -= coef * value
            else:
                break
        else:
            if any(coefs.values()):
                out.append(_Equation(rule, {k: c for k, c in coefs.items() if c}, round(constant)))
    return out


# -- the whole table -------------------------------------------------------------------------------


class Recovered(NamedTuple):
    """A cell recovered from a run: the cell to place (its text the number, or the run and the
    candidates when ambiguous; its place naming the run) and its candidate values."""

    cell: GridCell
    candidates: tuple[int, ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def unplaced(self) -> bool:
        """True when the run could not be split (``resolve`` with ``on_error``): the cell holds the run."""
        return not self.candidates


@dataclass
class _Joint:
    """The rows still to split jointly, their candidate splits and the equations across them."""

    rows: list[int]
    domains: dict[int, list[_Split]]
    equations: list[_Equation]
    budget: _Budget
    contributions: list[dict[int, list[int]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for eq in self.equations:
            by_row: dict[int, list[tuple[int, int]]] = {}
            for (r, j), c in eq.coefs.items():
                by_row.setdefault(r, []).append((j, c))
            self.contributions.append(
                {r: [sum(c * s.values[j] for j, c in terms) for s in self.domains[r]] for r, terms in by_row.items()}
            )

    def keep(self, r: int, alive: list[bool]) -> None:
        """Keep only the candidates of row ``r`` marked alive."""
        self.domains[r] = [s for s, ok in zip(self.domains[r], alive, strict=True) if ok]
        for contrib in self.contributions:
            if r in contrib:
                contrib[r] = [v for v, ok in zip(contrib[r], alive, strict=True) if ok]

    def propagate(self) -> int | None:
        """Drop candidates no choice of the other rows can complete (bounds); a row left with none, else None."""
        changed = True
        while changed:
            changed = False
            for eq, contrib in zip(self.equations, self.contributions, strict=True):
                lows = {r: min(v) for r, v in contrib.items()}
                highs = {r: max(v) for r, v in contrib.items()}
                low, high = sum(lows.values()), sum(highs.values())
                for r, values in contrib.items():
                    others_low, others_high = low - lows[r], high - highs[r]
                    alive = [others_low <= eq.constant - v <= others_high for v in values]
                    if not all(alive):
                        self.budget.spend()
                        self.keep(r, alive)
                        if not self.domains[r]:
                            return r
                        changed = True
                        lows[r], highs[r] = min(contrib[r]), max(contrib[r])
                        low, high = sum(lows.values()), sum(highs.values())
        return None

    def supported(self) -> None:
        """Keep only the candidates that some joint split uses (a depth-first search per doubtful candidate)."""
        rows = sorted(self.rows, key=lambda r: len(self.domains[r]))
        used: dict[int, set[int]] = {r: set() for r in rows}
        for r in rows:
            for i in range(len(self.domains[r])):
                if i in used[r]:
                    continue
                found = self._search(rows, {r: i})
                if found is None:
                    continue
                for row, choice in found.items():
                    used[row].add(choice)
        for r in rows:
            self.keep(r, [i in used[r] for i in range(len(self.domains[r]))])

    def _search(self, rows: list[int], fixed: dict[int, int]) -> dict[int, int] | None:
        """One joint choice (row → candidate index) with ``fixed`` that satisfies every equation, or None."""
        order = [r for r in rows if r in fixed] + [r for r in rows if r not in fixed]
        reads = [[k for k, contrib in enumerate(self.contributions) if r in contrib] for r in order]
        # the lowest and highest sums the rows after position i can add to each equation
        low = [[0] * len(self.equations) for _ in range(len(order) + 1)]
        high = [[0] * len(self.equations) for _ in range(len(order) + 1)]
        for i in range(len(order) - 1, -1, -1):
            low[i], high[i] = list(low[i + 1]), list(high[i + 1])
            for k in reads[i]:
                values = self.contributions[k][order[i]]
                low[i][k] += min(values)
                high[i][k] += max(values)
        acc = [0] * len(self.equations)
        choice: dict[int, int] = {}

        def go(i: int) -> bool:
            if i == len(order):
                return True
            r = order[i]
            options = [fixed[r]] if r in fixed else range(len(self.domains[r]))
            for s in options:
                self.budget.spend()
                for k in reads[i]:
                    acc[k] += self.contributions[k][r][s]
                ok = all(low[i + 1][k] <= self.equations[k].constant - acc[k] <= high[i + 1][k] for k in reads[i])
                if ok:
                    choice[r] = s
                    if go(i + 1):
                        return True
                for k in reads[i]:
                    acc[k] -= self.contributions[k][r][s]
            return False

        return dict(choice) if go(0) else None


def resolve(
    layout: TableLayout,
    rows: Sequence[RunRow],
    known: Mapping[Key, float | None],
    path: str | None = None,
    max_steps: int = MAX_STEPS,
    on_error: Callable[[LoadError, RunRow | None], None] | None = None,
) -> dict[Key, Recovered]:
    """Split the runs of the rows of one table whose numbers ran together.

    ``known`` holds the table's other printed cells (None for a cell that is not
    a number). Every target cell of every row comes back: a number when the
    rules leave one value, else ambiguous with its candidates. Raises
    :class:`LoadError` naming the run when no split satisfies the rules, or when
    the search would take more than ``max_steps`` steps. With ``on_error`` the
    error is passed to it instead (with the row, when it concerns one) and the
    loading goes on: a row no split of which satisfies its own rules comes back
    unplaced (:attr:`Recovered.unplaced`); rows that split on their own but not
    together are split by their own rules only; a search too long leaves every
    row unplaced.
    """
    rows = list(rows)
    exact = {r for r, row in enumerate(rows) if len(row.runs) == len(row.targets)}
    known = dict(known)
    for r in exact:  # a label with its numbers spaced apart in one cell: nothing to split
        for run, key in zip(rows[r].runs, rows[r].targets, strict=True):
            known[key] = float(run.digits)
    pending = [r for r in range(len(rows)) if r not in exact]
    split_rows = [rows[r] for r in pending]
    equations = _equations(layout, split_rows, known)
    budget = _Budget(max_steps)
    domains: dict[int, list[_Split]] = {}
    failed: set[int] = set()

    def report(error: LoadError, row: RunRow | None) -> None:
        if on_error is None:
            raise error
        on_error(error, row)

    try:
        for r, row in enumerate(split_rows):
            domains[r] = _row_splits(row, equations, r, budget)
            if not domains[r]:
                try:
                    _fail_row(row, [eq for eq in equations if {i for i, _ in eq.coefs} == {r}], path)
                except LoadError as error:
                    report(error, row)
                    failed.add(r)
                    del domains[r]
        own = {r: list(d) for r, d in domains.items()}
        joint = _Joint(
            rows=list(domains),
            domains=domains,
            equations=[eq for eq in equations if len(rows_of := {r for r, _ in eq.coefs}) > 1 and not rows_of & failed],
            budget=budget,
        )
        empty = joint.propagate()
        if empty is None and any(len(d) > 1 for d in joint.domains.values()):
            joint.supported()
            empty = next((r for r in joint.rows if not joint.domains[r]), None)
        if empty is not None:
            try:
                _fail_joint(split_rows, empty, joint.equations, path)
            except LoadError as error:
                report(error, None)
                joint.domains = own
    except _TooMany:
        report(_fail_search(split_rows, max_steps, path), None)
        failed = set(range(len(split_rows)))
    out: dict[Key, Recovered] = {}
    for r in exact:
        for run, key in zip(rows[r].runs, rows[r].targets, strict=True):
            out[key] = Recovered(run.cell._replace(text=run.digits), (int(run.digits),))
    for r, row in enumerate(split_rows):
        if r in failed:
            cell = row.runs[0].cell._replace(text=row.text, where=row.where)
            out.update(dict.fromkeys(row.targets, Recovered(cell, ())))
        else:
            out.update(_recovered(row, joint.domains[r]))
    return out


def _recovered(row: RunRow, candidates: Sequence[_Split]) -> dict[Key, Recovered]:
    """The cells of one row from its surviving splits."""
    out = {}
    for j, key in enumerate(row.targets):
        values = tuple(sorted({s.values[j] for s in candidates}))
        runs = {s.runs[j] for s in candidates}
        if len(runs) == 1:
            run = row.runs[runs.pop()]
            source, cell = run.digits, run.cell
            split = any(s.runs.count(s.runs[j]) > 1 for s in candidates)
        else:
            source, cell, split = row.text, row.runs[0].cell, True
        where = f"{cell.where}, split of '{source}'" if split else cell.where
        if len(values) == 1:
            text = str(values[0])
        else:
            shown = " or ".join(str(v) for v in values[:MAX_SHOWN]) + (" or …" if len(values) > MAX_SHOWN else "")
            text = f"{source} → {shown}"
        out[key] = Recovered(cell._replace(text=text, where=where), values)
    return out


def _rules_named(equations: Sequence[_Equation]) -> str:
    return ", ".join(dict.fromkeys(eq.rule for eq in equations)) or "-"


def _named(row: RunRow) -> tuple[str, str]:
    """A row in messages, in Chinese and in English: its label, or table 四's row of numbers."""
    if row.labels:
        return f"「{row.label}」这一行", f"row '{row.label}'"
    return "这一行数值", "the row of numbers"


def _fail_row(row: RunRow, equations: Sequence[_Equation], path: str | None) -> None:
    """No split of the row's runs satisfies the rules within it: a short row, whichever way it is read."""
    n, k = len(row.targets), len(row.runs)
    rules = _rules_named(equations)
    zh, en = _named(row)
    raise LoadError.at(
        path,
        row.where,
        f"{zh}只有{k}个数，应为{n}个；其数字（{row.text}）也没有一种拆成{n}个数（多位数不以0开头）的方式满足{rules}",
        f"{en}: found {k} number(s), expected {n} values, and no split of its digits ('{row.text}') "
        f"into {n} numbers (no leading zeros) satisfies {rules}",
    )


def _fail_joint(rows: Sequence[RunRow], empty: int, equations: Sequence[_Equation], path: str | None) -> None:
    """Each row splits by its own rules, but no choice of splits satisfies the rules across them."""
    row = rows[empty]
    more = "…" if len(rows) > MAX_PLACES else ""
    places_zh = "、".join(zh_place(r.where) for r in rows[:MAX_PLACES]) + more
    places_en = ", ".join(r.where for r in rows[:MAX_PLACES]) + more
    rules = _rules_named(equations)
    zh, en = _named(row)
    raise LoadError.at(
        path,
        row.where,
        f"{places_zh}的数字连在一起，每行可以单独拆开，但{zh}（{row.text}）的每种拆法都与其他行一起违反{rules}",
        f"the numbers of the rows at {places_en} run together; each row splits on its own, but every split of "
        f"{en} ('{row.text}') breaks {rules} together with the other rows",
    )


def _fail_search(rows: Sequence[RunRow], max_steps: int, path: str | None) -> LoadError:
    """The search would take too long."""
    first = rows[0]
    zh, en = _named(first)
    return LoadError.at(
        path,
        first.where,
        f"{zh}等{len(rows)}行的数字连在一起（{first.text}…），可能的拆分太多（超过{max_steps}步搜索），无法还原",
        f"the numbers of {len(rows)} row(s) from {en} on run together ('{first.text}'…): too many possible "
        f"splits to recover (more than {max_steps} search steps)",
    )
