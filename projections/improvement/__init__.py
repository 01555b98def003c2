"""Improvement read models: projects, PDSA cycles, opportunities, driver diagrams, idea sessions, Pareto and flow
charts, each a document folded from its events."""

from projections.improvement.projection import ImprovementProjection

__all__ = ["ImprovementProjection"]
