"""The evaluation API (for the school's mobile app): cycle, survey, votes, scores — scoped, one operation each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import Candidate, PeerVote, Phase, SurveyParticipation, SurveyResponse
from mentoring.models import StaffRole
from mentoring.services.assignments import mentor_assign
from tests.conftest import ASSIGNED_FROM
from tests.evaluation.conftest import advance_to, open_cycle
from tests.factories import StaffFactory, StudentFactory

CYCLE, SURVEY, VOTES, SCORES = (
    reverse("api_evaluation_cycle"),
    reverse("api_evaluation_survey"),
    reverse("api_evaluation_votes"),
    reverse("api_evaluation_scores"),
)


@pytest.fixture
def surveying(judged):
    return advance_to(judged, open_cycle(judged), Phase.SURVEY)


def test_everyone_reads_the_current_cycle(judged, surveying, as_user):
    body = as_user(judged.outsider).get(CYCLE).json()

    assert (body["year"], body["phase"], body["weight_compliance"], len(body["questions"])) == (
        "2025-2026",
        "survey",
        40,
        4,
    )


def test_the_cycle_is_404_before_any_is_opened(world, calendar, as_user):
    assert as_user(world.student).get(CYCLE).status_code == 404


def test_a_student_reads_and_answers_the_survey(judged, surveying, as_user):
    client = as_user(judged.student)
    survey = client.get(SURVEY).json()
    answers = [{"candidate": t["candidate"], "scores": [5, 4, 4, 5]} for t in survey["targets"]]

    created = client.post(SURVEY, {"answers": answers}, content_type="application/json")
    again = client.post(SURVEY, {"answers": answers}, content_type="application/json")

    assert [t["role"] for t in survey["targets"]] == ["mentor", "advisor", "counselor"]
    assert created.status_code == 201
    assert again.status_code == 400
    assert list(again.json()) == ["survey"]
    assert (SurveyParticipation.objects.count(), SurveyResponse.objects.count()) == (1, 3)
    assert client.get(SURVEY).json()["answered"] is True


def test_an_api_answer_outside_the_scale_is_a_field_error(judged, surveying, as_user):
    client = as_user(judged.student)
    targets = client.get(SURVEY).json()["targets"]
    answers = [{"candidate": t["candidate"], "scores": [9, 4, 4, 5]} for t in targets]

    response = client.post(SURVEY, {"answers": answers}, content_type="application/json")

    assert response.status_code == 400
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize("persona", ["mentor", "college_admin", "school_admin", "outsider"])
def test_the_survey_endpoint_refuses_non_students(judged, surveying, as_user, persona):
    client = as_user(getattr(judged, persona))

    assert client.get(SURVEY).status_code == 403
    assert client.post(SURVEY, {"answers": []}, content_type="application/json").status_code == 403


def test_a_mentor_votes_through_the_api(judged, as_user):
    colleague = StaffFactory(college=judged.college).user
    mentor_assign(actor=None, student=judged.students[2], mentor=colleague, valid_from=ASSIGNED_FROM)
    cycle = advance_to(judged, open_cycle(judged), Phase.PEER)
    client = as_user(judged.mentor)
    groups = client.get(VOTES).json()
    target = groups[0]["colleagues"][0]["candidate"]

    response = client.post(VOTES, {"role": StaffRole.MENTOR, "candidates": [target]}, content_type="application/json")
    myself = Candidate.objects.get(cycle=cycle, person=judged.mentor).pk
    refused = client.post(VOTES, {"role": StaffRole.MENTOR, "candidates": [myself]}, content_type="application/json")

    assert (groups[0]["role"], groups[0]["votes_allowed"]) == ("mentor", 3)
    assert response.status_code == 200
    assert refused.status_code == 400
    assert list(PeerVote.objects.values_list("candidate_id", flat=True)) == [target]


@pytest.mark.parametrize("persona", ["student", "college_admin", "outsider"])
def test_the_vote_endpoint_refuses_people_not_evaluated(judged, as_user, persona):
    advance_to(judged, open_cycle(judged), Phase.PEER)
    client = as_user(getattr(judged, persona))

    assert client.get(VOTES).status_code == 403
    body = {"role": StaffRole.MENTOR, "candidates": []}
    assert client.post(VOTES, body, content_type="application/json").status_code == 403


@pytest.mark.parametrize(
    ("persona", "numbers"),
    [
        ("school_admin", ["T100", "T200", "T300"]),
        ("school_student_affairs", ["T100", "T200", "T300"]),
        ("college_admin", ["T100", "T200", "T300"]),
        ("student_affairs", ["T100", "T200", "T300"]),
        ("other_admin", []),
        ("mentor", ["T100"]),
        ("counselor", ["T300"]),
    ],
)
def test_scores_are_scoped_to_the_reader(judged, surveying, as_user, persona, numbers):
    body = as_user(getattr(judged, persona)).get(SCORES).json()

    assert sorted(row["number"] for row in body["results"]) == numbers


@pytest.mark.parametrize("persona", ["student", "outsider"])
def test_scores_are_refused_to_students_and_outsiders(judged, surveying, as_user, persona):
    assert as_user(getattr(judged, persona)).get(SCORES).status_code == 403


@pytest.mark.parametrize("extra", [0, 3])
def test_the_scores_endpoint_query_count_is_constant(judged, as_user, django_assert_num_queries, extra):
    for _ in range(extra):
        mentor = StaffFactory(college=judged.college).user
        student = StudentFactory(school_class=judged.class_b)
        mentor_assign(actor=None, student=student, mentor=mentor, valid_from=ASSIGNED_FROM)
    advance_to(judged, open_cycle(judged), Phase.SURVEY)
    client = as_user(judged.school_admin)

    with django_assert_num_queries(10):
        client.get(SCORES)
