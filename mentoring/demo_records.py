"""Demo records, written through the record and flag services: the demo's current semester up to today (fall 2026)
and, whole, the semesters before it (2025–2026), so that the dashboards' trend and the evaluation of 2025–2026 have
something to compare.

Realistic on purpose. Each semester is planned whole and written up to its last day or today, whichever is first,
so the semester under way shows work in progress and a finished one what was kept. Most mentors and class advisors
keep every rule, the rest lag (`Profile.diligent`); each college's first counselor misses no week, the other has
short weeks now and then (`Profile.short_week`); each semester does a little better than the one before
(`PROFILES`). In the current semester only, a few students in academic difficulty get a study plan (R-04) and
there is one crisis case (R-17, sensitive) with the parents contacted (R-10) and the class advisor's care (R-08).
Deterministic (one seeded generator per semester) and idempotent: nothing happens when any record exists.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import SchoolClass, Student, User
from mentoring.models import (
    AdvisorAssignment,
    CounselorAssignment,
    FlagType,
    Interaction,
    Kind,
    MentorAssignment,
    Mode,
    Semester,
    StaffRole,
    TeachingWeek,
    WeekKind,
)
from mentoring.services.flags import flag_set
from mentoring.services.records import RecordInput, interaction_log

PLACES = ["导师办公室", "实验室", "图书馆研讨间", "线上会议", "学院会议室"]
TOPICS = ["academic", "planning", "research", "wellbeing"]


@dataclass(frozen=True)
class Profile:
    """How a semester went: of every ten mentors and of every ten class advisors, how many keep every rule; the
    chance that a counselor other than their college's first has a short week (one dorm visit, two sit-ins)."""

    diligent: int
    short_week: float


# The current semester first, then the semesters before it, newest first (the demo has two before it: 2025–2026).
PROFILES = [Profile(diligent=7, short_week=0.15), Profile(6, 0.2), Profile(5, 0.25)]


@transaction.atomic
def demo_records_load(*, today: date | None = None) -> int:
    """Write the demo's records up to `today` (`demo_semesters`); returns how many were written (0 if any existed,
    or no semester has started)."""
    if Interaction.objects.exists():
        return 0
    today = today or timezone.localdate()
    written = 0
    for semester, profile, current in demo_semesters(today):
        rng = random.Random(20260907 + semester.pk)  # noqa: S311 (demo data, not security)
        writer = _Semester(semester, until=min(today, semester.end_date), rng=rng)
        writer.write(profile, current=current)
        written += writer.written
    return written


def demo_semesters(today: date) -> list[tuple[Semester, Profile, bool]]:
    """The semesters the demo keeps records of, oldest first, each with its profile and whether it is the current
    one: the latest that has started by `today` (under way, or just ended when `today` falls in a break) and the
    ones before it, at most `len(PROFILES)` in all."""
    current = Semester.objects.filter(start_date__lte=today).order_by("-start_date").first()
    if current is None:
        return []
    before = Semester.objects.filter(end_date__lt=current.start_date).order_by("-start_date")[: len(PROFILES) - 1]
    chosen = zip([current, *before], PROFILES, strict=False)
    return [(semester, profile, semester == current) for semester, profile in reversed(list(chosen))]


@dataclass
class _Semester:
    """One semester's records, planned on its teaching weeks; a record falling after `until` is not written."""

    semester: Semester
    until: date
    rng: random.Random
    written: int = 0
    weeks: list[TeachingWeek] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.weeks = list(
            TeachingWeek.objects.filter(semester=self.semester, kind=WeekKind.TEACHING).order_by("number")
        )

    def day(self, week: int, weekday: int) -> date | None:
        """The day of the `week`-th teaching week (from 0; negative from the end), if it has come by `until`."""
        if not -len(self.weeks) <= week < len(self.weeks):
            return None
        day = self.weeks[week].monday + timedelta(days=weekday)
        return day if day <= self.until else None

    def log(self, actor: User, week: int, weekday: int, **fields) -> bool:
        """Write the record on that day, if it has come; whether it was written."""
        day = self.day(week, weekday)
        if day is None:
            return False
        # Entered on the day itself, so demo records are not marked late.
        interaction_log(actor=actor, data=RecordInput(day=day, **fields), today=day)
        self.written += 1
        return True

    def write(self, profile: Profile, *, current: bool) -> None:
        held = _Held(self.until)
        flagged = self._flags(held) if current else []
        self._mentors(held, profile, flagged)
        self._advisors(held, profile)
        self._counselors(held, profile)
        if current:
            self._crisis(held)

    def _flags(self, held: _Held) -> list[Student]:
        """Academic difficulty (R-04) for the first student of every ninth mentor, from the semester's first day."""
        flagged = []
        for students in list(held.students_of.values())[::9]:
            student = students[0]
            counselor = held.users[held.counselor_of_class[student.school_class_id]]
            flag_set(
                actor=counselor,
                student=student,
                flag=FlagType.ACADEMIC_DIFFICULTY,
                valid_from=self.semester.start_date,
                note="挂科2门",
            )
            flagged.append(student)
        return flagged

    def _mentors(self, held: _Held, profile: Profile, flagged: list[Student]) -> None:
        """Four talks a semester with each student (R-03: group talks, the last round partly one-to-one) and an
        exchange with each counselor of their students (R-05); who lags holds 0 to 2 talks and rarely an exchange."""
        for index, (mentor_id, students) in enumerate(held.students_of.items()):
            mentor = held.users[mentor_id]
            diligent = index % 10 < profile.diligent
            talks = 4 if diligent else self.rng.randint(0, 2)
            for n in range(talks):
                week, weekday = 1 + 4 * n + self.rng.randint(0, 1), self.rng.randint(0, 4)
                topics = self.rng.sample(TOPICS, 2)
                group = students
                if n == 3 and len(students) > 2:  # the last round one-to-one with the first two, the rest as a group
                    for student in students[:2]:
                        self.log(
                            mentor,
                            week,
                            weekday,
                            role=StaffRole.MENTOR,
                            kind=Kind.MENTOR_TALK,
                            mode=Mode.ONE_TO_ONE,
                            students=[student],
                            topics=topics,
                            place=self.rng.choice(PLACES),
                            summary="单独交流学习进度与规划",
                        )
                    group = students[2:]
                self.log(
                    mentor,
                    week,
                    weekday,
                    role=StaffRole.MENTOR,
                    kind=Kind.MENTOR_TALK,
                    mode=Mode.GROUP if len(group) > 1 else Mode.ONE_TO_ONE,
                    students=group,
                    topics=topics,
                    place=self.rng.choice(PLACES),
                    summary="学习团队交流：选课、竞赛与读研规划",
                )
            counselors = sorted({held.counselor_of_class[s.school_class_id] for s in students})
            if not diligent:
                counselors = counselors[:1] if self.rng.random() < 0.3 else []
            for counselor_id in counselors:
                if self.log(
                    mentor,
                    6,
                    2,
                    role=StaffRole.MENTOR,
                    kind=Kind.EXCHANGE,
                    mode=Mode.COLLEAGUE,
                    counterpart=held.users[counselor_id],
                    summary="与辅导员交流所指导学生的思想与学业动态",
                ):
                    held.exchanged.add((mentor_id, counselor_id))
            for student in students:
                if student in flagged:
                    self.log(
                        mentor,
                        1,
                        2,
                        role=StaffRole.MENTOR,
                        kind=Kind.STUDY_PLAN,
                        mode=Mode.ONE_TO_ONE,
                        students=[student],
                        topics=["academic"],
                        summary="制定选课与学习计划，每两周跟进",
                    )

    def _advisors(self, held: _Held, profile: Profile) -> None:
        """A check-in with the class committee in each month's first teaching week (R-06), class meetings in weeks
        3 and 11 (R-07) and a theme activity (R-09); who lags checks in every other month and meets the class once."""
        first_of_month: dict[tuple[int, int], int] = {}
        for position, week in enumerate(self.weeks):
            first_of_month.setdefault((week.monday.year, week.monday.month), position)
        for index, assignment in enumerate(held.advisors):
            diligent = index % 10 < profile.diligent
            checkins = list(first_of_month.values())
            plan = [
                (week, 1, Kind.CLASS_CHECKIN, "与班委、宿舍长了解学风") for week in checkins[:: 1 if diligent else 2]
            ]
            plan += [
                (week, 3, Kind.CLASS_MEETING, "班会：学习总结与学风建设") for week in (2, 10)[: 2 if diligent else 1]
            ]
            if diligent:
                plan.append((7, 4, Kind.THEME_ACTIVITY, "配合辅导员开展诚信考试主题教育"))
            for week, weekday, kind, summary in plan:
                self.log(
                    assignment.advisor,
                    week,
                    weekday,
                    role=StaffRole.ADVISOR,
                    kind=kind,
                    mode=Mode.CLASS,
                    school_class=assignment.school_class,
                    summary=summary,
                )

    def _counselors(self, held: _Held, profile: Profile) -> None:
        """Two dorm visits (R-14) and three class sit-ins (R-15) a week, two theme class meetings per class (R-13)
        and an exchange with each advisor and mentor of their classes not yet met (R-12). Each college's first
        counselor misses nothing; the other has short weeks, holds the second theme meeting in half the classes and
        exchanges with half the mentors."""
        first_of_college: set[int] = set()
        for counselor_ids in held.counselors_of_college.values():
            first_of_college.add(min(counselor_ids, key=lambda pk: held.users[pk].number))
        for counselor_id, class_ids in held.counselor_classes.items():
            counselor = held.users[counselor_id]
            diligent = counselor_id in first_of_college
            for week in range(len(self.weeks)):
                short = not diligent and self.rng.random() < profile.short_week
                for visit in range(1 if short else 2):
                    class_id = self.rng.choice(class_ids)
                    students = held.class_students[class_id]
                    self.log(
                        counselor,
                        week,
                        1 + visit * 2,
                        role=StaffRole.COUNSELOR,
                        kind=Kind.DORM_VISIT,
                        mode=Mode.GROUP,
                        students=self.rng.sample(students, min(4, len(students))),
                        place="学生公寓",
                        summary="走访宿舍，了解作息与学习情况",
                    )
                for sitin in range(2 if short else 3):
                    self.log(
                        counselor,
                        week,
                        sitin + 1,
                        role=StaffRole.COUNSELOR,
                        kind=Kind.CLASS_SITIN,
                        mode=Mode.CLASS,
                        school_class=held.classes[class_ids[(week + sitin) % len(class_ids)]],
                        summary="随堂听课：出勤良好",
                    )
            for position, class_id in enumerate(class_ids):
                second = diligent or position % 2 == 0
                for week in (2, 11)[: 2 if second else 1]:
                    self.log(
                        counselor,
                        week,
                        3,
                        role=StaffRole.COUNSELOR,
                        kind=Kind.THEME_CLASS_MEETING,
                        mode=Mode.CLASS,
                        school_class=held.classes[class_id],
                        summary="主题班会：学风建设与心理健康",
                    )
            colleagues = [held.advisor_of_class[c] for c in class_ids if c in held.advisor_of_class]
            mentors = sorted(
                {m for c in class_ids for m in held.mentors_of_class[c] if (m, counselor_id) not in held.exchanged}
            )
            colleagues += mentors if diligent else mentors[::2]
            for colleague_id in dict.fromkeys(colleagues):
                self.log(
                    counselor,
                    8,
                    self.rng.randint(0, 4),
                    role=StaffRole.COUNSELOR,
                    kind=Kind.EXCHANGE,
                    mode=Mode.COLLEAGUE,
                    counterpart=held.users[colleague_id],
                    summary="交流学生思想动态",
                )

    def _crisis(self, held: _Held) -> None:
        """One crisis case, sensitive (R-17), two weeks before `until`: the counselor's record and the parents
        contacted (R-10), then the class advisor's care for the student (R-08)."""
        class_id = next(iter(held.counselor_of_class))
        student = held.class_students[class_id][3]
        counselor = held.users[held.counselor_of_class[class_id]]
        passed = [n for n in range(len(self.weeks)) if self.day(n, 4) is not None]
        if len(passed) < 2:
            return
        week = passed[-2]
        flag_set(
            actor=counselor,
            student=student,
            flag=FlagType.PSYCH_CRISIS,
            valid_from=self.day(week, 2),
            note="已转介心理中心",
        )
        advisor_id = held.advisor_of_class.get(class_id)
        plan = [
            (counselor, StaffRole.COUNSELOR, 2, Kind.CRISIS_CASE, "情绪低落，已陪同前往心理中心并通知家长，持续关注"),
            (counselor, StaffRole.COUNSELOR, 2, Kind.PARENT_CONTACT, "电话告知家长，约定每周沟通"),
        ]
        if advisor_id is not None:
            plan.append((held.users[advisor_id], StaffRole.ADVISOR, 4, Kind.CARE, "谈心关怀，了解近况"))
        about = {"mode": Mode.ONE_TO_ONE, "students": [student]}
        for actor, role, weekday, kind, summary in plan:
            self.log(actor, week, weekday, role=role, kind=kind, summary=summary, **about)


class _Held:
    """Who holds whom on `day`: mentors' students, classes' advisors and counselors, and the people by id."""

    def __init__(self, day: date) -> None:
        self.students_of: dict[int, list[Student]] = defaultdict(list)
        self.mentors_of_class: dict[int, set[int]] = defaultdict(set)
        for row in MentorAssignment.objects.valid_on(day).select_related("student__user").order_by("mentor_id", "pk"):
            self.students_of[row.mentor_id].append(row.student)
            self.mentors_of_class[row.student.school_class_id].add(row.mentor_id)
        self.counselor_classes: dict[int, list[int]] = defaultdict(list)
        self.counselor_of_class: dict[int, int] = {}
        for row in CounselorAssignment.objects.valid_on(day).order_by("school_class_id"):
            self.counselor_classes[row.counselor_id].append(row.school_class_id)
            self.counselor_of_class[row.school_class_id] = row.counselor_id
        self.class_students: dict[int, list[Student]] = defaultdict(list)
        for student in (
            Student.objects.filter(school_class_id__in=self.counselor_of_class).select_related("user").order_by("pk")
        ):
            self.class_students[student.school_class_id].append(student)
        self.classes = SchoolClass.objects.select_related("major").in_bulk(list(self.counselor_of_class))
        self.counselors_of_college: dict[int, set[int]] = defaultdict(set)
        for class_id, counselor_id in self.counselor_of_class.items():
            self.counselors_of_college[self.classes[class_id].major.college_id].add(counselor_id)
        self.advisors = list(
            AdvisorAssignment.objects.valid_on(day).select_related("advisor", "school_class").order_by("school_class")
        )
        self.advisor_of_class = {a.school_class_id: a.advisor_id for a in self.advisors}
        people = set(self.students_of) | set(self.counselor_classes) | set(self.advisor_of_class.values())
        self.users = User.objects.in_bulk(people)
        self.exchanged: set[tuple[int, int]] = set()  # (mentor, counselor) pairs a mentor's exchange already joins
