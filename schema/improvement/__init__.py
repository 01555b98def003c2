"""Improvement in GraphQL: projects and PDSA cycles, opportunities, driver diagrams, idea sessions, Pareto and
flow charts; each feature's types and resolvers in its own module, merged here for the root schema."""

from strawberry.tools import merge_types

from schema.improvement.projects import ProjectMutations, ProjectQueries

ImprovementQueries = merge_types("ImprovementQueries", (ProjectQueries,))
ImprovementMutations = merge_types("ImprovementMutations", (ProjectMutations,))

__all__ = ["ImprovementMutations", "ImprovementQueries"]
