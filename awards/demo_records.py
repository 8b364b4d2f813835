"""The demo's past year, 2024–2025: its calendar, who held whom, and the records kept, for `awards.demo`.

Who held whom: today's mentors, advisors and counselors held the same students and classes in 2024–2025 (the cohorts
that had started, 2023 and 2024). The assignment services only add a holder after the current one, so these closed
rows are written directly, as `mentoring.demo` writes its assignments. The records go through `interaction_log`,
entered on their day: in each college five mentors meet every rule and two meet half of R-03, and two class advisors
meet every rule; the counselor who meets every rule is one, in the demo's first college (a counselor owes about 200
records a year, which would make the demo slow). Everyone else recorded nothing that year.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from accounts.models import SchoolClass, Student, User
from mentoring.models import (
    AdvisorAssignment,
    CounselorAssignment,
    Kind,
    MentorAssignment,
    Mode,
    Semester,
    StaffRole,
    TeachingWeek,
    WeekKind,
)
from mentoring.services.calendar import semester_create
from mentoring.services.records import RecordInput, interaction_log

PAST_YEAR = 2024
# (term, first day, last day, holiday weeks, exam weeks)
CALENDAR = [
    (1, date(2024, 9, 2), date(2025, 1, 12), (5,), (18, 19)),
    (2, date(2025, 2, 24), date(2025, 7, 6), (10,), (18, 19)),
]
HELD_FROM = date(2024, 9, 2)
COMPLIANT_MENTORS, PARTIAL_MENTORS, COMPLIANT_ADVISORS = 5, 2, 2


def _log(actor: User, *, day: date, **fields) -> None:
    # Entered on the day itself: not late, and the semester was open then.
    interaction_log(actor=actor, data=RecordInput(day=day, **fields), today=day)


def _calendar() -> list[Semester]:
    for term, first, last, holidays, exams in CALENDAR:
        if not Semester.objects.filter(academic_year__start_year=PAST_YEAR, term=term).exists():
            semester_create(
                actor=None,
                start_year=PAST_YEAR,
                term=term,
                start_date=first,
                end_date=last,
                holiday_weeks=holidays,
                exam_weeks=exams,
            )
    return list(Semester.objects.filter(academic_year__start_year=PAST_YEAR).order_by("start_date"))


def _past_holders() -> None:
    """Today's mentors, advisors and counselors held the same students and classes in 2024–2025 (the cohorts that
    had started), up to the day before their current assignment began."""
    open_rows = {"valid_until__isnull": True, "valid_from__gt": HELD_FROM}
    MentorAssignment.objects.bulk_create(
        MentorAssignment(
            mentor_id=row.mentor_id,
            student_id=row.student_id,
            valid_from=HELD_FROM,
            valid_until=row.valid_from - timedelta(days=1),
        )
        for row in MentorAssignment.objects.filter(student__school_class__cohort__lte=PAST_YEAR, **open_rows)
    )
    for model, holder in ((AdvisorAssignment, "advisor_id"), (CounselorAssignment, "counselor_id")):
        model.objects.bulk_create(
            model(
                **{holder: getattr(row, holder)},
                school_class_id=row.school_class_id,
                valid_from=HELD_FROM,
                valid_until=row.valid_from - timedelta(days=1),
            )
            for row in model.objects.filter(school_class__cohort__lte=PAST_YEAR, **open_rows)
        )


class Holdings:
    """Who held whom in 2024–2025 (the closed rows of `_past_holders`), per college, in number order."""

    def __init__(self) -> None:
        past = {"valid_from": HELD_FROM, "valid_until__isnull": False}
        self.students_of: dict[int, list[Student]] = defaultdict(list)
        self.mentors: dict[int, list[User]] = defaultdict(list)  # college id → mentors
        for row in (
            MentorAssignment.objects.filter(**past)
            .select_related("mentor", "student__user", "student__school_class__major")
            .order_by("mentor__number", "student__user__number")
        ):
            if row.mentor_id not in self.students_of:
                self.mentors[row.student.school_class.major.college_id].append(row.mentor)
            self.students_of[row.mentor_id].append(row.student)
        self.advisor_of: dict[int, User] = {}
        self.counselor_of: dict[int, User] = {}
        self.classes: dict[int, list[SchoolClass]] = defaultdict(list)  # college id → classes
        for row in AdvisorAssignment.objects.filter(**past).select_related("advisor", "school_class__major"):
            self.advisor_of[row.school_class_id] = row.advisor
            self.classes[row.school_class.major.college_id].append(row.school_class)
        for row in CounselorAssignment.objects.filter(**past).select_related("counselor"):
            self.counselor_of[row.school_class_id] = row.counselor
        for classes in self.classes.values():
            classes.sort(key=lambda c: c.code)

    def counselors_of_mentor(self, mentor: User) -> list[User]:
        found = {}
        for student in self.students_of[mentor.pk]:
            counselor = self.counselor_of.get(student.school_class_id)
            if counselor is not None:
                found[counselor.number] = counselor
        return [found[number] for number in sorted(found)]

    def counselors(self, college_id: int) -> list[User]:
        found = {self.counselor_of[c.pk].number: self.counselor_of[c.pk] for c in self.classes[college_id]}
        return [found[number] for number in sorted(found)]

    def colleagues_of_counselor(self, counselor: User) -> list[User]:
        """The mentors and class advisors of the counselor's classes: R-12 asks for an exchange with each."""
        classes = {class_id for class_id, held_by in self.counselor_of.items() if held_by.pk == counselor.pk}
        found = {self.advisor_of[c].number: self.advisor_of[c] for c in classes if c in self.advisor_of}
        for mentor_list in self.mentors.values():
            for mentor in mentor_list:
                if any(s.school_class_id in classes for s in self.students_of[mentor.pk]):
                    found[mentor.number] = mentor
        return [found[number] for number in sorted(found)]


def _weeks(semester: Semester) -> list[TeachingWeek]:
    return list(TeachingWeek.objects.filter(semester=semester, kind=WeekKind.TEACHING).order_by("number"))


def _day(week: TeachingWeek, weekday: int) -> date:
    return week.monday + timedelta(days=weekday)


def _mentor_records(held: Holdings, semesters: list[Semester]) -> None:
    """Per college: the first five mentors hold four group talks a semester (R-03) and talk with each counselor of
    their students (R-05); the next two hold two talks a semester."""
    for mentors in held.mentors.values():
        for index, mentor in enumerate(mentors[: COMPLIANT_MENTORS + PARTIAL_MENTORS]):
            compliant = index < COMPLIANT_MENTORS
            students = held.students_of[mentor.pk]
            mode = Mode.GROUP if len(students) > 1 else Mode.ONE_TO_ONE
            for semester in semesters:
                weeks = _weeks(semester)
                for n in (1, 4, 8, 12)[: 4 if compliant else 2]:
                    _log(
                        mentor,
                        day=_day(weeks[n], 1),
                        role=StaffRole.MENTOR,
                        kind=Kind.MENTOR_TALK,
                        mode=mode,
                        students=students,
                        topics=["academic", "planning"],
                        summary="学习团队例会：选课与学习计划",
                    )
                if compliant:
                    for counselor in held.counselors_of_mentor(mentor):
                        _log(
                            mentor,
                            day=_day(weeks[6], 2),
                            role=StaffRole.MENTOR,
                            kind=Kind.EXCHANGE,
                            mode=Mode.COLLEAGUE,
                            counterpart=counselor,
                            summary="交流学生思想动态与学业情况",
                        )


def _advisor_records(held: Holdings, semesters: list[Semester]) -> None:
    """Per college, the advisors of the first two classes meet every rule: a check-in each month (R-06), two class
    meetings (R-07) and a theme activity (R-09) each semester."""
    for classes in held.classes.values():
        for school_class in classes[:COMPLIANT_ADVISORS]:
            advisor = held.advisor_of[school_class.pk]
            for semester in semesters:
                weeks = _weeks(semester)
                first_of_month: dict[tuple[int, int], TeachingWeek] = {}
                for week in weeks:
                    first_of_month.setdefault((week.monday.year, week.monday.month), week)
                plan = [(week, 1, Kind.CLASS_CHECKIN, "与班委、宿舍长了解学风") for week in first_of_month.values()]
                plan += [(weeks[n], 3, Kind.CLASS_MEETING, "学风建设班会") for n in (2, 10)]
                plan += [(weeks[7], 4, Kind.THEME_ACTIVITY, "配合辅导员开展诚信考试主题教育")]
                for week, weekday, kind, summary in plan:
                    _log(
                        advisor,
                        day=_day(week, weekday),
                        role=StaffRole.ADVISOR,
                        kind=kind,
                        mode=Mode.CLASS,
                        school_class=school_class,
                        summary=summary,
                    )


def _counselor_records(held: Holdings, semesters: list[Semester], college_id: int) -> None:
    """The college's first counselor meets every rule: two dorm visits (R-14) and three class sit-ins (R-15) each
    teaching week, two theme class meetings per class (R-13) and an exchange with each colleague (R-12)."""
    counselors = held.counselors(college_id)
    if not counselors:
        return
    counselor = counselors[0]
    classes = [c for c in held.classes[college_id] if held.counselor_of.get(c.pk) == counselor]
    colleagues = held.colleagues_of_counselor(counselor)
    role = StaffRole.COUNSELOR
    for semester in semesters:
        weeks = _weeks(semester)
        for index, week in enumerate(weeks):
            for weekday in (0, 2):
                _log(
                    counselor,
                    day=_day(week, weekday),
                    role=role,
                    kind=Kind.DORM_VISIT,
                    mode=Mode.NONE,
                    summary="走访学生宿舍",
                )
            for k, weekday in enumerate((1, 3, 4)):
                _log(
                    counselor,
                    day=_day(week, weekday),
                    role=role,
                    kind=Kind.CLASS_SITIN,
                    mode=Mode.CLASS,
                    school_class=classes[(index + k) % len(classes)],
                    summary="随堂听课",
                )
        for school_class in classes:
            for n in (3, 11):
                _log(
                    counselor,
                    day=_day(weeks[n], 3),
                    role=role,
                    kind=Kind.THEME_CLASS_MEETING,
                    mode=Mode.CLASS,
                    school_class=school_class,
                    summary="主题班会：学风与心理健康",
                )
        for colleague in colleagues:
            _log(
                counselor,
                day=_day(weeks[5], 1),
                role=role,
                kind=Kind.EXCHANGE,
                mode=Mode.COLLEAGUE,
                counterpart=colleague,
                summary="交流学生思想动态",
            )


def past_year_load() -> tuple[list[Semester], Holdings]:
    """The calendar, the holders and the records of 2024–2025; the records only when that year has no holders yet."""
    semesters = _calendar()
    fresh = not MentorAssignment.objects.overlapping(semesters[0].start_date, semesters[-1].end_date).exists()
    if fresh:
        _past_holders()
    held = Holdings()
    if fresh:
        _mentor_records(held, semesters)
        _advisor_records(held, semesters)
        if held.classes:
            _counselor_records(held, semesters, min(held.classes))
    return semesters, held
