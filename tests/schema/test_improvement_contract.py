"""The improvement part of the aspects contract (../shared/contract/aspects.graphql), exactly as written: every
type, field, argument, default and enum value it names is in the schema with the same type. The schema may
add fields beyond it."""

from __future__ import annotations

from tests.schema.contract import differences

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
    assert differences(CONTRACT) == []
