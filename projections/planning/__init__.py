"""Planning read models: plans (with supersession), the organisation and its strategy, team membership."""

from projections.planning.projection import PlanningProjection

__all__ = ["PlanningProjection"]
