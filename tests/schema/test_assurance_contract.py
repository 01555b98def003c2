"""The assurance part of the aspects contract (../shared/contract/aspects.graphql), exactly as written: every
type, field, argument, default and enum value it names is in the schema with the same type. The schema may
add fields beyond it."""

from __future__ import annotations

from tests.schema.contract import differences

CONTRACT = """
input CriterionInput { name: String!  expectedCompliance: Float! }
input CreateAuditInput {
  teamId: ID!
  title: String!
  standard: String!
  criteria: [CriterionInput!]!
  previousAuditId: ID
}
input AuditCaseInput { caseRef: String!  results: [Boolean]! }
input RecordAuditCasesInput { auditId: ID!  cases: [AuditCaseInput!]! }
input CompleteAuditInput { auditId: ID!  summary: String! }
enum AuditStatus { OPEN COMPLETED }
type AuditCriterion {
  name: String!
  expectedCompliance: Float!
  applicable: Int!
  met: Int!
  compliance: Float
  change: Float
}
type Audit {
  id: ID!
  team: Team!
  title: String!
  standard: String!
  status: AuditStatus!
  cases: Int!
  criteria: [AuditCriterion!]!
  previous: Audit
}
type AuditPayload { audit: Audit  errors: [UserError!]! }
type Query { audit(id: ID!, asOf: DateTime): Audit }
type Mutation {
  createAudit(input: CreateAuditInput!): AuditPayload!
  recordAuditCases(input: RecordAuditCasesInput!): AuditPayload!
  completeAudit(input: CompleteAuditInput!): AuditPayload!
}
"""


def test_the_schema_has_the_assurance_contract_exactly_as_written() -> None:
    assert differences(CONTRACT) == []
