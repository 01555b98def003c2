"""Assurance in GraphQL: audits and their programme, inspections, guidance and its assessments, fishbone
diagrams; each feature's types and resolvers in its own module, merged here for the root schema."""

from strawberry.tools import merge_types

from schema.assurance.audits import AuditMutations, AuditQueries
from schema.assurance.programmes import ProgrammeMutations, ProgrammeQueries

AssuranceQueries = merge_types("AssuranceQueries", (AuditQueries, ProgrammeQueries))
AssuranceMutations = merge_types("AssuranceMutations", (AuditMutations, ProgrammeMutations))

__all__ = ["AssuranceMutations", "AssuranceQueries"]
