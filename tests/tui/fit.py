"""Does a screen fit its terminal? A region check over what Textual laid out, not eyes.

:func:`cuts` lists every widget of the active screen (and of the screens a modal dialog shows
behind it is not checked: only the top screen) whose text does not fit where it is drawn:

- a widget drawn partly outside its container's visible area (clipped), except up or down
  inside a container the person can scroll (a dialog's buttons outside its scrolling part must
  be wholly visible);
- text that needs more lines than its region has (wrapped text), or more columns (unwrapped
  text: buttons, one-line labels), or an input whose placeholder is wider than the input;
- a list or table showing fewer than three of its rows (or fewer than all it has);
- a table whose columns are wider than the table (a column off the right edge);
- a footer key hint beyond the footer's right edge.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.widget import Widget
from textual.widgets import Button, DataTable, Footer, Input, OptionList, Static
from textual.widgets._footer import FooterKey


def _scrolls_to(widget: Widget, region: Region, geometry: Any) -> bool:
    """True when the container that hides part of ``widget`` lets the person scroll to it: the
    nearest ancestor whose visible area does not hold ``region`` must scroll vertically."""
    node = widget.parent
    while isinstance(node, Widget):
        if node in geometry and not node.scrollable_content_region.contains_region(region):
            return bool(node.allow_vertical_scroll)
        node = node.parent
    return False


MIN_LIST_ROWS = 3  # a list (options, steps, a table) shows at least this many rows


def _name(widget: Widget) -> str:
    label = f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__
    text = _plain(widget)
    return f"{label} {text[:50]!r}" if text else label


def _plain(widget: Widget) -> str:
    if isinstance(widget, Button):
        return str(widget.label)
    if isinstance(widget, Static):
        visual: Any = widget.render()
        return str(getattr(visual, "plain", visual))
    return ""


def _text_cut(widget: Widget, region: Region) -> str | None:
    """Why ``widget``'s own text does not fit its content region, or None."""
    content = widget.content_region
    if content.width <= 0 or content.height <= 0:
        return None
    if isinstance(widget, Input):
        if not widget.value and cell_len(widget.placeholder) > content.width:
            return f"placeholder needs {cell_len(widget.placeholder)} columns, has {content.width}"
        return None
    if isinstance(widget, DataTable):
        wanted = widget.virtual_size.width
        have = widget.scrollable_content_region.width
        if wanted > have:
            return f"columns need {wanted} columns, the table has {have}"
        return None
    if isinstance(widget, ScrollView | OptionList) and not isinstance(widget, Input):
        rows = widget.virtual_size.height
        shown = widget.scrollable_content_region.height
        if rows and shown < min(MIN_LIST_ROWS, rows):
            return f"shows {shown} of its {rows} rows"
    if not isinstance(widget, Static | Button) or widget.is_scrollable:
        return None
    text = _plain(widget)
    if not text.strip():
        return None
    viewport = widget.app.size
    container = Size(content.width, content.height)
    if widget.styles.text_wrap == "nowrap":
        needed = max(cell_len(line) for line in text.splitlines() or [""])
        if needed > content.width:
            return f"text needs {needed} columns, has {content.width}"
        return None
    if isinstance(widget, Button):  # its label wraps inside its line padding
        pad = widget.styles.line_pad
        label = widget.label if isinstance(widget.label, Content) else Content(str(widget.label))
        height = len(label.wrap(max(1, content.width - 2 * pad)))
    else:
        height = widget.get_content_height(container, viewport, content.width)
    if height > content.height:
        return f"text needs {height} lines at {content.width} columns, has {content.height}"
    return None


def cuts(screen: Any) -> list[str]:
    """Every widget on ``screen`` whose text is cut (empty when everything fits)."""
    problems: list[str] = []
    geometry = screen._compositor.full_map  # every widget's region and clip, laid out
    screen_region = screen.region
    footer_regions = [geometry[f].region for f in screen.query(Footer) if f in geometry]
    for widget, placed in geometry.items():
        region, clip = placed.region, placed.clip
        if not widget.display or not widget.visible or region.area == 0:
            continue
        inside = clip.intersection(screen_region)
        if isinstance(widget, FooterKey):
            if any(region.right > f.right for f in footer_regions):
                problems.append(f"key hint beyond the footer: {widget.key_display} "
                                f"{widget.description}")
            continue
        if region.x < clip.x or region.right > min(clip.right, screen_region.right):
            problems.append(f"{_name(widget)}: cut at the side ({region} in {clip})")
            continue
        if region.y < inside.y or region.bottom > inside.bottom:
            if not _scrolls_to(widget, region, geometry):
                problems.append(f"{_name(widget)}: cut at the bottom ({region} in {clip})")
                continue
            if not region.overlaps(inside):
                continue  # scrolled out of view: the person scrolls to it
        reason = _text_cut(widget, region)
        if reason:
            problems.append(f"{_name(widget)}: {reason}")
    return problems
