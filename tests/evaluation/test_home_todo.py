"""The home page's card of what the evaluation under way asks of its visitor (R-24, R-25): the survey for a student,
the self report and the peer votes for a candidate, each with its deadline and done once done; nothing otherwise."""

from __future__ import annotations

import pytest

from evaluation.models import Candidate, Phase
from evaluation.services.peer import peer_votes_cast
from evaluation.services.review import self_report_save
from mentoring.models import StaffRole
from mentoring.services.assignments import mentor_assign
from tests.conftest import ASSIGNED_FROM
from tests.evaluation.conftest import advance_to, answer_all, open_cycle
from tests.factories import StaffFactory


def card(as_user, user) -> str:
    page = as_user(user).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    if 'id="my-evaluation"' not in page:
        return ""
    return page.split('id="my-evaluation"', 1)[1].split("</section>", 1)[0]


def test_nothing_is_asked_before_a_cycle_opens_nor_in_its_preparation(judged, as_user):
    assert card(as_user, judged.student) == card(as_user, judged.mentor) == ""
    open_cycle(judged)  # the preparation phase: nobody is asked anything yet
    assert card(as_user, judged.student) == card(as_user, judged.mentor) == ""


def test_a_student_is_asked_for_the_survey_until_they_answer_it(judged, as_user):
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)

    asked = card(as_user, judged.student)
    assert "/evaluation/2025/survey/" in asked
    assert "by 2026-09-30" in asked

    answer_all(judged.student, cycle, 5)
    answered = card(as_user, judged.student)
    assert "/evaluation/2025/survey/" in answered
    assert ">done<" in answered
    assert "by 2026-09-30" not in answered


def test_a_candidate_writes_a_self_report_then_votes_in_the_peer_phase(judged, as_user):
    colleague = StaffFactory(college=judged.college).user  # a second mentor of the college, to vote for
    mentor_assign(actor=None, student=judged.students[2], mentor=colleague, valid_from=ASSIGNED_FROM)
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)
    assert "/evaluation/2025/self-report/" in card(as_user, judged.mentor)
    assert ">done<" not in card(as_user, judged.mentor)
    assert card(as_user, judged.college_admin) == ""  # not a candidate: nothing to do

    mine = Candidate.objects.get(cycle=cycle, person=judged.mentor, role=StaffRole.MENTOR)
    self_report_save(actor=judged.mentor, candidate=mine, text="本年度完成全部谈话")
    assert ">done<" in card(as_user, judged.mentor)

    cycle = advance_to(judged, cycle, Phase.PEER)
    asked = card(as_user, judged.mentor)
    assert "/evaluation/2025/vote/" in asked
    assert "/self-report/" not in asked
    assert "by 2026-10-15" in asked
    assert ">done<" not in asked
    assert card(as_user, judged.student) == ""  # the survey is over

    target = Candidate.objects.get(cycle=cycle, person=colleague)
    peer_votes_cast(actor=judged.mentor, cycle=cycle, role=StaffRole.MENTOR, candidate_ids=[target.pk])
    assert ">done<" in card(as_user, judged.mentor)


@pytest.mark.parametrize("phase", [Phase.COLLEGE, Phase.CLOSED])
def test_nothing_is_asked_once_the_peoples_phases_are_over(judged, as_user, phase):
    advance_to(judged, open_cycle(judged), phase)
    assert card(as_user, judged.student) == card(as_user, judged.mentor) == ""


def test_the_home_page_reads_the_cycle_once_then_from_the_cache_until_a_phase_moves(
    judged, as_user, django_assert_num_queries
):
    client = as_user(judged.counselor)
    client.get("/")
    with django_assert_num_queries(4):  # session, user, roles, the counselor's classes: no cycle
        client.get("/")
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)  # saved: the kept cycle is read again
    assert "/self-report/" in card(as_user, judged.counselor)
    advance_to(judged, cycle, Phase.PEER)
    assert "/vote/" in card(as_user, judged.counselor)
