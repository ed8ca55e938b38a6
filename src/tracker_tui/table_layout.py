"""Which columns of the resource table fit a width, how wide each one is, and fitting text to it.

Pure arithmetic on the longest text of each column (``RowStore.content_widths``), so the
layout is the same in the widget and in a test with no terminal.  Column order: mark,
[account], kind, name, id, region, state, cost, age, tags.  The account column only
appears once rows from more than one account are present.  When the width is short, tags
give way first, then age, then id, then account; name takes what is left.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker_tui.rowstore import COLUMNS
from tracker_tui.untrusted import fit_cells

__all__ = ["LABELS", "fit_text", "layout_columns"]

#: The header label of each of ``COLUMNS``.
LABELS = {
    "account": "Account",
    "kind": "Kind",
    "name": "Name",
    "id": "ID",
    "region": "Region",
    "state": "State",
    "cost": "Cost/mo",
    "age": "Age",
    "tags": "Tags",
}
#: Widest a column grows to fit its content (name is flexible and has no cap).
_CAPS = {"account": 12, "kind": 19, "id": 24, "region": 14, "state": 13, "cost": 12, "age": 4, "tags": 40}
_NAME_MIN = 12
_TAGS_MIN = 8
#: Optional columns in the order they are given room; the last one added gives way first.
_OPTIONAL = ("account", "id", "age", "tags")
_ALWAYS = ("kind", "name", "region", "state", "cost")


def layout_columns(content_widths: Mapping[str, int], width: int, show_account: bool) -> list[tuple[str, int]]:
    """The ``(column, cell width)`` pairs shown at ``width``, in display order.

    Args:
        content_widths: The longest text of each of ``COLUMNS``, in cells.
        width: The table's width; the mark column (two cells with its separator) and a
            separator before each column are counted in it.
        show_account: Whether the account column may be shown.
    """
    # Fit content up to a cap, but never narrower than the label and its sort arrow.
    widths = {c: max(len(LABELS[c]) + 2, min(_CAPS.get(c, w), w)) for c, w in content_widths.items()}
    name_content = max(content_widths["name"], _NAME_MIN)
    shown = set(_ALWAYS)
    used = 2 + sum(widths[c] + 1 for c in _ALWAYS if c != "name")  # mark + separators
    for column in _OPTIONAL:
        if column == "account" and not show_account:
            continue
        need = (_TAGS_MIN if column == "tags" else widths[column]) + 1
        if used + need + _NAME_MIN > width:
            break
        shown.add(column)
        used += need if column != "tags" else 0
    remaining = width - used  # for name (and tags, when shown)
    if "tags" in shown:
        name_w = max(_NAME_MIN, min(name_content, remaining - 1 - _TAGS_MIN))
        tags_w = max(_TAGS_MIN, min(widths["tags"], remaining - name_w - 1))
        name_w = max(_NAME_MIN, remaining - tags_w - 1)
        widths["tags"] = tags_w
    else:
        name_w = max(1, remaining)
    widths["name"] = name_w
    return [(c, widths[c]) for c in COLUMNS if c in shown]


#: Pad or cut to exactly a number of cells (one rule for every table: ``untrusted.fit_cells``).
fit_text = fit_cells
