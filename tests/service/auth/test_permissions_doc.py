"""The published permission table is the policy the code enforces."""

from __future__ import annotations

from pathlib import Path

from service.auth.permissions import POLICY, policy_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "PERMISSIONS.md"


def test_the_documented_table_is_the_policy_in_force() -> None:
    assert policy_markdown() in DOC.read_text(), "regenerate docs/PERMISSIONS.md with `qms policy`"


def test_every_action_the_code_checks_is_in_the_policy() -> None:
    import re

    root = Path(__file__).resolve().parents[3]
    checked = set()
    for path in [*root.glob("service/**/*.py"), *root.glob("schema/**/*.py")]:
        checked |= set(re.findall(r'(?:authorize|allowed)\([^,]+, "([a-z_.]+)"', path.read_text()))
    assert checked, "no checks found"
    assert checked <= POLICY.keys(), checked - POLICY.keys()
