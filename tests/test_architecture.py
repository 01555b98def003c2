"""Imports point one way: schema → service → domain; projections → domain; nothing imports schema; domain
imports nothing of ours. The one exception is the composition root, service/app.py, which mounts the schema
on the ASGI app (and the CLI that starts it). Checked on the source files themselves."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("domain", "projections", "service", "schema")
ALLOWED = {
    "domain": {"domain"},
    "projections": {"projections", "domain"},
    "service": {"service", "domain", "projections"},
    "schema": {"schema", "service", "domain", "projections"},
}

ENTRY_POINTS = {"service/edge/app.py": {"schema"}, "service/edge/cli.py": {"schema"}}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(LAYERS)


def test_each_layer_imports_only_the_layers_below_it() -> None:
    wrong = []
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            bad = imports_of(path) - ALLOWED[layer] - ENTRY_POINTS.get(str(path.relative_to(ROOT)), set())
            if bad:
                wrong.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert wrong == []


def test_the_domain_does_no_io() -> None:
    forbidden = {"asyncio", "asyncpg", "socket", "os", "time", "subprocess", "httpx", "starlette"}
    wrong = []
    for path in (ROOT / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        if names & forbidden:
            wrong.append(f"{path.relative_to(ROOT)}: {sorted(names & forbidden)}")
    assert wrong == []
