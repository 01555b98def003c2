"""Domain balance: each team's activity in the four aspects over time, who takes part, and the rhythm
indicators read from it (rhythm.py holds every formula and threshold)."""

from projections.balance.projection import BalanceProjection

__all__ = ["BalanceProjection"]
