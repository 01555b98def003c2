"""Assurance in GraphQL: audits and their programme, inspections, guidance and its assessments, fishbone
diagrams; each feature's types and resolvers in its own module, merged here for the root schema."""

from strawberry.tools import merge_types

from schema.assurance.audits import AuditMutations, AuditQueries
from schema.assurance.fishbones import FishboneMutations, FishboneQueries
from schema.assurance.guidance import GuidanceMutations, GuidanceQueries
from schema.assurance.inspections import InspectionMutations, InspectionQueries
from schema.assurance.programmes import ProgrammeMutations, ProgrammeQueries

AssuranceQueries = merge_types("AssuranceQueries", (AuditQueries, ProgrammeQueries, InspectionQueries,
                                                    GuidanceQueries, FishboneQueries))
AssuranceMutations = merge_types("AssuranceMutations", (AuditMutations, ProgrammeMutations, InspectionMutations,
                                                        GuidanceMutations, FishboneMutations))

__all__ = ["AssuranceMutations", "AssuranceQueries"]
