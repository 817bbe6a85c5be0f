"""Inter-coder reliability: percent agreement, Cohen's kappa, Krippendorff's alpha.

Before the deductive coder or a trained model is trusted, two people code the same
subsample of comments by hand and their agreement is measured per job. This module takes
their codings, computes one statistic per function with a bootstrap confidence interval,
and lists the disagreements the coders must resolve.

Two input shapes are used:

* **wide codings**, one frame per coder, keyed by ``comment_id`` with one 0/1 column
  ``code_<job_id>`` per job (the hand-coded columns of ``feedback.csv`` and
  ``second_coding.csv``; ``<NA>`` = comment not coded by that coder);
* **reliability data**, one row per unit (a comment for one job) and one column per coder,
  with a ``job_id`` column to compute a statistic per job and a ``comment_id`` column to
  bootstrap by comment. :func:`stack_codings` turns wide codings into this shape; any other
  units × coders matrix (values of any nominal, ordinal or numeric kind, missing allowed)
  can be passed straight in.

Confidence intervals are percentile bootstrap intervals over resampled comments (a
cluster bootstrap: all jobs of a resampled comment come along, which matters for the
pooled, all-jobs estimates) [5]_.

References
----------
.. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
   Psychological Measurement*, 20(1), 37-46.
.. [2] Cohen, J. (1968). Weighted kappa: nominal scale agreement with provision for scaled
   disagreement or partial credit. *Psychological Bulletin*, 70(4), 213-220.
.. [3] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Departmental
   Papers (ASC), University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
.. [4] Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology*
   (2nd ed.). Sage, ch. 11 (pp. 241-243 for the .800 / .667 thresholds).
.. [5] Zapf, A., Castell, S., Morawietz, L., & Karch, A. (2016). Measuring inter-rater
   reliability for nominal data - which coefficients and confidence intervals are
   appropriate? *BMC Medical Research Methodology*, 16, 93.
.. [6] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
   *Psychological Bulletin*, 76(5), 378-382 (observed agreement of several raters).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._stats import bootstrap_ci
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)

__all__ = [
    "LEVELS",
    "agreement_table",
    "cohen_kappa",
    "disagreements",
    "krippendorff_alpha",
    "percent_agreement",
    "stack_codings",
]

logger = logging.getLogger(__name__)

#: Levels of measurement of :func:`krippendorff_alpha`.
LEVELS = ("nominal", "ordinal", "interval", "ratio")
#: Krippendorff's (2004, p. 241) thresholds: rely on alpha >= .800, draw only tentative
#: conclusions for .667 <= alpha < .800.
RELIABLE, TENTATIVE = 0.800, 0.667
_PREFIX = "code_"
_ALL = "all_jobs"


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
        if isinstance(coders, str):
            raise TypeError(
                f"The 'coders' parameter of {caller} must be a list of column names; "
                f"got the single string {coders!r}."
            )
        cols = list(coders)
        require_columns(data, cols, name="data", caller=caller)
    if len(cols) < minimum or len(set(cols)) != len(cols):
        raise ValueError(
            f"The 'coders' parameter of {caller} must name at least {minimum} "
            f"distinct coder columns; got {cols!r}."
        )
    return cols


def _groups(
    data: pd.DataFrame, by: str | None, id: str | None, *, caller: str
) -> list[tuple[Any, pd.DataFrame]]:
    require_columns(data, [by, id], name="data", caller=caller)
    if id is not None and by is not None:
        # one unit per comment within a job; with by=None rows of the same comment (its jobs)
        # are separate units that the bootstrap resamples together
        keys = [by, id]
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


def _clusters(frame: pd.DataFrame, id: str | None) -> np.ndarray:
    """Cluster index per row, clusters ordered by id so results do not depend on row order."""
    if id is None:
        return np.arange(len(frame))
    keys = frame[id].astype(str).to_numpy()
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


def percent_agreement(
    data: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    id: str | None = "comment_id",
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
        missing allowed), plus the ``id`` and ``by`` columns (see :func:`stack_codings`).
    coders : list of str, optional
        Coder columns (at least two); default every column other than ``id`` and ``by``.
    id : str or None, default "comment_id"
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
    cols = _coder_columns(data, coders, [id, by], caller=caller)
    n_boot, ci = _check_boot(n_boot, ci, caller)
    rows = []
    for key, frame in _groups(data, by, id, caller=caller):
        codes, cats = _encode(frame[cols], numeric=False, caller=caller)
        counts = _unit_counts(codes, cats.size)
        m = counts.sum(axis=1)
        ok = m >= 2
        agree = (counts[ok] * (counts[ok] - 1)).sum(axis=1) / (m[ok] * (m[ok] - 1))
        contrib = np.column_stack([agree, np.ones_like(agree)])
        est, low, high = _estimate(
            contrib,
            _clusters(frame, id)[ok],
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


def cohen_kappa(
    data: pd.DataFrame,
    *,
    coder_a: str = "coder_a",
    coder_b: str = "coder_b",
    id: str | None = "comment_id",
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
    id : str or None, default "comment_id"
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
    for key, frame in _groups(data, by, id, caller=caller):
        codes, cats = _encode(frame[[coder_a, coder_b]], numeric=False, caller=caller)
        ok = (codes >= 0).all(axis=1)
        c = cats.size
        contrib = np.zeros((int(ok.sum()), c, c))
        contrib[np.arange(contrib.shape[0]), codes[ok, 0], codes[ok, 1]] = 1.0
        w = _kappa_weights(c, weights)
        est, low, high = _estimate(
            contrib,
            _clusters(frame, id)[ok],
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


def krippendorff_alpha(
    data: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    level: str = "nominal",
    id: str | None = "comment_id",
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
        Coder columns (at least two); default every column other than ``id`` and ``by``.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Level of measurement of the codes; all but nominal need numeric codes.
    id : str or None, default "comment_id"
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
    >>> round(float(krippendorff_alpha(data, id=None, by=None, n_boot=0)["alpha"].iloc[0]), 3)
    0.743

    As R ``irr::kripp.alpha(t(as.matrix(data)), method = "nominal")``.
    """
    caller = "krippendorff_alpha"
    require_dataframe(data, caller=caller)
    one_of(level, LEVELS, parameter="level", caller=caller)
    cols = _coder_columns(data, coders, [id, by], caller=caller)
    n_boot, ci = _check_boot(n_boot, ci, caller)
    rows = []
    for key, frame in _groups(data, by, id, caller=caller):
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
            _clusters(frame, id)[ok],
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


# ------------------------------------------------------------------------ wide codings
def _job_columns(frame: pd.DataFrame, prefix: str) -> list[str]:
    return [c[len(prefix) :] for c in frame.columns if isinstance(c, str) and c.startswith(prefix)]


def _named(codings: Any, caller: str) -> dict[str, pd.DataFrame]:
    if isinstance(codings, pd.DataFrame):
        raise TypeError(
            f"The 'codings' parameter of {caller} must be a mapping of coder name "
            "to DataFrame or a list of DataFrames (one per coder); got one DataFrame."
        )
    if isinstance(codings, Mapping):
        named = {str(k): v for k, v in codings.items()}
    elif isinstance(codings, Sequence) and not isinstance(codings, str):
        named = {f"coder_{i + 1}": v for i, v in enumerate(codings)}
    else:
        raise TypeError(
            f"The 'codings' parameter of {caller} must be a mapping of coder name "
            f"to DataFrame or a list of DataFrames; got {type(codings).__name__}."
        )
    if len(named) < 2:
        raise ValueError(
            f"The 'codings' parameter of {caller} needs at least two coders; got {len(named)}."
        )
    for name, frame in named.items():
        require_dataframe(frame, parameter=f"codings[{name!r}]", caller=caller)
    return named


def stack_codings(
    codings: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame],
    *,
    id: str = "comment_id",
    jobs: Sequence[str] | None = None,
    prefix: str = _PREFIX,
    job: str = "job_id",
) -> pd.DataFrame:
    """Turn wide 0/1 codings of several coders into reliability data (one row per unit).

    Parameters
    ----------
    codings : mapping of str to DataFrame, or list of DataFrame
        One frame per coder, keyed by ``id``, with 0/1 columns ``<prefix><job_id>``
        (``<NA>`` where the coder did not code the comment). A list names the coders
        ``coder_1``, ``coder_2``, ...
    id : str, default "comment_id"
        Key column of the frames.
    jobs : list of str, optional
        Jobs to keep; default the jobs with a column in every frame (others are logged).
    prefix : str, default ``"code_"``
        Prefix of the code columns.
    job : str, default "job_id"
        Name of the job column of the result.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``job`` and one nullable-integer (``Int64``) column per coder
        holding 0, 1 or ``<NA>``. One row per (comment, job) coded by at least one coder,
        jobs in the order of ``jobs``, comments in order of first appearance. Comments
        missing from a coder's frame are ``<NA>`` for that coder.

    Raises
    ------
    TypeError
        If ``codings`` is not a mapping or list of DataFrames.
    ValueError
        If fewer than two coders, a frame lacks ``id`` or a job column, repeats a comment,
        holds codes other than 0/1, or the coders share no job; or a coder is named like
        the ``id`` or ``job`` column.

    Examples
    --------
    >>> a = pd.DataFrame({"comment_id": ["c1", "c2"], "code_gain_clarity": [1, 0]})
    >>> b = pd.DataFrame({"comment_id": ["c2", "c1"], "code_gain_clarity": [0, 0]})
    >>> stack_codings({"coder_a": a, "coder_b": b})
      comment_id        job_id  coder_a  coder_b
    0         c1  gain_clarity        1        0
    1         c2  gain_clarity        0        0
    """
    caller = "stack_codings"
    named = _named(codings, caller)
    for name in named:
        if name in (id, job):
            raise ValueError(
                f"{caller}: coder name {name!r} clashes with the {id!r}/{job!r} "
                "columns; rename the coder."
            )
    frames = list(named.items())
    if jobs is None:
        common = _job_columns(frames[0][1], prefix)
        for _, f in frames[1:]:
            have = set(_job_columns(f, prefix))
            common = [j for j in common if j in have]
        every = {j for _, f in frames for j in _job_columns(f, prefix)}
        left_out = sorted(every - set(common))
        if left_out:
            logger.info(
                "%s: jobs not coded by every coder left out: %s", caller, ", ".join(left_out)
            )
        if not common:
            raise ValueError(
                f"{caller}: the coders share no '{prefix}<job_id>' column; each "
                "frame needs one 0/1 column per job."
            )
        jobs = common
    else:
        if isinstance(jobs, str):
            jobs = [jobs]
        jobs = list(jobs)
    ids: list[Any] = []
    seen: set[Any] = set()
    values: dict[str, pd.DataFrame] = {}
    for name, f in frames:
        where = f"codings[{name!r}]"
        require_columns(f, [id] + [f"{prefix}{j}" for j in jobs], name=where, caller=caller)
        if f[id].isna().any():
            raise ValueError(f"{caller}: {where} has missing values in {id!r}.")
        dup = f[id].duplicated(keep=False)
        if dup.any():
            shown = ", ".join(map(repr, pd.unique(f.loc[dup, id])[:5].tolist()))
            raise ValueError(f"{caller}: {where} repeats {id} {shown}; one row per comment.")
        block = f.set_index(id)[[f"{prefix}{j}" for j in jobs]]
        for col in block.columns:
            num = pd.to_numeric(block[col], errors="coerce")
            bad = block[col].notna() & ~num.isin([0, 1])
            if bad.any():
                shown = ", ".join(map(repr, pd.unique(block.loc[bad, col])[:5].tolist()))
                raise ValueError(
                    f"{caller}: {where} column {col!r} must hold 0, 1 or missing; got {shown}."
                )
            block[col] = num.astype("Int64")
        values[name] = block
        for key in f[id]:
            if key not in seen:
                seen.add(key)
                ids.append(key)
    index = pd.Index(ids, name=id)
    parts = []
    for j in jobs:
        part = pd.DataFrame({id: index, job: j})
        for name, block in values.items():
            part[name] = block[f"{prefix}{j}"].reindex(index).to_numpy()
            part[name] = part[name].astype("Int64")
        coded = part[list(values)].notna().any(axis=1)
        parts.append(part[coded.to_numpy()])
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[id, job])
    return out


def _verdict(alpha: float) -> str:
    if not np.isfinite(alpha):
        return "undefined"
    if alpha >= RELIABLE:
        return "reliable"
    return "tentative" if alpha >= TENTATIVE else "unreliable"


def agreement_table(
    coding_a: pd.DataFrame,
    coding_b: pd.DataFrame,
    *,
    id: str = "comment_id",
    jobs: Sequence[str] | None = None,
    overall: bool = True,
    ci: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Agreement of two coders per job: percent agreement, Cohen's kappa, Krippendorff's alpha.

    Parameters
    ----------
    coding_a, coding_b : pandas.DataFrame
        Wide 0/1 codings keyed by ``id`` with ``code_<job_id>`` columns (e.g. the hand-coded
        columns of ``study.feedback`` and ``study.second_coding``).
    id : str, default "comment_id"
        Key column.
    jobs : list of str, optional
        Jobs to compare; default every job both frames code.
    overall : bool, default True
        Add a last row ``job_id == "all_jobs"`` pooling every (comment, job) unit, with the
        bootstrap resampling whole comments.
    ci : float, default 0.95
        Confidence level of the intervals.
    n_boot : int, default 1000
        Bootstrap resamples (0: no intervals).
    random_state : int or None, default 0
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per job: ``job_id``; ``n`` comments coded by both; ``positive_a``,
        ``positive_b`` comments each coder coded 1 (prevalence drives kappa);
        ``agreement`` (0-1) with ``agreement_ci_low``/``agreement_ci_high``; ``kappa`` with
        ``kappa_ci_low``/``kappa_ci_high``; ``alpha`` (nominal Krippendorff's alpha) with
        ``alpha_ci_low``/``alpha_ci_high``; ``verdict`` from alpha following Krippendorff
        (2004): ``"reliable"`` (>= .800), ``"tentative"`` (.667-.800), ``"unreliable"``,
        or ``"undefined"`` when a job has no variation.

    Raises
    ------
    TypeError, ValueError
        As :func:`stack_codings` (bad frames or codes) and the statistic functions.

    Notes
    -----
    Only comments coded by both coders count (listwise). Kappa and alpha of two coders
    differ only in how chance agreement is estimated (each coder's own marginals for kappa,
    pooled marginals for alpha) and in alpha's small-sample correction; a job with few
    positive codes gives wide intervals whatever its percent agreement.

    References
    ----------
    .. [1] Cohen, J. (1960). *Educational and Psychological Measurement*, 20(1), 37-46.
    .. [2] Krippendorff, K. (2004). *Content Analysis* (2nd ed.). Sage, pp. 241-243.

    Examples
    --------
    >>> a = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"], "code_feel_heard": [1, 0, 1, 0]})
    >>> b = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"], "code_feel_heard": [1, 0, 0, 0]})
    >>> t = agreement_table(a, b, n_boot=0, overall=False)
    >>> t[["job_id", "n", "agreement", "kappa"]]
           job_id  n  agreement  kappa
    0  feel_heard  4       0.75    0.5
    """
    caller = "agreement_table"
    n_boot, ci = _check_boot(n_boot, ci, caller)
    long = stack_codings({"coder_a": coding_a, "coder_b": coding_b}, id=id, jobs=jobs)
    both = long[long["coder_a"].notna() & long["coder_b"].notna()]
    kw = {"id": id, "ci": ci, "n_boot": n_boot, "random_state": random_state}
    job_order = list(dict.fromkeys(long["job_id"]))
    if jobs is not None:
        job_order = list(jobs)
    tables = []
    for by in ["job_id"] + ([None] if overall else []):
        agree = percent_agreement(both, coders=["coder_a", "coder_b"], by=by, **kw)
        kappa = cohen_kappa(both, by=by, **kw)
        alpha = krippendorff_alpha(both, coders=["coder_a", "coder_b"], by=by, **kw)
        if by is None:
            for t in (agree, kappa, alpha):
                t.insert(0, "job_id", _ALL)
            pos = pd.DataFrame(
                {
                    "job_id": [_ALL],
                    "positive_a": [int(both["coder_a"].sum())],
                    "positive_b": [int(both["coder_b"].sum())],
                }
            )
        else:
            pos = (
                both.groupby("job_id", sort=False)[["coder_a", "coder_b"]]
                .sum()
                .rename(columns={"coder_a": "positive_a", "coder_b": "positive_b"})
                .reset_index()
            )
        t = (
            agree[["job_id", "n", "agreement", "ci_low", "ci_high"]]
            .rename(columns={"ci_low": "agreement_ci_low", "ci_high": "agreement_ci_high"})
            .merge(pos, on="job_id", how="left")
            .merge(
                kappa[["job_id", "kappa", "ci_low", "ci_high"]].rename(
                    columns={"ci_low": "kappa_ci_low", "ci_high": "kappa_ci_high"}
                ),
                on="job_id",
                how="left",
            )
            .merge(
                alpha[["job_id", "alpha", "ci_low", "ci_high"]].rename(
                    columns={"ci_low": "alpha_ci_low", "ci_high": "alpha_ci_high"}
                ),
                on="job_id",
                how="left",
            )
        )
        if by is not None:
            # jobs nobody coded on a shared comment still get a row, with n = 0
            t = t.set_index("job_id").reindex(job_order).reset_index()
        tables.append(t)
    out = pd.concat(tables, ignore_index=True)
    out["n"] = out["n"].fillna(0).astype("int64")
    for c in ("positive_a", "positive_b"):
        out[c] = out[c].fillna(0).astype("int64")
    out["verdict"] = out["alpha"].map(_verdict)
    return out[
        [
            "job_id",
            "n",
            "positive_a",
            "positive_b",
            "agreement",
            "agreement_ci_low",
            "agreement_ci_high",
            "kappa",
            "kappa_ci_low",
            "kappa_ci_high",
            "alpha",
            "alpha_ci_low",
            "alpha_ci_high",
            "verdict",
        ]
    ]


def disagreements(
    coding_a: pd.DataFrame,
    coding_b: pd.DataFrame,
    *,
    id: str = "comment_id",
    jobs: Sequence[str] | None = None,
    names: tuple[str, str] = ("coder_a", "coder_b"),
    texts: pd.DataFrame | None = None,
    text: str = "comment",
    redact: Callable[[pd.Series], pd.Series] | None = None,
) -> pd.DataFrame:
    """The (comment, job) pairs on which two coders differ, for them to resolve.

    Parameters
    ----------
    coding_a, coding_b : pandas.DataFrame
        Wide 0/1 codings keyed by ``id`` with ``code_<job_id>`` columns.
    id : str, default "comment_id"
        Key column.
    jobs : list of str, optional
        Jobs to compare; default every job both frames code.
    names : tuple of two str, default ("coder_a", "coder_b")
        Column names of the two coders' codes in the result.
    texts : pandas.DataFrame, optional
        Frame with ``id`` and ``text`` columns (e.g. ``study.feedback``); adds the comment.
    text : str, default "comment"
        Text column of ``texts``.
    redact : callable, optional
        Applied to the text column before it is returned, e.g. ``privacy.redact``; pass it
        whenever the table leaves the coding team.

    Returns
    -------
    pandas.DataFrame
        One row per disagreement, ordered by job then comment: ``id``, ``job_id``, the two
        coders' codes (``Int64``) and, when ``texts`` is given, ``text``. Empty (same
        columns) when the coders agree everywhere.

    Raises
    ------
    TypeError, ValueError
        As :func:`stack_codings`; also when ``names`` is not two distinct names, ``texts``
        lacks a column or repeats a comment, or ``redact`` is not callable.

    Examples
    --------
    >>> a = pd.DataFrame({"comment_id": ["c1", "c2"], "code_feel_heard": [1, 0]})
    >>> b = pd.DataFrame({"comment_id": ["c1", "c2"], "code_feel_heard": [0, 0]})
    >>> disagreements(a, b)
      comment_id      job_id  coder_a  coder_b
    0         c1  feel_heard        1        0
    """
    caller = "disagreements"
    if (
        not isinstance(names, (tuple, list))
        or len(names) != 2
        or names[0] == names[1]
        or not all(isinstance(n, str) for n in names)
    ):
        raise ValueError(
            f"The 'names' parameter of {caller} must be two distinct column names; got {names!r}."
        )
    if redact is not None and not callable(redact):
        raise TypeError(
            f"The 'redact' parameter of {caller} must be callable or None; got "
            f"{type(redact).__name__}."
        )
    long = stack_codings({names[0]: coding_a, names[1]: coding_b}, id=id, jobs=jobs)
    a, b = long[names[0]], long[names[1]]
    out = long[(a.notna() & b.notna() & (a != b)).fillna(False).to_numpy()].reset_index(drop=True)
    if texts is not None:
        require_columns(texts, [id, text], name="texts", caller=caller)
        if texts[id].duplicated().any():
            raise ValueError(f"{caller}: 'texts' repeats values of {id!r}; one row per comment.")
        lookup = texts.set_index(id)[text]
        values = out[id].map(lookup).fillna("").astype(str)
        if redact is not None:
            values = pd.Series(redact(values), index=out.index)
        out[text] = values
    return out
