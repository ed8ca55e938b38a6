"""The safety-rail cases of the data family's handlers (see tests/rails.py for the shape).

Filled by the family's own work; every rail in tests/test_safety_rails.py runs on them.
"""

from __future__ import annotations

from tests.rails import Case, StateRefusal

CASES: dict[str, Case] = {}
SERVICES: dict[str, str] = {}
DONE_MESSAGES: dict[str, str] = {}
VERIFIED_BY: dict[str, tuple[str, str]] = {}
STATE_REFUSALS: list[StateRefusal] = []
