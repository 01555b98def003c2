"""Imports point one way: schema → service → domain; projections → domain; nothing imports schema; domain
imports nothing of ours. The one exception is the composition root, service/edge/app.py, which mounts the schema
on the ASGI app (and the CLI that starts it). Inside service/, each role's package stands only on the ones below
it. Checked on the source files themselves."""

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


# Inside service/: each role's package may use only these (its own included). The edge (entry points) may use
# them all; commands and reads never use each other (a command decides on aggregates, a read serves read models).
SERVICE_PARTS = {
    "eventstore": {"eventstore", "tracing"},
    "auth": {"auth"},
    "audit": {"audit", "eventstore"},
    "commands": {"commands", "auth", "audit", "eventstore", "bootstrap", "ids", "settings", "clock", "tracing"},
    "reads": {"reads", "auth", "audit", "eventstore", "bootstrap", "ids", "settings", "clock", "tracing"},
}


def service_parts_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0]
    return {name.split(".")[1] for name in names if name.startswith("service.")}


def test_each_service_package_uses_only_the_roles_it_stands_on() -> None:
    wrong = []
    for part, allowed in SERVICE_PARTS.items():
        for path in (ROOT / "service" / part).rglob("*.py"):
            bad = service_parts_of(path) - allowed
            if bad:
                wrong.append(f"{path.relative_to(ROOT)} uses service.{sorted(bad)}")
    for path in (ROOT / "service").glob("*.py"):
        if "edge" in service_parts_of(path):
            wrong.append(f"{path.relative_to(ROOT)} uses the edge")
    assert wrong == []


def test_every_folder_of_code_is_a_package_with_a_docstring() -> None:
    missing = [str(p.relative_to(ROOT)) for layer in LAYERS for p in (ROOT / layer).rglob("*") if p.is_dir()
               and p.name not in ("__pycache__", "static", "graphiql") and not (p / "__init__.py").exists()]
    assert missing == []


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
