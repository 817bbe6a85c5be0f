"""What is in a study: volumes, missing data, ratings and data-quality warnings.

Used by ``notebooks/00_study_overview.ipynb``, the first look at any new study folder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jtbd_methods._validation import check_int, one_of, require_columns
from jtbd_methods.lexicon import non_answers
from jtbd_methods.privacy import suppress_crosstab, suppress_small
from jtbd_methods.study import DATA_FILES, Study

__all__ = [
    "PERIODS",
    "by_design_note",
    "missing_data",
    "non_answer_summary",
    "positive_share",
    "quality_warnings",
    "rating_distribution",
    "responses_by_period",
]

_TOTAL = "\x1ftotal"  # margin label no data value can take


def _protect(table: pd.DataFrame, min_cell_size: int) -> tuple[pd.DataFrame, pd.Series]:
    """Cells and row totals of a count table to hide, with its margins taken as published.

    Primary suppression of counts from 1 to ``min_cell_size - 1`` and complementary
    suppression (:func:`jtbd_methods.privacy.suppress_crosstab`: line rule and cycle audit)
    over the table with its row totals, column totals and grand total, so that no hidden
    count can be worked out from any total.

    Returns
    -------
    (hidden, hidden_total)
        Boolean frame like ``table`` (True = hide) and boolean Series of the row totals.
    """
    no = pd.DataFrame(False, index=table.index, columns=table.columns)
    if min_cell_size <= 1 or table.empty or int(table.to_numpy().sum()) == 0:
        return no, pd.Series(False, index=table.index)
    ct = table.astype("int64").copy()
    ct.index = ct.index.astype(object)
    ct.columns = ct.columns.astype(object)
    ct[_TOTAL] = ct.sum(axis=1)
    ct.loc[_TOTAL] = ct.sum(axis=0)
    out = suppress_crosstab(ct, min_cell_size=min_cell_size, margins_name=_TOTAL)
    hidden = out.isna()
    inner = hidden.drop(index=_TOTAL, columns=_TOTAL).to_numpy()
    totals = hidden[_TOTAL].drop(index=_TOTAL).to_numpy()
    return (
        pd.DataFrame(inner, index=table.index, columns=table.columns),
        pd.Series(totals, index=table.index),
    )


#: Period names accepted by time breakdowns, with their pandas frequency.
PERIODS = {"week": "W-MON", "month": "M", "quarter": "Q"}


def responses_by_period(
    feedback: pd.DataFrame,
    *,
    by: str | None = "site",
    date: str = "received",
    period: str = "month",
    min_cell_size: int = 10,
) -> pd.DataFrame:
    """Number of comments per period (and per group), with small cells suppressed.

    Parameters
    ----------
    feedback : DataFrame
        One row per comment.
    by : str or None, default "site"
        Grouping column, or ``None`` for the total.
    date : str, default "received"
        Date column.
    period : {"week", "month", "quarter"}
        Length of a period; every period between the first and last date appears, so a
        period without comments shows as 0 (a true zero, not a suppressed cell).
    min_cell_size : int
        Counts from 1 to ``min_cell_size - 1`` are suppressed (``n`` is missing and
        ``suppressed`` is true), and so are complementary cells, so that no hidden count
        can be worked out from a total (the total number of comments, a period's or a
        group's total): see Notes.

    Returns
    -------
    DataFrame
        Columns ``period`` (start date), the ``by`` column when given, ``n`` (nullable
        integer) and ``suppressed``.

    Notes
    -----
    Without ``by`` the periods add up to the number of comments, which reports show, so a
    single hidden period is protected by hiding the next smallest one
    (:func:`jtbd_methods.privacy.suppress_small`). With ``by`` the periods-by-groups table is
    protected with its period totals, group totals and grand total as if all were published
    (:func:`jtbd_methods.privacy.suppress_crosstab`: line rule and cycle audit; Cox 1980).

    Examples
    --------
    >>> fb = pd.DataFrame({"received": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-03-02"]),
    ...                    "site": ["A", "A", "B"]})
    >>> responses_by_period(fb, by=None, min_cell_size=1)["n"].tolist()
    [2, 0, 1]
    """
    one_of(period, tuple(PERIODS), parameter="period", caller="responses_by_period")
    require_columns(feedback, [date, by], name="feedback", caller="responses_by_period")
    stamp = feedback[date].dt.to_period(PERIODS[period]).dt.start_time
    if len(stamp) == 0:
        return pd.DataFrame(columns=["period", *([by] if by else []), "n", "suppressed"])
    periods = pd.period_range(stamp.min(), stamp.max(), freq=PERIODS[period]).start_time
    if by is None:
        counts = stamp.value_counts().reindex(periods, fill_value=0)
        out = pd.DataFrame({"period": periods, "n": counts.to_numpy()})
    else:
        groups = sorted(feedback[by].dropna().unique())
        full = pd.MultiIndex.from_product([periods, groups], names=["period", by])
        counts = pd.Series(
            1, index=pd.MultiIndex.from_arrays([stamp, feedback[by]], names=["period", by])
        )
        counts = counts.groupby(level=[0, 1]).sum().reindex(full, fill_value=0)
        out = counts.rename("n").reset_index()
    if by is None:
        out = suppress_small(out, count_column="n", min_cell_size=min_cell_size, value_columns=[])
        return out
    table = out.pivot(index="period", columns=by, values="n")
    hidden, _ = _protect(table, min_cell_size)
    hide = hidden.stack().reindex(pd.MultiIndex.from_frame(out[["period", by]])).to_numpy()
    out["n"] = out["n"].astype("Int64").mask(hide)
    out["suppressed"] = hide
    return out


def rating_distribution(
    feedback: pd.DataFrame,
    *,
    rating: str = "rating",
    by: str | None = None,
    wide: bool = False,
    min_cell_size: int = 1,
) -> pd.DataFrame:
    """Count and share of each rating 1-5 (and of missing ratings).

    Parameters
    ----------
    feedback : DataFrame
        One row per comment (not modified).
    rating : str, default "rating"
        Rating column (1-5, may be missing).
    by : str, optional
        Grouping column (e.g. ``"site"``).
    wide : bool, default False
        With ``by``: one row per group with its number of comments ``n`` and one share
        column per rating (``"1"`` … ``"5"``, ``"missing"``), easier to read in a report.
    min_cell_size : int, default 1
        Counts from 1 to ``min_cell_size - 1`` are suppressed, with complementary cells so
        that none can be worked out from a total. Without ``by``: the ratings add up to the
        number of comments (:func:`jtbd_methods.privacy.suppress_small`). With ``by``: groups
        with fewer comments have every count and share suppressed; the groups-by-ratings
        table is protected with its group totals (``n``), rating totals and grand total as if
        all were published (:func:`jtbd_methods.privacy.suppress_crosstab`), and the share of
        a hidden count is hidden with it.

    Returns
    -------
    DataFrame
        Long: ``rating`` ("1"…"5", "missing"), the ``by`` column when given, ``n`` and
        ``share`` (fraction of the group's comments, 0-1), plus ``suppressed`` with
        ``by`` or ``min_cell_size`` above 1. Wide: the ``by`` column, ``n``, the six share
        columns and ``suppressed`` (true when any value of the row is hidden).

    Examples
    --------
    >>> fb = pd.DataFrame({"rating": pd.array([5, 4, None, 5], dtype="Int64")})
    >>> rating_distribution(fb)[["rating", "n"]].values.tolist()
    [['1', 0], ['2', 0], ['3', 0], ['4', 1], ['5', 2], ['missing', 1]]

    Site C's single comment is hidden, and so is site A: otherwise C's count would be the
    total (28) minus the sites shown.

    >>> fb = pd.DataFrame({"rating": pd.array([5] * 28, dtype="Int64"),
    ...                    "site": ["A"] * 12 + ["B"] * 15 + ["C"]})
    >>> wide = rating_distribution(fb, by="site", wide=True, min_cell_size=10)
    >>> wide["n"].tolist(), wide["suppressed"].tolist()
    ([<NA>, 15, <NA>], [True, False, True])
    """
    require_columns(feedback, [rating, by], name="feedback", caller="rating_distribution")
    labels = ["1", "2", "3", "4", "5", "missing"]
    values = feedback[rating].astype("Int64").astype("string").fillna("missing")
    min_cell_size = check_int(
        min_cell_size, parameter="min_cell_size", caller="rating_distribution", minimum=1
    )
    if by is None:
        counts = values.value_counts().reindex(labels, fill_value=0)
        out = pd.DataFrame({"rating": labels, "n": counts.to_numpy()})
        out["share"] = out["n"] / max(len(feedback), 1)
        if min_cell_size > 1:
            out = suppress_small(out, count_column="n", min_cell_size=min_cell_size)
        return out
    table = pd.crosstab(feedback[by], values).reindex(columns=labels, fill_value=0)
    totals = table.sum(axis=1)
    small = totals < min_cell_size
    hidden, hidden_total = _protect(table, min_cell_size)
    hidden_total = hidden_total | small
    hidden = hidden | pd.DataFrame(
        np.repeat(hidden_total.to_numpy()[:, None], table.shape[1], axis=1),
        index=table.index,
        columns=table.columns,
    )
    if wide:
        shares = table.div(totals.where(totals > 0), axis=0).astype(float)
        shares = shares.mask(hidden)
        out = shares.reset_index()
        out.columns.name = None
        out.insert(1, "n", totals.astype("Int64").mask(hidden_total).array)
        out["suppressed"] = hidden.any(axis=1).to_numpy()
        return out
    out = table.stack().rename("n").reset_index()
    out.columns = [by, "rating", "n"]
    group_n = out.groupby(by)["n"].transform("sum")
    hide = hidden.stack().reindex(pd.MultiIndex.from_frame(out[[by, "rating"]])).to_numpy()
    out["share"] = (out["n"] / group_n.where(group_n > 0)).mask(hide)
    out["n"] = out["n"].astype("Int64").mask(hide)
    out["suppressed"] = hide
    return out[["rating", by, "n", "share", "suppressed"]]


def positive_share(
    feedback: pd.DataFrame, *, rating: str = "rating", positive: tuple[int, ...] = (4, 5)
) -> float:
    """Share of rated comments with a positive rating (FFT-style: 4 or 5), in percent.

    Comments without a rating are left out of the denominator; NaN when none is rated.

    Examples
    --------
    >>> round(positive_share(pd.DataFrame({"rating": pd.array([5, 4, 1, None], dtype="Int64")})), 2)
    66.67
    """
    require_columns(feedback, [rating], name="feedback", caller="positive_share")
    rated = feedback[rating].dropna()
    if rated.empty:
        return float("nan")
    return float(100 * rated.isin(positive).mean())


def non_answer_summary(
    feedback: pd.DataFrame, *, text: str = "comment", by: str | None = None
) -> pd.DataFrame:
    """How many comments say nothing ("nothing", "n/a", "all of it", blank), overall or by group.

    Parameters
    ----------
    feedback : pandas.DataFrame
        The comments (not modified).
    text : str, default "comment"
        Column of the comment text.
    by : str, optional
        Grouping column (e.g. ``"question"``); one row per group plus a ``total`` row.

    Returns
    -------
    pandas.DataFrame
        ``by`` (when given), ``n`` (comments), ``n_non_answers``, ``non_answer_share``
        (0-1) and ``n_substantive`` (the denominator of every job share).

    Notes
    -----
    Non-answers are defined by :func:`jtbd_methods.lexicon.non_answers`. They are counted
    and shown here, and left out of the denominators, themes, quotes and review sheets of
    the job-discovery report: no job can be read from them.

    Examples
    --------
    >>> fb = pd.DataFrame({"comment": ["Nothing.", "n/a", "The nurse listened", ""]})
    >>> non_answer_summary(fb)[["n", "n_non_answers", "n_substantive"]].values.tolist()
    [[4, 3, 1]]
    """
    caller = "non_answer_summary"
    require_columns(feedback, [text] + ([by] if by else []), name="feedback", caller=caller)
    flags = pd.Series(non_answers(feedback[text]), index=feedback.index)
    frame = pd.DataFrame({"non": flags})
    if by is None:
        groups = [(None, frame)]
    else:
        key = feedback[by].astype("object").where(feedback[by].notna(), "missing").astype(str)
        groups = [*frame.groupby(key, sort=True), ("total", frame)]
    rows = []
    for name, part in groups:
        n = len(part)
        n_non = int(part["non"].sum())
        row = {} if by is None else {by: name}
        row.update(
            n=n,
            n_non_answers=n_non,
            non_answer_share=n_non / n if n else float("nan"),
            n_substantive=n - n_non,
        )
        rows.append(row)
    return pd.DataFrame(rows)


#: Columns that identify or carry a row: an empty one is a data problem, never a design choice.
_CORE_COLUMNS = frozenset(
    {"comment_id", "comment", "received", "respondent_id", "wave", "unit", "period", "action_id"}
)
_BY_DESIGN = ("keep", "drop")


def _by_design(file: str, column: str, n_rows: int, n_missing: int) -> str:
    """Why a column may be empty by design ('' when its empty cells are worth listing)."""
    if file in ("feedback.csv", "second_coding.csv") and (
        column == "codes" or column.startswith("code_")
    ):
        return "hand coding"
    if n_rows > 0 and n_missing == n_rows and column not in _CORE_COLUMNS:
        return "not collected"
    return ""


def missing_data(study: Study, *, by_design: str = "keep") -> pd.DataFrame:
    """Share of empty cells per column of every data file present.

    Parameters
    ----------
    study : Study
        A loaded study (not modified).
    by_design : {"keep", "drop"}, default "keep"
        ``"drop"`` leaves out the columns that are empty by design (see Notes), so a report
        lists only the gaps that matter; :func:`by_design_note` names what was left out.

    Returns
    -------
    DataFrame
        Columns ``file``, ``column``, ``n_rows``, ``n_missing``, ``missing_share``
        (fraction 0-1; empty comments count as missing) and ``by_design`` (``""``,
        ``"hand coding"`` or ``"not collected"``).

    Raises
    ------
    ValueError
        For a ``by_design`` other than "keep" or "drop".

    Notes
    -----
    Two kinds of column are empty by design. Hand-coding columns (``code_<job_id>``,
    ``codes``) are filled only for the comments somebody hand-coded, so their empty cells say
    nothing about data quality. A column empty in every row, other than the columns that
    identify or carry a row (``comment_id``, ``comment``, ``received``, ``respondent_id``,
    ``wave``, ``unit``, ``period``, ``action_id``), is one the study does not collect, such
    as ``site`` in a study without sites.

    Examples
    --------
    >>> from jtbd_methods.resources import checkout_sample_study
    >>> from jtbd_methods import load_study
    >>> table = missing_data(load_study(checkout_sample_study()), by_design="drop")
    >>> bool((table["by_design"] == "").all())
    True
    """
    one_of(by_design, _BY_DESIGN, parameter="by_design", caller="missing_data")
    rows = []
    for name, fname in DATA_FILES.items():
        df = getattr(study, name)
        if df is None:
            continue
        for col in df.columns:
            s = df[col]
            missing = s.isna()
            if pd.api.types.is_string_dtype(s) or s.dtype == object:
                missing = missing | (s.astype("string").str.strip() == "").fillna(True)
            n_missing = int(missing.sum())
            rows.append(
                {
                    "file": fname,
                    "column": col,
                    "n_rows": len(df),
                    "n_missing": n_missing,
                    "missing_share": n_missing / max(len(df), 1),
                    "by_design": _by_design(fname, str(col), len(df), n_missing),
                }
            )
    out = pd.DataFrame(
        rows, columns=["file", "column", "n_rows", "n_missing", "missing_share", "by_design"]
    )
    if by_design == "drop":
        out = out[out["by_design"] == ""].reset_index(drop=True)
    return out


def by_design_note(study: Study) -> str:
    """One sentence naming the columns :func:`missing_data` leaves out with ``by_design="drop"``.

    Returns
    -------
    str
        For example ``"Not listed: hand-coding columns (feedback.csv: 10 code_* columns,
        filled only for hand-coded comments); columns this study does not collect
        (feedback.csv: site)."``; empty when nothing is left out.

    Examples
    --------
    >>> from jtbd_methods.resources import checkout_sample_study
    >>> from jtbd_methods import load_study
    >>> by_design_note(load_study(checkout_sample_study())).startswith("Not listed: hand-coding")
    True
    """
    table = missing_data(study)
    table = table[table["n_missing"] > 0]  # only what the table would otherwise have listed
    parts = []
    coded = table[table["by_design"] == "hand coding"]
    if len(coded):
        groups = []
        for fname, cols in coded.groupby("file", sort=False)["column"]:
            names = [c for c in cols if c == "codes"]
            n_code = sum(1 for c in cols if c != "codes")
            if n_code:
                names.append(f"{n_code} code_* column{'s' if n_code != 1 else ''}")
            groups.append(f"{fname}: {', '.join(names)}")
        parts.append(
            f"hand-coding columns ({'; '.join(groups)}, filled only for hand-coded comments)"
        )
    absent = table[table["by_design"] == "not collected"]
    if len(absent):
        groups = [
            f"{fname}: {', '.join(map(str, cols))}"
            for fname, cols in absent.groupby("file", sort=False)["column"]
        ]
        parts.append(f"columns this study does not collect ({'; '.join(groups)})")
    return ("Not listed: " + "; ".join(parts) + ".") if parts else ""


def quality_warnings(study: Study) -> pd.DataFrame:
    """Data-quality points worth a look before analysis (they do not stop a run).

    Includes the loader's warnings (dates outside the study period, unknown outcome items,
    …) and checks of the content: empty comments, missing ratings, very short comments,
    comments repeated word for word, groups below ``min_cell_size``.

    Returns
    -------
    DataFrame
        Columns ``file``, ``check``, ``n``, ``detail``.
    """
    rows = [
        {"file": w.file, "check": "validation warning", "n": w.n_rows or 1, "detail": w.message()}
        for w in study.warnings
    ]
    fb = study.feedback
    if fb is not None and len(fb):
        text = fb["comment"].fillna("").str.strip()
        checks = [
            (
                "empty comment",
                int((text == "").sum()),
                "comments with no text (kept; they carry a rating only)",
            ),
            ("missing rating", int(fb["rating"].isna().sum()), "comments without a 1-5 rating"),
            (
                "very short comment",
                int(((text.str.len() > 0) & (text.str.len() < 10)).sum()),
                "fewer than 10 characters: too short to code reliably",
            ),
            (
                "repeated comment",
                int(text[text.str.len() >= 20].duplicated().sum()),
                "identical text of 20+ characters seen before (copy-paste or duplicate export?)",
            ),
        ]
        for check, n, detail in checks:
            if n:
                rows.append({"file": "feedback.csv", "check": check, "n": n, "detail": detail})
        for col in ("site", "service"):
            sizes = fb[col].value_counts()
            small = sizes[sizes < study.min_cell_size]
            if len(small):
                rows.append(
                    {
                        "file": "feedback.csv",
                        "check": f"small {col}",
                        "n": int(len(small)),
                        "detail": f"{len(small)} {col}(s) with fewer than {study.min_cell_size} comments: "
                        "their breakdowns will be suppressed",
                    }
                )
    return pd.DataFrame(rows, columns=["file", "check", "n", "detail"])
