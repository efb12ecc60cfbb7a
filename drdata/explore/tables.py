"""Tables that fit a notebook screen.

:func:`show_table` takes any statistics DataFrame and returns a pandas ``Styler``: floats rounded, shares
as percentages, category ids replaced by their titles, a one-row table turned on its side, an optional column
selection and row cap said out loud. The DataFrame itself is untouched (``styler.data`` is the frame shown,
the original stays one variable away).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

PERCENT_HINTS = ("share", "recall", "precision", "rate")


def _is_percent(name) -> bool:
    n = str(name).lower()
    return any(h in n for h in PERCENT_HINTS)


def _titles(ids) -> list[str]:
    from drdata.taxonomy import category

    out = []
    for cid in ids:
        try:
            out.append(category(str(cid)).title)
        except KeyError:
            out.append(str(cid))
    return out


def name_categories(df: pd.DataFrame) -> pd.DataFrame:
    """Category ids -> titles, in the index (named ``category``) and in a ``category`` column."""
    d = df.copy()
    if d.index.name == "category":
        if "title" in d.columns:
            d.index = pd.Index(d.pop("title").astype(str), name="category")
        else:
            d.index = pd.Index(_titles(d.index), name="category")
    elif "category" in d.columns:
        if "title" in d.columns:
            d["category"] = d.pop("title")
        else:
            d["category"] = _titles(d["category"])
    return d


def show_table(df: pd.DataFrame, columns: Iterable[str] | None = None, *, max_rows: int | None = 25,
               digits: int = 2, percent: Iterable[str] | None = None, names: bool = True,
               transpose_single: bool = True, caption: str | None = None, max_chars: int | None = 200):
    """``df`` ready to read: a ``Styler`` with rounded floats, shares as percentages and category titles.

    ``columns``: the columns to show (the rest stay in ``df``); ``max_rows``: rows shown (the caption says
    how many there are); ``percent``: columns to show as percentages (default: those named share, recall,
    precision, rate); ``max_chars``: longer texts are cut. A one-row table with more than four columns is
    shown transposed.
    """
    d = df
    if columns is not None:
        d = d[list(columns)]
    if names:
        d = name_categories(d)
    d = d.copy()
    text_cols = [c for c in d.columns if d[c].dtype == object or pd.api.types.is_string_dtype(d[c])]
    for c in text_cols:
        # Lists and arrays (a dataset's messages, fixed categories) print as their text, cut like strings.
        d[c] = d[c].map(lambda v: _cut(_plain(v), max_chars) if max_chars is not None else _plain(v))
    if d.index.hasnans:  # a value_counts(dropna=False) of a column with missing values
        d.index = d.index.astype(object).where(d.index.notna(), "(missing)")
    total = len(d)
    notes = []
    if max_rows is not None and total > max_rows:
        d = d.head(max_rows)
        notes.append(f"first {max_rows} of {total} rows")
    pct = set(percent) if percent is not None else {c for c in d.columns if _is_percent(c)}
    if transpose_single and len(d) == 1 and len(d.columns) > 4:
        row = d.iloc[0]
        label = str(d.index[0]) if d.index.name or not isinstance(d.index, pd.RangeIndex) else "value"
        d = pd.DataFrame({label: row.astype(object)})
        d.index.name = df.index.name or ""
        styler = d.style.format(lambda v: _cell(v, digits), na_rep="", escape="html")
        prows = [c for c in d.index if c in pct]
        if prows:
            styler = styler.format(_pct, subset=pd.IndexSlice[prows, :], na_rep="")
    else:
        styler = d.style.format(lambda v: _cell(v, digits), na_rep="", escape="html")
        pcols = [c for c in d.columns if c in pct]
        if pcols:
            styler = styler.format(_pct, subset=pcols, na_rep="")
    text = "; ".join(x for x in (caption, *notes) if x)
    if text:
        styler = styler.set_caption(text)
    styles = [{"selector": "caption", "props": "caption-side: bottom; color: #666;"},
              # Long texts wrap inside their column instead of widening the table past the screen.
              {"selector": "td", "props": "max-width: 40em; overflow-wrap: anywhere;"}]
    for c in text_cols:
        if c in styler.data.columns:  # not after a transposition
            styler = styler.set_properties(subset=[c], **{"text-align": "left"})
    # JupyterLab typesets HTML outputs with MathJax: "${var.a}-${var.b}" in a cell would become a formula.
    return (styler.set_table_styles(styles, overwrite=False)
            .set_table_attributes('class="mathjax_ignore tex2jax_ignore"'))


def _plain(v):
    if isinstance(v, (list, tuple, dict, np.ndarray)):
        return str(v.tolist() if isinstance(v, np.ndarray) else v)
    return v


def _cut(v, n: int):
    if isinstance(v, str) and len(v) > n:
        return v[: n - 1].rstrip() + "…"
    return v


def _cell(v, digits: int) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        if float(v).is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        if 0 < abs(v) < 10 ** -digits:
            return f"{v:.{digits}g}" if abs(v) >= 1e-4 else f"{v:.1e}"
        return f"{v:,.{digits}f}"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    return str(v)


def _pct(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{x:.0%}" if x == 0 or x >= 0.01 or x == 1 else f"{x:.1%}"
