"""Typing and checking the columns of each data file, and the pandera contracts.

Each ``_<table>`` function turns a text table into typed columns (dates, nullable integers,
floats, text), collecting a problem for every cell that does not fit, and
:func:`_contract` checks the result against the pandera schema of ``CONTRIBUTING.md``.
"""

from __future__ import annotations

import logging
import re
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from jtbd_methods.study.model import _LIKERT, MAX_COMMENT_CHARS, _split_codes
from jtbd_methods.study.reading import _Collector

log = logging.getLogger(__name__)


def _blank(s: pd.Series) -> np.ndarray:
    return (s.str.strip() == "").to_numpy()


_TZ = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$", re.I)


def _parse_dates(
    s: pd.Series,
    *,
    column: str,
    out: _Collector,
    required: bool = True,
    today: pd.Timestamp | None = None,
    future_ok: bool = False,
) -> pd.Series:
    """Parse a date column in ONE format for the whole file: ISO (YYYY-MM-DD) or UK (DD/MM/YYYY).

    ``study.yaml`` ``date_format`` (a ``strftime`` format such as ``%m/%d/%Y``) overrides the
    guess for dates that are not ISO. Times with a time zone are refused (the day would depend on the zone). When a
    slash-separated file holds month-first dates that cannot be day-first (``01/25/2024``),
    dates that read both ways (``02/03/2024``) are an error naming both readings.
    """
    text = s.str.strip()
    blank = (text == "").to_numpy()
    zoned = text.str.contains(_TZ).to_numpy() & ~blank
    out.rows(
        zoned,
        s,
        column=column,
        expected="a date without a time zone, like 2024-03-01 (export local dates, not "
        "time stamps with an offset)",
    )
    text = text.mask(zoned, "")
    skip = blank | zoned
    if out.date_format:  # ISO dates are never ambiguous; the others follow date_format
        iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
        parsed = iso.fillna(pd.to_datetime(text, format=out.date_format, errors="coerce"))
        bad = parsed.isna().to_numpy() & ~skip
        out.rows(
            bad,
            s,
            column=column,
            expected=f"a date in the format of study.yaml date_format {out.date_format!r}",
        )
    else:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy() & ~skip
        if bad.any():
            uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
            us = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
            if uk.notna().sum() > parsed.notna().sum():
                parsed, bad = uk, uk.isna().to_numpy() & ~skip
                fmt = "a date in the file's format DD/MM/YYYY, like 01/03/2024"
            else:
                fmt = "a date in the file's format YYYY-MM-DD, like 2024-03-01"
            month_first = (us.notna() & uk.isna()).to_numpy()
            both = (us.notna() & uk.notna() & (us != uk)).to_numpy()
            if month_first.any() and both.any():
                first = int(np.flatnonzero(both)[0])
                example = int(np.flatnonzero(month_first)[0]) + 2
                out.rows(
                    both,
                    s,
                    column=column,
                    expected=(
                        f"an unambiguous date: row {example} has a month-first date, so this "
                        f"one could be {uk.iloc[first]:%d %B %Y} (day first) or "
                        f"{us.iloc[first]:%d %B %Y} (month first); set date_format in "
                        "study.yaml ('%d/%m/%Y' or '%m/%d/%Y')"
                    ),
                )
                bad = bad & ~both
            out.rows(bad, s, column=column, expected=f"{fmt} (one date format per file)")
    if required:
        out.rows(blank, s, column=column, expected="a date; the cell is empty")
    if not future_ok:
        today = today or pd.Timestamp(date.today())
        future = (parsed > today + pd.Timedelta(days=1)).to_numpy()
        out.rows(
            future, s, column=column, expected=f"a date not in the future (today is {today.date()})"
        )
    ancient = (parsed < pd.Timestamp("1900-01-01")).to_numpy()
    out.rows(ancient, s, column=column, expected="a date after 1900")
    parsed = parsed.mask(
        (parsed > pd.Timestamp("2200-01-01")) | (parsed < pd.Timestamp("1900-01-01"))
    )
    # drop any time-of-day/time zone: reports work in whole days
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _parse_int(
    s: pd.Series,
    *,
    column: str,
    out: _Collector,
    lo: float | None = None,
    hi: float | None = None,
    required: bool = False,
    expected: str | None = None,
) -> pd.Series:
    text = s.str.strip()
    blank = (text == "").to_numpy()
    num = pd.to_numeric(text.where(~blank, None), errors="coerce")
    whole = num.notna() & (num == np.floor(num.fillna(0)))
    ok = whole.to_numpy(dtype=bool, copy=True)
    if lo is not None:
        ok &= (num >= lo).fillna(False).to_numpy()
    if hi is not None:
        ok &= (num <= hi).fillna(False).to_numpy()
    bad = ~ok & ~blank
    exp = expected or "a whole number" + (
        f" from {lo:g} to {hi:g}" if lo is not None and hi is not None else ""
    )
    out.rows(bad, s, column=column, expected=exp)
    if required:
        out.rows(blank, s, column=column, expected=exp + "; the cell is empty")
    return _to_int64(num, ok, s.index)


def _to_int64(num: pd.Series, ok: np.ndarray, index: pd.Index) -> pd.Series:
    values = num.to_numpy(dtype=float, na_value=np.nan)
    arr = pd.array(np.where(ok, values, 0).astype("int64"), dtype="Int64")
    arr[~ok] = pd.NA
    return pd.Series(arr, index=index)


def _parse_float(s: pd.Series, *, column: str, out: _Collector, lo: float, hi: float) -> pd.Series:
    text = s.str.strip()
    blank = (text == "").to_numpy()
    num = pd.to_numeric(text.where(~blank, None), errors="coerce")
    ok = ((num >= lo) & (num <= hi)).fillna(False).to_numpy()
    out.rows(~ok & ~blank, s, column=column, expected=f"a number from {lo:g} to {hi:g}")
    out.rows(blank, s, column=column, expected=f"a number from {lo:g} to {hi:g}; the cell is empty")
    return num.where(ok).astype("float64")


def _text(s: pd.Series, *, column: str, out: _Collector, required: bool = True) -> pd.Series:
    text = s.str.strip()
    if required:
        out.rows((text == "").to_numpy(), s, column=column, expected="a value; the cell is empty")
    return text


def _unique(s: pd.Series, *, column: str, out: _Collector, what: str) -> None:
    dup = s.duplicated(keep=False).to_numpy() & (s != "").to_numpy()
    if dup.any():
        out.rows(
            dup,
            s,
            column=column,
            expected=f"a unique {what}; the same id appears on more than one row",
        )


# --------------------------------------------------------------------------- per file


def _type_codes(
    df: pd.DataFrame, raw: pd.DataFrame, out: _Collector, job_ids: set[str] | None
) -> None:
    for c in [c for c in raw.columns if c.startswith("code_")]:
        job = c[len("code_") :]
        if job_ids is not None and job not in job_ids:
            out.add(
                f"code_<job_id> columns for jobs of the codebook; no job {job!r}",
                row=1,
                column=c,
                value=c,
            )
        df[c] = _parse_int(
            raw[c],
            column=c,
            out=out,
            lo=0,
            hi=1,
            expected="0 or 1 (or empty for comments not hand-coded)",
        )
    if "codes" in raw.columns and job_ids is not None:
        codes = raw["codes"].str.strip()
        unknown = codes.map(lambda v: any(j not in job_ids for j in _split_codes(v))).to_numpy()
        out.rows(
            unknown,
            raw["codes"],
            column="codes",
            expected=f"job ids of the codebook separated by ';' (known: {', '.join(sorted(job_ids))})",
        )


def _feedback(raw: pd.DataFrame, out: _Collector, job_ids: set[str] | None) -> pd.DataFrame:
    df = raw.copy()
    df["comment_id"] = _text(raw["comment_id"], column="comment_id", out=out)
    _unique(raw["comment_id"].str.strip(), column="comment_id", out=out, what="comment_id")
    df["received"] = _parse_dates(raw["received"], column="received", out=out)
    df["site"] = _text(raw["site"], column="site", out=out)
    df["service"] = _text(raw["service"], column="service", out=out)
    # real exports are often text-only: a missing rating column is a column of empty ratings
    ratings = raw["rating"] if "rating" in raw else pd.Series("", index=raw.index, dtype="str")
    df["rating"] = _parse_int(ratings, column="rating", out=out, lo=1, hi=5, expected=_LIKERT)
    comment = raw["comment"]
    long = (comment.str.len() > MAX_COMMENT_CHARS).to_numpy()
    out.rows(
        long,
        comment.str.slice(0, 40) + "…",
        column="comment",
        expected=f"a comment of at most {MAX_COMMENT_CHARS:,} characters (is a whole document pasted in?)",
    )
    df["comment"] = comment.str.strip()
    _type_codes(df, raw, out, job_ids)
    return df


def _survey(raw: pd.DataFrame, out: _Collector, outcome_ids: set[str] | None) -> pd.DataFrame:
    df = raw.copy()
    df["respondent_id"] = _text(raw["respondent_id"], column="respondent_id", out=out)
    wave_txt = raw["wave"].str.strip()
    if pd.to_numeric(wave_txt, errors="coerce").notna().all():
        df["wave"] = _parse_int(
            raw["wave"],
            column="wave",
            out=out,
            lo=0,
            hi=10_000,
            required=True,
            expected="a wave number (whole number) or a date",
        ).astype("int64")
    else:
        df["wave"] = _parse_dates(raw["wave"], column="wave", out=out)
    key = df["respondent_id"].astype(str) + "\x1f" + wave_txt
    dup = key.duplicated(keep=False).to_numpy()
    out.rows(
        dup,
        raw["respondent_id"],
        column="respondent_id",
        expected="one response per respondent and wave; this respondent_id repeats within a wave",
    )
    df["diagnosis_group"] = _text(raw["diagnosis_group"], column="diagnosis_group", out=out)
    items = [c for c in raw.columns if c.startswith(("imp_", "sat_"))]
    if not items:
        out.add(
            "importance and satisfaction items named imp_<outcome_id> and sat_<outcome_id>",
            row=1,
            column="imp_<outcome_id>",
            severity="warning",
        )
    for c in items:
        df[c] = _parse_int(raw[c], column=c, out=out, lo=1, hi=5, expected=_LIKERT)
        oid = c[4:]
        if outcome_ids is not None and oid not in outcome_ids:
            out.add(
                f"an outcome id of the codebook after '{c[:4]}'; no outcome {oid!r}",
                row=1,
                column=c,
                value=c,
                severity="warning",
            )
    df["overall_satisfaction"] = _parse_int(
        raw["overall_satisfaction"],
        column="overall_satisfaction",
        out=out,
        lo=1,
        hi=5,
        expected=_LIKERT,
    )
    return df


def _staff(raw: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    df = raw.copy()
    df["unit"] = _text(raw["unit"], column="unit", out=out)
    txt = raw["period"].str.strip()
    month_only = txt.str.fullmatch(r"\d{4}-\d{1,2}")
    period_txt = txt.where(~month_only, txt + "-01")
    df["period"] = (
        _parse_dates(period_txt, column="period", out=out).dt.to_period("M").dt.to_timestamp()
    )
    key = df["unit"].astype(str) + "\x1f" + df["period"].astype(str)
    out.rows(
        key.duplicated(keep=False).to_numpy(),
        raw["unit"],
        column="unit",
        expected="one row per unit and month; this unit repeats within a month",
    )
    df["engagement"] = _parse_float(raw["engagement"], column="engagement", out=out, lo=0, hi=10)
    df["respondents"] = _parse_int(
        raw["respondents"],
        column="respondents",
        out=out,
        lo=0,
        hi=1e7,
        required=True,
        expected="a whole number of staff respondents (0 or more)",
    )
    return df


def _actions(
    raw: pd.DataFrame, out: _Collector, job_ids: set[str] | None, sites: set[str] | None
) -> pd.DataFrame:
    df = raw.copy()
    for c in ("action_id", "job_id", "description", "owner", "status"):
        df[c] = _text(raw[c], column=c, out=out, required=c in ("action_id", "job_id"))
    _unique(raw["action_id"].str.strip(), column="action_id", out=out, what="action_id")
    if job_ids is not None:
        unknown = ~df["job_id"].isin(job_ids).to_numpy() & (df["job_id"] != "").to_numpy()
        out.rows(
            unknown,
            raw["job_id"],
            column="job_id",
            expected=f"a job id of the codebook ({', '.join(sorted(job_ids))})",
        )
    df["started"] = _parse_dates(raw["started"], column="started", out=out)
    if "sites" in raw.columns:
        df["sites"] = raw["sites"].str.strip()
        if sites is not None:
            bad = (
                raw["sites"].map(lambda v: any(s not in sites for s in _split_codes(v))).to_numpy()
            )
            out.rows(
                bad,
                raw["sites"],
                column="sites",
                expected="sites of feedback.csv separated by ';'",
                severity="warning",
            )
    return df


def _second(
    raw: pd.DataFrame, out: _Collector, job_ids: set[str] | None, comment_ids: set[str] | None
) -> pd.DataFrame:
    df = raw.copy()
    df["comment_id"] = _text(raw["comment_id"], column="comment_id", out=out)
    _unique(raw["comment_id"].str.strip(), column="comment_id", out=out, what="comment_id")
    if comment_ids is not None:
        unknown = ~df["comment_id"].isin(comment_ids).to_numpy()
        out.rows(
            unknown,
            raw["comment_id"],
            column="comment_id",
            expected="a comment_id that exists in feedback.csv",
        )
    if not any(c.startswith("code_") for c in raw.columns):
        out.add(
            "code_<job_id> columns with the second coder's 0/1 codes", row=1, column="code_<job_id>"
        )
    _type_codes(df, raw, out, job_ids)
    return df


# --------------------------------------------------------------------------- pandera contracts

_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "feedback": pa.DataFrameSchema(
        {
            "comment_id": pa.Column(str, unique=True),
            "received": pa.Column("datetime64[ns]"),
            "site": pa.Column(str),
            "service": pa.Column(str),
            "rating": pa.Column("Int64", pa.Check.in_range(1, 5), nullable=True),
            "comment": pa.Column(str),
        }
    ),
    "survey": pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(str),
            "diagnosis_group": pa.Column(str),
            "overall_satisfaction": pa.Column("Int64", pa.Check.in_range(1, 5), nullable=True),
            r"^(imp|sat)_.+$": pa.Column(
                "Int64", pa.Check.in_range(1, 5), nullable=True, regex=True, required=False
            ),
        },
        unique=["respondent_id", "wave"],
    ),
    "staff": pa.DataFrameSchema(
        {
            "unit": pa.Column(str),
            "period": pa.Column("datetime64[ns]"),
            "engagement": pa.Column(float, pa.Check.in_range(0, 10)),
            "respondents": pa.Column("Int64", pa.Check.ge(0)),
        },
        unique=["unit", "period"],
    ),
    "actions": pa.DataFrameSchema(
        {
            "action_id": pa.Column(str, unique=True),
            "job_id": pa.Column(str),
            "started": pa.Column("datetime64[ns]"),
            "status": pa.Column(str),
        }
    ),
}


def _contract(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check a typed table against its pandera schema (a programming-error guard)."""
    schema = _SCHEMAS.get(name)
    if schema is None:
        return df
    return schema.validate(df, lazy=True)
