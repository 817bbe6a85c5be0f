"""Agreement coefficients of reliability data: percent agreement, Cohen's kappa, Krippendorff's alpha.

One statistic per function, each per job (``by``) with a cluster-bootstrap interval over
comments (``id_column``) [4]_; see :mod:`jtbd_methods.reliability` for the input shape.

References
----------
.. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
   Psychological Measurement*, 20(1), 37-46.
.. [2] Cohen, J. (1968). Weighted kappa: nominal scale agreement with provision for scaled
   disagreement or partial credit. *Psychological Bulletin*, 70(4), 213-220.
.. [3] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Departmental
   Papers (ASC), University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
.. [4] Zapf, A., Castell, S., Morawietz, L., & Karch, A. (2016). Measuring inter-rater
   reliability for nominal data - which coefficients and confidence intervals are
   appropriate? *BMC Medical Research Methodology*, 16, 93.
.. [5] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
   *Psychological Bulletin*, 76(5), 378-382 (observed agreement of several raters).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._stats import bootstrap_ci
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    check_names,
    one_of,
    require_columns,
    require_dataframe,
)

__all__ = ["LEVELS", "cohen_kappa", "krippendorff_alpha", "percent_agreement"]

logger = logging.getLogger(__name__)

#: Levels of measurement of :func:`krippendorff_alpha`.
LEVELS = ("nominal", "ordinal", "interval", "ratio")


# ------------------------------------------------------------------------ shared helpers
def _check_boot(n_boot: Any, ci: Any, caller: str) -> tuple[int, float]:
    n_boot = check_int(n_boot, parameter="n_boot", caller=caller, minimum=0)
    if 0 < n_boot < 10:
        raise ValueError(
            f"The 'n_boot' parameter of {caller} must be 0 (no interval) or at "
            f"least 10; got {n_boot}."
        )
    return n_boot, check_fraction(ci, parameter="ci", caller=caller)


def _coder_columns(
    data: pd.DataFrame,
    coders: Sequence[str] | None,
    exclude: Sequence[str | None],
    *,
    caller: str,
    minimum: int = 2,
) -> list[str]:
    if coders is None:
        cols = [c for c in data.columns if c not in set(e for e in exclude if e is not None)]
    else:
        cols = check_names(
            coders, parameter="coders", caller=caller, allow_none=False, allow_single=False
        )
        require_columns(data, cols, name="data", caller=caller)
    if len(cols) < minimum or len(set(cols)) != len(cols):
        raise ValueError(
            f"The 'coders' parameter of {caller} must name at least {minimum} "
            f"distinct coder columns; got {cols!r}."
        )
    return cols


def _groups(
    data: pd.DataFrame, by: str | None, id_column: str | None, *, caller: str
) -> list[tuple[Any, pd.DataFrame]]:
    require_columns(data, [by, id_column], name="data", caller=caller)
    if id_column is not None and by is not None:
        # one unit per comment within a job; with by=None rows of the same comment (its jobs)
        # are separate units that the bootstrap resamples together
        keys = [by, id_column]
        dup = data.duplicated(keys, keep=False)
        if dup.any():
            shown = data.loc[dup, keys].drop_duplicates().head(5).to_dict("records")
            raise ValueError(
                f"{caller}: each unit must appear once, but {int(dup.sum())} rows repeat "
                f"{' and '.join(repr(k) for k in keys)} (e.g. {shown}); aggregate them first."
            )
    if by is None:
        return [(None, data)]
    if data[by].isna().any():
        raise ValueError(f"{caller}: column {by!r} (the 'by' parameter) has missing values.")
    return list(data.groupby(by, sort=False, observed=True))


def _encode(values: pd.DataFrame, *, numeric: bool, caller: str) -> tuple[np.ndarray, np.ndarray]:
    """Category codes (units x coders, -1 = missing) and the sorted categories."""
    missing = values.isna().to_numpy()
    flat = values.to_numpy(dtype=object)[~missing]
    if numeric:
        try:
            flat = flat.astype(float)
        except (TypeError, ValueError):
            bad = [v for v in flat if not isinstance(v, (int, float, np.number))][:5]
            raise ValueError(
                f"{caller}: level other than 'nominal' needs numeric codes; got {bad!r}."
            ) from None
    cats = pd.unique(pd.Series(flat, dtype=float if numeric else object))
    try:
        cats = np.array(sorted(cats), dtype=float if numeric else object)
    except TypeError:  # mixed types that cannot be ordered: keep order of appearance
        cats = np.asarray(cats, dtype=object)
    codes = np.full(values.shape, -1, dtype=np.int64)
    if cats.size:
        lookup = pd.Index(cats)
        codes[~missing] = lookup.get_indexer(pd.Series(flat, dtype=float if numeric else object))
    return codes, cats


def _unit_counts(codes: np.ndarray, n_cat: int) -> np.ndarray:
    """Units x categories matrix of how many coders gave each category."""
    counts = np.zeros((codes.shape[0], n_cat))
    for r in range(codes.shape[1]):
        ok = codes[:, r] >= 0
        np.add.at(counts, (np.flatnonzero(ok), codes[ok, r]), 1.0)
    return counts


def _clusters(frame: pd.DataFrame, id_column: str | None) -> np.ndarray:
    """Cluster index per row, clusters ordered by id so results do not depend on row order."""
    if id_column is None:
        return np.arange(len(frame))
    keys = frame[id_column].astype(str).to_numpy()
    order = np.unique(keys)
    return np.searchsorted(order, keys)


def _by_cluster(contrib: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    n = int(cluster.max()) + 1 if cluster.size else 0
    out = np.zeros((n, *contrib.shape[1:]))
    np.add.at(out, cluster, contrib)
    return out


def _estimate(
    contrib: np.ndarray,
    cluster: np.ndarray,
    stat: Callable[[np.ndarray], float],
    *,
    n_boot: int,
    ci: float,
    random_state: int | None,
) -> tuple[float, float, float]:
    """Point estimate from summed contributions and a cluster-bootstrap percentile interval."""
    if contrib.shape[0] == 0:
        return np.nan, np.nan, np.nan
    per_cluster = _by_cluster(contrib, cluster)
    est = stat(per_cluster.sum(axis=0))
    if n_boot == 0 or not np.isfinite(est) or per_cluster.shape[0] < 2:
        return est, np.nan, np.nan
    low, high = bootstrap_ci(
        per_cluster,
        lambda x: stat(x.sum(axis=0)),
        level=ci,
        n_boot=n_boot,
        random_state=random_state,
    )
    return est, low, high


def _result(rows: list[dict[str, Any]], by: str | None, columns: list[str]) -> pd.DataFrame:
    cols = ([by] if by is not None else []) + columns
    out = pd.DataFrame(rows, columns=cols)
    for c in columns:
        if c.startswith("n"):
            out[c] = out[c].astype("int64")
        else:
            out[c] = out[c].astype(float)
    return out


# --------------------------------------------------------------------------- statistics
def _agreement_stat(total: np.ndarray) -> float:
    return float(total[0] / total[1]) if total[1] > 0 else np.nan


@renamed_keywords(id="id_column")
def percent_agreement(
    data: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    id_column: str | None = "comment_id",
    by: str | None = "job_id",
    ci: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Observed proportion of agreeing coder pairs, per job.

    Parameters
    ----------
    data : pandas.DataFrame
        Reliability data: one row per unit, one column per coder (values of any kind,
        missing allowed), plus the ``id_column`` and ``by`` columns (see :func:`stack_codings`).
    coders : list of str, optional
        Coder columns (at least two); default every column other than ``id_column`` and ``by``.
    id_column : str or None, default "comment_id"
        Column identifying the comment; the bootstrap resamples comments with all their rows.
        ``None``: each row is resampled on its own. With ``by``, a comment may appear once
        per group.
    by : str or None, default "job_id"
        Column to compute one estimate per value of (in order of appearance); ``None``: one
        estimate over all rows.
    ci : float, default 0.95
        Confidence level of the interval.
    n_boot : int, default 1000
        Bootstrap resamples (0: no interval).
    random_state : int or None, default 0
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by`` (when given); ``n`` units coded by at least two coders;
        ``n_coders`` coder columns; ``agreement`` the proportion of agreeing pairs (0-1);
        ``ci_low``, ``ci_high`` its percentile bootstrap interval.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or ``coders`` is a single string.
    ValueError
        If columns are missing, fewer than two coders are given, a unit appears twice,
        ``by`` has missing values, or ``ci``/``n_boot`` are out of range.

    Notes
    -----
    With :math:`n_{uc}` the number of coders who gave category :math:`c` to unit :math:`u`
    and :math:`m_u = \\sum_c n_{uc} \\ge 2` the number of coders of that unit,

    .. math:: P_o = \\frac{1}{U}\\sum_u \\frac{\\sum_c n_{uc}(n_{uc} - 1)}{m_u(m_u - 1)},

    the mean over units of the share of agreeing ordered pairs of coders (Fleiss' observed
    agreement [1]_). For two coders it is the share of units on which they agree. Units
    coded by fewer than two coders are left out. Percent agreement ignores agreement by
    chance; report it next to kappa or alpha, never alone.

    References
    ----------
    .. [1] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
       *Psychological Bulletin*, 76(5), 378-382.

    Examples
    --------
    >>> data = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"],
    ...                      "coder_a": [1, 0, 1, 1], "coder_b": [1, 0, 0, 1]})
    >>> percent_agreement(data, by=None, n_boot=0)[["n", "agreement"]]
       n  agreement
    0  4       0.75
    """
    caller = "percent_agreement"
    require_dataframe(data, caller=caller)
    cols = _coder_columns(data, coders, [id_column, by], caller=caller)
    n_boot, ci = _check_boot(n_boot, ci, caller)
    rows = []
    for key, frame in _groups(data, by, id_column, caller=caller):
        codes, cats = _encode(frame[cols], numeric=False, caller=caller)
        counts = _unit_counts(codes, cats.size)
        m = counts.sum(axis=1)
        ok = m >= 2
        agree = (counts[ok] * (counts[ok] - 1)).sum(axis=1) / (m[ok] * (m[ok] - 1))
        contrib = np.column_stack([agree, np.ones_like(agree)])
        est, low, high = _estimate(
            contrib,
            _clusters(frame, id_column)[ok],
            _agreement_stat,
            n_boot=n_boot,
            ci=ci,
            random_state=random_state,
        )
        row = {
            "n": int(ok.sum()),
            "n_coders": len(cols),
            "agreement": est,
            "ci_low": low,
            "ci_high": high,
        }
        if by is not None:
            row[by] = key
        rows.append(row)
    return _result(rows, by, ["n", "n_coders", "agreement", "ci_low", "ci_high"])


def _kappa_weights(n_cat: int, weights: str | None) -> np.ndarray:
    i = np.arange(n_cat)
    if weights is None:
        return (i[:, None] != i[None, :]).astype(float)
    diff = np.abs(i[:, None] - i[None, :]).astype(float)
    return diff if weights == "linear" else diff**2


def _kappa_stat(table: np.ndarray, w: np.ndarray) -> float:
    n = table.sum()
    if n == 0:
        return np.nan
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    denom = (w * expected).sum()
    if denom == 0:
        return np.nan
    return float(1.0 - (w * table).sum() / denom)


@renamed_keywords(id="id_column")
def cohen_kappa(
    data: pd.DataFrame,
    *,
    coder_a: str = "coder_a",
    coder_b: str = "coder_b",
    id_column: str | None = "comment_id",
    by: str | None = "job_id",
    weights: str | None = None,
    ci: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Cohen's kappa of two coders, per job, with a cluster-bootstrap interval.

    Parameters
    ----------
    data : pandas.DataFrame
        Reliability data with the two coder columns (see :func:`stack_codings`).
    coder_a, coder_b : str, default "coder_a", "coder_b"
        The coder columns.
    id_column : str or None, default "comment_id"
        Column identifying the comment (the bootstrap resamples comments); ``None``: rows.
    by : str or None, default "job_id"
        One estimate per value of this column; ``None``: one estimate over all rows.
    weights : {None, "linear", "quadratic"}, default None
        Weighted kappa for ordered categories [2]_ (categories in sorted order, as in
        ``sklearn.metrics.cohen_kappa_score``).
    ci : float, default 0.95
        Confidence level.
    n_boot : int, default 1000
        Bootstrap resamples (0: no interval).
    random_state : int or None, default 0
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by`` (when given); ``n`` units coded by both coders; ``kappa``;
        ``ci_low``, ``ci_high`` (percentile bootstrap over comments). ``kappa`` is NaN when
        chance agreement is 1 (both coders used one and the same category throughout).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame.
    ValueError
        If a column is missing, ``coder_a == coder_b``, ``weights`` is not allowed, a unit
        appears twice, or ``ci``/``n_boot`` are out of range.

    Notes
    -----
    With observed proportions :math:`p_{ij}` of the two coders' categories, marginal
    proportions :math:`p_{i\\cdot}`, :math:`p_{\\cdot j}` and disagreement weights
    :math:`w_{ij}` (1 off the diagonal; :math:`|i-j|` linear; :math:`(i-j)^2` quadratic),

    .. math:: \\kappa = 1 - \\frac{\\sum_{ij} w_{ij} p_{ij}}{\\sum_{ij} w_{ij} p_{i\\cdot}
              p_{\\cdot j}},

    which for unweighted kappa is :math:`(p_o - p_e) / (1 - p_e)` [1]_. Units that either
    coder left uncoded are dropped. Kappa depends on prevalence: with a rare job a high
    percent agreement can go with a low kappa (the "kappa paradox"); read both.

    References
    ----------
    .. [1] Cohen, J. (1960). *Educational and Psychological Measurement*, 20(1), 37-46.
    .. [2] Cohen, J. (1968). *Psychological Bulletin*, 70(4), 213-220.

    Examples
    --------
    >>> data = pd.DataFrame({"comment_id": list("abcdef"),
    ...                      "coder_a": [1, 1, 0, 0, 1, 0], "coder_b": [1, 0, 0, 0, 1, 0]})
    >>> round(float(cohen_kappa(data, by=None, n_boot=0)["kappa"].iloc[0]), 4)
    0.6667

    The same as R ``irr::kappa2(cbind(a, b))``.
    """
    caller = "cohen_kappa"
    require_dataframe(data, caller=caller)
    require_columns(data, [coder_a, coder_b], name="data", caller=caller)
    if coder_a == coder_b:
        raise ValueError(
            f"The 'coder_a' and 'coder_b' parameters of {caller} must name two "
            f"different columns; both are {coder_a!r}."
        )
    one_of(weights, (None, "linear", "quadratic"), parameter="weights", caller=caller)
    n_boot, ci = _check_boot(n_boot, ci, caller)
    rows = []
    for key, frame in _groups(data, by, id_column, caller=caller):
        codes, cats = _encode(frame[[coder_a, coder_b]], numeric=False, caller=caller)
        ok = (codes >= 0).all(axis=1)
        c = cats.size
        contrib = np.zeros((int(ok.sum()), c, c))
        contrib[np.arange(contrib.shape[0]), codes[ok, 0], codes[ok, 1]] = 1.0
        w = _kappa_weights(c, weights)
        est, low, high = _estimate(
            contrib,
            _clusters(frame, id_column)[ok],
            lambda t, w=w: _kappa_stat(t, w),
            n_boot=n_boot,
            ci=ci,
            random_state=random_state,
        )
        row = {"n": int(ok.sum()), "kappa": est, "ci_low": low, "ci_high": high}
        if by is not None:
            row[by] = key
        rows.append(row)
    return _result(rows, by, ["n", "kappa", "ci_low", "ci_high"])


def _delta2(level: str, cats: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Squared difference function of Krippendorff (2011) for the given level."""
    k = cats.size
    if level == "nominal":
        return (np.arange(k)[:, None] != np.arange(k)[None, :]).astype(float)
    v = cats.astype(float)
    if level == "interval":
        return (v[:, None] - v[None, :]) ** 2
    if level == "ratio":
        s = v[:, None] + v[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(s == 0, 0.0, ((v[:, None] - v[None, :]) / s) ** 2)
        return d
    # ordinal: (sum of n_g for g between c and k, minus half of n_c and n_k) squared
    cum = np.concatenate([[0.0], np.cumsum(n_c)])
    lo = np.minimum(np.arange(k)[:, None], np.arange(k)[None, :])
    hi = np.maximum(np.arange(k)[:, None], np.arange(k)[None, :])
    between = cum[hi + 1] - cum[lo]
    return (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2


def _alpha_stat(o: np.ndarray, level: str, cats: np.ndarray) -> float:
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return np.nan
    d2 = _delta2(level, cats, n_c)
    expected = (np.outer(n_c, n_c) * d2).sum()
    if expected <= 0:
        return np.nan
    return float(1.0 - (n - 1.0) * (o * d2).sum() / expected)


@renamed_keywords(id="id_column")
def krippendorff_alpha(
    data: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    level: str = "nominal",
    id_column: str | None = "comment_id",
    by: str | None = "job_id",
    ci: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Krippendorff's alpha for any number of coders, with missing codes, per job.

    Parameters
    ----------
    data : pandas.DataFrame
        Reliability data: one row per unit, one column per coder, missing values allowed
        (see :func:`stack_codings`).
    coders : list of str, optional
        Coder columns (at least two); default every column other than ``id_column`` and ``by``.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Level of measurement of the codes; all but nominal need numeric codes.
    id_column : str or None, default "comment_id"
        Column identifying the comment (resampled by the bootstrap); ``None``: rows.
    by : str or None, default "job_id"
        One estimate per value of this column; ``None``: one estimate over all rows.
    ci : float, default 0.95
        Confidence level.
    n_boot : int, default 1000
        Bootstrap resamples (0: no interval).
    random_state : int or None, default 0
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by`` (when given); ``n`` pairable units (coded by at least two
        coders); ``n_values`` pairable values; ``alpha``; ``ci_low``, ``ci_high``
        (percentile bootstrap over comments). ``alpha`` is NaN when there is no variation
        at all (expected disagreement 0).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or ``coders`` is a single string.
    ValueError
        If columns are missing, fewer than two coders, an unknown ``level``, non-numeric
        codes for a numeric level, a repeated unit, or ``ci``/``n_boot`` out of range.

    Notes
    -----
    Following Krippendorff (2011) [1]_: for each unit :math:`u` with :math:`m_u \\ge 2`
    values, every ordered pair of values from different coders adds
    :math:`1/(m_u - 1)` to the coincidence matrix :math:`o_{ck}`; :math:`n_c = \\sum_k o_{ck}`,
    :math:`n = \\sum_c n_c`. Then

    .. math:: \\alpha = 1 - (n - 1)\\frac{\\sum_{c,k} o_{ck}\\,\\delta^2_{ck}}
              {\\sum_{c,k} n_c n_k\\,\\delta^2_{ck}}

    with :math:`\\delta^2` = 0/1 (nominal), :math:`(c-k)^2` (interval),
    :math:`((c-k)/(c+k))^2` (ratio) or :math:`(\\sum_{g=c}^{k} n_g - (n_c+n_k)/2)^2`
    (ordinal). Missing values simply reduce :math:`m_u`; units with fewer than two values
    are not pairable and drop out. Krippendorff [2]_ advises relying on variables with
    :math:`\\alpha \\ge .800` and drawing only tentative conclusions from
    :math:`.667 \\le \\alpha < .800`. The interval resamples comments (a cluster bootstrap),
    not Krippendorff's own resampling of pairable values [3]_.

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Departmental
       Papers (ASC), University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
    .. [2] Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology*
       (2nd ed.). Sage, pp. 241-243.
    .. [3] Zapf, A., Castell, S., Morawietz, L., & Karch, A. (2016). *BMC Medical Research
       Methodology*, 16, 93.

    Examples
    --------
    Krippendorff's (2011) example of 4 coders and 12 units (``None`` = not coded):

    >>> data = pd.DataFrame({
    ...     "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...     "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...     "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...     "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]})
    >>> round(float(krippendorff_alpha(data, id_column=None, by=None, n_boot=0)["alpha"].iloc[0]), 3)
    0.743

    As R ``irr::kripp.alpha(t(as.matrix(data)), method = "nominal")``.
    """
    caller = "krippendorff_alpha"
    require_dataframe(data, caller=caller)
    one_of(level, LEVELS, parameter="level", caller=caller)
    cols = _coder_columns(data, coders, [id_column, by], caller=caller)
    n_boot, ci = _check_boot(n_boot, ci, caller)
    rows = []
    for key, frame in _groups(data, by, id_column, caller=caller):
        codes, cats = _encode(frame[cols], numeric=level != "nominal", caller=caller)
        counts = _unit_counts(codes, cats.size)
        m = counts.sum(axis=1)
        ok = m >= 2
        cu, mu = counts[ok], m[ok]
        contrib = (
            cu[:, :, None] * cu[:, None, :] - np.einsum("uc,ck->uck", cu, np.eye(cats.size))
        ) / (mu - 1)[:, None, None]
        est, low, high = _estimate(
            contrib,
            _clusters(frame, id_column)[ok],
            lambda o, c=cats: _alpha_stat(o, level, c),
            n_boot=n_boot,
            ci=ci,
            random_state=random_state,
        )
        row = {
            "n": int(ok.sum()),
            "n_values": int(mu.sum()),
            "alpha": est,
            "ci_low": low,
            "ci_high": high,
        }
        if by is not None:
            row[by] = key
        rows.append(row)
    return _result(rows, by, ["n", "n_values", "alpha", "ci_low", "ci_high"])
