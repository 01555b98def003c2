"""Chart settings and the bit/variation codes the SPC kernels compute with (the words are the domain's)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.control.vocabulary import ChartType, Direction, PointVariation, SpcRule

# Rule bits in ChartResult.rules (bit i -> RULE_NAMES[i]).
SINGLE_POINT = 1
SHIFT = 2
TREND = 4
TWO_OF_THREE = 8
LONG_RUN = 16
FEW_CROSSINGS = 32
# Explicit, not the enum's order: stored chart documents hold these bits, so they must never move.
RULES = (SpcRule.SINGLE_POINT, SpcRule.SHIFT, SpcRule.TREND, SpcRule.TWO_OF_THREE, SpcRule.LONG_RUN,
         SpcRule.FEW_CROSSINGS)
RULE_NAMES = tuple(r.value for r in RULES)

# Variation codes in ChartResult.variation (code -> VARIATION_NAMES[code]).
COMMON_CAUSE = 0
IMPROVEMENT = 1
CONCERN = 2
NEITHER_HIGH = 3
NEITHER_LOW = 4
VARIATIONS = (PointVariation.COMMON_CAUSE, PointVariation.IMPROVEMENT, PointVariation.CONCERN,
              PointVariation.NEITHER_HIGH, PointVariation.NEITHER_LOW)
VARIATION_NAMES = tuple(v.value for v in VARIATIONS)

# Chart type and direction codes inside the kernels.
KIND_CODES = {ChartType.XMR: 0, ChartType.RUN: 1, ChartType.P: 2, ChartType.U: 3, ChartType.C: 4, ChartType.G: 5,
              ChartType.T: 6}
XMR, RUN, P, U, C, G, T = range(7)
DIRECTION_CODES = {Direction.INCREASE: 1, Direction.DECREASE: -1, Direction.NEITHER: 0}

SCREEN_MODES = ("off", "mr", "mr_and_mean")
MR_UCL_CONSTANT = 3.267


@dataclass(frozen=True, slots=True)
class ChartSettings:
    """How one measure is charted; the defaults reproduce the MDC v5 Excel tool."""

    chart_type: ChartType = ChartType.XMR
    direction: Direction = Direction.NEITHER
    shift_run_length: int = 6
    trend_run_length: int = 6
    # Fewer points in the chart, or in a phase/baseline, and that stretch gets no limits, rules or icons.
    min_points: int = 13
    two_sigma_counts_beyond_limits: bool = False
    improvement_wins_conflict: bool = True
    screen_mr_outliers: str = "off"
    limit_constant: float = 2.66
    # True (MDC v5 Excel): shift, trend and two-of-three run across a recalculation, each point judged
    # against its own phase. False (MDC SQL): only the trend does. The v5 "Special cause crossing
    # recalculations" scenarios need True.
    rules_cross_recalculation: bool = True
    # False (NHSRplotthedots): a target exactly on a process limit is "hit and miss".
    # True (MDC tool wording, target <= / >= limit): it counts as consistently passing/failing.
    assurance_target_on_limit_counts: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "chart_type", ChartType(self.chart_type))
        object.__setattr__(self, "direction", Direction(self.direction))
        for name in ("shift_run_length", "trend_run_length"):
            if not 6 <= getattr(self, name) <= 8:
                raise ValueError(f"{name} must be between 6 and 8")
        if self.min_points < 2:
            raise ValueError("min_points must be at least 2")
        if self.screen_mr_outliers not in SCREEN_MODES:
            raise ValueError(f"screen_mr_outliers must be one of {SCREEN_MODES}")
        if not self.limit_constant > 0:
            raise ValueError("limit_constant must be positive")

    @property
    def screen_code(self) -> int:
        return SCREEN_MODES.index(self.screen_mr_outliers)

    @property
    def direction_code(self) -> int:
        return DIRECTION_CODES[self.direction]

    def row(self, baseline_points: int = 0) -> tuple[int, ...]:
        """The settings as one row of the batch kernel's parameter matrix (columns: PARAMS)."""
        return (KIND_CODES[self.chart_type], DIRECTION_CODES[self.direction], self.shift_run_length,
                self.trend_run_length, self.min_points, int(self.two_sigma_counts_beyond_limits),
                int(self.improvement_wins_conflict), self.screen_code, int(self.rules_cross_recalculation),
                baseline_points, int(self.assurance_target_on_limit_counts))


# Columns of the parameter matrix, one row per series (ChartSettings.row); the limit constant goes beside it.
PARAMS = ("kind", "direction", "shift", "trend", "min_points", "count_beyond", "improvement_wins", "screen",
          "rules_cross", "baseline", "target_on_limit")
