"""What ``y`` and ``Y`` put on the clipboard, and what they say about it.

The copying itself is Textual's ``App.copy_to_clipboard``: an OSC 52 escape to the
terminal, which carries it through SSH and tmux (with ``set-clipboard on``).  These are
plain functions so the text and the messages are tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tracker_tui.model import Resource, plural
from tracker_tui.untrusted import visible

#: A copied ARN longer than this is shortened in the notification (never on the clipboard).
MESSAGE_WIDTH = 80


def row_text(resource: Resource) -> str:
    """What ``y`` copies: the resource's ARN, or its id when it has no ARN.

    As shown (``untrusted.visible``): an ARN holding control characters would carry them into
    whatever it is pasted into (an ESC or a bracketed-paste end in a shell is an injection), so
    such a one is copied in its visible form, and the message says so.
    """
    return visible(resource.arn or resource.id)


def ids_text(resources: Iterable[Resource]) -> str:
    """What ``Y`` copies: the ids, one per line, each as shown (see ``row_text``)."""
    return "\n".join(visible(resource.id) for resource in resources)


def in_table_order(marked: Sequence[Resource], shown: Sequence[Resource]) -> list[Resource]:
    """The marked rows as the table shows them; marked rows the filter hides come last."""
    keys = {resource.key for resource in marked}
    ordered = [resource for resource in shown if resource.key in keys]
    placed = {resource.key for resource in ordered}
    return ordered + [resource for resource in marked if resource.key not in placed]


def shorten(text: str, width: int = MESSAGE_WIDTH) -> str:
    """``text`` in at most ``width`` characters, cut in the middle: an ARN's tail names it."""
    if len(text) <= width:
        return text
    head = width // 3
    return f"{text[:head]}…{text[-(width - head - 1):]}"


def row_message(resource: Resource) -> str:
    """The notification after ``y``: what was copied, of which row."""
    what = "ARN" if resource.arn else "id"
    copied = row_text(resource)
    shown = " (as shown: it holds control characters)" if copied != (resource.arn or resource.id) else ""
    return f"Copied the {what} of {resource.name or resource.id}{shown}: {shorten(copied)}"


def ids_message(count: int) -> str:
    """The notification after ``Y``."""
    return f"Copied {plural(count, 'id')} (marked rows)"
