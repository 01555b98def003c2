"""The product's contract (docs/contract/core.graphql and aspects.graphql), exactly as written: the one place the
schema is checked against it, each aspect included (NOT_YET names any part not built yet)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from graphql import parse, print_ast

from tests.schema.contract import differences

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract"
# The aspects contract's definitions this service does not have yet (see the README's "Not yet built").
NOT_YET: set[str] = set()
NOT_YET_FIELDS: set[str] = set()


def test_the_schema_has_the_core_contract_exactly_as_written() -> None:
    assert differences((CONTRACT / "core.graphql").read_text()) == []


def built_part(sdl: str) -> str:
    """The aspects contract without what is not built yet, `extend type` read as the type it extends."""
    kept = []
    for node in parse(sdl.replace("extend type", "type")).definitions:
        name = node.name.value  # type: ignore[attr-defined]
        if name in NOT_YET:
            continue
        fields = [f for f in getattr(node, "fields", None) or () if f"{name}.{f.name.value}" not in NOT_YET_FIELDS]
        if getattr(node, "fields", None) is not None:
            if not fields:
                continue
            node = dataclasses.replace(node, fields=tuple(fields))  # type: ignore[type-var]
        kept.append(print_ast(node))  # type: ignore[arg-type]
    return "\n".join(kept)


def test_the_schema_has_the_aspects_contract_as_far_as_it_is_built() -> None:
    assert differences(built_part((CONTRACT / "aspects.graphql").read_text())) == []


def test_what_is_not_yet_built_is_really_not_there() -> None:
    """So that NOT_YET shrinks as the aspects land, and never hides a difference."""
    from schema.root import build_schema

    schema = build_schema()._schema
    present = [n for n in NOT_YET if n in schema.type_map]
    present += [f for f in NOT_YET_FIELDS if f.split(".")[0] in schema.type_map
                and f.split(".")[1] in getattr(schema.type_map[f.split(".")[0]], "fields", {})]
    assert present == []
