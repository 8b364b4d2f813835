"""The student satisfaction survey: anonymous by design, answered once, aggregates only from 5 answers (R-25)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from accounts.models import AuditEntry
from evaluation.models import Candidate, Phase, SurveyParticipation, SurveyResponse
from evaluation.selectors.scores import candidates_visible_to, comments_of, score_rows
from evaluation.selectors.survey import survey_targets
from evaluation.services.survey import survey_submit
from mentoring.models import StaffRole
from tests.evaluation.conftest import advance_to, answer_all, open_cycle


@pytest.fixture
def surveying(judged):
    return advance_to(judged, open_cycle(judged), Phase.SURVEY)


def test_a_student_is_asked_about_their_mentor_class_advisor_and_counselor(judged, surveying):
    targets = survey_targets(surveying, judged.students[0])

    assert [(t.person.number, t.role) for t in targets] == [
        ("T100", StaffRole.MENTOR),
        ("T200", StaffRole.ADVISOR),
        ("T300", StaffRole.COUNSELOR),
    ]


def test_an_answer_writes_one_participation_and_one_response_per_carer(judged, surveying):
    written = answer_all(judged.student, surveying, 4, comment="耐心")

    assert written == 3
    assert SurveyParticipation.objects.filter(student=judged.students[0]).count() == 1
    assert sorted(SurveyResponse.objects.values_list("answers", flat=True)) == [[4, 4, 4, 4]] * 3


def test_the_response_table_cannot_be_joined_to_a_student(judged, surveying):
    answer_all(judged.student, surveying, 5)
    answer_all(judged.students[1].user, surveying, 3)

    fields = {f.name: f for f in SurveyResponse._meta.get_fields()}
    # No column names a student or user, none holds a time, and the key is a random UUID, not a sequence.
    assert set(fields) == {"id", "candidate", "answers", "score_sum", "answer_count", "comment"}
    assert not any(isinstance(f, models.DateField | models.DateTimeField | models.TimeField) for f in fields.values())
    assert isinstance(fields["id"], models.UUIDField)
    assert {r.pk.version for r in SurveyResponse.objects.all()} == {4}
    assert fields["candidate"].related_model is Candidate
    # Nothing anywhere points at a response, and the participation row points at no response.
    pointing = [
        (model.__name__, f.name)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if f.is_relation and f.concrete and f.related_model is SurveyResponse
    ]
    assert pointing == []
    assert {f.name for f in SurveyParticipation._meta.concrete_fields} == {"id", "cycle", "student"}
    # The audit trail says that a student answered, not what or about whom.
    entries = AuditEntry.objects.filter(action="evaluation.survey_answer")
    assert [e.data for e in entries] == [{"cycle": surveying.pk}] * 2
    assert set(entries.values_list("target_type", flat=True)) == {"evaluation.surveyparticipation"}


def test_a_second_answer_is_refused_and_writes_nothing(judged, surveying):
    answer_all(judged.student, surveying, 4)

    with pytest.raises(ValidationError) as refused:
        answer_all(judged.student, surveying, 1)

    assert "already answered" in refused.value.message_dict["survey"][0]
    assert SurveyResponse.objects.count() == 3


@pytest.mark.parametrize("bad", [0, 6, -1, True])
def test_an_answer_outside_the_scale_is_refused_and_writes_nothing(judged, surveying, bad):
    targets = survey_targets(surveying, judged.students[0])
    answers = {t.pk: [3, 3, 3, bad] for t in targets}

    with pytest.raises(ValidationError) as refused:
        survey_submit(actor=judged.student, cycle=surveying, answers=answers)

    assert "from 1 to 5" in refused.value.messages[0]
    assert (SurveyParticipation.objects.count(), SurveyResponse.objects.count()) == (0, 0)


def test_leaving_out_a_carer_or_a_question_is_refused(judged, surveying):
    mentor, advisor, counselor = survey_targets(surveying, judged.students[0])

    with pytest.raises(ValidationError):
        survey_submit(actor=judged.student, cycle=surveying, answers={mentor.pk: [3, 3, 3, 3]})
    with pytest.raises(ValidationError):
        survey_submit(
            actor=judged.student,
            cycle=surveying,
            answers={mentor.pk: [3, 3, 3], advisor.pk: [3, 3, 3, 3], counselor.pk: [3, 3, 3, 3]},
        )
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize("persona", ["mentor", "college_admin", "school_admin", "outsider"])
def test_only_students_answer(judged, surveying, persona):
    with pytest.raises(PermissionDenied):
        survey_submit(actor=getattr(judged, persona), cycle=surveying, answers={})


@pytest.mark.parametrize("phase", [Phase.PREPARATION, Phase.PEER, Phase.CLOSED])
def test_the_survey_is_refused_outside_its_phase(judged, phase):
    cycle = advance_to(judged, open_cycle(judged), phase)

    with pytest.raises(ValidationError) as refused:
        answer_all(judged.student, cycle, 4)

    assert "phase" in refused.value.message_dict
    assert SurveyResponse.objects.count() == 0


def test_satisfaction_shows_only_from_five_answers(judged, surveying):
    for student in judged.mentees[:4]:
        answer_all(student.user, surveying, 4, comment=f"好 {student.pk}")
    mentor = Candidate.objects.filter(cycle=surveying, person=judged.mentor)

    four = score_rows(surveying, mentor)[0]
    assert (four.responses, four.satisfaction) == (4, None)
    assert comments_of([four.candidate.pk]) == {}

    answer_all(judged.mentees[4].user, surveying, 4, comment="很好")
    five = score_rows(surveying, mentor)[0]
    assert (five.responses, five.satisfaction) == (5, Decimal("75.00"))
    assert len(comments_of([five.candidate.pk])[five.candidate.pk]) == 5


def test_a_worker_sees_only_their_own_row(judged, surveying):
    rows = candidates_visible_to(judged.mentor, surveying)

    assert [(c.person.number, c.role) for c in rows] == [("T100", StaffRole.MENTOR)]
    assert list(candidates_visible_to(judged.student, surveying)) == []
