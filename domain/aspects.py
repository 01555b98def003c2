"""The four aspects of quality management, and which one each event type belongs to.

Each aggregate module declares its aspect once, beside its event classes, as a module-level `ASPECT`; every event
class defined in that module belongs to it. `ASPECT = None` says, explicitly, that a module's events are not
quality work at all (honouring an erasure request administers personal data): they count in no aspect.
tests/domain/test_aspects.py fails when an event type's module declares nothing."""

from __future__ import annotations

import sys
from enum import StrEnum


class Aspect(StrEnum):
    PLANNING = "PLANNING"        # annual, with intent
    CONTROL = "CONTROL"          # daily work on a real-time control system
    ASSURANCE = "ASSURANCE"      # occasional, and less over time
    IMPROVEMENT = "IMPROVEMENT"  # short bursts on the right problems


class Undeclared(LookupError):
    """An event type whose module declares no ASPECT."""


_CACHE: dict[type, Aspect | None] = {}


def aspect_of(event_class: type) -> Aspect | None:
    """The aspect an event type belongs to (None: declared as not quality work); Undeclared when its module is
    silent. Looks up the module of the class that defined the event (an aggregate's nested class)."""
    try:
        return _CACHE[event_class]
    except KeyError:
        pass
    module = sys.modules.get(event_class.__module__)
    if module is None or not hasattr(module, "ASPECT"):
        raise Undeclared(f"{event_class.__module__}.{event_class.__qualname__} has no aspect: declare ASPECT in "
                         f"its module")
    aspect: Aspect | None = module.ASPECT
    _CACHE[event_class] = aspect
    return aspect
