"""Demo records for the current demo semester (fall 2026), written through the record and flag services.

Realistic on purpose: most mentors are on track (group and one-to-one talks), some lag; counselors visit dorms and
sit in on classes most weeks with a few short ones; class advisors hold class meetings and monthly check-ins; a few
students in academic difficulty have a study plan (R-04); one crisis case (R-17, sensitive).
Deterministic and idempotent: nothing happens when any record exists.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import SchoolClass, Student, User
from mentoring.models import (
    AdvisorAssignment,
    CounselorAssignment,
    FlagType,
    Interaction,
    MentorAssignment,
    Semester,
    TeachingWeek,
    WeekKind,
)
from mentoring.services.flags import flag_set
from mentoring.services.records import RecordInput, interaction_log

PLACES = ["导师办公室", "实验室", "图书馆研讨间", "线上会议", "学院会议室"]


def _log(actor: User, *, day: date, **fields) -> Interaction:
    # Entered on the day itself, so demo records are not marked late.
    return interaction_log(actor=actor, data=RecordInput(day=day, **fields), today=day)


@transaction.atomic
def demo_records_load(*, today: date | None = None) -> int:
    """Write the demo semester's records up to `today`; returns how many were written (0 if any existed)."""
    if Interaction.objects.exists():
        return 0
    today = today or timezone.localdate()
    semester = Semester.objects.filter(start_date__lte=today, end_date__gte=today).first()
    if semester is None:
        return 0
    rng = random.Random(20260907)  # noqa: S311 (demo data, not security)
    weeks = [
        w
        for w in TeachingWeek.objects.filter(semester=semester, kind=WeekKind.TEACHING).order_by("number")
        if w.monday + timedelta(days=4) <= today
    ]
    if not weeks:
        return 0
    day_in = lambda week, offset: week.monday + timedelta(days=offset)  # noqa: E731

    students_of: dict[int, list[Student]] = defaultdict(list)
    for row in MentorAssignment.objects.valid_on(today).select_related("student__user").order_by("mentor_id", "pk"):
        students_of[row.mentor_id].append(row.student)
    counselor_classes: dict[int, list[int]] = defaultdict(list)
    counselor_of_class: dict[int, int] = {}
    for row in CounselorAssignment.objects.valid_on(today).order_by("school_class_id"):
        counselor_classes[row.counselor_id].append(row.school_class_id)
        counselor_of_class[row.school_class_id] = row.counselor_id
    class_students: dict[int, list[Student]] = defaultdict(list)
    for student in Student.objects.filter(school_class_id__in=counselor_of_class).select_related("user"):
        class_students[student.school_class_id].append(student)
    classes = SchoolClass.objects.in_bulk(list(counselor_of_class))
    users = {u.pk: u for u in User.objects.filter(pk__in=set(students_of) | set(counselor_classes))}
    advisors = list(AdvisorAssignment.objects.valid_on(today).select_related("advisor", "school_class"))
    users.update({a.advisor_id: a.advisor for a in advisors})
    written = 0

    # Flags first: academic difficulty for a few students, one crisis.
    start = semester.start_date
    flagged: list[Student] = []
    for _mentor_id, students in list(students_of.items())[::9]:
        student = students[0]
        counselor = users[counselor_of_class[student.school_class_id]]
        flag_set(actor=counselor, student=student, flag=FlagType.ACADEMIC_DIFFICULTY, valid_from=start, note="挂科2门")
        flagged.append(student)

    # Mentors: 70% complete (4 talks each, as group talks plus a few one-to-ones), the rest lag (0–2).
    for index, (mentor_id, students) in enumerate(students_of.items()):
        mentor = users[mentor_id]
        complete = index % 10 < 7
        sessions = 4 if complete else rng.randint(0, 2)
        for n in range(sessions):
            week = weeks[min(len(weeks) - 1, (n * len(weeks)) // 4 + rng.randint(0, 1))]
            day = day_in(week, rng.randint(0, 4))
            topics = rng.sample(["academic", "planning", "research", "wellbeing"], 2)
            if n == 3 and len(students) > 2:
                # The last round one-to-one with the first two, the rest as a group.
                for student in students[:2]:
                    _log(
                        mentor,
                        role="mentor",
                        kind="mentor_talk",
                        day=day,
                        mode="one",
                        students=[student],
                        topics=topics,
                        place=rng.choice(PLACES),
                        summary="单独交流学习进度与规划",
                    )
                    written += 1
                group = students[2:]
            else:
                group = students
            if len(group) >= 2:
                _log(
                    mentor,
                    role="mentor",
                    kind="mentor_talk",
                    day=day,
                    mode="group",
                    students=group,
                    topics=topics,
                    place=rng.choice(PLACES),
                    summary="学习团队交流：选课、竞赛与读研规划",
                )
                written += 1
        if complete and index % 2 == 0:
            counselor_id = counselor_of_class.get(students[0].school_class_id)
            if counselor_id:
                _log(
                    mentor,
                    role="mentor",
                    kind="exchange",
                    day=day_in(weeks[-1], 1),
                    mode="colleague",
                    counterpart=users[counselor_id],
                    summary="与辅导员交流所指导学生的思想与学业动态",
                )
                written += 1
        for student in students:
            if student in flagged:
                _log(
                    mentor,
                    role="mentor",
                    kind="study_plan",
                    day=day_in(weeks[1], 2),
                    mode="one",
                    students=[student],
                    topics=["academic"],
                    summary="制定选课与学习计划，每两周跟进",
                )
                written += 1

    # Counselors: 2 dorm visits and 3 sit-ins a week, a few weeks short.
    for counselor_id, class_ids in counselor_classes.items():
        counselor = users[counselor_id]
        for week in weeks:
            short = rng.random() < 0.15
            for v in range(1 if short else 2):
                class_id = rng.choice(class_ids)
                group = rng.sample(class_students[class_id], min(4, len(class_students[class_id])))
                _log(
                    counselor,
                    role="counselor",
                    kind="dorm_visit",
                    day=day_in(week, 1 + v * 2),
                    mode="group",
                    students=group,
                    place="学生公寓",
                    summary="走访宿舍，了解作息与学习情况",
                )
                written += 1
            for s in range(2 if short else 3):
                _log(
                    counselor,
                    role="counselor",
                    kind="class_sitin",
                    day=day_in(week, s + 1),
                    mode="class",
                    school_class=classes[class_ids[s % len(class_ids)]],
                    summary="随堂听课：出勤良好",
                )
                written += 1
        for class_id in class_ids[:2]:
            _log(
                counselor,
                role="counselor",
                kind="theme_class_meeting",
                day=day_in(weeks[2], 3),
                mode="class",
                school_class=classes[class_id],
                summary="主题班会：学风建设",
            )
            written += 1

    # Class advisors: class meetings, monthly check-ins.
    for index, assignment in enumerate(advisors):
        for week in weeks[:: 4 if index % 3 else 6]:
            _log(
                assignment.advisor,
                role="advisor",
                kind="class_checkin",
                day=day_in(week, 2),
                mode="class",
                school_class=assignment.school_class,
                summary="与班委、宿舍长了解学风",
            )
            written += 1
        for week in weeks[1::6][: 2 if index % 4 else 1]:
            _log(
                assignment.advisor,
                role="advisor",
                kind="class_meeting",
                day=day_in(week, 3),
                mode="class",
                school_class=assignment.school_class,
                summary="班会：期中学习总结",
            )
            written += 1

    # One crisis case, sensitive.
    student = class_students[next(iter(counselor_of_class))][3]
    counselor = users[counselor_of_class[student.school_class_id]]
    crisis_day = day_in(weeks[-2], 2)
    flag_set(actor=counselor, student=student, flag=FlagType.PSYCH_CRISIS, valid_from=crisis_day, note="已转介心理中心")
    _log(
        counselor,
        role="counselor",
        kind="crisis_case",
        day=crisis_day,
        mode="one",
        students=[student],
        summary="情绪低落，已陪同前往心理中心并通知家长，持续关注",
    )
    return written + 1
