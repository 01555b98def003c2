"""Assurance read models: audits (with compliance per criterion), audit programmes, inspections, guidance and
its assessments, fishbone diagrams, and the findings of audits and inspections."""

from projections.assurance.projection import AssuranceProjection

__all__ = ["AssuranceProjection"]
