"""The improvement part of the aspects contract (../shared/contract/aspects.graphql), exactly as written: every
type, field, argument, default and enum value it names is in the schema with the same type. The schema may
add fields beyond it."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    parse,
    print_ast,
)
from graphql.language import EnumTypeDefinitionNode, InputObjectTypeDefinitionNode, ObjectTypeDefinitionNode
from graphql.utilities import ast_from_value

from schema.root import build_schema

CONTRACT = """
enum PdsaStage { PLAN DO STUDY ACT }
enum PdsaDecision { ADOPT ADAPT ABANDON }
input CreateProjectInput { teamId: ID!  title: String!  aim: String!  measureIds: [ID!]!  plannedEnd: Date! }
input PlanCycleInput {
  projectId: ID!
  changeIdea: String!
  question: String!
  prediction: String!
  startPeriod: Date!
  previousCycleId: ID
}
input CycleDoInput { cycleId: ID!  observations: String! }
input CycleStudyInput { cycleId: ID!  findings: String! }
input CycleActInput { cycleId: ID!  decision: PdsaDecision!  notes: String }
type PdsaCycle {
  id: ID!
  changeIdea: String!
  stage: PdsaStage!
  startPeriod: Date!
  decision: PdsaDecision
  previous: PdsaCycle
}
type Project {
  id: ID!
  team: Team!
  title: String!
  aim: String!
  plannedEnd: Date!
  measures: [Measure!]!
  cycles: [PdsaCycle!]!
}
type ProjectPayload { project: Project  errors: [UserError!]! }
type CyclePayload { cycle: PdsaCycle  errors: [UserError!]! }
type Query { project(id: ID!, asOf: DateTime): Project }
type Mutation {
  createProject(input: CreateProjectInput!): ProjectPayload!
  planCycle(input: PlanCycleInput!): CyclePayload!
  recordCycleDo(input: CycleDoInput!): CyclePayload!
  recordCycleStudy(input: CycleStudyInput!): CyclePayload!
  recordCycleAct(input: CycleActInput!): CyclePayload!
}
"""


def test_the_schema_has_the_improvement_contract_exactly_as_written() -> None:
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
    assert wrong == []
