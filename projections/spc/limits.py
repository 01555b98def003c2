"""Constants of the attribute and rare-event charts (the lines themselves are computed in chart_kernel)."""

from __future__ import annotations

# Provost & Murray / qicharts2: the g chart's centre line is the theoretical median of the geometric
# distribution, about 0.693 times its mean.
G_MEDIAN_FACTOR = 0.693
# MDC: t charts are XmR charts of time ** (1 / 3.6), back-transformed with ** 3.6.
T_EXPONENT = 3.6
