"""The action tracker's part of the aspects contract (../shared/contract/aspects.graphql), exactly as written: every
type, field, argument, default and enum value it names is in the schema with the same type. The schema may add
fields to output types beyond it (Action.history, say); input types match field for field."""

from __future__ import annotations

from tests.schema.contract import differences

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



def test_the_schema_has_the_action_tracker_contract_exactly_as_written() -> None:
    assert differences(CONTRACT) == []
