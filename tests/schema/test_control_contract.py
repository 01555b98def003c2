"""The action tracker's part of the aspects contract (../shared/contract/aspects.graphql), exactly as written: every
type, field, argument, default and enum value it names is in the schema with the same type. The schema may add
fields to output types beyond it (Action.history, say); input types match field for field."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, parse, print_ast
from graphql.language import EnumTypeDefinitionNode, InputObjectTypeDefinitionNode, ObjectTypeDefinitionNode
from graphql.utilities import ast_from_value

from schema.root import build_schema

CONTRACT = """
enum ActionStatus { OPEN DONE CANCELLED }
input CreateActionInput {
  teamId: ID!
  title: String!
  owner: String!
  dueDate: Date!
  sourceId: ID
}
input CompleteActionInput { actionId: ID!  evidence: String! }
type Action {
  id: ID!
  team: Team!
  title: String!
  owner: String!
  dueDate: Date!
  status: ActionStatus!
  sourceId: ID
  overdue: Boolean!
}
type ActionPayload { action: Action  errors: [UserError!]! }
type ActionEdge { node: Action!  cursor: String! }
type ActionConnection { edges: [ActionEdge!]!  pageInfo: PageInfo! }
type Query {
  actions(teamId: ID, status: ActionStatus, overdue: Boolean, first: Int = 50, after: String): ActionConnection!
}
type Mutation {
  createAction(input: CreateActionInput!): ActionPayload!
  completeAction(input: CompleteActionInput!): ActionPayload!
}
"""


def _default(value: object, of: object) -> str | None:
    node = ast_from_value(value, of) if value is not None else None  # type: ignore[arg-type]
    return print_ast(node) if node is not None else None


def test_the_schema_has_the_action_tracker_contract_exactly_as_written() -> None:
    schema = build_schema()._schema
    wrong: list[str] = []
    for node in parse(CONTRACT).definitions:
        name = node.name.value  # type: ignore[attr-defined]
        ours = schema.type_map.get(name)
        if isinstance(node, EnumTypeDefinitionNode):
            assert isinstance(ours, GraphQLEnumType), name
            if set(ours.values) != {v.name.value for v in node.values or ()}:
                wrong.append(f"{name}: values {sorted(ours.values)}")
        elif isinstance(node, InputObjectTypeDefinitionNode):
            assert isinstance(ours, GraphQLInputObjectType), name
            if set(ours.fields) != {f.name.value for f in node.fields or ()}:
                wrong.append(f"{name}: fields {sorted(ours.fields)}")
            for f in node.fields or ():
                field = ours.fields[f.name.value]
                if str(field.type) != print_ast(f.type):
                    wrong.append(f"{name}.{f.name.value}: {field.type}")
                if _default(field.default_value, field.type) != (print_ast(f.default_value) if f.default_value
                                                                 else None):
                    wrong.append(f"{name}.{f.name.value}: default {field.default_value!r}")
        elif isinstance(node, ObjectTypeDefinitionNode):
            assert isinstance(ours, GraphQLObjectType), name
            for f in node.fields or ():
                field = ours.fields.get(f.name.value)
                if field is None or str(field.type) != print_ast(f.type):
                    wrong.append(f"{name}.{f.name.value}: {field.type if field else 'missing'}")
                    continue
                expected = {a.name.value: (print_ast(a.type), print_ast(a.default_value) if a.default_value else None)
                            for a in f.arguments or ()}
                found = {a: (str(t.type), _default(t.default_value, t.type)) for a, t in field.args.items()}
                if found != expected:
                    wrong.append(f"{name}.{f.name.value}: arguments {found}")
    assert wrong == []
