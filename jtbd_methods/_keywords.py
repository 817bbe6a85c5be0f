"""Renamed keyword parameters keep their old name working for one release.

A function whose keyword was renamed to follow the package's conventions (CONTRIBUTING,
"One convention per idea": ``id_column``, ``n_boot``, ``ci``, ``random_state``) is wrapped
by :func:`renamed_keywords`: the old name is still accepted, with a :class:`FutureWarning`
naming the new one, and both names at once is an error. Every rename is listed in
``CHANGELOG.md``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["renamed_keywords"]

F = TypeVar("F", bound=Callable[..., Any])


def renamed_keywords(**renames: str) -> Callable[[F], F]:
    """Decorate a function so that each old keyword (key) still works as the new one (value).

    Parameters
    ----------
    **renames : str
        Old keyword name -> new keyword name.

    Returns
    -------
    callable
        A decorator; the decorated function keeps its name, docstring and signature.

    Raises
    ------
    TypeError
        (From the decorated function) when both the old and the new name are given.

    Examples
    --------
    >>> @renamed_keywords(n_bootstrap="n_boot")
    ... def resample(*, n_boot=10):
    ...     return n_boot
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     resample(n_bootstrap=3), caught[0].category.__name__
    (3, 'FutureWarning')
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(
                        f"{func.__qualname__}() got both '{old}' and '{new}'; '{old}' is the "
                        f"old name of '{new}': pass only '{new}'."
                    )
                warnings.warn(
                    f"The '{old}' parameter of {func.__qualname__}() is renamed '{new}'; "
                    f"'{old}' still works in this release but will be removed in the next.",
                    FutureWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
