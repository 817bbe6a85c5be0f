"""Small validators shared by every module.

They raise :class:`ValueError` or :class:`TypeError` with one message format: which parameter,
which function, what is allowed and what was received (after scikit-learn's
``utils/_param_validation.py`` and statsmodels' ``tools/validation``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import pandas as pd

__all__ = [
    "check_fraction",
    "check_int",
    "check_names",
    "one_of",
    "require_columns",
    "require_dataframe",
]


def require_dataframe(data: Any, *, parameter: str = "data", caller: str = "") -> pd.DataFrame:
    """Return ``data`` if it is a DataFrame, else raise :class:`TypeError`."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"The '{parameter}' parameter of {caller or 'this function'} must be a pandas "
            f"DataFrame; got {type(data).__name__}."
        )
    return data


def require_columns(
    data: pd.DataFrame, columns: Iterable[str | None], *, name: str = "data", caller: str = ""
) -> None:
    """Raise :class:`ValueError` naming every column of ``columns`` missing from ``data``.

    ``None`` entries are ignored, so optional column parameters can be passed straight in.
    """
    require_dataframe(data, parameter=name, caller=caller)
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        have = ", ".join(map(str, list(data.columns)[:20]))
        where = f" (in {caller})" if caller else ""
        raise ValueError(
            f"'{name}' has no column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)}{where}; its columns are: {have}."
        )


def one_of(value: Any, allowed: Sequence[Any], *, parameter: str, caller: str = "") -> Any:
    """Return ``value`` if it is in ``allowed``, else raise :class:`ValueError`."""
    if value not in allowed:
        opts = ", ".join(repr(a) for a in allowed)
        raise ValueError(
            f"The '{parameter}' parameter of {caller or 'this function'} must be one of "
            f"{opts}; got {value!r}."
        )
    return value


def check_int(
    value: Any,
    *,
    parameter: str,
    caller: str = "",
    minimum: int | None = None,
    maximum: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Return ``value`` as ``int`` if it is an integer within ``[minimum, maximum]``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"The '{parameter}' parameter of {caller or 'this function'} must be an integer"
            f"{' or None' if allow_none else ''}; got {value!r} ({type(value).__name__})."
        )
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        lo = "-inf" if minimum is None else minimum
        hi = "inf" if maximum is None else maximum
        raise ValueError(
            f"The '{parameter}' parameter of {caller or 'this function'} must be an integer in "
            f"[{lo}, {hi}]; got {value}."
        )
    return value


def check_fraction(
    value: Any, *, parameter: str, caller: str = "", inclusive: bool = False
) -> float:
    """Return ``value`` as ``float`` if it lies in (0, 1) (or [0, 1] when ``inclusive``)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"The '{parameter}' parameter of {caller or 'this function'} must be a number "
            f"between 0 and 1; got {value!r} ({type(value).__name__})."
        )
    value = float(value)
    ok = 0.0 <= value <= 1.0 if inclusive else 0.0 < value < 1.0
    if not ok:
        bounds = "[0, 1]" if inclusive else "(0, 1)"
        raise ValueError(
            f"The '{parameter}' parameter of {caller or 'this function'} must be in {bounds}; "
            f"got {value}."
        )
    return value


def check_names(
    value: Any,
    *,
    parameter: str,
    caller: str = "",
    allow_none: bool = True,
    allow_single: bool = True,
    unique: bool = True,
) -> list[str]:
    """The package's one validator of "a name or a list of names" parameters.

    Column names, job ids and outcome ids are all passed this way. ``None`` gives an empty
    list (unless ``allow_none=False``), a single string gives a one-element list (unless
    ``allow_single=False``), any other iterable must hold only strings; with ``unique``
    (the default) a name listed twice is an error rather than silently counted twice.

    Parameters
    ----------
    value
        What the caller received.
    parameter, caller
        Named in the error message.
    allow_none, allow_single
        Whether ``None`` and a bare string are accepted.
    unique
        Whether repeated names are refused.

    Returns
    -------
    list of str
        A new list (the input is never returned itself).

    Raises
    ------
    TypeError
        When ``value`` is not a name or an iterable of names.
    ValueError
        When a name is listed twice (with ``unique``).

    Examples
    --------
    >>> check_names("site", parameter="by")
    ['site']
    >>> check_names(None, parameter="by")
    []
    >>> check_names(("a", "b"), parameter="by")
    ['a', 'b']
    """
    where = f" of {caller}" if caller else ""
    expected = "a name or a list of names" if allow_single else "a list of names"
    if value is None and allow_none:
        return []
    if isinstance(value, str):
        if allow_single:
            return [value]
        raise TypeError(f"The '{parameter}' parameter{where} must be {expected}; got {value!r}.")
    if value is None or not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise TypeError(
            f"The '{parameter}' parameter{where} must be {expected}; got {value!r} "
            f"({type(value).__name__})."
        )
    out = list(value)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise TypeError(
            f"The '{parameter}' parameter{where} must hold names (str); got {bad[0]!r} "
            f"({type(bad[0]).__name__})."
        )
    if unique:
        seen: set[str] = set()
        for name in out:
            if name in seen:
                raise ValueError(f"The '{parameter}' parameter{where} lists {name!r} twice.")
            seen.add(name)
    return out

