"""Peer recognition, self reports and the college review; the final score of a small college worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.models import Candidate, PeerMode, PeerScore, PeerVote, Phase
from evaluation.selectors.scores import score_rows
from evaluation.services.peer import peer_score_enter, peer_votes_cast
from evaluation.services.review import candidate_recommend, candidate_set_ineligible, self_report_save
from mentoring.models import StaffRole
from mentoring.services.assignments import mentor_assign
from tests.conftest import ASSIGNED_FROM
from tests.evaluation.conftest import advance_to, answer_all, open_cycle
from tests.factories import StaffFactory


@pytest.fixture
def mentors(judged):
    """Three mentors of college MAT (T100 with six mentees, two more with one each) and one of college ECO."""
    judged.mentor2 = StaffFactory(college=judged.college).user
    judged.mentor3 = StaffFactory(college=judged.college).user
    judged.eco_mentor = StaffFactory(college=judged.other_college).user
    mentor_assign(actor=None, student=judged.students[2], mentor=judged.mentor2, valid_from=ASSIGNED_FROM)
    mentor_assign(actor=None, student=judged.students[3], mentor=judged.mentor3, valid_from=ASSIGNED_FROM)
    mentor_assign(actor=None, student=judged.other_student, mentor=judged.eco_mentor, valid_from=ASSIGNED_FROM)
    return judged


def candidate(cycle, user, role=StaffRole.MENTOR) -> Candidate:
    return Candidate.objects.get(cycle=cycle, person=user, role=role)


def test_final_score_of_a_small_college_worked_by_hand(mentors):
    w = mentors
    cycle = advance_to(w, open_cycle(w), Phase.SURVEY)
    for student in w.mentees[:5]:
        answer_all(student.user, cycle, 4)
    cycle = advance_to(w, cycle, Phase.PEER)
    peer_votes_cast(
        actor=w.mentor2,
        cycle=cycle,
        role=StaffRole.MENTOR,
        candidate_ids=[candidate(cycle, w.mentor).pk, candidate(cycle, w.mentor3).pk],
    )
    peer_votes_cast(actor=w.mentor3, cycle=cycle, role=StaffRole.MENTOR, candidate_ids=[candidate(cycle, w.mentor).pk])

    rows = {r.candidate.person_id: r for r in score_rows(cycle, Candidate.objects.filter(cycle=cycle))}

    mentor = rows[w.mentor.pk]
    # Compliance 1 of 14 lines = 7.14; satisfaction five students answering 4 = 75; peer 2 votes of the most (2) = 100.
    # Final = (40 × 7.14 + 40 × 75 + 20 × 100) / 100 = (285.6 + 3000 + 2000) / 100 = 52.856 → 52.86.
    assert (mentor.compliance, mentor.satisfaction, mentor.peer, mentor.final) == (
        Decimal("7.14"),
        Decimal("75.00"),
        Decimal("100.00"),
        Decimal("52.86"),
    )
    # mentor3: compliance 0, no survey, 1 vote of 2 = 50 → (40 × 0 + 20 × 50) / 60 = 16.67.
    assert (rows[w.mentor3.pk].peer, rows[w.mentor3.pk].final) == (Decimal("50.00"), Decimal("16.67"))
    # The ECO mentor's group received no vote: peer 0.
    assert rows[w.eco_mentor.pk].peer == Decimal("0.00")


@pytest.fixture
def voting(mentors):
    return advance_to(mentors, open_cycle(mentors), Phase.PEER)


def test_a_vote_for_oneself_is_refused(mentors, voting):
    with pytest.raises(ValidationError) as refused:
        peer_votes_cast(
            actor=mentors.mentor,
            cycle=voting,
            role=StaffRole.MENTOR,
            candidate_ids=[candidate(voting, mentors.mentor).pk],
        )

    assert refused.value.message_dict["votes"] == ["You cannot vote for yourself."]
    assert PeerVote.objects.count() == 0


def test_more_votes_than_allowed_are_refused(mentors):
    cycle = advance_to(mentors, open_cycle(mentors, votes_per_person=1), Phase.PEER)
    two = [candidate(cycle, mentors.mentor2).pk, candidate(cycle, mentors.mentor3).pk]

    with pytest.raises(ValidationError) as refused:
        peer_votes_cast(actor=mentors.mentor, cycle=cycle, role=StaffRole.MENTOR, candidate_ids=two)

    assert "You have 1 votes" in refused.value.message_dict["votes"][0]
    assert PeerVote.objects.count() == 0


def test_votes_go_only_to_the_same_college_and_role(mentors, voting):
    for target in (candidate(voting, mentors.eco_mentor), candidate(voting, mentors.advisor, StaffRole.ADVISOR)):
        with pytest.raises(ValidationError):
            peer_votes_cast(actor=mentors.mentor, cycle=voting, role=StaffRole.MENTOR, candidate_ids=[target.pk])
    assert PeerVote.objects.count() == 0


def test_casting_again_replaces_ones_votes(mentors, voting):
    m2, m3 = candidate(voting, mentors.mentor2), candidate(voting, mentors.mentor3)
    peer_votes_cast(actor=mentors.mentor, cycle=voting, role=StaffRole.MENTOR, candidate_ids=[m2.pk])
    peer_votes_cast(actor=mentors.mentor, cycle=voting, role=StaffRole.MENTOR, candidate_ids=[m3.pk])

    assert list(PeerVote.objects.values_list("candidate_id", flat=True)) == [m3.pk]


@pytest.mark.parametrize("persona", ["student", "college_admin", "school_admin", "outsider"])
def test_people_not_evaluated_in_the_role_do_not_vote(mentors, voting, persona):
    with pytest.raises(PermissionDenied):
        peer_votes_cast(actor=getattr(mentors, persona), cycle=voting, role=StaffRole.MENTOR, candidate_ids=[])


@pytest.mark.parametrize("phase", [Phase.SURVEY, Phase.COLLEGE])
def test_votes_are_refused_outside_their_phase(mentors, phase):
    cycle = advance_to(mentors, open_cycle(mentors), phase)

    with pytest.raises(ValidationError):
        peer_votes_cast(
            actor=mentors.mentor,
            cycle=cycle,
            role=StaffRole.MENTOR,
            candidate_ids=[candidate(cycle, mentors.mentor2).pk],
        )


def test_in_score_mode_the_college_admin_enters_peer_scores_and_nobody_votes(mentors):
    cycle = advance_to(mentors, open_cycle(mentors, peer_mode=PeerMode.SCORES), Phase.PEER)
    target = candidate(cycle, mentors.mentor)

    with pytest.raises(ValidationError):
        peer_votes_cast(actor=mentors.mentor2, cycle=cycle, role=StaffRole.MENTOR, candidate_ids=[target.pk])
    with pytest.raises(PermissionDenied):
        peer_score_enter(actor=mentors.other_admin, candidate=target, score="90")
    with pytest.raises(ValidationError):
        peer_score_enter(actor=mentors.college_admin, candidate=target, score="101")
    peer_score_enter(actor=mentors.college_admin, candidate=target, score="88.5")

    assert PeerScore.objects.get().score == Decimal("88.50")
    assert score_rows(cycle, Candidate.objects.filter(pk=target.pk))[0].peer == Decimal("88.50")


def test_a_self_report_is_written_by_its_author_in_the_survey_phase(mentors):
    cycle = advance_to(mentors, open_cycle(mentors), Phase.SURVEY)
    mine = candidate(cycle, mentors.mentor)

    with pytest.raises(PermissionDenied):
        self_report_save(actor=mentors.mentor2, candidate=mine, text="not mine")
    self_report_save(actor=mentors.mentor, candidate=mine, text="  带领学习团队获省赛一等奖  ")
    cycle = advance_to(mentors, cycle, Phase.PEER)
    with pytest.raises(ValidationError):
        self_report_save(actor=mentors.mentor, candidate=mine, text="too late")

    mine.refresh_from_db()
    assert mine.self_report == "带领学习团队获省赛一等奖"


@pytest.fixture
def reviewing(mentors):
    return advance_to(mentors, open_cycle(mentors), Phase.COLLEGE)


def test_a_recommendation_over_the_college_quota_is_refused(mentors, reviewing):
    # Three MAT mentors at 20 %: ceil(0.6) = 1 recommendation.
    candidate_recommend(actor=mentors.college_admin, candidate=candidate(reviewing, mentors.mentor), recommended=True)

    with pytest.raises(ValidationError) as refused:
        candidate_recommend(
            actor=mentors.college_admin, candidate=candidate(reviewing, mentors.mentor2), recommended=True
        )

    assert "at most 1 of its 3" in refused.value.message_dict["recommended"][0]
    assert list(Candidate.objects.filter(recommended=True).values_list("person_id", flat=True)) == [mentors.mentor.pk]


def test_withdrawing_a_recommendation_frees_the_quota(mentors, reviewing):
    first, second = candidate(reviewing, mentors.mentor), candidate(reviewing, mentors.mentor2)
    candidate_recommend(actor=mentors.college_admin, candidate=first, recommended=True)
    candidate_recommend(actor=mentors.college_admin, candidate=first, recommended=False)
    candidate_recommend(actor=mentors.college_admin, candidate=second, recommended=True)

    assert list(Candidate.objects.filter(recommended=True).values_list("person_id", flat=True)) == [mentors.mentor2.pk]


@pytest.mark.parametrize("persona", ["other_admin", "mentor", "student", "student_affairs", "outsider"])
def test_only_the_colleges_admin_or_the_school_admin_review(mentors, reviewing, persona):
    target = candidate(reviewing, mentors.mentor)

    with pytest.raises(PermissionDenied):
        candidate_recommend(actor=getattr(mentors, persona), candidate=target, recommended=True)
    with pytest.raises(PermissionDenied):
        candidate_set_ineligible(actor=getattr(mentors, persona), candidate=target, reason="x")


def test_marking_ineligible_keeps_the_reason_and_withdraws_the_recommendation(mentors, reviewing):
    target = candidate(reviewing, mentors.mentor)
    candidate_recommend(actor=mentors.college_admin, candidate=target, recommended=True)

    candidate_set_ineligible(actor=mentors.college_admin, candidate=target, reason="师德问题（2026-03 通报）")

    target.refresh_from_db()
    assert (target.recommended, target.eligible, target.ineligible_reason) == (False, False, "师德问题（2026-03 通报）")
    with pytest.raises(ValidationError):
        candidate_recommend(actor=mentors.college_admin, candidate=target, recommended=True)


@pytest.mark.parametrize("phase", [Phase.PEER, Phase.SCHOOL])
def test_recommendation_is_refused_outside_the_college_review(mentors, phase):
    cycle = advance_to(mentors, open_cycle(mentors), phase)

    with pytest.raises(ValidationError):
        candidate_recommend(actor=mentors.school_admin, candidate=candidate(cycle, mentors.mentor), recommended=True)


def test_in_the_school_review_only_the_school_admin_marks_ineligible(mentors):
    cycle = advance_to(mentors, open_cycle(mentors), Phase.SCHOOL)
    target = candidate(cycle, mentors.mentor)

    with pytest.raises(ValidationError):
        candidate_set_ineligible(actor=mentors.college_admin, candidate=target, reason="late finding")
    candidate_set_ineligible(actor=mentors.school_admin, candidate=target, reason="late finding")

    target.refresh_from_db()
    assert target.ineligible_reason == "late finding"


def test_before_the_peer_phase_the_peer_point_is_missing_not_zero(mentors):
    cycle = advance_to(mentors, open_cycle(mentors), Phase.SURVEY)

    row = score_rows(cycle, Candidate.objects.filter(cycle=cycle, person=mentors.mentor))[0]

    # Compliance alone (no survey answers, no peer point yet): 7.14.
    assert (row.peer, row.final) == (None, Decimal("7.14"))
