"""Mutation-test the safety rails: mutmut over the functions that decide whether AWS is called.

    pip install -e '.[dev]'
    python scripts/mutate_safety.py             # run (resumes where it stopped), then report
    python scripts/mutate_safety.py --report    # report only
    python scripts/mutate_safety.py --survivors # list the surviving mutants (mutmut show NAME)

The scope is the rails, not everything in the safety modules: the actions package
(planning, the shared Step, the runner, every handler), the audit log's writes, and the
confirm dialog's rules and answers.  Text layout (tables, compose, summaries) is left out: a mutant there changes
how a dialog looks, which the snapshot tests guard, not whether anything is changed.
Configuration (files, tests) is ``[tool.mutmut]`` in pyproject.toml; the test files are
the rails' own (test_actions, test_safety_rails, test_rails_reads, test_confirm_dialog, test_store).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: fnmatch patterns over mutmut's mutant names (``module.x_function__mutmut_N`` or
#: ``module.xǁClassǁmethod__mutmut_N``).
SAFETY_MUTANTS = (
    # Planning: which action a row gets, what is skipped and why, one key or the typed name.
    "tracker_tui.aws.actions.plan.x_*",
    # The rails every handler goes through (re-read, refuse, audited call, DryRun, verify).
    "tracker_tui.aws.actions.base.xǁStepǁ*",
    # The answers to the actions' boxes, and their declared defaults.
    "tracker_tui.aws.actions.base.xǁActionOptionsǁ*",
    "tracker_tui.aws.actions.base.x_*",
    # The run: identity, the audit log around every call, DryRun, one failure never stops the rest.
    "tracker_tui.aws.actions.runner.xǁActionRunnerǁ*",
    "tracker_tui.aws.actions.runner.x_*",
    # Every handler and what the plan says about its action.
    "tracker_tui.aws.actions.ec2.x_*",
    "tracker_tui.aws.actions.s3.x_*",
    "tracker_tui.aws.actions.rds.x_*",
    "tracker_tui.aws.actions.elb.x_*",
    "tracker_tui.aws.actions.logs.x_*",
    "tracker_tui.aws.actions.ec2_snapshot.x_*",
    "tracker_tui.aws.actions.ec2_image.x_*",
    "tracker_tui.aws.actions.ec2_vpc_endpoint.x_*",
    "tracker_tui.aws.actions.rds_snapshot.x_*",
    "tracker_tui.aws.actions.dynamodb.x_*",
    "tracker_tui.aws.actions.redshift.x_*",
    "tracker_tui.aws.actions.sagemaker.x_*",
    "tracker_tui.aws.actions.offhours.x_*",
    "tracker_tui.aws.actions.scheduler.x_*",
    # The audit log.
    "tracker_tui.store.xǁAuditLogǁrecord__mutmut_*",
    "tracker_tui.store.xǁAuditLogǁ__init____mutmut_*",
    # What AWS's text may become on a terminal, in a spreadsheet, in a markdown report.  The
    # survivors are equivalent: _shown's bounds at code points visible() never hands it (space,
    # U+00FF, U+0100, U+FFFF, U+10000), and csv_cell's surrogate guard, whose output is the same.
    "tracker_tui.untrusted.x_*",
    # The confirm dialog's rules and answers.
    "tracker_tui.ui.screens.confirm.x_confirm_word__mutmut_*",
    "tracker_tui.ui.screens.confirm.x_typed_word_matches__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmedǁapply__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁ__init____mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁon_mount__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁ_result__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁaction_yes__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁon_button_pressed__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁon_key__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁon_input_changed__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁ_submit__mutmut_*",
    "tracker_tui.ui.screens.confirm.xǁConfirmActionScreenǁ_fit_body__mutmut_*",
)


def results() -> dict[str, str]:
    """Every mutant's status from mutmut's own records (name -> killed / survived / ...)."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    statuses = {}
    for line in out.splitlines():
        name, _, status = line.strip().partition(": ")
        if status:
            statuses[name] = status.strip()
    return statuses


def in_scope(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in SAFETY_MUTANTS)


def group(name: str) -> str:
    """``tracker_tui.aws.actions: _call`` for a mutant name."""
    module, _, rest = name.partition(".x")
    function = rest.split("__mutmut_")[0].strip("_ǁ").split("ǁ")[-1]
    return f"{module}: {function}"


def report(statuses: dict[str, str], show_survivors: bool) -> int:
    scoped = {name: status for name, status in statuses.items() if in_scope(name)}
    if not scoped:
        print("no results yet: run without --report first")
        return 1
    by_module: dict[str, Counter[str]] = {}
    by_function: dict[str, Counter[str]] = {}
    for name, status in scoped.items():
        by_module.setdefault(name.partition(".x")[0], Counter())[status] += 1
        by_function.setdefault(group(name), Counter())[status] += 1
    total: Counter[str] = Counter(scoped.values())

    def line(label: str, counts: Counter[str]) -> str:
        tested = sum(counts.values()) - counts["not checked"]
        killed = counts["killed"] + counts["timeout"]
        rate = f"{100 * killed / tested:5.1f}%" if tested else "  n/a"
        return f"{label:<62} {killed:>5}/{tested:<5} killed {rate}   survived {counts['survived']}"

    print(line("all safety mutants", total))
    for module, counts in sorted(by_module.items()):
        print(line(f"  {module}", counts))
    print()
    for function, counts in sorted(by_function.items(), key=lambda kv: -kv[1]["survived"]):
        if counts["survived"]:
            print(line(f"  {function}", counts))
    if show_survivors:
        print()
        for name, status in sorted(scoped.items()):
            if status == "survived":
                print(name)
    print(json.dumps({"statuses": dict(total)}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="only report what earlier runs found")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args()
    if not args.report:
        subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *SAFETY_MUTANTS],
            cwd=ROOT,
            check=False,
        )
    return report(results(), args.survivors)


if __name__ == "__main__":
    sys.exit(main())
