"""The check every contract test makes: each type, field, argument, default and enum value a part of the contract
names is in the schema with the same type (the schema may add fields beyond it)."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    is_required_input_field,
    parse,
    print_ast,
)
from graphql.language import EnumTypeDefinitionNode, InputObjectTypeDefinitionNode, ObjectTypeDefinitionNode
from graphql.utilities import ast_from_value

from schema.root import build_schema


def differences(contract: str) -> list[str]:
    """What the schema lacks or has otherwise than `contract` (SDL) writes it; the schema may add more."""
    schema = build_schema()._schema
    wrong: list[str] = []
    for node in parse(contract).definitions:
        name = node.name.value  # type: ignore[attr-defined]
        ours = schema.type_map.get(name)
        if isinstance(node, EnumTypeDefinitionNode):
            assert isinstance(ours, GraphQLEnumType), name
            if set(ours.values) != {v.name.value for v in node.values or ()}:
                wrong.append(f"{name}: values {sorted(ours.values)}")
        elif isinstance(node, InputObjectTypeDefinitionNode):
            assert isinstance(ours, GraphQLInputObjectType), name
            written = {f.name.value for f in node.fields or ()}
            extra = {n for n, f in ours.fields.items() if n not in written and is_required_input_field(f)}
            if not written <= set(ours.fields) or extra:  # optional additions break no client
                wrong.append(f"{name}: fields {sorted(ours.fields)}")
            for f in node.fields or ():
                field = ours.fields[f.name.value]
                if str(field.type) != print_ast(f.type):
                    wrong.append(f"{name}.{f.name.value}: {field.type}")
                default = ast_from_value(field.default_value, field.type) if field.default_value is not None else None
                expected = print_ast(f.default_value) if f.default_value else None
                if (print_ast(default) if default else None) != expected:
                    wrong.append(f"{name}.{f.name.value}: default {field.default_value!r}")
        elif isinstance(node, ObjectTypeDefinitionNode):
            assert isinstance(ours, GraphQLObjectType), name
            for f in node.fields or ():
                field = ours.fields.get(f.name.value)
                if field is None or str(field.type) != print_ast(f.type):
                    wrong.append(f"{name}.{f.name.value}: {field.type if field else 'missing'}")
                    continue
                args = {a.name.value: print_ast(a.type) for a in f.arguments or ()}
                if {a: str(t.type) for a, t in field.args.items()} != args:
                    wrong.append(f"{name}.{f.name.value}: arguments {list(field.args)}")
    return wrong
