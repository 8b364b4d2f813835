"""Demo evaluation: the 2025–2026 cycle in the survey phase, with answers from some students and a self report.

The frozen duty-compliance snapshot reads the records of 2025–2026 that `load_demo` writes; where there are none (the
demo university loaded without its records), those of six mentors of college MAT are logged first, so that it still
differs between people.

Deterministic and idempotent (nothing happens when the cycle exists). Run after `load_demo`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from evaluation.models import Candidate, Cycle, Phase
from evaluation.selectors.survey import survey_targets
from evaluation.services.cycles import CycleSettings, cycle_advance, cycle_open
from evaluation.services.review import self_report_save
from evaluation.services.survey import survey_submit
from mentoring.models import (
    AcademicYear,
    CounselorAssignment,
    Interaction,
    Kind,
    MentorAssignment,
    Mode,
    StaffRole,
)
from mentoring.services.records import RecordInput, interaction_log

DEMO_YEAR = 2025
DEMO_COLLEGE = "MAT"
ANSWERING_STUDENTS = 40


def _year_records(year: AcademicYear) -> None:
    """Talks of six mentors of the demo college in 2025–2026, so that duty compliance differs between people:
    the first two meet R-03 and R-05 in both semesters, the next two R-03 only, the last two half of R-03."""
    mentors = list(
        User.objects.filter(
            pk__in=MentorAssignment.objects.filter(
                valid_until__isnull=True, student__school_class__major__college__code=DEMO_COLLEGE
            ).values("mentor_id")
        ).order_by("number")[:6]
    )
    for index, mentor in enumerate(mentors):
        students = [
            a.student for a in MentorAssignment.objects.filter(mentor=mentor, valid_until__isnull=True).order_by("pk")
        ]
        for semester in year.semesters.order_by("start_date"):
            talks = 4 if index < 4 else 2
            for n in range(talks):
                day = semester.start_date + timedelta(days=14 + 21 * n)
                interaction_log(
                    actor=mentor,
                    data=RecordInput(
                        role=StaffRole.MENTOR,
                        kind=Kind.MENTOR_TALK,
                        day=day,
                        mode=Mode.GROUP if len(students) > 1 else Mode.ONE_TO_ONE,
                        students=students,
                        topics=["academic", "planning"],
                        summary="学习团队例会",
                    ),
                    today=day,
                )
            if index < 2:
                day = semester.start_date + timedelta(days=30)
                classes = {s.school_class_id for s in students}
                for counselor_id in set(
                    CounselorAssignment.objects.valid_on(day)
                    .filter(school_class_id__in=classes)
                    .values_list("counselor_id", flat=True)
                ):
                    interaction_log(
                        actor=mentor,
                        data=RecordInput(
                            role=StaffRole.MENTOR,
                            kind=Kind.EXCHANGE,
                            day=day,
                            mode=Mode.COLLEAGUE,
                            counterpart=User.objects.get(pk=counselor_id),
                            summary="交流学生思想动态",
                        ),
                        today=day,
                    )


@transaction.atomic
def demo_evaluation_load(*, today: date | None = None) -> Cycle | None:
    """Open the demo cycle and move it to the survey phase; None when it is there already or cannot open."""
    today = today or timezone.localdate()
    year = AcademicYear.objects.filter(start_year=DEMO_YEAR).first()
    admin = User.objects.filter(number="admin").first()
    if year is None or admin is None or Cycle.objects.filter(academic_year=year).exists():
        return None
    if not Interaction.objects.filter(semester__academic_year=year).exists():
        _year_records(year)
    settings = CycleSettings(
        survey_until=today + timedelta(days=14),
        peer_until=today + timedelta(days=28),
        college_until=today + timedelta(days=42),
        school_until=today + timedelta(days=56),
    )
    cycle = cycle_open(actor=admin, academic_year=year, settings=settings, today=today)
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_phase=Phase.PREPARATION)

    rng = random.Random(2025)  # noqa: S311 (demo data)
    mentor_ids = list(
        Candidate.objects.filter(cycle=cycle, role=StaffRole.MENTOR, college__code=DEMO_COLLEGE)
        .order_by("person__number")
        .values_list("person_id", flat=True)[:4]
    )
    students = [
        a.student
        for a in MentorAssignment.objects.filter(mentor_id__in=mentor_ids, valid_until__isnull=True)
        .select_related("student__user")
        .order_by("student__user__number")[:ANSWERING_STUDENTS]
    ]
    # The first demo student is left to answer by hand.
    for student in students[1:]:
        targets = survey_targets(cycle, student)
        if not targets:
            continue
        answers = {t.pk: [rng.choice((3, 4, 4, 5, 5)) for _ in cycle.questions] for t in targets}
        comments = {targets[0].pk: rng.choice(("老师很耐心。", "希望多组织一些小组讨论。", ""))}
        survey_submit(
            actor=student.user, cycle=cycle, answers=answers, comments={k: v for k, v in comments.items() if v}
        )
    for candidate in Candidate.objects.filter(cycle=cycle, person_id__in=mentor_ids[:2]).select_related("person"):
        self_report_save(
            actor=candidate.person,
            candidate=candidate,
            text="指导学习团队参加学科竞赛；为学业困难学生制定选课与学习计划并跟踪。",
        )
    return cycle
