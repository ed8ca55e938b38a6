"""``:`` -- what a word typed in the command bar means: a kind to filter to, or a view.

As in k9s: ``:vol`` shows the volumes, ``:eks`` the EKS clusters, ``:ec2:instance`` the
instances.  A word names a kind by its id, its grid label (``vol``, ``fn``), an alias
its module declares (``KindSpec.aliases``: ``volume``, ``bucket``...), the part of its id after the colon (``volume``,
``db-instance``) or before it when that service has one kind (``eks``, ``lambda``); or by a
prefix of any of these that only one kind has.  A few words open views instead (``:cost``,
``:grid``, ``:changes``, ``:audit``, ``:offhours`` (``z``), ``:help``, ``:quit``).  Pure: no Textual.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from os.path import commonprefix

from tracker_tui.aws.kinds import REGISTRY

#: Words that open a view, and what the app does for each.
VIEWS = {
    "cost": "the cost panels",
    "grid": "the coverage grid",
    "changes": "the changes since the last scan",
    "audit": "the action audit log",
    "offhours": "schedule the marked rows off-hours (z)",
    "help": "the keys and the filter grammar",
    "quit": "quit",
}

@dataclass(frozen=True)
class Jump:
    """What a word means: a kind, a view, or why neither (``error``)."""

    kind: str | None = None
    view: str | None = None
    error: str = ""

    @property
    def filter_text(self) -> str:
        return f"kind:{self.kind}" if self.kind else ""


def _names() -> dict[str, set[str]]:
    """Every name -> the kinds (or views, as ``view:NAME``) it stands for."""
    names: dict[str, set[str]] = defaultdict(set)
    services: dict[str, set[str]] = defaultdict(set)
    for kind, spec in REGISTRY.items():
        service, _, noun = kind.partition(":")
        services[service].add(kind)
        for name in (kind, spec.label, noun, *spec.aliases):
            names[name.lower()].add(kind)
    for service, kinds in services.items():
        if len(kinds) == 1:  # eks, lambda, s3: the service is the kind
            names[service].update(kinds)
    for view in VIEWS:
        names[view].add(f"view:{view}")
    return names


def resolve(word: str) -> Jump:
    """The kind or view ``word`` names (case-insensitive, a leading ``:`` ignored)."""
    text = word.strip().lstrip(":").strip().lower()
    if not text:
        return Jump(error="type a kind (vol, ec2:instance, lambda ...) or cost, grid, changes, audit, help")
    names = _names()
    targets = names.get(text) or set().union(*(found for name, found in names.items() if name.startswith(text)))
    if not targets:
        return Jump(error=f"unknown: '{text}' is no kind or view (tab completes; :help lists the keys)")
    if len(targets) > 1:
        shown = sorted(t.removeprefix("view:") for t in targets)
        more = f" and {len(shown) - 6} more" if len(shown) > 6 else ""
        return Jump(error=f"'{text}' could be {', '.join(shown[:6])}{more}: type more")
    (target,) = targets
    if target.startswith("view:"):
        return Jump(view=target.removeprefix("view:"))
    return Jump(kind=target)


def complete(word: str) -> str:
    """Tab: the one name ``word`` starts, or the longest start the names it starts share."""
    text = word.strip().lstrip(":").lower()
    if not text:
        return word
    matches = sorted(name for name in _names() if name.startswith(text))
    if not matches:
        return word
    if len(matches) == 1:
        return matches[0]
    return commonprefix(matches) or word


def candidates(word: str, limit: int = 8) -> list[str]:
    """The names ``word`` starts (for the hint under the bar)."""
    text = word.strip().lstrip(":").lower()
    return sorted(name for name in _names() if name.startswith(text))[:limit] if text else []
