"""Improvement in GraphQL: projects and PDSA cycles, opportunities, driver diagrams, idea sessions, Pareto and
flow charts; each feature's types and resolvers in its own module, merged here for the root schema."""

from strawberry.tools import merge_types

from schema.improvement.cycles import CycleMutations, CycleQueries
from schema.improvement.diagrams import DiagramMutations, DiagramQueries
from schema.improvement.flowcharts import FlowchartMutations, FlowchartQueries
from schema.improvement.ideas import IdeaMutations, IdeaQueries
from schema.improvement.opportunities import OpportunityMutations, OpportunityQueries
from schema.improvement.pareto import ParetoMutations, ParetoQueries
from schema.improvement.projects import ProjectMutations, ProjectQueries

ImprovementQueries = merge_types("ImprovementQueries", (ProjectQueries, CycleQueries, OpportunityQueries,
                                                        DiagramQueries, ParetoQueries, FlowchartQueries, IdeaQueries))
ImprovementMutations = merge_types("ImprovementMutations", (ProjectMutations, CycleMutations, OpportunityMutations,
                                                            DiagramMutations, ParetoMutations, FlowchartMutations,
                                                            IdeaMutations))

__all__ = ["ImprovementMutations", "ImprovementQueries"]
