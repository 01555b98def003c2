"""Planning in GraphQL: the annual quality plan, the organisation and its strategy, team membership, and the
alignment view; each feature's types and resolvers in its own module, merged here for the root schema."""

from strawberry.tools import merge_types

from schema.planning.alignment import AlignmentQueries
from schema.planning.membership import MembershipMutations, MembershipQueries
from schema.planning.organisation import OrganisationMutations, OrganisationQueries
from schema.planning.plans import Plan, PlanMutations, PlanQueries, team_plans
from schema.planning.specification import SpecificationMutations

PlanningQueries = merge_types("PlanningQueries", (PlanQueries, OrganisationQueries, MembershipQueries,
                                                  AlignmentQueries))
PlanningMutations = merge_types("PlanningMutations", (PlanMutations, OrganisationMutations, MembershipMutations,
                                                      SpecificationMutations))

__all__ = ["Plan", "PlanningMutations", "PlanningQueries", "team_plans"]
