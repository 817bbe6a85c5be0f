"""Alt text for the figures of a report, from each chart's own words."""

from __future__ import annotations

from typing import Any

__all__ = ["enable_figure_alt_text", "figure_alt_text"]


def figure_alt_text(fig: Any) -> str:
    """Alt text for a matplotlib figure from its own words: chart type, titles, axes, series.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    str
        For example ``"Line chart: Comments per month. Horizontal axis: month; vertical
        axis: comments. Series: North, South."``; empty when the figure has no axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2], label="North"); _ = ax.set_title("Comments per month")
    >>> _ = ax.set_xlabel("month"); _ = ax.set_ylabel("comments"); _ = ax.legend()
    >>> figure_alt_text(fig)
    'Line chart: Comments per month. Horizontal axis: month; vertical axis: comments. Series: North.'
    >>> plt.close(fig)
    """
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer

    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(suptitle.get_text().strip() + ".")
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    for ax in axes:
        title = " ".join(
            t for t in (ax.get_title(loc) for loc in ("left", "center", "right")) if t.strip()
        )
        if any(isinstance(c, BarContainer) for c in ax.containers):
            kind = "Bar chart"
        elif any(isinstance(c, PathCollection) for c in ax.collections):
            kind = "Scatter plot"
        elif ax.get_lines():
            kind = "Line chart"
        else:
            kind = "Chart"
        text = f"{kind}: {title}." if title else f"{kind}."
        labels = []
        if ax.get_xlabel().strip():
            labels.append(f"horizontal axis: {ax.get_xlabel().strip()}")
        if ax.get_ylabel().strip():
            labels.append(f"vertical axis: {ax.get_ylabel().strip()}")
        if labels:
            text += " " + "; ".join(labels)[0].upper() + "; ".join(labels)[1:] + "."
        legend = ax.get_legend()
        if legend is not None:
            names = [t.get_text() for t in legend.get_texts() if t.get_text().strip()]
            if names:
                more = f" and {len(names) - 8} more" if len(names) > 8 else ""
                text += " Series: " + ", ".join(names[:8]) + more + "."
        parts.append(text)
    return " ".join(parts)


def enable_figure_alt_text() -> bool:
    """Store each figure's :func:`figure_alt_text` in its PNG output's metadata (``alt``).

    Call once in a notebook kernel (``plots.set_theme()`` is the natural place), after the
    inline backend is active; :func:`render_html` then uses it as the image's alt text.

    Returns
    -------
    bool
        ``True`` when installed, ``False`` outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    ip = get_ipython()
    if ip is None:
        return False
    import matplotlib
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    kwargs: dict[str, Any] = {"bbox_inches": "tight"}
    if "inline" in str(matplotlib.get_backend()):
        import matplotlib_inline.backend_inline  # noqa: F401  (finishes the backend's own set-up first)
        from matplotlib_inline.config import InlineBackend

        kwargs = dict(InlineBackend.instance(parent=ip).print_figure_kwargs)

    def _png(fig: Figure) -> tuple[str | None, dict[str, str]]:
        data = print_figure(fig, "png", base64=True, **kwargs)
        return data, {"alt": figure_alt_text(fig)}

    ip.display_formatter.formatters["image/png"].for_type(Figure, _png)
    return True
