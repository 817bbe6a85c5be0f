"""Headline results, notes and report rendering.

Inside a notebook, :func:`record` stores the headline figures that ``jtbd run`` writes to
``results.json``; :func:`note` shows a visible note; :func:`require` checks that the study
has the files a section needs. The runner (:mod:`jtbd_methods.runner`) uses
:func:`render_html` to turn executed notebooks into client or teaching reports.

``results.json`` is a flat JSON object with stable dotted lower_snake keys
(``jobs.gain_clarity.share``); values are numbers, strings, lists of ids (rankings, best
first) or ``[low, high]`` pairs for keys ending in ``_ci``. Shares are in percentage points.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from jtbd_methods._io import atomic_write_json
from jtbd_methods._validation import (
    check_int,
    check_names,
    require_columns,
    require_dataframe,
)
from jtbd_methods.resources import report_template_dir
from jtbd_methods.study import DATA_FILES

__all__ = [
    "Cards",
    "OUTPUT_ENV",
    "fresh_quotes",
    "mark_quoted",
    "quoted",
    "RESULTS_ENV",
    "key_findings",
    "key_part",
    "note",
    "output_path",
    "record",
    "require",
    "reset",
    "cards",
    "results",
    "table",
]

log = logging.getLogger(__name__)

#: Environment variable naming the ``results.json`` a notebook kernel writes to.
RESULTS_ENV = "JTBD_RESULTS_FILE"
#: Environment variable naming the folder where a notebook writes its exports.
OUTPUT_ENV = "JTBD_OUTPUT_DIR"
_KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
_RESULTS: dict[str, Any] = {}
#: Ids of the comments quoted so far in this process (one notebook kernel = one report).
_QUOTED: set[str] = set()
#: Their words, normalised (:func:`_quote_key`): two comments saying the same are one quote.
_QUOTED_TEXT: set[str] = set()


def _plain(value: Any, key: str) -> Any:
    """Convert numpy/pandas scalars to JSON-ready Python values; NaN becomes ``None``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return None if not math.isfinite(v) else v
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(
        f"record: the value of {key!r} must be a number, a string, a list of them or a "
        f"[low, high] pair; got {type(value).__name__}"
    )


def record(key: str, value: Any) -> Any:
    """Record a headline figure for ``results.json``.

    Parameters
    ----------
    key : str
        Dotted lower_snake_case name that stays stable between versions
        (``segments.k``, ``jobs.gain_clarity.share``). Keys ending in ``_ci`` hold intervals.
    value : number, str, list of str/number, or (low, high)
        NaN is stored as ``null``. Shares must already be in percentage points.

    Returns
    -------
    The value as stored (JSON-ready), so a notebook can show it.

    Raises
    ------
    ValueError
        For a malformed key, or an ``_ci`` value that is not a pair of numbers with
        ``low <= high``.
    TypeError
        For a value that cannot be written as JSON.

    Examples
    --------
    >>> record("comments.n", 4012)
    4012
    >>> record("jobs.gain_clarity.share_ci", (12.5, 16.0))
    [12.5, 16.0]
    >>> reset()
    """
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(
            f"record: key {key!r} must be dotted lower_snake_case, e.g. 'jobs.gain_clarity.share'"
        )
    if isinstance(value, Sequence | np.ndarray | pd.Series | pd.Index) and not isinstance(
        value, str
    ):
        stored: Any = [_plain(v, key) for v in list(value)]
        if key.endswith("_ci"):
            if len(stored) != 2 or any(
                v is not None and not isinstance(v, int | float) for v in stored
            ):
                raise ValueError(
                    f"record: {key!r} ends in '_ci' and must be a [low, high] pair of numbers; got {value!r}"
                )
            if None not in stored and stored[0] > stored[1] + 1e-12:
                raise ValueError(f"record: {key!r} has low > high: {stored}")
    else:
        if key.endswith("_ci"):
            raise ValueError(
                f"record: {key!r} ends in '_ci' and must be a [low, high] pair; got {value!r}"
            )
        stored = _plain(value, key)
    _RESULTS[key] = stored
    target = os.environ.get(RESULTS_ENV)
    if target:
        atomic_write_json(Path(target), _RESULTS)
    return stored


def output_path(name: str) -> Path:
    """Where a notebook should write an export (``action_plan.xlsx``) next to its report.

    ``jtbd run`` points it at the notebook's output folder; elsewhere it is the folder
    named by the ``JTBD_OUTPUT_DIR`` environment variable, or the working directory.

    Examples
    --------
    >>> output_path("action_plan.xlsx").name
    'action_plan.xlsx'
    """
    if Path(name).name != name:
        raise ValueError(f"output_path: {name!r} must be a plain file name, without folders")
    folder = Path(os.environ.get(OUTPUT_ENV) or ".")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def key_part(value: Any) -> str:
    """Turn a label into one part of a results key: lower case, other runs become ``_``.

    Examples
    --------
    >>> key_part("Back to work fast!")
    'back_to_work_fast'
    >>> record(f"segments.{key_part('A01')}.size", 3)
    3
    >>> reset()
    """
    text = re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_")
    return text or "none"


def results() -> dict[str, Any]:
    """A copy of everything recorded so far in this process."""
    return json.loads(json.dumps(_RESULTS))


def reset() -> None:
    """Forget recorded results and quoted comments (tests and interactive sessions)."""
    _RESULTS.clear()
    _QUOTED.clear()
    _QUOTED_TEXT.clear()


def _quote_key(text: str) -> str:
    """A quote's words for comparison: case, spacing and cut marks (``…``) aside."""
    return " ".join(text.replace("…", " ").casefold().split())


def quoted() -> frozenset[str]:
    """Ids of the comments already quoted in this report (this kernel), as strings.

    Quote helpers consult it so that no comment is quoted twice in one report; see
    :func:`fresh_quotes`.

    Examples
    --------
    >>> mark_quoted(["C1", 2])
    >>> sorted(quoted())
    ['2', 'C1']
    >>> reset()
    """
    return frozenset(_QUOTED)


def mark_quoted(ids: Any) -> None:
    """Remember that the comments ``ids`` (one id or a sequence) are quoted in this report.

    Examples
    --------
    >>> mark_quoted("C7")
    >>> "C7" in quoted()
    True
    >>> reset()
    """
    if isinstance(ids, str) or not isinstance(ids, Sequence | np.ndarray | pd.Series | pd.Index):
        ids = [ids]
    _QUOTED.update(str(i) for i in ids)


def fresh_quotes(
    quotes: pd.DataFrame,
    *,
    n: int | None = None,
    by: Sequence[str] | str | None = None,
    id_column: str = "comment_id",
    text_column: str | None = "quote",
    rank_column: str | None = "rank",
) -> pd.DataFrame:
    """The quotes of a table that this report has not shown yet, and remember them as shown.

    A comment that mentions several jobs is representative of each, so quote helpers such as
    ``coding.job_quotes`` pick it for every job; a report should quote it once. Rows are kept in
    order: a row is dropped when its comment, or a comment with the same words, was quoted in an
    earlier cell or earlier in this table, and each group keeps at most ``n`` rows. Ask the quote helper for more candidates
    than you show (``n=3 * n_quotes``) so groups stay full.

    Parameters
    ----------
    quotes : DataFrame
        Candidate quotes, best first within each group (not modified).
    n : int, optional
        Quotes kept per group (default: all fresh ones).
    by : str or sequence of str, optional
        Columns defining the groups (``["job_id", "polarity"]``); default the whole table.
    id_column : str, default "comment_id"
        Column holding the comment id.
    text_column : str or None, default "quote"
        Column holding the quoted words, when the table has it: two comments with the same
        words (case and spacing aside) count as one quote.
    rank_column : str or None, default "rank"
        Renumbered 1, 2, ... within each group when present.

    Returns
    -------
    DataFrame
        The kept rows, index reset. Their ids are added to :func:`quoted`.

    Raises
    ------
    ValueError
        For a missing column or ``n`` below 1.

    Examples
    --------
    >>> q = pd.DataFrame({"job_id": ["a", "a", "b", "b"], "comment_id": ["C1", "C2", "C1", "C3"],
    ...                   "rank": [1, 2, 1, 2]})
    >>> fresh_quotes(q, n=1, by="job_id")[["job_id", "comment_id"]].values.tolist()
    [['a', 'C1'], ['b', 'C3']]
    >>> fresh_quotes(q, n=1, by="job_id")[["job_id", "comment_id"]].values.tolist()
    [['a', 'C2']]
    >>> reset()
    """
    caller = "report.fresh_quotes"
    groups = [] if by is None else check_names(by, parameter="by", caller=caller)
    require_columns(quotes, [id_column, *groups], name="quotes", caller=caller)
    if n is not None:
        n = check_int(n, parameter="n", caller=caller, minimum=1)
    seen = set(_QUOTED)
    seen_text = set(_QUOTED_TEXT)
    kept_per_group: dict[tuple[Any, ...], int] = {}
    keep = []
    ids = quotes[id_column].astype(str).to_numpy()
    words = (
        [_quote_key(t) for t in quotes[text_column].astype(str)]
        if text_column is not None and text_column in quotes.columns
        else [""] * len(quotes)
    )
    keys = list(zip(*(quotes[g].to_numpy() for g in groups), strict=True)) if groups else None
    for i, comment in enumerate(ids):
        key = keys[i] if keys is not None else ()
        if (
            comment in seen
            or (words[i] and words[i] in seen_text)
            or (n is not None and kept_per_group.get(key, 0) >= n)
        ):
            continue
        seen.add(comment)
        if words[i]:
            seen_text.add(words[i])
        kept_per_group[key] = kept_per_group.get(key, 0) + 1
        keep.append(i)
    out = quotes.iloc[keep].reset_index(drop=True)
    if rank_column is not None and rank_column in out.columns:
        ranks = (
            out.groupby(groups, sort=False).cumcount() + 1 if groups else np.arange(len(out)) + 1
        )
        out[rank_column] = np.asarray(ranks, dtype=np.int64)
    mark_quoted(out[id_column].tolist())
    _QUOTED_TEXT.update(seen_text)
    return out


def _display_html(markup: str) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        get_ipython = None  # type: ignore[assignment]
    if get_ipython is not None and get_ipython() is not None:
        display(HTML(markup))


def note(text: str, *, kind: str = "info") -> None:
    """Show a visible note in the notebook (and log it).

    Parameters
    ----------
    text : str
        Plain text; it is HTML-escaped, so data can be quoted safely.
    kind : {"info", "warning"}
        Styles the note.

    Examples
    --------
    >>> note("survey.csv is absent: the segmentation section is skipped.")
    """
    if kind not in ("info", "warning"):
        raise ValueError(f"note: 'kind' must be 'info' or 'warning'; got {kind!r}")
    (log.warning if kind == "warning" else log.info)("%s", text)
    colour = "#E69F00" if kind == "warning" else "#0072B2"
    label = "Note" if kind == "info" else "Caution"
    _display_html(
        f'<div class="jtbd-note jtbd-note-{kind}" role="note" style="border-left:4px solid {colour};'
        f'padding:0.5em 1em;margin:0.5em 0;background:#f7f7f7">'
        f"<strong>{label}.</strong> {html.escape(text)}</div>"
    )


def key_findings(found: Any) -> dict[str, Any]:
    """Record a report's key findings for the top of its page and the index card.

    Call it in the last cell of a notebook (tagged ``remove``: the rendered report shows the
    findings at its top, from ``results.json``), with the output of a function of
    :mod:`jtbd_methods.findings`.

    Parameters
    ----------
    found : jtbd_methods.findings.Findings
        Key findings (plain sentences with their numbers) and what the report cannot tell.

    Returns
    -------
    dict
        The recorded keys: ``findings.key`` and ``findings.limits`` (lists of sentences).

    Raises
    ------
    TypeError
        If ``found`` has no ``key`` and ``limits`` sequences of strings.

    Examples
    --------
    >>> from jtbd_methods.findings import Findings
    >>> key_findings(Findings(key=("Most patients are positive (80%).",), limits=()))
    {'findings.key': ['Most patients are positive (80%).'], 'findings.limits': []}
    >>> reset()
    """
    key = getattr(found, "key", None)
    limits = getattr(found, "limits", None)
    if not isinstance(key, Sequence) or not isinstance(limits, Sequence):
        raise TypeError(
            "key_findings() needs a Findings object from jtbd_methods.findings (with 'key' and "
            f"'limits' lists of sentences); got {type(found).__name__}."
        )
    items = [str(k) for k in key]
    caveats = [str(k) for k in limits]
    stored = {
        "findings.key": record("findings.key", items),
        "findings.limits": record("findings.limits", caveats),
    }
    body = "".join(f"<li>{html.escape(t)}</li>" for t in items)
    tail = "".join(f"<li>{html.escape(t)}</li>" for t in caveats)
    _display_html(
        '<div class="jtbd-findings"><h2>Key findings</h2>'
        f"<ol>{body}</ol>"
        + (f"<h3>What this report cannot tell</h3><ul>{tail}</ul>" if tail else "")
        + "</div>"
    )
    return stored


def require(study: Any, *names: str) -> bool:
    """Whether ``study`` has every table in ``names``; shows a note naming what is missing.

    Use it to guard the sections of a notebook that need optional files, so the notebook
    still runs top to bottom::

        ready = report.require(study, "survey")
        if ready:
            ...

    Examples
    --------
    >>> class S:
    ...     def has(self, name): return name == "feedback"
    >>> require(S(), "feedback")
    True
    >>> require(S(), "feedback", "survey")
    False
    """
    missing = [n for n in names if not study.has(n)]
    if missing:
        files = ", ".join(
            DATA_FILES.get(n, n if n != "codebook" else "the codebook") for n in missing
        )
        note(f"This section needs {files}, which the study does not have, so it is skipped.")
        return False
    return True


def _is_p_value(column: Any) -> bool:
    name = str(column).lower()
    return name in ("p", "p_value", "pvalue") or name.endswith(("_p", "_p_value"))


def _format_p(value: float) -> str:
    """P-values as reports print them: ``<0.001`` (as an HTML entity) or two significant digits."""
    if value < 0.001:
        return "&lt;0.001"  # formatter output is not escaped by the Styler: write the entity
    return f"{value:.2g}" if value < 0.1 else f"{value:.2f}"


def _fixed(value: Any, places: int, *, grouping: bool = False) -> str:
    """A number with ``places`` decimals; values that round to zero lose their minus sign."""
    number = float(value)
    text = f"{number:,.{places}f}" if grouping else f"{number:.{places}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text


def _words(column: Any) -> Any:
    """A snake_case header in words (other headers unchanged)."""
    if isinstance(column, str) and "_" in column and " " not in column:
        return column.replace("_", " ")
    return column


@functools.cache
def _table_styler() -> type[Styler]:
    """pandas' Styler with the report's table template (``templates/report/jtbd/table.html.j2``):
    headers of number columns carry ``jtbd-num`` like their cells."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(str(report_template_dir() / "jtbd")), Styler.loader]
        ),
        trim_blocks=True,
    )
    return type(
        "ReportTable",
        (Styler,),
        {
            "env": env,
            "template_html": env.get_template("html.tpl"),
            "template_html_table": env.get_template("table.html.j2"),
        },
    )


def table(
    data: pd.DataFrame,
    *,
    caption: str | None = None,
    percent: Sequence[str] = (),
    shares: Sequence[str] = (),
    decimals: int | Mapping[str, int] = 1,
    ci: Mapping[str, tuple[str, str]] | None = None,
    labels: Mapping[str, str] | None = None,
    min_cell_size: int | None = None,
    max_rows: int = 200,
) -> Any:
    """Format a result table for reading in a report (a pandas ``Styler``).

    Every text cell and header is HTML-escaped (patients' words are data, never markup);
    numbers are rounded; ``percent`` columns get a ``%``; each ``ci`` entry joins an
    estimate with its interval as ``14.2 (12.1 to 16.5)``; missing values (including
    suppressed small cells) show as an em dash, explained in the caption.

    Parameters
    ----------
    data : DataFrame
        The table (not modified).
    caption : str, optional
        Shown above the table.
    percent : sequence of str
        Columns holding percentages (0-100).
    shares : sequence of str
        Columns holding shares (0-1, the convention of every frame the package returns),
        shown as percentages; an interval given for one in ``ci`` is scaled with it.
    decimals : int or mapping of str to int, default 1
        Decimals for floats: one number for every column, or ``{column: decimals}`` (columns
        not named get 1). Values that round to zero never show as ``-0.0``.
    ci : mapping, optional
        ``{estimate_column: (low_column, high_column)}``; the low/high columns are dropped.
    labels : mapping, optional
        New column headers. Headers not relabelled are shown in words: ``stability_ari_low``
        becomes "stability ari low", so no header is a ``snake_case`` id that cannot wrap.
    min_cell_size : int, optional
        Named in the caption's note on suppressed cells.
    max_rows : int, default 200
        Longer tables are cut, with a note.

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> df = pd.DataFrame({"job": ["<b>x</b>"], "share": [14.23], "lo": [12.1], "hi": [16.5]})
    >>> html_text = table(df, percent=["share"], ci={"share": ("lo", "hi")}).to_html()
    >>> "&lt;b&gt;x&lt;/b&gt;" in html_text and "14.2% (12.1 to 16.5)" in html_text
    True
    >>> "&lt;0.001" in table(pd.DataFrame({"p": [0.00002]})).to_html()
    True
    >>> "14.2%" in table(pd.DataFrame({"share": [0.1423]}), shares=["share"]).to_html()
    True
    """
    df = require_dataframe(data, parameter="data", caller="report.table").copy()
    note_rows = ""
    if len(df) > max_rows:
        note_rows = f" Showing the first {max_rows} of {len(df)} rows."
        df = df.head(max_rows)
    df = df.reset_index(
        drop=not any(n is not None for n in df.index.names) or isinstance(df.index, pd.RangeIndex)
    )
    places = dict(decimals) if isinstance(decimals, Mapping) else {}
    default_places = 1 if isinstance(decimals, Mapping) else int(decimals)

    def _places(column: Any) -> int:
        return int(places.get(column, default_places))

    percent = list(percent)
    for col in shares:
        if col not in df.columns:
            raise ValueError(f"report.table: shares names {col!r}, which is not a column")
        scaled = [col, *((ci or {}).get(col, ()))]
        df[scaled] = df[scaled].astype(float) * 100
        if col not in percent:
            percent.append(col)
    # number columns (and estimates joined with their intervals) are right-aligned
    numeric = {
        c
        for c in df.columns
        if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    }
    for est, (lo, hi) in (ci or {}).items():
        suffix = "%" if est in percent else ""

        def _join(
            row: pd.Series, est: str = est, lo: str = lo, hi: str = hi, suffix: str = suffix
        ) -> Any:
            if pd.isna(row[est]):
                return pd.NA
            d = _places(est)
            inner = (
                ""
                if pd.isna(row[lo]) or pd.isna(row[hi])
                else f" ({_fixed(row[lo], d)} to {_fixed(row[hi], d)})"
            )
            return f"{_fixed(row[est], d)}{suffix}{inner}"

        df[est] = df.apply(_join, axis=1).astype(object)
        df = df.drop(columns=[lo, hi])
        percent = [p for p in percent if p != est]
    formats: dict[str, Any] = {}
    for col in df.columns:
        d = _places(col)
        if _is_p_value(col) and pd.api.types.is_float_dtype(df[col]):
            formats[col] = _format_p
        elif col in percent:
            formats[col] = lambda v, d=d: _fixed(v, d, grouping=True) + "%"
        elif pd.api.types.is_float_dtype(df[col]):
            formats[col] = lambda v, d=d: _fixed(v, d, grouping=True)
        elif pd.api.types.is_integer_dtype(df[col]):
            formats[col] = "{:,}"
        elif pd.api.types.is_bool_dtype(df[col]):
            formats[col] = lambda v: "yes" if v else ""
        elif pd.api.types.is_datetime64_any_dtype(df[col]):
            formats[col] = lambda v: v.strftime("%Y-%m-%d")
    headers = {c: (labels or {}).get(c, _words(c)) for c in df.columns}
    classes = pd.DataFrame(
        [["jtbd-num" if c in numeric else "" for c in df.columns]] * len(df),
        index=df.index,
        columns=df.columns,
    )
    df = df.rename(columns=headers)
    classes.columns = df.columns
    formats = {headers.get(k, k): v for k, v in formats.items()}
    styler = (
        _table_styler()(df)
        .format(formats, na_rep="—", escape="html")
        .format_index(escape="html", axis=1)
        .hide(axis="index")
        .set_td_classes(classes)
    )
    has_missing = bool(df.isna().any().any())
    parts = [caption or ""]
    if has_missing:
        why = (
            f"fewer than {min_cell_size} responses, suppressed, or "
            if min_cell_size
            else "suppressed or "
        )
        parts.append(f"— = {why}not available.")
    if note_rows:
        parts.append(note_rows.strip())
    cap = " ".join(p for p in parts if p)
    if cap:
        styler = styler.set_caption(html.escape(cap))
    return styler.set_table_attributes('class="jtbd-table"')


class Cards:
    """HTML cards, one per row of a table with long text (see :func:`cards`)."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"Cards({self.markup.count('jtbd-card-title')} cards)"


def cards(
    data: pd.DataFrame,
    *,
    title: str,
    fields: Mapping[str, str],
    subtitle: str | None = None,
    caption: str | None = None,
) -> Cards:
    """Lay out each row of a table as a card: a title, a subtitle and labelled sections.

    For sheets whose cells are paragraphs or lists (the service-recovery working sheet),
    which a table squeezes into narrow columns. A cell whose lines start with ``"- "`` becomes a
    bulleted list. All text is HTML-escaped.

    Parameters
    ----------
    data : DataFrame
        One card per row (not modified).
    title : str
        Column shown as each card's heading.
    fields : mapping
        ``{column: heading}`` of the sections, in order; empty cells are left out.
    subtitle : str, optional
        Column shown under the heading (e.g. the job statement).
    caption : str, optional
        Shown above the cards.

    Returns
    -------
    Cards
        Displays as HTML in a notebook (``_repr_html_``).

    Examples
    --------
    >>> df = pd.DataFrame({"label": ["Feel <heard>"], "barriers": ["- rushed\\n- no time"]})
    >>> html_text = cards(df, title="label", fields={"barriers": "Barriers"})._repr_html_()
    >>> "Feel &lt;heard&gt;" in html_text and "<li>rushed</li>" in html_text
    True
    """
    require_columns(data, [title, subtitle, *fields], name="data", caller="report.cards")

    def _cell(value: Any) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        text = str(value).strip()
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            return "<ul>" + "".join(f"<li>{html.escape(line[2:])}</li>" for line in lines) + "</ul>"
        return f"<p>{html.escape(text)}</p>"

    parts = []
    if caption:
        parts.append(f'<p class="jtbd-cards-caption"><strong>{html.escape(caption)}</strong></p>')
    for _, row in data.iterrows():
        sections = "".join(
            f'<div class="jtbd-card-section"><h4>{html.escape(heading)}</h4>{body}</div>'
            for column, heading in fields.items()
            if (body := _cell(row[column]))
        )
        sub = (
            f'<p class="jtbd-card-subtitle"><em>{html.escape(str(row[subtitle]))}</em></p>'
            if subtitle
            else ""
        )
        parts.append(
            '<section class="jtbd-card" style="border:1px solid #d0d7de;border-left:4px solid #005EB8;'
            'border-radius:4px;padding:.6em 1em;margin:.8em 0">'
            f'<h3 class="jtbd-card-title" style="margin:.2em 0">{html.escape(str(row[title]))}</h3>'
            f"{sub}{sections}</section>"
        )
    return Cards('<div class="jtbd-cards" style="display:block">' + "".join(parts) + "</div>")
