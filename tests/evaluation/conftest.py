"""Evaluation fixtures: the judged year is the `calendar` fixture's 2025–2026, opened on 2026-07-20.

`judged` gives the mentor four more students (six in all, class A) so that a survey can reach the threshold of 5.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from evaluation.services.cycles import CycleSettings, cycle_advance, cycle_open
from mentoring.models import AcademicYear, Kind, Mode, StaffRole
from mentoring.services.assignments import mentor_assign
from mentoring.services.records import RecordInput, interaction_log
from tests.conftest import ASSIGNED_FROM
from tests.factories import StudentFactory

OPENED_ON = date(2026, 7, 20)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in their English source text."""
    with translation.override("en"):
        yield


def settings(**overrides) -> CycleSettings:
    values = {
        "survey_until": date(2026, 9, 30),
        "peer_until": date(2026, 10, 15),
        "college_until": date(2026, 10, 31),
        "school_until": date(2026, 11, 15),
    }
    values.update(overrides)
    return CycleSettings(**values)


def open_cycle(world, **overrides):
    year = AcademicYear.objects.get(start_year=2025)
    return cycle_open(actor=world.school_admin, academic_year=year, settings=settings(**overrides), today=OPENED_ON)


def advance_to(world, cycle, phase: str):
    while cycle.phase != phase:
        cycle = cycle_advance(actor=world.school_admin, cycle=cycle, expected_phase=cycle.phase)
    return cycle


def talk(mentor, students, day):
    mode = Mode.ONE_TO_ONE if len(students) == 1 else Mode.GROUP
    data = RecordInput(
        role=StaffRole.MENTOR, kind=Kind.MENTOR_TALK, day=day, mode=mode, students=students, topics=["academic"]
    )
    return interaction_log(actor=mentor, data=data, today=day)


@pytest.fixture
def judged(world, calendar):
    """The world with six mentees for the mentor; fall talks for student 0 meet R-03 for that student."""
    extra = [StudentFactory(school_class=world.class_a) for _ in range(4)]
    for student in extra:
        mentor_assign(actor=None, student=student, mentor=world.mentor, valid_from=ASSIGNED_FROM)
    world.mentees = [world.students[0], world.students[1], *extra]
    for day in (date(2025, 9, 10), date(2025, 10, 15), date(2025, 11, 12), date(2025, 12, 1)):
        talk(world.mentor, [world.students[0]], day)
    return world


def answer_all(student_user, cycle, value: int, comment: str = ""):
    """Answer the survey about each of the student's carers with `value` for every question."""
    from evaluation.selectors.survey import survey_targets
    from evaluation.services.survey import survey_submit

    targets = survey_targets(cycle, student_user.student)
    answers = {t.pk: [value] * len(cycle.questions) for t in targets}
    comments = {t.pk: comment for t in targets} if comment else {}
    return survey_submit(actor=student_user, cycle=cycle, answers=answers, comments=comments)
