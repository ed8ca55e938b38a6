"""The one way data reaches the screen: as text, never as markup.

Textual parses a plain ``str`` as markup in ``Static``, ``Label``, ``OptionList`` options,
``DataTable`` cells, Rich ``Table`` cells and toasts: a bracket in a resource's name is
enough to mangle it (``[DEPRECATED] api`` shows as `` api``), crash the app
(``[/x]``), make a clickable action (``[@click=app.quit]``) or a link to a foreign site.
So every string that did not come from this codebase (AWS data, a saved inventory, a config
file, what the operator typed) is put on screen through ``safe`` (a Rich ``Text``) or
``safe_content`` (a Textual ``Content``): both show the text literally, with control
characters in a visible form (``tracker_tui.untrusted.visible``).  Our own styling is
composed around them (``Text.assemble(("name ", "bold"), safe(name))``), never interpolated
into a markup string.
"""

from __future__ import annotations

from rich.console import JustifyMethod, OverflowMethod
from rich.style import StyleType
from rich.text import Text
from textual.content import Content

from tracker_tui.untrusted import visible

__all__ = ["safe", "safe_content", "visible"]


def safe(
    value: object,
    style: StyleType = "",
    *,
    justify: JustifyMethod | None = None,
    overflow: OverflowMethod | None = None,
    no_wrap: bool | None = None,
) -> Text:
    """``value`` as literal Rich ``Text`` (``None`` is empty), control characters made visible.

    Args:
        value: The data; anything but a str is shown as ``str(value)``.
        style: Our own style for all of it.
        justify: As ``Text``'s.
        overflow: As ``Text``'s.
        no_wrap: As ``Text``'s.
    """
    text = "" if value is None else visible(value if isinstance(value, str) else str(value))
    return Text(text, style=style, justify=justify, overflow=overflow, no_wrap=no_wrap)


def safe_content(value: object, style: str = "") -> Content:
    """``value`` as literal Textual ``Content`` (``None`` is empty), control characters made visible."""
    text = "" if value is None else visible(value if isinstance(value, str) else str(value))
    return Content.styled(text, style) if style else Content(text)
