"""One kind, one definition: the registry is complete, and a new kind is one module and one line.

- every registered kind declares what the rest of the program reads from it (label, title,
  a botocore service, an estimator that prices a bare row, its rules, its verbs), and the
  sample estate has a row of it;
- each rule's filter shows exactly the rows the rule applies to;
- README's table of kinds is the registry's;
- a kind id is written in at most two source files;
- a fake 14th kind, registered in a test, is scanned, priced, labelled in the coverage grid,
  filtered, and its rule shows in the cost panel, with nothing else changed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from moto import mock_aws

from tests.support.estate import make_app, sample_resources, sample_source, wait_scan
from tests.support.fake_kind import FAKE, TOPICS
from tests.support.helpers import scan
from tracker_tui.aws.actions import ACTION_SPECS
from tracker_tui.aws.kinds import REGISTRY, estimate, price_resources, resolve_kinds
from tracker_tui.aws.kinds.base import KindSpec, Rule
from tracker_tui.costs import CostSummary
from tracker_tui.filtering import parse_filter
from tracker_tui.model import Resource
from tracker_tui.replay import ReplaySource
from tracker_tui.ui.screens.coverage import CoverageScreen

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "src" / "tracker_tui"


def test_every_kind_declares_what_the_rest_of_the_program_reads() -> None:
    services = set(botocore.session.get_session().get_available_services())
    for kind, spec in REGISTRY.items():
        assert spec.id == kind
        assert 1 <= len(spec.label) <= 5, (kind, spec.label)  # a coverage grid column
        assert spec.title and spec.title[0].isupper(), kind
        assert spec.service in services, (kind, spec.service)
        assert spec.scope in ("regional", "global", "account"), kind
        assert isinstance(spec.rules, tuple), kind
        assert all(isinstance(rule, Rule) for rule in spec.rules), kind
        if spec.verbs:
            assert spec.not_found_codes, f"{kind} takes actions, so its re-reads need not-found codes"
        # The bill view compares billed services with our run-rate: a priced kind names its service.
        cost, _ = estimate(Resource(kind=kind, id="x", region="us-east-1", state="available"))
        assert spec.billed_as or cost == 0.0, f"{kind} can cost money, so it is billed under some service"
        cost, basis = estimate(Resource(kind=kind, id="x", region="us-east-1"))
        assert basis and not basis.startswith(("could not estimate", "no estimator")), (kind, basis)
    labels = [spec.label for spec in REGISTRY.values()]
    assert len(labels) == len(set(labels)), "two kinds would share a coverage column label"
    # One id is one finding: two kinds may share it (old-snapshot: EBS and RDS), with one label.
    labels_by_id: dict[str, set[str]] = {}
    for spec in REGISTRY.values():
        ids = [rule.id for rule in spec.rules]
        assert len(ids) == len(set(ids)), spec.id
        for rule in spec.rules:
            labels_by_id.setdefault(rule.id, set()).add(rule.label)
    assert all(len(labels) == 1 for labels in labels_by_id.values()), labels_by_id


def test_every_verb_has_a_handler_and_every_handler_a_verb() -> None:
    declared = {(kind, action) for kind, spec in REGISTRY.items() for action in spec.verbs.values()}
    assert declared == set(ACTION_SPECS)
    for (kind, action), spec in ACTION_SPECS.items():
        assert (spec.kind, spec.action) == (kind, action)
        assert callable(spec.handler)
    # A box's key names its widget in the dialog: two declarations sharing one would take each
    # other's answer (one declaration shared by two actions is one box, answered once).
    boxes = {choice for spec in ACTION_SPECS.values() for choice in spec.choices}
    assert len({choice.key for choice in boxes}) == len(boxes)
    # The verbs are the keys' (s, ctrl+d, u, m, z): nothing else is planned.
    keys = {"stop", "delete", "start", "modify", "schedule"}
    assert {verb for spec in REGISTRY.values() for verb in spec.verbs} <= keys


def test_the_sample_estate_has_a_row_of_every_kind() -> None:
    assert {r.kind for r in sample_resources(every_kind=True)} == set(REGISTRY)


def test_each_rules_filter_shows_exactly_the_rows_with_its_finding() -> None:
    rows = sample_resources(priced=True, every_kind=True)
    for spec in REGISTRY.values():
        for rule in spec.rules:
            assert rule.filter == f"finding:{rule.id}"
            shown = parse_filter(rule.filter)
            found = {r.key for r in rows if any(f.id == rule.id for f in r.findings)}
            assert {r.key for r in rows if shown.matches(r)} == found, rule.id
            found_here = {r.key for r in rows if r.kind == spec.id and r.key in found}
            assert found_here, f"the sample estate has no {spec.id} row for {rule.id}"
            assert found_here <= {r.key for r in rows if rule.applies(r)}, rule.id


def _readme_kinds() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## What it covers", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9]+:[a-z0-9-]+)` \|", section, flags=re.MULTILINE)


def test_readme_lists_the_registrys_kinds_in_its_order() -> None:
    assert _readme_kinds() == list(REGISTRY)


def test_a_kind_id_is_written_in_at_most_two_source_files() -> None:
    files = [p for p in SOURCES.rglob("*.py")]
    for kind in REGISTRY:
        holders = sorted(str(p.relative_to(SOURCES)) for p in files if f'"{kind}"' in p.read_text(encoding="utf-8"))
        assert 1 <= len(holders) <= 2, (kind, holders)


# --- a new kind: one module, one registry line -----------------------------------------------


@pytest.fixture
def fake_kind() -> Iterator[KindSpec]:
    with REGISTRY.registered(TOPICS) as spec:
        yield spec
    assert FAKE not in REGISTRY


def test_a_registered_kind_is_scanned_priced_and_its_rule_counted(fake_kind: KindSpec) -> None:
    assert [spec.id for spec in resolve_kinds([FAKE])] == [FAKE]
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        for name in ("alerts", "deploys", "billing-old"):
            sns.create_topic(Name=name)
        found, collector = scan([FAKE])
    assert sorted(r.id for r in found) == ["alerts", "billing-old", "deploys"]
    assert {result.cell.kind for result in collector.results} == {FAKE}
    # The engine priced every row with the kind's own estimator.
    assert {r.monthly_cost for r in found} == {0.73}
    assert all(r.cost_basis == "topic us-east-1, $0.0010/h x 730 h = $0.73" for r in found)
    summary = CostSummary()
    summary.add(found)
    (line,) = summary.waste_lines()
    assert (line.finding_id, line.label, line.count, line.saving) == ("quiet-topic", "quiet topic", 1, 0.73)
    assert [r.id for r in found if parse_filter(line.filter_text).matches(r)] == ["billing-old"]
    assert [r.id for r in price_resources(found) if r.monthly_cost] == [r.id for r in found]


def test_a_registered_kind_has_its_coverage_column(fake_kind: KindSpec) -> None:
    rows = sample_resources(priced=True) + price_resources(
        [Resource(kind=FAKE, id="alerts", region="us-east-1", account_id="123456789012", state="active")]
    )
    source = sample_source(resources=rows)
    assert isinstance(source, ReplaySource)
    source.kinds = (*source.kinds, FAKE)

    async def go() -> None:
        app = make_app(source)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_scan(app, pilot)
            await pilot.press("g")
            await pilot.pause()
            grid = app.screen
            assert isinstance(grid, CoverageScreen)
            assert grid.kinds[-1] == FAKE
            labels = [str(column.label) for column in grid.query_one("DataTable").columns.values()]  # type: ignore[attr-defined]
            assert labels[-1] == "sns"

    asyncio.run(go())


def test_metric_rules_that_share_an_id_are_one_finding() -> None:
    """idle-load-balancer-traffic is three declarations (ALB, NLB, Classic namespaces): the same
    label, verb, confidence, thresholds and saving, and no id is also a rule's (the checks alone
    set or clear it)."""
    by_id: dict[str, list[Any]] = {}
    for spec in REGISTRY.values():
        for rule in spec.metric_rules:
            by_id.setdefault(rule.id, []).append((spec.id, rule))
    assert len(by_id["idle-load-balancer-traffic"]) == 3
    for fid, declared in by_id.items():
        kinds = {kind for kind, _ in declared}
        assert len(kinds) == 1, fid
        first = declared[0][1]
        for _, rule in declared[1:]:
            same = (rule.label, rule.action, rule.confidence, rule.knobs, rule.saving, rule.saving_basis)
            assert same == (first.label, first.action, first.confidence, first.knobs, first.saving, first.saving_basis)
    assert not set(by_id) & set(REGISTRY.rules())


def test_readme_tables_every_finding_and_its_bounds() -> None:
    """The README's findings tables have a row for every registered id, no other, and name every
    threshold the rules read (the config keys and their defaults)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Findings: savings with evidence") : text.index("## Inventory JSON")]
    rows = re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.M)
    assert sorted(rows) == sorted(REGISTRY.finding_labels())
    assert len(rows) >= 35
    from tracker_tui.aws.kinds.knobs import KNOBS

    config = text[text.index("### Config and memory between runs") :]
    import tracker_tui.aws.kinds  # noqa: F401 - every kind module declares its knobs on import

    for knob in KNOBS.values():
        said = (f"`{knob.name}` ({knob.default:g}", f"`{knob.name}` (default {knob.default:g}")
        assert any(text in config for text in said), knob.name


def test_every_findings_action_is_a_verb_the_tool_performs_on_that_row() -> None:
    """A finding that names an action names one its kind has a handler for, reached by a key
    (a finding that says "modify" on a row `m` refuses with "no modify action" would be a lie)."""
    from tracker_tui.aws.actions import ACTION_SPECS

    for spec in REGISTRY.values():
        declared: list[tuple[str, str | None]] = [(r.id, r.action) for r in spec.rules]
        declared += [(r.id, r.action) for r in spec.metric_rules]
        for rule_id, action in declared:
            if action is None:
                continue
            assert (spec.id, action) in ACTION_SPECS, (spec.id, rule_id, action)
            assert action in spec.verbs.values(), (spec.id, rule_id, action)


def test_the_plan_takes_every_findings_action_on_a_row_of_its_kind() -> None:
    """Each rule with an action: a row of its kind carrying that finding is planned with the
    action (never skipped as "no ... action") by the key that means it."""
    from tracker_tui.aws.actions import plan
    from tracker_tui.model import Finding, Resource

    checked = 0
    for spec in REGISTRY.values():
        rules: list[tuple[str, str | None]] = [(r.id, r.action) for r in spec.rules]
        rules += [(r.id, r.action) for r in spec.metric_rules]
        for rule_id, action in rules:
            if action is None:
                continue
            verb = next(v for v, a in spec.verbs.items() if a == action)
            row = Resource(spec.id, "x-1", "us-east-1", account_id="123456789012",
                           findings=(Finding(rule_id, 1.0, "evidence", "high", action, "t-1"),))  # fmt: skip
            (planned,) = plan([row], verb)  # type: ignore[arg-type]
            assert (planned.action, planned.skip_reason) == (action, None), (spec.id, rule_id)
            checked += 1
    assert checked >= 25
