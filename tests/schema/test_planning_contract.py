"""The planning part of the aspects contract (../shared/contract/aspects.graphql), exactly as written: every
type, field, argument, default and enum value it names is in the schema with the same type. The schema may
add fields beyond it."""

from __future__ import annotations

from tests.schema.contract import differences

CONTRACT = """
enum PlanStatus { DRAFT SUBMITTED APPROVED SUPERSEDED }
input DraftPlanInput {
  teamId: ID!
  year: Int!
  title: String!
  needs: [String!] = []
  measureIds: [ID!] = []
}
input PlanDecisionInput { planId: ID!  reason: String! }
type PlanPayload { plan: Plan  errors: [UserError!]! }
type Plan {
  id: ID!
  team: Team!
  year: Int!
  title: String!
  status: PlanStatus!
  needs: [String!]!
  measures: [Measure!]!
  approvedBy: String
  approvedAt: DateTime
}
type Team { plans: [Plan!]! }
type Query { plan(id: ID!, asOf: DateTime): Plan }
type Mutation {
  draftPlan(input: DraftPlanInput!): PlanPayload!
  submitPlan(input: PlanDecisionInput!): PlanPayload!
  approvePlan(input: PlanDecisionInput!): PlanPayload!
}
"""


def test_the_schema_has_the_planning_contract_exactly_as_written() -> None:
    assert differences(CONTRACT) == []
