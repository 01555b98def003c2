"""The assurance read models: the folds (the same code the asOf reads run) compute compliance per criterion
and an assessment's progress; a rebuild from the log gives the same documents and findings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from domain.assurance.assessment import Assessment, RecommendationAssessed
from domain.assurance.audit import Audit, AuditCase, Criterion
from projections.assurance.assessments import evolve_assessment
from projections.assurance.audits import evolve_audit
from service.bootstrap import Services
from service.eventstore.projection_runner import rebuild
from tests.conftest import Api
from tests.e2e.test_assurance_audits import auditor, cases_with

AT = datetime(2025, 5, 1, 9, tzinfo=UTC)


def fold(aggregate: Any, evolve: Any) -> dict[str, Any] | None:
    doc = None
    for event in aggregate.collect_events():
        doc = evolve(doc, event, AT)
    return doc


def test_compliance_per_criterion_is_met_over_applicable_and_null_when_none_applies() -> None:
    audit = Audit.create(audit_id=uuid4(), team_id="t", title="Audit", standard="NG", created_by="lead",
                         previous=None, criteria=[Criterion("a", 0.9), Criterion("b", 0.9), Criterion("c", 0.5)])
    audit.record_cases([AuditCase("1", (True, None, None)), AuditCase("2", (False, True, None)),
                        AuditCase("3", (True, True, None)), AuditCase("4", (True, False, None))], "lead", True)
    doc = fold(audit, evolve_audit)
    assert doc is not None and doc["cases"] == 4
    assert [(c["applicable"], c["met"], c["compliance"]) for c in doc["criteria"]] == [
        (4, 3, 0.75), (3, 2, 2 / 3), (0, 0, None)]


def test_each_assessment_round_leaves_its_counts() -> None:
    recs = [{"ref": r, "text": r} for r in ("1", "2", "3")]
    assessment = Assessment.begin(team_id="t", guidance_id="g", guidance_reference="NG", recommendations=recs)
    assessment.assess([RecommendationAssessed("1", "NOT_MET", "no", review_date=AT.date())], "Baseline", "lead",
                      AT.isoformat())
    assessment.assess([RecommendationAssessed("1", "MET", "yes"), RecommendationAssessed("2", "NOT_APPLICABLE",
                                                                                           "n/a")], "Review", "lead",
                      AT.isoformat())
    doc = fold(assessment, evolve_assessment)
    assert doc is not None
    assert [r["counts"] for r in doc["rounds"]] == [
        {"MET": 0, "PARTLY_MET": 0, "NOT_MET": 1, "NOT_APPLICABLE": 0, "UNASSESSED": 2},
        {"MET": 1, "PARTLY_MET": 0, "NOT_MET": 0, "NOT_APPLICABLE": 1, "UNASSESSED": 1}]


async def test_a_rebuild_gives_the_same_documents_and_findings(api: Api, services: Services) -> None:
    a = await auditor(api, "Rebuilt assurance ward")
    audit = (await a.create())["audit"]["id"]
    await a.cases(audit, cases_with(12, [6, 9, 12], [0, 2, 0], "r"))
    await api.gql("mutation($i: RecordAuditFindingInput!) { recordAuditFinding(input: $i) { errors { code } } }",
                  {"i": {"auditId": audit, "title": "Late", "severity": "LOW", "rationale": "Why"}}, **a.lead)
    await services.wait_for_projections(await services.store.head(), ("assurance",))
    queries = ["SELECT id, team_id, document, position FROM audits ORDER BY id",
               "SELECT id, source_id, document FROM assurance_findings ORDER BY id",
               "SELECT id, document FROM assessments ORDER BY id", "SELECT id, document FROM fishbones ORDER BY id"]
    async with services.pool.acquire() as conn:
        before = [[tuple(r) for r in await conn.fetch(q)] for q in queries]
    assert any(r[0] == audit for r in before[0])
    projection = next(x for x in services.projections if x.name == "assurance")
    await rebuild(services.pool, projection)
    services.notifier.positions["assurance"] = 0
    # a rebuild replays the whole session's log: wait on state, as long as that takes
    assert await services.notifier.wait_for(("assurance",), await services.store.head(), timeout=300)
    async with services.pool.acquire() as conn:
        assert [[tuple(r) for r in await conn.fetch(q)] for q in queries] == before
