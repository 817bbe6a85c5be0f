"""Small-cell suppression of counts, with complementary suppression.

:func:`suppress_small` (tidy tables) and :func:`suppress_crosstab` (wide tables with margins)
hide counts below ``min_cell_size`` and add complementary suppressions so a hidden count
cannot be worked out by subtraction from a shown total; :func:`format_suppressed` turns the
result into display strings with a marker and :func:`suppression_note` words the footnote.

References
----------
.. [1] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
   *Journal of the American Statistical Association*, 75(370), 377-385.
.. [2] Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E.,
   Spicer, K., & de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley, ch. 5
   (frequency tables: primary and secondary cell suppression, audit).
.. [3] Office for National Statistics (2021). *Statistical disclosure control policy*; and
   Government Statistical Service (2014). *Disclosure control guidance for tables produced
   from administrative sources*.
.. [4] NHS Digital (2018). *Disclosure control methodology for Hospital Episode Statistics
   (HES) and Emergency Care Data Set (ECDS)*.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._validation import check_int, check_names, require_columns, require_dataframe

__all__ = ["format_suppressed", "suppress_crosstab", "suppress_small", "suppression_note"]

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Small-cell suppression
# ---------------------------------------------------------------------------------------------


def _check_counts(values: pd.Series | pd.DataFrame, what: str, caller: str) -> None:
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    for column, dtype in frame.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            raise TypeError(
                f"{caller}: {what} must be numeric counts; column {column!r} has dtype {dtype}."
            )
    array = frame.to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(array).any():
        raise ValueError(f"{caller}: {what} must not have missing values.")
    if (array < 0).any() or not np.isfinite(array).all():
        raise ValueError(f"{caller}: {what} must be finite and non-negative counts.")


def _primary(counts: np.ndarray, min_cell_size: int, suppress_zeros: bool) -> np.ndarray:
    return (counts < min_cell_size) & ((counts > 0) | suppress_zeros)


def _blank(series: pd.Series, mask: np.ndarray) -> pd.Series:
    """``series`` with the cells of ``mask`` set to missing (nullable ints stay ints)."""
    if pd.api.types.is_integer_dtype(series.dtype):
        series = series.astype("Int64")
    return series.mask(pd.Series(mask, index=series.index))


def suppress_small(
    table: pd.DataFrame,
    *,
    count_column: str = "n",
    min_cell_size: int = 10,
    value_columns: str | Iterable[str] | None = None,
    group_columns: str | Iterable[str] | None = None,
    complementary: bool = True,
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Hide counts below ``min_cell_size``, and complementary cells, in a tidy table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per cell (for example one row per site and job), with a count column.
    count_column : str, default "n"
        Column holding the number of people (or comments) behind each row.
    min_cell_size : int, default 10
        Smallest count that may be shown.
    value_columns : str or list of str, optional
        Columns derived from the count (shares, means, interval limits) that must be hidden
        with it. Default: every numeric column other than ``count_column`` and
        ``group_columns``; pass ``[]`` to hide the count only, or name the columns when the
        table has numeric labels (such as a wave number) that should stay visible.
    group_columns : str or list of str, optional
        Columns that define sets of cells adding up to a total shown elsewhere (a row of a
        cross-tabulation, the sites of one job). Default: the whole table is one such set.
    complementary : bool, default True
        Add complementary suppressions (see Notes).
    suppress_zeros : bool, default False
        Also hide zero counts (see Notes).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` (same rows, order and columns) in which suppressed rows have
        ``count_column`` and the value columns set to missing (``<NA>``; integer columns
        become the nullable ``Int64``; never 0), plus a column:

        ``suppressed``
            bool; True where the row's values are hidden.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame, the count column is not numeric, or
        ``min_cell_size`` is not an integer.
    ValueError
        If a named column is missing, counts are missing or negative, ``min_cell_size`` is
        below 1, the table already has a ``suppressed`` column, or ``group_columns`` includes
        the count column.

    Notes
    -----
    *Primary suppression*: a count ``n`` with ``0 < n < min_cell_size`` is hidden. Zero
    counts are shown by default: a zero describes nobody, and NHS Digital's HES rules [3]_
    also publish zeros; with ``suppress_zeros=True`` they are hidden as well (use it when a
    zero would itself disclose something, such as "no patient of this unit was satisfied").

    *Complementary suppression* (Cox [1]_; ONS / GSS guidance [2]_): when the cells of a
    group add up to a total that is shown, one hidden cell could be recovered as the total
    minus the shown cells. So whenever a group has exactly one hidden cell, the smallest
    other non-zero cell of the group is hidden too (ties broken by the row's labels, so the
    result does not depend on row order). If the other cells are all zero a zero cell is
    hidden and a warning is logged: the group total then reveals the small count and must
    itself be suppressed where it is shown. Two or more hidden positive cells in a group can
    each move by one without changing the total, so none of them can be recovered. For
    tables with totals in two directions use :func:`suppress_crosstab`.

    Missing-data policy: counts must not be missing; missing values elsewhere are kept.

    References
    ----------
    .. [1] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
       *Journal of the American Statistical Association*, 75(370), 377-385.
    .. [2] Government Statistical Service (2014). *Disclosure control guidance for tables
       produced from administrative sources*; Office for National Statistics (2021).
       *Statistical disclosure control policy*.
    .. [3] NHS Digital (2018). *Disclosure control methodology for Hospital Episode
       Statistics (HES) and Emergency Care Data Set (ECDS)*.

    Examples
    --------
    >>> table = pd.DataFrame({"site": ["A", "B", "C", "D"], "n": [4, 25, 40, 0],
    ...                       "share": [10.0, 62.5, 100.0, 0.0]})
    >>> out = suppress_small(table, min_cell_size=10)
    >>> out["n"].tolist(), out["share"].tolist()[2:], out["suppressed"].tolist()
    ([<NA>, <NA>, 40, 0], [100.0, 0.0], [True, True, False, False])
    """
    caller = "suppress_small"
    require_dataframe(table, parameter="table", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    if not isinstance(count_column, str):
        raise TypeError(
            f"The 'count_column' parameter of {caller} must be a column name (str); "
            f"got {type(count_column).__name__}."
        )
    groups = check_names(group_columns, parameter="group_columns", caller=caller)
    values = (
        None
        if value_columns is None
        else check_names(value_columns, parameter="value_columns", caller=caller)
    )
    require_columns(table, [count_column, *groups, *(values or [])], name="table", caller=caller)
    if "suppressed" in table.columns:
        raise ValueError(
            f"{caller}: 'table' already has a 'suppressed' column; suppress the original "
            "table, not one that was suppressed before."
        )
    if count_column in groups:
        raise ValueError(
            f"{caller}: 'group_columns' must not include the count column {count_column!r}."
        )
    _check_counts(table[count_column], f"the '{count_column}' column", caller)
    if values is None:
        values = [
            c
            for c in table.columns
            if c != count_column
            and c not in groups
            and pd.api.types.is_numeric_dtype(table[c].dtype)
            and not pd.api.types.is_bool_dtype(table[c].dtype)
        ]
    counts = table[count_column].to_numpy(dtype="float64")
    suppressed = _primary(counts, min_cell_size, bool(suppress_zeros))

    if complementary and suppressed.any():
        label_columns = [c for c in table.columns if c != count_column and c not in values]
        if groups:
            grouped = table.groupby(groups, dropna=False, sort=False).indices
            members = [np.sort(np.asarray(ix)) for ix in grouped.values()]
        else:
            members = [np.arange(len(table))]
        for ix in members:
            if suppressed[ix].sum() != 1:
                continue
            pick = _pick_complement(table, ix[~suppressed[ix]], counts, label_columns)
            if pick is None:
                log.warning(
                    "%s: a group has a single, hidden cell; its total reveals the count and "
                    "must be suppressed wherever it is shown.",
                    caller,
                )
                continue
            if counts[pick] == 0:
                log.warning(
                    "%s: the only cells left to protect a hidden count are zeros; the group "
                    "total must be suppressed wherever it is shown.",
                    caller,
                )
            suppressed[pick] = True

    out = table.copy()
    for column in [count_column, *values]:
        position = out.columns.get_loc(column)
        out.isetitem(position, _blank(out[column], suppressed))
    out["suppressed"] = suppressed
    n_hidden = int(suppressed.sum())
    if n_hidden:
        log.info(
            "%s: %d of %d row(s) suppressed (min_cell_size=%d).",
            caller,
            n_hidden,
            len(out),
            min_cell_size,
        )
    return out


def _pick_complement(
    table: pd.DataFrame, candidates: np.ndarray, counts: np.ndarray, label_columns: list[str]
) -> int | None:
    """Smallest non-zero candidate (else a zero one); ties broken by the row's labels."""
    if candidates.size == 0:
        return None
    nonzero = candidates[counts[candidates] > 0]
    pool = nonzero if nonzero.size else candidates
    smallest = counts[pool].min()
    tied = pool[counts[pool] == smallest]
    if tied.size == 1 or not label_columns:
        return int(tied[0])

    def key(position: int) -> tuple[str, ...]:
        return tuple(str(v) for v in table.iloc[position][label_columns].tolist())

    return int(min(tied, key=key))


def _is_margin_label(label: Any, margins_name: str) -> bool:
    if isinstance(label, tuple):
        return len(label) > 0 and label[0] == margins_name
    return label == margins_name


def _bridges(n_nodes: int, edges: list[tuple[int, int]]) -> list[int]:
    """Indices of the bridges of an undirected simple graph (iterative Tarjan)."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for k, (u, v) in enumerate(edges):
        adjacency[u].append((v, k))
        adjacency[v].append((u, k))
    order = [-1] * n_nodes
    low = [0] * n_nodes
    clock = 0
    bridges: list[int] = []
    for start in range(n_nodes):
        if order[start] != -1 or not adjacency[start]:
            continue
        order[start] = low[start] = clock
        clock += 1
        stack = [(start, -1, iter(adjacency[start]))]
        while stack:
            node, parent_edge, neighbours = stack[-1]
            descended = False
            for other, k in neighbours:
                if k == parent_edge:
                    continue
                if order[other] == -1:
                    order[other] = low[other] = clock
                    clock += 1
                    stack.append((other, k, iter(adjacency[other])))
                    descended = True
                    break
                low[node] = min(low[node], order[other])
            if descended:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    bridges.append(parent_edge)
    return bridges


def _component(n_nodes: int, edges: list[tuple[int, int]], start: int, skip: int) -> set[int]:
    adjacency: list[list[int]] = [[] for _ in range(n_nodes)]
    for k, (u, v) in enumerate(edges):
        if k != skip:
            adjacency[u].append(v)
            adjacency[v].append(u)
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for other in adjacency[node]:
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    return seen


def _choose_cell(cells: list[tuple[int, int]], values: np.ndarray) -> tuple[int, int] | None:
    """Preferred complementary cell: non-zero interior, then non-zero margin, then zeros."""
    n_rows, n_cols = values.shape

    def rank(cell: tuple[int, int]) -> tuple[int, float, int, int]:
        i, j = cell
        margins = (i == n_rows - 1) + (j == n_cols - 1)
        zero = values[i, j] == 0
        return (3 * zero + margins, float(values[i, j]), i, j)

    return min(cells, key=rank) if cells else None


def _protect(values: np.ndarray, suppressed: np.ndarray) -> np.ndarray:
    """Complementary suppression on a table whose last row and column are its margins.

    Repeats (1) the line rule: no row or column (margins included) has exactly one hidden
    entry; (2) the cycle rule: every hidden entry lies on a cycle of hidden entries in the
    bipartite row-column graph (no bridge), which is what makes it unrecoverable.
    """
    suppressed = suppressed.copy()
    n_rows, n_cols = values.shape
    while True:
        changed = True
        while changed:
            changed = False
            lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
            lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
            for line in lines:
                hidden = [c for c in line if suppressed[c]]
                if len(hidden) != 1:
                    continue
                pick = _choose_cell([c for c in line if not suppressed[c]], values)
                if pick is None:
                    continue
                if values[pick] == 0:
                    log.warning(
                        "suppress_crosstab: a zero cell had to be used as a "
                        "complementary suppression; check the table by hand."
                    )
                suppressed[pick] = True
                changed = True
        cells = [tuple(c) for c in np.argwhere(suppressed)]
        edges = [(int(i), n_rows + int(j)) for i, j in cells]
        bridges = _bridges(n_rows + n_cols, edges)
        if not bridges:
            return suppressed
        k = bridges[0]
        row_node, col_node = edges[k]
        side = _component(n_rows + n_cols, edges, row_node, skip=k)
        rows_a = {n for n in side if n < n_rows}
        cols_a = {n - n_rows for n in side if n >= n_rows}
        rows_b = set(range(n_rows)) - rows_a
        cols_b = set(range(n_cols)) - cols_a
        candidates = [
            (i, j)
            for i in range(n_rows)
            for j in range(n_cols)
            if not suppressed[i, j]
            and ((i in rows_a and j in cols_b) or (i in rows_b and j in cols_a))
        ]
        pick = _choose_cell(candidates, values)
        if pick is None:  # pragma: no cover - impossible once every line has 0 or >= 2
            log.warning("suppress_crosstab: could not protect a hidden cell; check by hand.")
            return suppressed
        if values[pick] == 0:
            log.warning(
                "suppress_crosstab: a zero cell had to be used as a complementary "
                "suppression; check the table by hand."
            )
        suppressed[pick] = True


def suppress_crosstab(
    ct: pd.DataFrame,
    *,
    min_cell_size: int = 10,
    margins_name: str = "All",
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Hide small counts in a cross-tabulation so none can be recovered from its totals.

    Parameters
    ----------
    ct : pandas.DataFrame
        Wide table of counts, as made by ``pd.crosstab(..., margins=True)``: the last row and
        the last column may be the totals, labelled ``margins_name``.
    min_cell_size : int, default 10
        Smallest count that may be shown.
    margins_name : str, default "All"
        Label of the total row and column (for MultiIndex labels, of their first level).
    suppress_zeros : bool, default False
        Also hide zero counts (see :func:`suppress_small`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``ct`` with the same labels in which every hidden cell, margins included,
        is missing (``<NA>``; dtype ``Int64`` for whole-number counts, else ``Float64``).
        Every missing cell is a suppressed cell.

    Raises
    ------
    TypeError
        If ``ct`` is not a DataFrame, holds non-numeric columns, or ``min_cell_size`` is not
        an integer.
    ValueError
        If ``ct`` is empty, has missing or negative counts, or its margins are not the sums
        of its cells.

    Notes
    -----
    1. *Primary*: every entry, totals included, with ``0 < n < min_cell_size`` is hidden
       (zeros too with ``suppress_zeros``).
    2. *Line rule* (Cox [1]_; ONS / GSS guidance [2]_): a row or column (the total row and
       column included) with exactly one hidden entry would give it away by subtraction, so
       the smallest non-zero shown entry of that line is hidden too, preferring inner cells
       to totals.
    3. *Cycle rule* (audit of Hundepool et al. [3]_, ch. 5): the line rule is not always
       enough; a hidden entry that is a *bridge* of the graph whose nodes are rows and
       columns and whose edges are hidden entries equals a sum of shown values and can be
       recovered. For each bridge, the smallest shown entry joining the two sides is hidden.

    Steps 2-3 repeat until neither applies. Then every hidden entry lies on a cycle of
    hidden positive entries; adding and subtracting 1 around the cycle keeps every total,
    so each hidden count has at least three feasible values. If a zero had to be used as a
    complement (logged as a warning) this guarantee can fail. When ``ct`` has no margins,
    they are computed, protected as if they were published, and left out of the result.

    References
    ----------
    .. [1] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
       *Journal of the American Statistical Association*, 75(370), 377-385.
    .. [2] Government Statistical Service (2014). *Disclosure control guidance for tables
       produced from administrative sources*; Office for National Statistics (2021).
       *Statistical disclosure control policy*.
    .. [3] Hundepool, A., et al. (2012). *Statistical Disclosure Control*. Wiley.

    Examples
    --------
    >>> ct = pd.DataFrame({"fear": [3, 20, 30], "clarity": [25, 18, 40]},
    ...                   index=["A", "B", "C"])
    >>> suppress_crosstab(ct, min_cell_size=10)
       fear  clarity
    A  <NA>     <NA>
    B  <NA>     <NA>
    C    30       40
    """
    caller = "suppress_crosstab"
    require_dataframe(ct, parameter="ct", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    if ct.shape[0] == 0 or ct.shape[1] == 0:
        raise ValueError(f"{caller}: 'ct' is empty; there is nothing to suppress.")
    _check_counts(ct, "the cells of 'ct'", caller)
    has_row_total = ct.shape[0] > 1 and _is_margin_label(ct.index[-1], margins_name)
    has_col_total = ct.shape[1] > 1 and _is_margin_label(ct.columns[-1], margins_name)
    data = ct.to_numpy(dtype="float64")
    inner = data[: -1 if has_row_total else None, : -1 if has_col_total else None]
    row_totals = inner.sum(axis=1)
    col_totals = inner.sum(axis=0)
    grand = inner.sum()
    if has_col_total and not np.allclose(data[: inner.shape[0], -1], row_totals):
        raise ValueError(
            f"{caller}: the last column {ct.columns[-1]!r} is labelled as the total but is not "
            "the sum of the row; pass counts, not shares, or fix 'margins_name'."
        )
    if has_row_total and not np.allclose(data[-1, : inner.shape[1]], col_totals):
        raise ValueError(
            f"{caller}: the last row {ct.index[-1]!r} is labelled as the total but is not the "
            "sum of the column; pass counts, not shares, or fix 'margins_name'."
        )
    if has_row_total and has_col_total and not np.isclose(data[-1, -1], grand):
        raise ValueError(f"{caller}: the grand total is not the sum of the cells.")
    full = np.zeros((inner.shape[0] + 1, inner.shape[1] + 1))
    full[:-1, :-1] = inner
    full[:-1, -1] = row_totals
    full[-1, :-1] = col_totals
    full[-1, -1] = grand
    suppressed = _protect(full, _primary(full, min_cell_size, bool(suppress_zeros)))
    keep_rows = full.shape[0] if has_row_total else full.shape[0] - 1
    keep_cols = full.shape[1] if has_col_total else full.shape[1] - 1
    mask = suppressed[:keep_rows, :keep_cols]
    whole = bool(np.all(np.mod(data, 1) == 0))
    out = pd.DataFrame(
        {k: pd.array(data[:, k], dtype="Int64" if whole else "Float64") for k in range(ct.shape[1])}
    )
    out = out.mask(pd.DataFrame(mask))
    out.index = ct.index.copy()
    out.columns = ct.columns.copy()
    n_hidden = int(mask.sum())
    if n_hidden:
        log.info(
            "%s: %d of %d entries suppressed (min_cell_size=%d).",
            caller,
            n_hidden,
            mask.size,
            min_cell_size,
        )
    return out


def suppression_note(min_cell_size: int, *, marker: str = "*") -> str:
    """Footnote explaining the suppression marker of :func:`format_suppressed`.

    Parameters
    ----------
    min_cell_size : int
        The threshold that was used.
    marker : str, default "*"
        The marker shown in suppressed cells.

    Returns
    -------
    str

    Raises
    ------
    TypeError, ValueError
        If ``min_cell_size`` is not an integer of at least 1.

    Examples
    --------
    >>> suppression_note(10)
    '* Hidden to protect confidentiality: fewer than 10, or hidden so that another small number cannot be worked out from the totals.'
    """
    min_cell_size = check_int(
        min_cell_size, parameter="min_cell_size", caller="suppression_note", minimum=1
    )
    return (
        f"{marker} Hidden to protect confidentiality: fewer than {min_cell_size}, or hidden so "
        "that another small number cannot be worked out from the totals."
    )


def _format_value(value: Any, float_format: str) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return float_format.format(float(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else str(value)
    return str(value)


def format_suppressed(
    table: pd.DataFrame,
    *,
    marker: str = "*",
    missing: str = "",
    float_format: str = "{:.1f}",
    suppressed_column: str = "suppressed",
) -> pd.DataFrame:
    """Turn a suppressed table into display strings, with a marker in hidden cells.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`suppress_small` (with its ``suppressed`` column) or of
        :func:`suppress_crosstab` (where every missing number is a hidden cell).
    marker : str, default "*"
        Text of a hidden cell. Do not use "0" or "<10": a complementary cell can hold any
        count; explain the marker with :func:`suppression_note`.
    missing : str, default ""
        Text of a cell that is missing for another reason.
    float_format : str, default "{:.1f}"
        Format of non-integer numbers.
    suppressed_column : str, default "suppressed"
        Name of the flag column; it is left out of the result.

    Returns
    -------
    pandas.DataFrame
        Same index and columns (without the flag column), every cell a str.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame or ``marker``/``missing`` are not str.
    ValueError
        If ``float_format`` cannot format a number.

    Notes
    -----
    With a flag column, missing numeric cells of flagged rows show ``marker``; without it,
    every missing numeric cell does. Integers print without decimals, dates as ISO dates.

    Examples
    --------
    >>> out = suppress_small(pd.DataFrame({"site": ["A", "B", "C"], "n": [4, 12, 40]}))
    >>> format_suppressed(out).to_dict("list")
    {'site': ['A', 'B', 'C'], 'n': ['*', '*', '40']}
    """
    caller = "format_suppressed"
    require_dataframe(table, parameter="table", caller=caller)
    for parameter, value in (("marker", marker), ("missing", missing)):
        if not isinstance(value, str):
            raise TypeError(
                f"The '{parameter}' parameter of {caller} must be a str; got "
                f"{type(value).__name__}."
            )
    try:
        float_format.format(1.5)
    except (AttributeError, IndexError, KeyError, ValueError) as err:
        raise ValueError(
            f"The 'float_format' parameter of {caller} must format one number, such as "
            f"'{{:.1f}}'; got {float_format!r} ({err})."
        ) from None
    flags: np.ndarray | None = None
    data = table
    if suppressed_column in table.columns:
        flags = table[suppressed_column].fillna(False).astype(bool).to_numpy()
        data = table.drop(columns=suppressed_column)
    columns: dict[int, list[str]] = {}
    for position in range(data.shape[1]):
        s = data.iloc[:, position]
        numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        absent = s.isna().to_numpy()
        texts = []
        for row, value in enumerate(s.tolist()):
            if absent[row]:
                hidden = numeric and (flags is None or bool(flags[row]))
                texts.append(marker if hidden else missing)
            else:
                texts.append(_format_value(value, float_format))
        columns[position] = texts
    out = pd.DataFrame(columns, index=data.index, dtype=object)
    out.columns = data.columns
    return out
