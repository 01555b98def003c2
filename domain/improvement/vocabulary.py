"""The words of quality improvement, defined once: the domain checks with them, the API exposes them."""

from __future__ import annotations

from enum import StrEnum


class PdsaStage(StrEnum):
    """A PDSA cycle's stages, in the order they are recorded (each once)."""

    PLAN = "PLAN"
    DO = "DO"
    STUDY = "STUDY"
    ACT = "ACT"


class PdsaDecision(StrEnum):
    ADOPT = "ADOPT"
    ADAPT = "ADAPT"
    ABANDON = "ABANDON"


class ProjectStage(StrEnum):
    """Where a project stands, from discovery to sustaining the change."""

    DISCOVERY = "DISCOVERY"
    TESTING = "TESTING"
    IMPLEMENTATION = "IMPLEMENTATION"
    SCALE_UP = "SCALE_UP"
    SUSTAIN = "SUSTAIN"


class MeasureRole(StrEnum):
    """What a linked measure tells the project (the family of measures of the model for improvement)."""

    OUTCOME = "OUTCOME"
    PROCESS = "PROCESS"
    BALANCING = "BALANCING"


class ProjectRole(StrEnum):
    """A person's part in a project's team; service users and carers take part as members of the team."""

    LEAD = "LEAD"
    CLINICIAN = "CLINICIAN"
    STAFF = "STAFF"
    SERVICE_USER = "SERVICE_USER"
    CARER = "CARER"


class OpportunityStatus(StrEnum):
    PROPOSED = "PROPOSED"
    CHOSEN = "CHOSEN"
    DECLINED = "DECLINED"


class DriverKind(StrEnum):
    """The levels of a driver diagram: each node hangs from nodes one level up (a change idea from secondary or
    primary drivers)."""

    AIM = "AIM"
    PRIMARY = "PRIMARY"
    SECONDARY = "SECONDARY"
    CHANGE_IDEA = "CHANGE_IDEA"


class FlowchartState(StrEnum):
    """A process map shows the process as it is, or as the team wants it to be."""

    CURRENT = "CURRENT"
    FUTURE = "FUTURE"


class StepKind(StrEnum):
    START = "START"
    STEP = "STEP"
    DECISION = "DECISION"
    END = "END"


class SessionPhase(StrEnum):
    """An idea session lists ideas without judgement (DIVERGE), then groups and votes (CONVERGE), then closes with
    the change ideas to test."""

    DIVERGE = "DIVERGE"
    CONVERGE = "CONVERGE"
    CLOSED = "CLOSED"
