"""Every event type under domain/ belongs to one aspect, declared beside it (domain/aspects.py)."""

from __future__ import annotations

import importlib
import pkgutil

from eventsourcing.domain import Aggregate

import domain
from domain.aspects import Aspect, Undeclared, aspect_of

NOT_QUALITY_WORK = {"domain.people.erasure"}  # modules that declare ASPECT = None on purpose


def event_types() -> list[type]:
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(info.name)
    found: list[type] = []
    todo = list(Aggregate.Event.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("domain."):
            found.append(cls)
    return found


def test_every_event_type_under_domain_declares_its_aspect() -> None:
    events = event_types()
    assert len(events) > 50
    missing = []
    for cls in events:
        try:
            aspect_of(cls)
        except Undeclared as e:
            missing.append(str(e))
    assert missing == []


def test_only_the_modules_named_as_not_quality_work_count_in_no_aspect() -> None:
    silent = {cls.__module__ for cls in event_types() if aspect_of(cls) is None}
    assert silent == NOT_QUALITY_WORK


def test_a_plan_approval_is_planning_an_observation_control_and_an_audit_assurance() -> None:
    from domain.assurance.audit import Audit
    from domain.control.measure import Measure
    from domain.planning.plan import Plan

    assert aspect_of(Plan.PlanApproved) is Aspect.PLANNING  # type: ignore[attr-defined]
    assert aspect_of(Measure.ObservationsRecorded) is Aspect.CONTROL  # type: ignore[attr-defined]
    assert aspect_of(Audit.AuditCreated) is Aspect.ASSURANCE


def test_an_event_type_in_a_module_without_a_declaration_is_refused() -> None:
    class Stray(Aggregate):
        class Happened(Aggregate.Event):
            pass

    try:
        aspect_of(Stray.Happened)
    except Undeclared as e:
        assert "Happened" in str(e)
    else:
        raise AssertionError("an undeclared event type was given an aspect")
