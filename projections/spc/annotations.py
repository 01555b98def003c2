"""Notes on charts from any aggregate: an event that names the measures it concerns and says what to note.

A PDSA cycle, an escalation or a corrective action lives in its own aggregate; its events reach the SPC projection
when their class is passed to `SpcProjection(annotating=...)`, and land on each named measure's chart, after the
chart's earlier annotations. The domain needs no import of ours: any event class with these members qualifies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from domain.control.vocabulary import AnnotationKind


@runtime_checkable
class ChartAnnotating(Protocol):
    """An event that puts a note on the charts of the measures it concerns."""

    def chart_annotation(self) -> tuple[Sequence[str], str, AnnotationKind, str]:
        """(the ids of the measures whose charts get the note; the period as an ISO date, or "" for the whole
        chart; the kind; the text)."""
