"""Text that someone other than the operator wrote, made safe for where it is going.

Everything AWS returns (names, tags, ids, ARNs, states, details, error messages, bill
service names) was written by whoever could tag an instance, name a table or word an error.
It is data.  This module holds the one rule for each place such text can go, so every
writer applies the same one:

* ``visible``: for a terminal.  Control characters (C0 including ESC, BEL, CR, LF and TAB;
  DEL; C1), the bidirectional overrides and isolates, line and paragraph separators, lone
  surrogates and the other invisible format characters are replaced by a visible form, so
  no byte of the data reaches the terminal as a control sequence, and no row is shifted, cut
  or reordered by it.  (Markup is the UI's business: ``tracker_tui.ui.text`` builds
  ``Text`` objects, never markup strings.)
* ``csv_cell``: for a spreadsheet.  A cell beginning with ``=``, ``+``, ``-``, ``@``, TAB or
  CR is prefixed with ``'`` (OWASP's rule for CSV injection).  The csv writer quotes cells
  holding CR or LF, so one resource stays one record.
* ``markdown_text`` / ``markdown_code``: for a markdown report.  The markdown
  punctuation that makes links, images, HTML, emphasis or table cells is backslash-escaped
  (so ``<img>`` and ``![x](http://...)`` render as text), after ``visible``.
* JSON and the audit log keep the exact data: they are for programs, not for people.

``fit_cells`` pads or cuts text to a number of terminal cells (wide characters count two,
combining and zero-width ones none), so columns line up whatever the text holds.
"""

from __future__ import annotations

import re
import unicodedata

from rich.cells import cell_len, set_cell_size

__all__ = [
    "FORMULA_PREFIXES",
    "csv_cell",
    "fit_cells",
    "has_lone_surrogate",
    "markdown_code",
    "markdown_text",
    "unsafe_characters",
    "visible",
]

#: Unicode categories never sent to the terminal as they are: controls (C0, DEL, C1),
#: format characters (bidi overrides and isolates, zero-width and invisible ones, tag
#: characters), line and paragraph separators, and surrogates (which cannot even be encoded).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
#: Format characters that are part of ordinary text and drawn as nothing: the zero-width
#: joiner and non-joiner (emoji sequences, Indic and Arabic scripts).
_KEPT_FORMAT = frozenset({"\u200c", "\u200d"})
#: DEL has a control picture of its own (C0 codes are at U+2400 + code).
_DEL_PICTURE = "\u2421"


def _shown(char: str) -> str:
    """The visible stand-in of one hidden character."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL, ␍ for CR, ␊ for LF, ␉ for TAB
    if code == 0x7F:
        return _DEL_PICTURE
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN_CATEGORIES and char not in _KEPT_FORMAT


def visible(text: str) -> str:
    """``text`` with every character a terminal would act on, or would not draw, replaced by a
    visible stand-in: C0 codes by their control pictures (``\\x1b`` shows as ``␛``, a newline as
    ``␊``), DEL as ``␡``, the rest (C1, bidi overrides, zero-width and tag characters, line
    separators, lone surrogates) as ``\\x85`` / ``\\u202e`` / ``\\U000e0041``.

    Everything else, brackets and backslashes included, is kept as it is.
    """
    if text.isprintable():  # the usual case, at C speed: no Cc/Cf/Zl/Zp/Cs in it
        return text
    return "".join(_shown(char) if _hidden(char) else char for char in text)


def unsafe_characters(text: str) -> list[str]:
    """The characters of ``text`` that ``visible`` would replace (for tests and checks)."""
    return [char for char in text if _hidden(char)]


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds a lone surrogate (a JSON answer can), which UTF-8 cannot encode."""
    return not text.isprintable() and any("\ud800" <= char <= "\udfff" for char in text)


#: What makes a spreadsheet cell a formula (or, with TAB and CR, hides one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: ``'`` in front of a formula lead.

    The rest is kept exactly, but for a lone surrogate (possible in a JSON answer, and not
    writable as UTF-8), which becomes U+FFFD.
    """
    if has_lone_surrogate(value):
        value = "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


#: Markdown punctuation that can start a link, image, autolink, inline HTML, entity,
#: emphasis, code span, heading or table cell; CommonMark lets any ASCII punctuation be
#: backslash-escaped, so escaping these turns them into plain characters.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!|#~&])")


def markdown_text(value: str) -> str:
    """``value`` for a markdown table cell: visible, its markdown punctuation escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(value))


def markdown_code(value: str) -> str:
    """``value`` as an inline code span in a markdown table cell.

    Inside a code span nothing is markup, except that a backtick run ends it and a ``|`` ends
    the table cell: the span's fence is one backtick longer than any run inside, and ``|`` is
    escaped as GFM tables require.
    """
    text = visible(value).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if longest:
        return f"{fence} {text} {fence}"
    return f"{fence}{text}{fence}"


def fit_cells(text: str, width: int, right: bool = False) -> str:
    """Pad or cut (with an ellipsis) ``text`` to exactly ``width`` terminal cells."""
    if width <= 0:
        return ""
    if text.isascii():
        if len(text) <= width:
            return text.rjust(width) if right else text.ljust(width)
        return text[: width - 1] + "…"
    length = cell_len(text)
    if length <= width:
        pad = " " * (width - length)
        return pad + text if right else text + pad
    return set_cell_size(text, width - 1) + "…"
