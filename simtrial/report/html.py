"""A small builder for self-contained HTML reports.

The page needs nothing but itself: CSS is inline, figures are PNG data URIs, and a
Content-Security-Policy forbids loading anything from elsewhere. All text is escaped.

Examples
--------
>>> rep = HtmlReport("Design sweep")
>>> rep.warning("Posterior has divergences: read with care.")
>>> sec = rep.section("Operating characteristics")
>>> rep.headline({"Power": 0.81, "Type I error": 0.049}, number_format=".3f")
>>> rep.table(df, caption="Per scenario", number_format=".2f")    # doctest: +SKIP
>>> rep.figure(fig, caption="Power by sample size")                # doctest: +SKIP
>>> rep.write("results/sweep/report.html")                         # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import math
import numbers
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simtrial.atomic import write_text

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

NumberFormat = str | Callable[[float], str]

_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

_CSS = """
:root { --fg: #1d2329; --muted: #5b6670; --line: #d5dbe0; --accent: #1f5f8b; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--fg); background: #fff; margin: 0 auto; max-width: 1100px; padding: 24px 32px 64px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
.subtitle { color: var(--muted); margin: 0 0 16px; }
nav.toc { background: #f5f7f9; border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px;
          margin: 16px 0; }
nav.toc h2 { font-size: 15px; margin: 4px 0; border: 0; }
nav.toc ol { margin: 4px 0; padding-left: 22px; }
a { color: var(--accent); }
.banner { border-radius: 6px; padding: 12px 16px; margin: 16px 0; border-left: 6px solid; }
.banner.warning { background: #fff4e5; border-color: #d9822b; color: #5c3200; font-size: 16px; }
.banner .label { font-weight: 700; margin-right: 6px; }
.note { background: #eef5fb; border-left: 4px solid var(--accent); padding: 8px 14px; margin: 12px 0;
        color: #1c3a52; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.headline .kv { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 140px; }
.headline .key { display: block; color: var(--muted); font-size: 13px; }
.headline .value { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 12px 0; }
table { border-collapse: collapse; margin: 12px 0; font-variant-numeric: tabular-nums; font-size: 14px; }

caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; }
th { background: #f5f7f9; text-align: left; }
td.num { text-align: right; }
figure { margin: 16px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 14px; }
footer { margin-top: 48px; color: var(--muted); font-size: 13px; }
"""

# Nothing may be fetched: only inline styles and data: images.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def escape(text: Any) -> str:
    """Return ``str(text)`` escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def format_value(value: Any, number_format: NumberFormat = ".3g", missing: str = "–") -> str:
    """Format one value for display (not yet escaped).

    Parameters
    ----------
    value
        Any value; real non-integer numbers use ``number_format``, integers and booleans print
        as they are, NaN and None print as ``missing``.
    number_format
        A format spec (``".3f"``, ``".1%"``) or a callable taking a float.
    missing
        Text for None and NaN.
    """
    if value is None:
        return missing
    if isinstance(value, bool) or isinstance(value, numbers.Integral):
        return str(value)
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return missing
        return number_format(x) if callable(number_format) else format(x, number_format)
    try:  # pandas.NA, NaT
        import pandas as pd

        if pd.isna(value):
            return missing
    except (TypeError, ValueError, ImportError):
        pass
    return str(value)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug if slug and slug[0].isalpha() else f"s-{slug or 'section'}"


@dataclass
class _Section:
    title: str
    id: str
    blocks: list[str] = field(default_factory=list)


class HtmlReport:
    """Build a self-contained HTML page block by block.

    Blocks added before the first :meth:`section` appear above the table of contents
    (the place for warning banners and headline figures); later blocks go into the current
    section.

    Parameters
    ----------
    title
        Page title and top heading.
    subtitle
        Optional line under the title.
    footer
        Optional text at the bottom (e.g. package version and config hash).
    toc
        Whether to include a table of contents of the sections.
    """

    def __init__(self, title: str, *, subtitle: str | None = None, footer: str | None = None,
                 toc: bool = True) -> None:
        self.title = title
        self.subtitle = subtitle
        self.footer = footer
        self.toc = toc
        self._preamble: list[str] = []
        self._sections: list[_Section] = []

    # --- structure ------------------------------------------------------------------------

    def section(self, title: str, id: str | None = None) -> str:
        """Start a new section and return its ``id`` (unique, derived from the title if not given).

        Raises
        ------
        ValueError
            If ``id`` is not a letter followed by letters, digits, ``-`` or ``_``, or is taken.
        """
        taken = {s.id for s in self._sections} | {"toc"}
        if id is None:
            base = id = _slug(title)
            n = 2
            while id in taken:
                id, n = f"{base}-{n}", n + 1
        elif not _ID_RE.match(id):
            raise ValueError(f"section id {id!r} is invalid: use a letter then letters, digits, '-' or '_'")
        elif id in taken:
            raise ValueError(f"section id {id!r} is already used")
        self._sections.append(_Section(title, id))
        return id

    @property
    def section_ids(self) -> list[str]:
        """Ids of the sections, in order."""
        return [s.id for s in self._sections]

    def _add(self, block: str) -> None:
        (self._sections[-1].blocks if self._sections else self._preamble).append(block)

    # --- blocks ---------------------------------------------------------------------------

    def paragraph(self, text: str) -> None:
        """Add a paragraph of plain text."""
        self._add(f"<p>{escape(text)}</p>")

    def html(self, fragment: str) -> None:
        """Add an HTML fragment built by the caller (e.g. a design summary or a great-tables table);
        the caller escapes its text."""
        self._add(fragment)

    def note(self, text: str) -> None:
        """Add a highlighted note (``class="note"``)."""
        self._add(f'<div class="note">{escape(text)}</div>')

    def warning(self, text: str, label: str = "Warning") -> None:
        """Add a prominent warning banner (``class="banner warning"``)."""
        self._add(f'<div class="banner warning" role="alert"><span class="label">{escape(label)}:</span>'
                  f"{escape(text)}</div>")

    def headline(self, items: Mapping[str, Any], number_format: NumberFormat = ".3g") -> None:
        """Add key-value boxes for headline figures, e.g. ``{"Power": 0.81}``."""
        boxes = "".join(
            f'<div class="kv"><span class="key">{escape(k)}</span>'
            f'<span class="value">{escape(format_value(v, number_format))}</span></div>'
            for k, v in items.items()
        )
        self._add(f'<div class="headline">{boxes}</div>')

    def table(self, df: pd.DataFrame, caption: str, number_format: NumberFormat = ".3g", *,
              index: bool = False, missing: str = "–") -> None:
        """Add a DataFrame as a table with a caption.

        Parameters
        ----------
        df
            The data; column names and cells are escaped.
        caption
            Text above the table.
        number_format
            Format spec or callable for real, non-integer numbers; integers print as they are.
        index
            Whether to show the index as the first column(s).
        missing
            Text for NaN and None.
        """
        frame = df.reset_index() if index else df
        head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
        rows = []
        for row in frame.itertuples(index=False, name=None):
            cells = []
            for v in row:
                text = format_value(v, number_format, missing)
                num = isinstance(v, numbers.Number) and not isinstance(v, bool) and text != missing
                cls = ' class="num"' if num else ""
                cells.append(f"<td{cls}>{escape(text)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        self._add(f"<div class=\"table-wrap\"><table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
                  f"<tbody>{''.join(rows)}</tbody></table></div>")

    def image_png(self, png: bytes, caption: str, alt: str | None = None) -> None:
        """Add PNG bytes as an embedded image with a caption."""
        if not png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError("image_png needs PNG bytes (the data does not start with the PNG signature)")
        data = base64.b64encode(png).decode("ascii")
        self._add(f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt or caption)}">'
                  f"<figcaption>{escape(caption)}</figcaption></figure>")

    def figure(self, fig: Figure, caption: str, alt: str | None = None, dpi: int = 110) -> None:
        """Add a matplotlib figure as an embedded PNG. The figure is left open for the caller."""
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        self.image_png(buf.getvalue(), caption, alt)

    # --- output ---------------------------------------------------------------------------

    def to_html(self) -> str:
        """Return the complete page."""
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(self.title)}</title><style>{_CSS}</style></head><body>",
            f"<header><h1>{escape(self.title)}</h1>",
        ]
        if self.subtitle:
            parts.append(f'<p class="subtitle">{escape(self.subtitle)}</p>')
        parts.append("</header>")
        parts.extend(self._preamble)
        if self.toc and self._sections:
            items = "".join(f'<li><a href="#{s.id}">{escape(s.title)}</a></li>' for s in self._sections)
            parts.append(f'<nav class="toc" id="toc"><h2>Contents</h2><ol>{items}</ol></nav>')
        for s in self._sections:
            parts.append(f'<section id="{s.id}"><h2>{escape(s.title)}</h2>')
            parts.extend(s.blocks)
            parts.append("</section>")
        if self.footer:
            parts.append(f"<footer>{escape(self.footer)}</footer>")
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"

    def write(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` atomically (temporary file, then rename) and return the path."""
        return write_text(path, self.to_html())
