"""The catalogue's price check (issue 26, part 2): every scan loads the catalogue, so its check
of ~60,000 prices walks them without writing a path for each; it still names exactly the
bad prices a walk of every number names, in the same order and words."""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from typing import Any

import pytest

from tracker_tui.pricing import catalogue as catalogue_module
from tracker_tui.pricing.catalogue import Catalogue, CatalogueError, read_catalogue_data


def every_number(node: Any, path: str = "") -> list[tuple[str, float]]:
    """The walk the check used to make: every number, with its dotted path."""
    found: list[tuple[str, float]] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            found.extend(every_number(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(every_number(value, f"{path}[{i}]"))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        found.append((path, float(node)))
    return found


def number_slots(node: Any) -> Any:
    """(container, key or index) of every number, to set a bad price in place."""
    pairs = node.items() if isinstance(node, Mapping) else enumerate(node)
    for key, value in pairs:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            yield node, key
        elif isinstance(value, (Mapping, list)):
            yield from number_slots(value)


def checked(data: dict[str, Any]) -> dict[str, Any]:
    return {"regions": data["regions"], "fees": data.get("fees", {})}


def test_the_shipped_catalogue_has_no_bad_price_and_loads() -> None:
    data = read_catalogue_data()
    assert catalogue_module._not_positive(checked(data)) == []
    assert len(every_number(checked(data))) > 10_000  # the check has something to walk
    Catalogue(data)


@pytest.mark.parametrize("seed", range(5))
def test_bad_prices_are_named_as_a_walk_of_every_number_names_them(seed: int) -> None:
    data = copy.deepcopy(read_catalogue_data())
    slots = list(number_slots(checked(data)))
    rng = random.Random(seed)
    for parent, key in rng.sample(slots, 6):
        parent[key] = rng.choice([0, 0.0, -1, -0.5])
    data["fees"] = {**data.get("fees", {}), "odd": [1, True, None, "x", -2, {"deep": [0.0]}]}
    expected = [(path, value) for path, value in every_number(checked(data)) if value <= 0]
    assert len(expected) >= 8
    assert catalogue_module._not_positive(checked(data)) == expected
    with pytest.raises(CatalogueError) as raised:
        Catalogue(data)
    shown = "; ".join(f"price {path} is not positive ({value})" for path, value in expected[:5])
    assert str(raised.value).startswith(f"price catalogue: {shown}; ...")
