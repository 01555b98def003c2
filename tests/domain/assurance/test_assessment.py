"""The Guidance and Assessment aggregates' rules, Given/When/Then. No I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.assurance.assessment import Assessment, Evidence, RecommendationAssessed, assessment_id
from domain.assurance.guidance import Guidance, Recommendation
from domain.errors import InvalidInput

AT = "2025-05-01T09:00:00+00:00"
REVIEW = date(2025, 9, 1)


def given_assessment() -> Assessment:
    guidance = Guidance.register(guidance_id=uuid4(), team_id="t", reference="NICE NG249", title="Falls",
                                 recommendations=[Recommendation("1.1", "Assess"), Recommendation("1.2", "Act")],
                                 registered_by="lead")
    assessment = Assessment.begin(team_id="t", guidance_id=str(guidance.id), guidance_reference=guidance.reference,
                                  recommendations=guidance.recommendations)
    assessment.collect_events()
    return assessment


def test_a_recommendation_listed_twice_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        Guidance.register(guidance_id=uuid4(), team_id="t", reference="NG", title="x",
                          recommendations=[Recommendation("1.1", "a"), Recommendation("1.1", "b")],
                          registered_by="lead")
    assert (e.value.field, e.value.index) == ("ref", 1)


def test_one_assessment_per_team_and_guidance() -> None:
    assert assessment_id("t", "g") == assessment_id("t", "g") != assessment_id("t2", "g")


def test_the_baseline_then_a_reassessment_are_numbered_rounds() -> None:
    assessment = given_assessment()
    assessment.assess([RecommendationAssessed("1.1", "NOT_MET", "No tool in use", review_date=REVIEW),
                       RecommendationAssessed("1.2", "MET", "Audit shows 96%", [Evidence("AUDIT", "a1")])],
                      "Baseline", "lead", AT)
    assessment.assess([RecommendationAssessed("1.1", "MET", "Tool in use")], "Six-month review", "lead", AT)
    assert [e.round for e in assessment.collect_events()] == [1, 2]  # type: ignore[attr-defined]


def test_a_status_outside_the_allowed_set_is_invalid_with_its_index_and_nothing_is_recorded() -> None:
    assessment = given_assessment()
    with pytest.raises(InvalidInput) as e:
        assessment.assess([RecommendationAssessed("1.1", "MET", "ok"),
                           RecommendationAssessed("1.2", "MOSTLY_MET", "hmm")], "Baseline", "lead", AT)
    assert (e.value.code, e.value.field, e.value.index) == ("INVALID", "status", 1)
    assert assessment.collect_events() == []


def test_a_gap_without_a_review_date_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_assessment().assess([RecommendationAssessed("1.1", "PARTLY_MET", "Days only")], "Baseline", "lead",
                                  AT)
    assert (e.value.field, e.value.index) == ("reviewDate", 0)


def test_an_unknown_recommendation_or_evidence_kind_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_assessment().assess([RecommendationAssessed("9.9", "MET", "x")], "Baseline", "lead", AT)
    assert e.value.field == "recommendation"
    with pytest.raises(InvalidInput) as e:
        given_assessment().assess([RecommendationAssessed("1.1", "MET", "x", [Evidence("RUMOUR", "x")])],
                                  "Baseline", "lead", AT)
    assert e.value.field == "evidence"
