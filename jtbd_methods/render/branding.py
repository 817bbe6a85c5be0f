"""Report branding (logo, primary colour, footer) and the page stylesheet."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pygments.formatters import HtmlFormatter

from jtbd_methods._io import is_inside
from jtbd_methods.errors import UsageError
from jtbd_methods.render._common import BRANDING_KEYS, TEMPLATE_DIR

__all__ = ["BRANDING_KEYS", "resolve_branding"]

_LOGO_MIMES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _read_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with keys {', '.join(BRANDING_KEYS)}")
    return data


def resolve_branding(
    overrides: Mapping[str, Any] | None = None,
    *,
    base_dir: str | Path | None = None,
    source: str = "report",
    defaults: Mapping[str, Any] | None = None,
    confine: bool = False,
) -> dict[str, Any]:
    """Merge report branding over the defaults of ``templates/report/branding.yaml``.

    Parameters
    ----------
    overrides : mapping, optional
        Any of :data:`BRANDING_KEYS`, usually the ``report:`` mapping of ``study.yaml``.
        Missing or ``None`` values keep the default.
    base_dir : str or Path, optional
        Folder that a relative ``logo`` path is read from (the study folder for
        ``study.yaml``); default the current folder.
    source : str, default "report"
        Named in error messages (``"study.yaml: report"``).
    defaults : mapping, optional
        An already resolved branding to merge over instead of ``branding.yaml`` (to layer a
        caller's branding over a study's).
    confine : bool, default False
        Refuse a ``logo`` outside ``base_dir`` (links followed): a study's ``study.yaml``
        must not pull files from elsewhere into a report.

    Returns
    -------
    dict
        ``logo`` (absolute :class:`~pathlib.Path` or ``None``), ``logo_alt`` (str or ``None``),
        ``primary_colour`` (``#RRGGBB``) and ``footer`` (str). Passing the result back in
        returns it unchanged.

    Raises
    ------
    UsageError
        For an unknown key, a colour that is not ``#RRGGBB``, a logo that is missing or not a
        PNG, JPEG or SVG file, or a non-text footer.

    Examples
    --------
    >>> resolve_branding({"primary_colour": "#003087"})["primary_colour"]
    '#003087'
    """
    merged: dict[str, Any] = {
        "logo": None,
        "logo_alt": None,
        "primary_colour": "#005EB8",
        "footer": "Prepared with jtbd_methods.",
    }
    if defaults is None:
        defaults_file = TEMPLATE_DIR / "branding.yaml"
        defaults = _read_yaml(defaults_file) if defaults_file.is_file() else {}
        merged.update({k: v for k, v in defaults.items() if k in BRANDING_KEYS and v is not None})
        if merged["logo"] is not None:
            merged["logo"] = (TEMPLATE_DIR / str(merged["logo"])).resolve()
    else:
        merged.update({k: v for k, v in defaults.items() if k in BRANDING_KEYS})
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):
        raise UsageError(
            f"{source} must be a mapping with keys {', '.join(BRANDING_KEYS)}; "
            f"got {type(overrides).__name__}"
        )
    unknown = sorted(set(overrides) - set(BRANDING_KEYS))
    if unknown:
        raise UsageError(
            f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(BRANDING_KEYS)}"
        )
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    for key, value in overrides.items():
        if value is None:
            continue
        if key == "logo":
            value = Path(value) if Path(value).is_absolute() else (base / str(value)).resolve()
            if confine and not is_inside(value, base):
                raise UsageError(
                    f"{source}: logo must be a file inside {base}; {str(overrides[key])!r} "
                    "leads outside it"
                )
        merged[key] = value
    colour = merged["primary_colour"]
    if not isinstance(colour, str) or not _COLOUR.match(colour):
        raise UsageError(
            f"{source}: primary_colour must be a hex colour like '#005EB8'; got {colour!r}"
        )
    for key in ("footer", "logo_alt"):
        if merged[key] is not None and not isinstance(merged[key], str):
            raise UsageError(f"{source}: {key} must be text; got {type(merged[key]).__name__}")
    logo = merged["logo"]
    if logo is not None:
        if Path(logo).suffix.lower() not in _LOGO_MIMES:
            raise UsageError(f"{source}: logo must be a .png, .jpg or .svg file; got {str(logo)!r}")
        if not Path(logo).is_file():
            raise UsageError(f"{source}: logo file {str(logo)!r} does not exist")
    return merged


def _logo_src(branding: Mapping[str, Any]) -> str:
    """The logo as a ``data:`` URI ('' without a logo): reports load nothing from elsewhere."""
    logo = branding.get("logo")
    if not logo:
        return ""
    path = Path(logo)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{_LOGO_MIMES[path.suffix.lower()]};base64,{data}"


def _css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the ``<style>`` element."""
    out = []
    for ch in text:
        if ch.isalnum() and ch.isascii() or ch in " .,:;!?()'-_/&":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def _stylesheet(branding: Mapping[str, Any], *, code: bool) -> str:
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    colour = branding["primary_colour"]
    css += f"\n:root {{ --jtbd-primary: {colour}; }}\n"
    footer = str(branding.get("footer") or "")
    if footer:
        css += (
            "@page { @bottom-left { content: "
            + _css_string(footer[:160])
            + "; font-size: 7.5pt; color: #545b64; } }\n"
        )
    if code:
        css += HtmlFormatter(style="default").get_style_defs(".jtbd-input .highlight") + "\n"
    return css
