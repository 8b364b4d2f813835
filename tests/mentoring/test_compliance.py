"""The compliance engine at its edges. Each test names the requirement it checks (POLICY.md)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Staff
from mentoring.models import Kind, Mode, QuotaRule, StaffRole
from mentoring.selectors.compliance import MET, NOT_DUE, PENDING, SHORT, _holdings_read, compliance_report
from mentoring.services.assignments import advisor_assign, counselor_assign, mentor_assign
from mentoring.services.flags import flag_set
from mentoring.services.policy import college_rule_add, policy_version_create, quota_rule_save
from mentoring.services.records import RecordInput, interaction_delete, interaction_log
from tests.factories import SchoolClassFactory, StaffFactory, StudentFactory

FALL_START, FALL_END = date(2025, 9, 8), date(2026, 1, 18)
DURING = date(2025, 12, 1)  # "today" for logging: fall 2025 is open


def talk(mentor, students, day, *, mode=None):
    mode = mode or (Mode.ONE_TO_ONE if len(students) == 1 else Mode.GROUP)
    data = RecordInput(
        role=StaffRole.MENTOR, kind=Kind.MENTOR_TALK, day=day, mode=mode, students=students, topics=["academic"]
    )
    return interaction_log(actor=mentor, data=data, today=max(day, DURING))


def counselor_record(counselor, kind, day, **extra):
    data = RecordInput(role=StaffRole.COUNSELOR, kind=kind, day=day, mode=extra.pop("mode", Mode.NONE), **extra)
    return interaction_log(actor=counselor, data=data, today=max(day, DURING))


def standing(report, person, requirement):
    found = [s for s in report.for_person(person.pk) if s.rule.requirement == requirement]
    assert len(found) == 1, found
    return found[0]


def lines(report, person, requirement):
    return [line for line in report.lines if line.person_id == person.pk and line.rule.requirement == requirement]


def test_r03_four_talks_per_student_meet_the_rule(world, calendar):
    fall, _ = calendar
    s1, s2 = world.students[0], world.students[1]
    for day in (date(2025, 9, 10), date(2025, 10, 15), date(2025, 11, 12), date(2025, 12, 1)):
        talk(world.mentor, [s1], day)
    talk(world.mentor, [s2], date(2025, 9, 10))

    report = compliance_report(semester=fall)

    by_student = {line.unit_id: line for line in lines(report, world.mentor, "R-03")}
    assert (by_student[s1.pk].count, by_student[s1.pk].required, by_student[s1.pk].status) == (4, 4, MET)
    assert (by_student[s2.pk].count, by_student[s2.pk].status) == (1, SHORT)
    assert standing(report, world.mentor, "R-03").met == 1
    assert standing(report, world.mentor, "R-03").records_needed == 3
    assert report.is_compliant(world.mentor.pk) is False


def test_r03_a_group_talk_with_ten_students_counts_once_for_each(world, calendar):
    fall, _ = calendar
    extra = [StudentFactory(school_class=world.class_a) for _ in range(8)]
    for student in extra:
        mentor_assign(actor=None, student=student, mentor=world.mentor, valid_from=FALL_START)
    ten = [world.students[0], world.students[1], *extra]

    talk(world.mentor, ten, date(2025, 10, 20))

    counts = {line.unit_id: line.count for line in lines(compliance_report(semester=fall), world.mentor, "R-03")}
    assert counts == {student.pk: 1 for student in ten}


def test_r03_the_last_day_of_the_semester_counts_and_the_day_after_is_refused(world, calendar):
    fall, _ = calendar
    talk(world.mentor, [world.students[0]], FALL_END)

    with pytest.raises(ValidationError) as refused:
        talk(world.mentor, [world.students[0]], FALL_END + timedelta(days=1))

    assert "day" in refused.value.message_dict
    counts = {line.unit_id: line.count for line in lines(compliance_report(semester=fall), world.mentor, "R-03")}
    assert counts[world.students[0].pk] == 1


def test_r03_status_is_pending_while_the_semester_runs_and_short_after(world, calendar):
    fall, _ = calendar
    talk(world.mentor, [world.students[0]], date(2025, 9, 10))

    during = compliance_report(semester=fall, on=FALL_END)
    after = compliance_report(semester=fall, on=FALL_END + timedelta(days=1))
    before = compliance_report(semester=fall, on=FALL_START - timedelta(days=1))

    assert {line.status for line in lines(during, world.mentor, "R-03")} == {PENDING}
    assert {line.status for line in lines(after, world.mentor, "R-03")} == {SHORT}
    assert {line.status for line in lines(before, world.mentor, "R-03")} == {NOT_DUE}


def test_r14_week_boundary_sunday_counts_for_its_week_and_monday_for_the_next(world, calendar):
    fall, _ = calendar
    sunday_week_2 = date(2025, 9, 21)
    monday_week_3 = date(2025, 9, 22)
    counselor_record(world.counselor, Kind.DORM_VISIT, sunday_week_2)
    counselor_record(world.counselor, Kind.DORM_VISIT, sunday_week_2)
    counselor_record(world.counselor, Kind.DORM_VISIT, monday_week_3)

    weekly = {line.period: line for line in lines(compliance_report(semester=fall), world.counselor, "R-14")}

    assert (weekly[2].count, weekly[2].status) == (2, MET)
    assert (weekly[3].count, weekly[3].status) == (1, SHORT)


def test_r14_r15_holiday_and_exam_weeks_carry_no_weekly_quota(world, calendar):
    fall, _ = calendar

    report = compliance_report(semester=fall)

    for requirement in ("R-14", "R-15"):
        weeks = sorted(line.period for line in lines(report, world.counselor, requirement))
        assert weeks == [w for w in range(1, 20) if w not in (4, 18, 19)]


def test_r14_only_weeks_already_ended_are_short(world, calendar):
    fall, _ = calendar
    on = date(2025, 9, 17)  # Wednesday of week 2

    statuses = {
        line.period: line.status for line in lines(compliance_report(semester=fall, on=on), world.counselor, "R-14")
    }

    assert (statuses[1], statuses[2], statuses[3]) == (SHORT, PENDING, NOT_DUE)


def test_a_student_reassigned_mid_semester_counts_for_each_mentor_for_the_weeks_they_held_them(world, calendar):
    fall, _ = calendar
    student = world.students[0]
    mentor2 = StaffFactory(college=world.college).user
    talk(world.mentor, [student], date(2025, 9, 10))
    talk(world.mentor, [student], date(2025, 10, 20))
    mentor_assign(actor=None, student=student, mentor=mentor2, valid_from=date(2025, 11, 3))  # week 9

    with pytest.raises(ValidationError) as refused:
        talk(world.mentor, [student], date(2025, 11, 10))
    talk(mentor2, [student], date(2025, 11, 10))

    report = compliance_report(semester=fall)
    first = next(line for line in lines(report, world.mentor, "R-03") if line.unit_id == student.pk)
    second = next(line for line in lines(report, mentor2, "R-03") if line.unit_id == student.pk)
    assert "students" in refused.value.message_dict
    # Weeks 1–8 minus the holiday week 4 = 7 of 16 teaching weeks → ceil(4 × 7/16) = 2 talks owed.
    assert (first.count, first.required, first.status) == (2, 2, MET)
    # Weeks 9–17 = 9 of 16 teaching weeks → ceil(4 × 9/16) = 3 talks owed.
    assert (second.count, second.required, second.status) == (1, 3, SHORT)


def test_r21_a_college_rule_stricter_than_the_schools_applies_to_that_college_only(world, calendar):
    fall, _ = calendar
    school_rule = QuotaRule.objects.get(requirement="R-03", college__isnull=True)
    college_rule_add(actor=world.college_admin, college=world.college, base=school_rule, minimum=6)
    other_mentor = StaffFactory(college=world.other_college).user
    mentor_assign(actor=None, student=world.other_student, mentor=other_mentor, valid_from=FALL_START)

    report = compliance_report(semester=fall)

    assert {line.required for line in lines(report, world.mentor, "R-03")} == {6}
    assert {line.required for line in lines(report, other_mentor, "R-03")} == {4}


def test_r21_a_college_rule_weaker_than_the_schools_is_refused_with_the_reason(world, calendar):
    school_rule = QuotaRule.objects.get(requirement="R-03", college__isnull=True)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        college_rule_add(actor=world.college_admin, college=world.college, base=school_rule, minimum=3)

    assert "at least 4" in refused.value.message_dict["minimum"][0]
    assert not QuotaRule.objects.filter(college=world.college).exists()


def test_r21_a_college_admin_cannot_write_another_colleges_rule(world, calendar):
    from django.core.exceptions import PermissionDenied

    school_rule = QuotaRule.objects.get(requirement="R-03", college__isnull=True)
    with pytest.raises(PermissionDenied):
        college_rule_add(actor=world.other_admin, college=world.college, base=school_rule, minimum=5)


def test_a_deleted_record_no_longer_counts(world, calendar):
    fall, _ = calendar
    record = talk(world.mentor, [world.students[0]], date(2025, 12, 1))
    interaction_delete(actor=world.mentor, interaction=record, today=DURING)

    counts = {line.unit_id: line.count for line in lines(compliance_report(semester=fall), world.mentor, "R-03")}

    assert counts[world.students[0].pk] == 0


def test_a_policy_version_replaced_mid_year_judges_each_semester_by_the_rules_it_started_with(world, calendar):
    fall, spring = calendar
    old = QuotaRule.objects.get(requirement="R-03", college__isnull=True).policy
    new = policy_version_create(
        actor=world.school_admin,
        code="校发〔2026〕1号",
        title="修订",
        effective_from=date(2026, 2, 1),
        copy_rules_from=old,
    )
    rule = new.rules.get(requirement="R-03")
    rule.minimum = 6
    quota_rule_save(actor=world.school_admin, rule=rule)

    fall_required = {line.required for line in lines(compliance_report(semester=fall), world.mentor, "R-03")}
    spring_required = {line.required for line in lines(compliance_report(semester=spring), world.mentor, "R-03")}

    assert (fall_required, spring_required) == ({4}, {6})


def test_r05_r12_an_exchange_counts_for_both_colleagues_whoever_recorded_it(world, calendar):
    fall, _ = calendar
    data = RecordInput(
        role=StaffRole.MENTOR,
        kind=Kind.EXCHANGE,
        day=date(2025, 10, 9),
        mode=Mode.COLLEAGUE,
        counterpart=world.counselor,
    )
    interaction_log(actor=world.mentor, data=data, today=DURING)

    report = compliance_report(semester=fall)

    r05 = lines(report, world.mentor, "R-05")
    r12 = {(line.rule.counterpart_role, line.unit_id): line.status for line in lines(report, world.counselor, "R-12")}
    assert [(line.unit_id, line.status) for line in r05] == [(world.counselor.pk, MET)]
    assert r12 == {("mentor", world.mentor.pk): MET, ("advisor", world.advisor.pk): SHORT}


def test_r07_class_meetings_count_per_class(world, calendar):
    fall, _ = calendar
    for day in (date(2025, 9, 15), date(2025, 11, 24)):
        data = RecordInput(
            role=StaffRole.ADVISOR, kind=Kind.CLASS_MEETING, day=day, mode=Mode.CLASS, school_class=world.class_a
        )
        interaction_log(actor=world.advisor, data=data, today=DURING)

    r07 = lines(compliance_report(semester=fall), world.advisor, "R-07")

    assert [(line.unit_id, line.count, line.status) for line in r07] == [(world.class_a.pk, 2, MET)]


def test_r06_monthly_check_ins_count_per_calendar_month(world, calendar):
    fall, _ = calendar
    data = RecordInput(
        role=StaffRole.ADVISOR,
        kind=Kind.CLASS_CHECKIN,
        day=date(2025, 10, 9),
        mode=Mode.CLASS,
        school_class=world.class_a,
    )
    interaction_log(actor=world.advisor, data=data, today=DURING)

    monthly = {line.period: line.status for line in lines(compliance_report(semester=fall), world.advisor, "R-06")}

    assert monthly[date(2025, 10, 1)] == MET
    assert monthly[date(2025, 9, 1)] == SHORT
    assert sorted(monthly) == [date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]


def test_r04_a_student_in_academic_difficulty_needs_a_study_plan(world, calendar):
    fall, _ = calendar
    student = world.students[1]
    flag_set(actor=world.counselor, student=student, flag="academic_difficulty", valid_from=date(2025, 9, 20))

    before = lines(compliance_report(semester=fall), world.mentor, "R-04")
    data = RecordInput(
        role=StaffRole.MENTOR,
        kind=Kind.STUDY_PLAN,
        day=date(2025, 9, 25),
        mode=Mode.ONE_TO_ONE,
        students=[student],
        topics=["academic"],
    )
    interaction_log(actor=world.mentor, data=data, today=DURING)
    after = lines(compliance_report(semester=fall), world.mentor, "R-04")

    assert [(line.unit_id, line.status) for line in before] == [(student.pk, SHORT)]
    assert [(line.unit_id, line.status) for line in after] == [(student.pk, MET)]


def _grow(world, n_students: int) -> None:
    for _ in range(n_students):
        student = StudentFactory(school_class=world.class_a)
        mentor_assign(actor=None, student=student, mentor=world.mentor, valid_from=FALL_START)
        talk(world.mentor, [student], date(2025, 10, 1))
    counselor_record(world.counselor, Kind.DORM_VISIT, date(2025, 10, 1))


@pytest.mark.parametrize("size", [1, 12])
def test_the_engine_runs_a_constant_number_of_queries(world, calendar, size, django_assert_num_queries):
    fall, _ = calendar
    _grow(world, size)

    # The policy, its rules and the weeks (3), who holds what (3), the flags (1), the counts (1: five in one UNION ALL),
    # the counselors' colleges (1).
    with django_assert_num_queries(9):
        school = compliance_report(semester=fall)
    # One mentor: own holdings (3) and the counselors of their classes (1), the flags of their students, one count
    # query (of talks and exchanges only: no class, month or week counts), no staff.
    with django_assert_num_queries(9):
        mine = compliance_report(semester=fall, person_ids=[world.mentor.pk])
    with django_assert_num_queries(9):
        college = compliance_report(semester=fall, college_ids=[world.college.pk])

    assert len(lines(school, world.mentor, "R-03")) == 2 + size
    assert len(mine.lines) == len([line for line in school.lines if line.person_id == world.mentor.pk])
    assert len(college.lines) == len(school.lines)
    assert Staff.objects.count() > 0


@pytest.mark.parametrize("who", ["mentor", "advisor", "counselor"])
def test_one_persons_report_has_exactly_their_lines_of_the_whole_school(world, calendar, who):
    """The counts a person's report leaves out are ones none of their lines reads."""
    fall, _ = calendar
    _grow(world, 3)
    for kind, day in ((Kind.CLASS_MEETING, date(2025, 9, 15)), (Kind.CLASS_CHECKIN, date(2025, 10, 9))):
        data = RecordInput(role=StaffRole.ADVISOR, kind=kind, day=day, mode=Mode.CLASS, school_class=world.class_a)
        interaction_log(actor=world.advisor, data=data, today=DURING)
    counselor_record(world.counselor, Kind.DORM_VISIT, date(2025, 9, 16))
    person = getattr(world, who)

    school = compliance_report(semester=fall)
    mine = compliance_report(semester=fall, person_ids=[person.pk])

    def key(line):
        return (line.rule.pk, line.unit_id or 0, str(line.period), line.count, line.required, line.status)

    expected = sorted(key(line) for line in school.lines if line.person_id == person.pk)
    assert any(count for *_rest, count, _required, _status in expected)  # some counts to get right
    assert sorted(key(line) for line in mine.lines) == expected


def test_a_college_read_college_wide_first_holds_what_it_holds_read_person_by_person(world, calendar):
    """`home_college_ids` (the college dashboard) changes how holdings are read, not what: holdings across colleges
    both ways, colleagues on home classes and on classes elsewhere, a holder changed mid-semester (R-03, R-05, R-07,
    R-12, R-13)."""
    fall, _ = calendar
    eco = world.other_college
    eco_mentor = StaffFactory(user__number="E100", college=eco).user
    eco_advisor = StaffFactory(user__number="E200", college=eco).user
    eco_counselor = StaffFactory(user__number="E300", college=eco).user
    eco_student = StudentFactory(school_class=world.other_class)
    eco_class_2 = SchoolClassFactory(major=world.other_class.major, code="ACC2402")
    mentor_assign(actor=None, student=world.other_student, mentor=world.mentor, valid_from=FALL_START)  # MAT → ECO
    mentor_assign(actor=None, student=eco_student, mentor=eco_mentor, valid_from=FALL_START)
    mentor_assign(actor=None, student=world.students[2], mentor=eco_mentor, valid_from=FALL_START)  # ECO → MAT
    mentor_assign(actor=None, student=world.students[3], mentor=world.mentor, valid_from=FALL_START)
    mentor_assign(actor=None, student=world.students[3], mentor=eco_mentor, valid_from=date(2025, 11, 3))
    counselor_assign(actor=None, school_class=world.other_class, counselor=world.counselor, valid_from=FALL_START)
    counselor_assign(actor=None, school_class=eco_class_2, counselor=eco_counselor, valid_from=FALL_START)
    counselor_assign(actor=None, school_class=world.class_b, counselor=eco_counselor, valid_from=date(2025, 11, 3))
    advisor_assign(actor=None, school_class=world.other_class, advisor=eco_advisor, valid_from=FALL_START)
    advisor_assign(actor=None, school_class=world.class_b, advisor=eco_advisor, valid_from=FALL_START)
    advisor_assign(actor=None, school_class=eco_class_2, advisor=world.advisor, valid_from=FALL_START)  # MAT → ECO
    for mentor, students in ((world.mentor, [world.students[0], world.other_student]), (eco_mentor, [eco_student])):
        talk(mentor, students, date(2025, 10, 15))
    people = set(Staff.objects.filter(college=world.college).values_list("user_id", flat=True))

    by_person = _holdings_read(FALL_START, FALL_END, None, people)
    by_college = _holdings_read(FALL_START, FALL_END, None, people, {world.college.pk})
    for rows, same in zip(by_person[:3], by_college[:3], strict=True):
        assert Counter(map(tuple, rows)) == Counter(map(tuple, same))
    assert by_person[3] == by_college[3] and by_person[3]  # colleague mentors found, at home and elsewhere
    assert {m for m, _class, _college in by_person[3]} == {eco_mentor.pk}
    assert {row[0] for row in by_person[2]} >= {eco_counselor.pk}  # a colleague counselor on a class elsewhere

    def seen(report):
        return sorted((ln.person_id, ln.rule.pk, ln.unit_id, str(ln.period), ln.count) for ln in report.lines)

    plain = compliance_report(semester=fall, on=DURING, person_ids=people)
    home = compliance_report(semester=fall, on=DURING, person_ids=people, home_college_ids=[world.college.pk])
    assert seen(home) == seen(plain) and len(plain.lines) > 10
