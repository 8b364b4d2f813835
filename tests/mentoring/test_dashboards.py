"""The compliance dashboards (college, school), the people and person pages behind their numbers.

World (tests/conftest.py): college MAT holds the mentor (students 0 and 1), the advisor (class A) and the
counselor (classes A and B); ECO holds other_class and other_student. Records go into fall 2025 (closed, judged).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from accounts.models import Staff
from mentoring.models import Kind, Mode, Scope, StaffRole
from mentoring.selectors.compliance import MET, NOT_DUE, PENDING, SHORT
from mentoring.selectors.dashboards import (
    college_dashboard,
    college_dashboard_page,
    person_standing,
    school_dashboard,
    school_dashboard_page,
    semester_before,
)
from mentoring.services.assignments import advisor_assign, counselor_assign, mentor_assign
from mentoring.services.flags import flag_set
from mentoring.services.oversight import finding_record
from mentoring.services.policy import college_rule_add
from mentoring.services.records import RecordInput, interaction_delete, interaction_log
from tests.factories import StaffFactory, StudentFactory

DURING = date(2025, 12, 1)
TODAY = date(2026, 11, 22)


def talk(mentor, students, day):
    mode = Mode.ONE_TO_ONE if len(students) == 1 else Mode.GROUP
    data = RecordInput(
        role=StaffRole.MENTOR, kind=Kind.MENTOR_TALK, day=day, mode=mode, students=students, topics=["academic"]
    )
    return interaction_log(actor=mentor, data=data, today=max(day, DURING))


def class_meeting(advisor, school_class, day):
    data = RecordInput(
        role=StaffRole.ADVISOR, kind=Kind.CLASS_MEETING, day=day, mode=Mode.CLASS, school_class=school_class
    )
    return interaction_log(actor=advisor, data=data, today=max(day, DURING))


def dorm_visit(counselor, day):
    data = RecordInput(role=StaffRole.COUNSELOR, kind=Kind.DORM_VISIT, day=day, mode=Mode.NONE)
    return interaction_log(actor=counselor, data=data, today=max(day, DURING))


def exchange(mentor, counterpart, day):
    data = RecordInput(role=StaffRole.MENTOR, kind=Kind.EXCHANGE, day=day, mode=Mode.COLLEAGUE, counterpart=counterpart)
    return interaction_log(actor=mentor, data=data, today=max(day, DURING))


def log_fall_work(world) -> None:
    """Student 0 has had four talks (R-03 met), student 1 one; class A one class meeting of two; two dorm visits in
    week 1 (R-14 met that week)."""
    s0, s1 = world.students[0], world.students[1]
    for day in (date(2025, 9, 10), date(2025, 10, 15), date(2025, 11, 12), date(2025, 12, 1)):
        talk(world.mentor, [s0], day)
    talk(world.mentor, [s1], date(2025, 9, 11))
    class_meeting(world.advisor, world.class_a, date(2025, 10, 9))
    dorm_visit(world.counselor, date(2025, 9, 9))
    dorm_visit(world.counselor, date(2025, 9, 10))


@pytest.fixture
def worked(world, calendar):
    log_fall_work(world)
    return calendar[0]


def rule(dashboard, slug):
    found = [r for r in dashboard.rules if r.slug == slug]
    assert len(found) == 1, [r.slug for r in dashboard.rules]
    return found[0]


# --- the numbers --------------------------------------------------------------------------------------------------


def test_college_dashboard_shares_per_rule_come_from_the_engine(world, worked):
    dashboard = college_dashboard(semester=worked, college=world.college, on=TODAY)

    r03 = rule(dashboard, "R-03:mentor")
    assert (r03.people, r03.compliant, r03.share) == (1, 0, 0.0)
    r07 = rule(dashboard, "R-07:advisor")
    assert (r07.people, r07.compliant) == (1, 0)
    assert sorted(p.person_id for p in dashboard.people) == sorted(
        [world.mentor.pk, world.advisor.pk, world.counselor.pk]
    )
    assert dashboard.fully_compliant == 0


def test_college_dashboard_lists_students_short_of_talks_and_classes_short_of_meetings(world, worked):
    dashboard = college_dashboard(semester=worked, college=world.college, on=TODAY)

    assert [(u.person_id, u.unit_id, u.count, u.required, u.status) for u in dashboard.students_short] == [
        (world.mentor.pk, world.students[1].pk, 1, 4, SHORT)
    ]
    meetings = [(u.unit_id, u.requirement, u.count, u.required) for u in dashboard.classes_short]
    assert (world.class_a.pk, "R-07", 1, 2) in meetings


def test_counselor_grid_marks_week_1_dorm_visits_met_and_a_holiday_week_absent(world, worked):
    dashboard = college_dashboard(semester=worked, college=world.college, on=TODAY)

    [row] = dashboard.grid
    assert row.person_id == world.counselor.pk
    by_week = {cell.week: cell for cell in row.cells}
    assert 4 not in by_week  # week 4 is a holiday: no quota, no column
    assert by_week[1].status == SHORT  # dorm visits 2/2 met, but sit-ins 0/3 short
    assert "R-14 2/2" in by_week[1].counts and "R-15 0/3" in by_week[1].counts
    assert by_week[2].status == SHORT


def test_weeks_not_yet_due_show_as_not_due(world, worked):
    dashboard = college_dashboard(semester=worked, college=world.college, on=date(2025, 10, 1))

    statuses = {cell.week: cell.status for cell in dashboard.grid[0].cells}
    assert statuses[1] == SHORT
    assert statuses[15] == NOT_DUE


def test_the_laggard_first_is_the_one_with_most_short_lines(world, worked):
    dashboard = college_dashboard(semester=worked, college=world.college, on=TODAY)

    first = dashboard.laggards[0]
    assert first.person_id == world.counselor.pk  # 15 teaching weeks × 2 weekly rules, mostly short
    assert {lack.slug for lack in first.lacks} >= {"R-14:counselor", "R-15:counselor"}


def test_trend_compares_with_the_previous_semester(world, worked, calendar):
    _fall, spring = calendar
    dashboard = college_dashboard(semester=spring, college=world.college, on=TODAY)

    assert dashboard.previous == worked
    r03 = rule(dashboard, "R-03:mentor")
    assert (r03.previous_people, r03.previous_compliant) == (1, 0)


def test_school_dashboard_ranks_colleges_by_share_fully_compliant(world, worked):
    eco_mentor = StaffFactory(college=world.other_college).user
    mentor_assign(actor=None, student=world.other_student, mentor=eco_mentor, valid_from=date(2025, 9, 8))
    for day in (date(2025, 9, 10), date(2025, 10, 15), date(2025, 11, 12), date(2025, 12, 1)):
        talk(eco_mentor, [world.other_student], day)

    dashboard = school_dashboard(semester=worked, on=TODAY)

    ranked = [(c.rank, c.college.code, c.people, c.compliant) for c in dashboard.colleges]
    assert ranked == [(1, "ECO", 1, 1), (2, "MAT", 3, 0)]
    assert dashboard.colleges[0].role_share(StaffRole.MENTOR) == 100.0


def test_r30_share_of_students_in_academic_difficulty_this_year_and_last(world, worked):
    from mentoring.services.flags import flag_set

    flag_set(
        actor=world.college_admin, student=world.students[0], flag="academic_difficulty", valid_from=date(2025, 9, 1)
    )
    flag_set(
        actor=world.college_admin,
        student=world.students[1],
        flag="academic_difficulty",
        valid_from=date(2024, 10, 1),
        valid_until=date(2025, 3, 1),
    )

    indicators = college_dashboard(semester=worked, college=world.college, on=TODAY).indicators

    assert (indicators[0].this_year, indicators[0].last_year) == (25.0, 25.0)  # 1 of MAT's 4 students each year
    assert [i.has_data for i in indicators] == [True, False, False]


# --- pages --------------------------------------------------------------------------------------------------------


def test_college_admin_sees_their_dashboard_and_not_the_other_college(world, worked, as_user):
    client = as_user(world.college_admin)
    assert client.get(f"/dashboard/college/MAT/?semester={worked.pk}").status_code == 200
    assert client.get(f"/dashboard/college/ECO/?semester={worked.pk}").status_code == 404
    assert client.get("/dashboard/school/").status_code == 403


def test_college_page_names_only_the_colleges_people(world, worked, as_user):
    eco_mentor = StaffFactory(college=world.other_college, user__name="他院导师").user
    mentor_assign(actor=None, student=world.other_student, mentor=eco_mentor, valid_from=date(2025, 9, 8))

    html = as_user(world.college_admin).get(f"/dashboard/college/MAT/?semester={worked.pk}").content.decode()

    assert world.mentor.name in html and world.counselor.name in html
    assert "他院导师" not in html and world.other_student.user.name not in html


@pytest.mark.parametrize("persona", ["mentor", "advisor", "counselor", "student", "outsider"])
def test_dashboards_wrong_role_is_refused(world, worked, as_user, persona):
    client = as_user(getattr(world, persona))
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/school/").status_code == 403
    assert client.get("/dashboard/college/MAT/").status_code == 404
    assert client.get("/dashboard/people/?college=MAT").status_code == 404
    assert client.get(f"/dashboard/person/{world.mentor.number}/").status_code == 403


@pytest.mark.parametrize("persona", ["school_admin", "school_student_affairs"])
def test_school_offices_see_both_dashboards(world, worked, as_user, persona):
    client = as_user(getattr(world, persona))
    assert client.get(f"/dashboard/school/?semester={worked.pk}").status_code == 200
    assert client.get(f"/dashboard/college/ECO/?semester={worked.pk}").status_code == 200


def test_student_affairs_lead_sees_their_college_dashboard(world, worked, as_user):
    client = as_user(world.student_affairs)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/college/ECO/").status_code == 404


def test_htmx_filter_returns_only_the_body(world, worked, as_user):
    response = as_user(world.college_admin).get(
        f"/dashboard/college/MAT/?semester={worked.pk}&role=mentor", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="dashboard-data"' in html
    assert "R-03" in html and "R-14" not in html


def test_people_page_behind_a_number_lists_who_is_short_on_the_rule(world, worked, as_user):
    html = (
        as_user(world.college_admin)
        .get(f"/dashboard/people/?college=MAT&semester={worked.pk}&rule=R-07:advisor&status=short")
        .content.decode()
    )
    assert world.advisor.name in html and world.mentor.name not in html
    # The page is titled "People" as a list of them (人员), not as the column header's count of them (人数).
    assert "<title>人员" in html


def test_person_drill_down_shows_lines_and_records(world, worked, as_user):
    html = (
        as_user(world.college_admin)
        .get(f"/dashboard/person/{world.mentor.number}/?semester={worked.pk}")
        .content.decode()
    )
    assert "R-03" in html and "2025-09-11" in html


def test_person_drill_down_names_the_students_colleagues_classes_and_weeks_of_each_line(world, worked, as_user):
    client = as_user(world.college_admin)
    mentor = client.get(f"/dashboard/person/{world.mentor.number}/?semester={worked.pk}", HTTP_ACCEPT_LANGUAGE="en")
    student = world.students[1].user
    assert f'<td>{student.number} {student.name}</td><td>—</td><td class="num">1/4</td>' in mentor.content.decode()
    assert f"<td>{world.counselor.number} {world.counselor.name}</td>" in mentor.content.decode()

    advisor = client.get(f"/dashboard/person/{world.advisor.number}/?semester={worked.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert f"<td>{world.class_a.code} {world.class_a.name}</td><td>—</td>" in advisor.content.decode()

    counselor = client.get(
        f"/dashboard/person/{world.counselor.number}/?semester={worked.pk}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert '<td>—</td><td>Week 1</td><td class="num">2/2</td>' in counselor.content.decode()  # R-14, week 1


def test_person_drill_down_says_records_needed_only_where_some_are(world, worked, as_user):
    """A rule with nothing left to do reads "1 of 1 due met", not "… · 0 records needed"; one with records still
    needed says how many, in Chinese too."""
    exchange(world.mentor, world.counselor, date(2025, 10, 9))  # the counselor of their students' class: R-05 met
    client = as_user(world.college_admin)
    seen = {"none needed": 0, "some needed": 0}
    for person in (world.mentor, world.advisor, world.counselor):
        staff = Staff.objects.get(user=person)
        on = timezone.localdate()  # as the view
        report = person_standing(semester=worked, person=person, on=on, college_id=staff.college_id)
        url = f"/dashboard/person/{person.number}/?semester={worked.pk}"
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        for standing in report.for_person(person.pk):
            met, total, needed = standing.met, standing.total, standing.records_needed
            if needed:
                seen["some needed"] += 1
                unit = "record" if needed == 1 else "records"
                assert f"<p>{met} of {total} due met · {needed} {unit} needed</p>" in english
                assert f"<p>应达标 {total} 项中已达标 {met} 项 · 还需 {needed} 条记录</p>" in chinese
            else:
                seen["none needed"] += 1
                assert f"<p>{met} of {total} due met</p>" in english
                assert f"<p>应达标 {total} 项中已达标 {met} 项</p>" in chinese
        assert " 0 records needed" not in english and "还需 0 条记录" not in chinese
    assert seen["none needed"] and seen["some needed"], seen


def test_person_drill_down_of_another_colleges_staff_is_404(world, worked, as_user):
    assert as_user(world.other_admin).get(f"/dashboard/person/{world.mentor.number}/").status_code == 404


# --- query counts at two data sizes ------------------------------------------------------------------------------


def _grow(world, extra: int) -> None:
    """`extra` more students of the mentor, each with a talk, and `extra` more MAT staff."""
    for _ in range(extra):
        student = StudentFactory(school_class=world.class_a)
        mentor_assign(actor=None, student=student, mentor=world.mentor, valid_from=date(2025, 9, 8))
        talk(world.mentor, [student], date(2025, 10, 20))
        StaffFactory(college=world.college)


# Per request: session, user, roles and grants (one query), the session's renewal (the first request after the
# login). A dashboard: semesters (one query for the list, the semester before taken from it; kept in the cache
# after), staff, the engine (9 queries for the school; 12 for a college's people: their own holdings, then their
# colleagues' on the same classes; the counts are one query) for the semester and again for the one before it
# (spring here; fall has none), overdue findings, colleges (school), R-30 (2), meetings, names (1: people and
# classes in one query).
@pytest.mark.parametrize("extra", [0, 8], ids=["small", "large"])
@pytest.mark.parametrize(
    ("persona", "path", "queries"),
    [
        ("college_admin", "/dashboard/college/MAT/?semester={fall}", 26),
        ("college_admin", "/dashboard/college/MAT/?semester={spring}", 38),
        ("student_affairs", "/dashboard/", 39),
        ("school_admin", "/dashboard/school/?semester={fall}", 23),
        ("school_admin", "/dashboard/school/?semester={spring}", 32),
        ("college_admin", "/dashboard/people/?college=MAT&semester={fall}&rule=R-03:mentor", 26),
        # The person page: the engine for one mentor (9 queries: one count query, of talks and exchanges), the names
        # and numbers of the students, colleagues and classes their lines are about (1).
        ("college_admin", "/dashboard/person/T100/?semester={fall}", 19),
        ("school_admin", "/supervision/findings/", 8),
        ("college_admin", "/supervision/findings/", 7),
        # The meetings page: the semester list and the meetings' counts, one query each on a first visit (kept after).
        ("school_admin", "/supervision/meetings/", 10),
    ],
)
def test_dashboard_query_count_does_not_grow_with_data(
    world, worked, calendar, as_user, django_assert_num_queries, extra, persona, path, queries
):
    _grow(world, extra)
    for n in range(1 + extra):
        finding_record(
            actor=world.school_admin,
            college=world.college,
            problem=f"问题{n}",
            owner="教学办",
            deadline=TODAY,
            found_on=TODAY,
        )
    client = as_user(getattr(world, persona))
    with django_assert_num_queries(queries):
        response = client.get(path.format(fall=worked.pk, spring=calendar[1].pk))
    assert response.status_code == 200


def test_staff_without_a_college_are_left_out_of_the_ranking(world, worked):
    Staff.objects.filter(user=world.mentor).update(college=None)
    dashboard = school_dashboard(semester=worked, on=TODAY)
    assert sum(c.people for c in dashboard.colleges) == 2
    assert len(dashboard.people) == 3


def test_a_met_standing_counts_as_compliant(world, worked):
    dashboard = college_dashboard(semester=worked, college=world.college, on=TODAY, role=StaffRole.MENTOR)
    mentor = next(p for p in dashboard.people if p.person_id == world.mentor.pk)
    met, due, short, _needed = mentor.rules["R-03:mentor"]
    assert (met, due, short) == (1, 2, 1)
    assert MET != SHORT


# --- the dashboards' reports keep no lines of students met ---------------------------------------------------------


@pytest.mark.parametrize("on", [date(2025, 10, 20), TODAY], ids=["under way", "over"])
def test_a_report_keeping_no_met_students_has_the_same_standings_and_pieces(world, worked, on):
    """`met_students=False`, as the dashboards ask: the same tallies per person and rule, the same lines but those of
    students met (in the same order), and the same dashboard piece and trend — counting a met student into
    `met_untold` instead of a line changes no number. A second mentor has met every student (their R-03 standing is
    made of untold units alone), and a flagged student of the first is still owed a study plan (R-04)."""
    from mentoring.selectors.compliance import NO_COLLEGE, compliance_report
    from mentoring.selectors.dashboards import _college_of, _made, _trends

    second = world.outsider
    for student in world.students[2:]:
        mentor_assign(actor=None, student=student, mentor=second, valid_from=date(2025, 9, 8))
        for day in (date(2025, 9, 12), date(2025, 9, 19), date(2025, 9, 26), date(2025, 10, 3)):
            talk(second, [student], day)
    flag_set(
        actor=world.college_admin, student=world.students[1], flag="academic_difficulty", valid_from=date(2025, 9, 8)
    )

    full = compliance_report(semester=worked, on=on)
    slim = compliance_report(semester=worked, on=on, met_students=False)

    def tallies(report):
        return {pid: {s.rule.id: s.tally for s in standings} for pid, standings in report.standings().items()}

    assert tallies(slim) == tallies(full)
    assert tallies(slim)[second.pk]  # the second mentor's standing, from untold units only
    assert [s.lines for s in slim.for_person(second.pk) if s.rule.requirement == "R-03"] == [[]]
    student_rules = (Scope.PER_STUDENT, Scope.PER_FLAGGED_STUDENT)
    met_students = [
        line
        for line in full.lines
        if line.status == MET and line.rule.role == StaffRole.MENTOR and line.rule.scope in student_rules
    ]
    assert len(met_students) == 3
    assert slim.lines == [line for line in full.lines if line not in met_students]
    assert slim.person_ids() == full.person_ids()
    staff = _college_of(None)
    assert _made("piece", slim, slim.standings(), staff) == _made("piece", full, full.standings(), staff)
    colleges = [world.college.pk, world.other_college.pk, NO_COLLEGE]
    assert _trends(slim, staff, colleges) == _trends(full, staff, colleges)
    # The trend's numbers, counted from the lines, are the piece's, counted from the standings.
    for college_id in colleges:
        by_person = {p: s for p, s in full.standings().items() if (staff.get(p) or NO_COLLEGE) == college_id}
        piece = _made("piece", full, by_person, staff)["piece"]
        trend = _trends(full, staff, colleges)[college_id]
        assert trend.rules == {r.slug: (r.people, r.compliant) for r in piece.rules if r.people}
        assert trend.roles == piece.roles
    assert _trends(full, staff, colleges)[world.college.pk].rules  # something to compare


# --- the cache: a second request reads the engine's part from the cache; every write drops it at once -------------


# A warm request skips the staff query, the engine and R-30 (cached under the flags tokens): what is left is the
# request's own queries, colleges (school) and names (1); the semesters, the open findings and the meetings' counts
# come from the cache as well (each read once by the first request, `kept`), as do the version tokens. The first
# request renews the session (savepoint, update, release); the second, seconds later, does not
# (accounts.middleware.SessionRenewalMiddleware).
@pytest.mark.parametrize("extra", [0, 8], ids=["small", "large"])
@pytest.mark.parametrize(
    ("persona", "path", "cold", "warm"),
    [
        ("college_admin", "/dashboard/college/MAT/?semester={spring}", 38, 5),
        ("school_admin", "/dashboard/school/?semester={spring}", 32, 5),
    ],
)
def test_a_second_request_reads_the_dashboard_from_the_cache(
    world, worked, calendar, as_user, django_assert_num_queries, extra, persona, path, cold, warm
):
    _grow(world, extra)
    client = as_user(getattr(world, persona))
    url = path.format(spring=calendar[1].pk)
    with django_assert_num_queries(cold):
        first = client.get(url)
    with django_assert_num_queries(warm):
        second = client.get(url)
    assert first.status_code == second.status_code == 200


def test_the_semester_list_is_read_once_and_again_after_any_semester_or_year_is_saved(
    calendar, django_assert_num_queries
):
    """The filters' semester list and the semester before come from the cache until a semester or an academic year is
    saved or deleted, by a service or directly (the models' signals)."""
    from mentoring.models import AcademicYear, Semester
    from mentoring.selectors.compliance import semesters_newest_first
    from mentoring.services.calendar import semester_create

    fall, spring = calendar
    with django_assert_num_queries(1):
        assert semesters_newest_first() == [spring, fall]
    with django_assert_num_queries(0):
        assert semesters_newest_first() == [spring, fall]
        assert semester_before(spring) == fall
        assert semester_before(fall) is None

    earlier = semester_create(
        actor=None, start_year=2024, term=2, start_date=date(2025, 3, 3), end_date=date(2025, 7, 13)
    )
    with django_assert_num_queries(1):
        assert semesters_newest_first() == [spring, fall, earlier]
    assert semester_before(fall) == earlier

    Semester.objects.filter(pk=earlier.pk).update(end_date=date(2025, 7, 6))  # past the signals: not seen
    assert semesters_newest_first()[2].end_date == date(2025, 7, 13)
    year = AcademicYear.objects.get(start_year=2025)
    year.save()  # a year renamed in the admin site, say
    assert semesters_newest_first()[2].end_date == date(2025, 7, 6)

    earlier.delete()
    assert semesters_newest_first() == [spring, fall]
    assert semester_before(fall) is None


def test_a_new_record_shows_on_the_cached_dashboard_at_once(world, worked):
    before = college_dashboard(semester=worked, college=world.college, on=TODAY)
    assert rule(before, "R-03:mentor").compliant == 0
    assert rule(college_dashboard(semester=worked, college=world.college, on=TODAY), "R-03:mentor").compliant == 0

    for day in (date(2025, 9, 12), date(2025, 10, 16), date(2025, 11, 13)):
        talk(world.mentor, [world.students[1]], day)

    after = college_dashboard(semester=worked, college=world.college, on=TODAY)
    assert [(u.unit_id, u.count) for u in after.students_short] == []
    assert rule(after, "R-03:mentor").compliant == 1


def test_a_deleted_record_leaves_the_cached_dashboard_at_once(world, worked):
    def talks_of_student_1() -> int:
        [line] = school_dashboard(semester=worked, on=TODAY).students_short
        assert line.unit_id == world.students[1].pk
        return line.count

    extra = talk(world.mentor, [world.students[1]], date(2025, 12, 2))
    assert talks_of_student_1() == 2
    assert talks_of_student_1() == 2  # from the cache

    interaction_delete(actor=world.mentor, interaction=extra, today=DURING)

    assert talks_of_student_1() == 1


def test_an_assignment_a_flag_and_a_college_rule_each_change_the_cached_dashboard(world, worked):
    from mentoring.models import QuotaRule

    def r03_people() -> int:
        return rule(college_dashboard(semester=worked, college=world.college, on=TODAY), "R-03:mentor").people

    assert r03_people() == 1
    other_mentor = StaffFactory(college=world.college).user
    mentor_assign(actor=None, student=world.students[3], mentor=other_mentor, valid_from=date(2025, 9, 8))
    assert r03_people() == 2

    flag_set(
        actor=world.college_admin, student=world.students[0], flag="academic_difficulty", valid_from=date(2025, 9, 1)
    )
    slugs = {r.slug for r in college_dashboard(semester=worked, college=world.college, on=TODAY).rules}
    assert "R-04:mentor" in slugs

    base = QuotaRule.objects.get(requirement="R-03", college__isnull=True)
    college_rule_add(actor=world.college_admin, college=world.college, base=base, minimum=5)
    lines = college_dashboard(semester=worked, college=world.college, on=TODAY).students_short
    assert {(u.unit_id, u.required) for u in lines} >= {(world.students[0].pk, 5), (world.students[1].pk, 5)}


# --- each semester its own token: a record write drops only its own semester's cached numbers ----------------------


@pytest.mark.parametrize("scope", ["college", "school"])
def test_a_record_in_the_semester_in_view_recomputes_only_that_semester(world, worked, calendar, engine_calls, scope):
    fall, spring = calendar

    def build():
        if scope == "school":
            return school_dashboard(semester=spring, on=TODAY)
        return college_dashboard(semester=spring, college=world.college, on=TODAY)

    first = build()
    assert engine_calls == [fall.pk, spring.pk]
    assert rule(first, "R-03:mentor").people == 1
    build()
    assert engine_calls == [fall.pk, spring.pk]  # all from the cache

    talk(world.mentor, [world.students[0]], date(2026, 3, 10))
    after = build()

    assert engine_calls == [fall.pk, spring.pk, spring.pk]  # the semester before was not computed again
    r03 = rule(after, "R-03:mentor")
    assert (r03.previous_people, r03.previous_compliant) == (1, 0)
    [line] = [u for u in after.students_short if u.unit_id == world.students[0].pk]
    assert line.count == 1


# --- each college its own piece: a record drops only the pieces of the colleges of the people it names -------------


@pytest.fixture
def engine_runs(monkeypatch):
    """(semester, the people asked for or None for everyone) of each engine run the dashboards make."""
    from mentoring.selectors import dashboards

    runs = []
    real = dashboards.compliance_report

    def counted(**kwargs):
        people = kwargs.get("person_ids")
        runs.append((kwargs["semester"].pk, None if people is None else frozenset(people)))
        return real(**kwargs)

    monkeypatch.setattr(dashboards, "compliance_report", counted)
    return runs


def _numbers(dashboard) -> tuple:
    """Everything the engine puts on a dashboard, in a comparable form."""
    return (
        [(r.slug, r.people, r.compliant, r.previous_people, r.previous_compliant) for r in dashboard.rules],
        [(r.role, r.people, r.compliant, r.previous_people, r.previous_compliant) for r in dashboard.roles],
        sorted((p.person_id, p.college_id, p.compliant, p.short, p.records_needed) for p in dashboard.people),
        [(g.person_id, [(c.week, c.status, c.counts) for c in g.cells]) for g in dashboard.grid],
        [(u.person_id, u.unit_id, u.requirement, u.count, u.required, u.status) for u in dashboard.students_short],
        [(u.person_id, u.unit_id, u.requirement, u.count, u.required, u.status) for u in dashboard.classes_short],
        [(c.college.code, c.people, c.compliant, c.rank) for c in dashboard.colleges],
    )


def test_a_record_recomputes_only_its_authors_college_and_the_school_adds_up(world, worked, calendar, engine_runs):
    """The school's dashboard is its colleges' pieces put together: after a record by a MAT mentor only MAT's
    people are run through the engine again, and the numbers are those of a school computed from scratch."""
    from django.core.cache import cache

    fall, spring = calendar
    eco_mentor = StaffFactory(college=world.other_college).user
    mentor_assign(actor=None, student=world.other_student, mentor=eco_mentor, valid_from=date(2025, 9, 8))
    school_dashboard(semester=spring, on=TODAY)
    assert engine_runs == [(fall.pk, None), (spring.pk, None)]  # a cold school: one run per semester, all of it

    talk(world.mentor, [world.students[0]], date(2026, 3, 10))
    after = school_dashboard(semester=spring, on=TODAY)

    mat_staff = frozenset(Staff.objects.filter(college=world.college).values_list("user_id", flat=True))
    assert engine_runs[2:] == [(spring.pk, mat_staff)]
    cache.clear()
    assert _numbers(after) == _numbers(school_dashboard(semester=spring, on=TODAY))
    assert {p.person_id for p in after.people} >= {world.mentor.pk, eco_mentor.pk}


def test_an_exchange_drops_the_pieces_of_both_colleagues_colleges(world, worked, calendar):
    from mentoring.selectors.compliance import NO_COLLEGE, compliance_inputs_versions

    fall, _spring = calendar
    eco_counselor = StaffFactory(college=world.other_college).user
    colleges = [world.college.pk, world.other_college.pk, NO_COLLEGE]
    before = compliance_inputs_versions(fall, colleges)
    assert before == compliance_inputs_versions(fall, colleges)  # a token stays until something changes

    exchange(world.mentor, eco_counselor, date(2025, 10, 9))

    after = compliance_inputs_versions(fall, colleges)
    assert after[world.college.pk] != before[world.college.pk]
    assert after[world.other_college.pk] != before[world.other_college.pk]
    assert after[NO_COLLEGE] == before[NO_COLLEGE]  # the school offices' people have no college: untouched


def test_a_record_by_someone_without_a_college_drops_that_piece(world, worked, calendar):
    """People without a college (no staff record, or one without a college) have a piece of their own."""
    from mentoring.selectors.compliance import NO_COLLEGE, compliance_inputs_versions

    fall, _spring = calendar
    Staff.objects.filter(user=world.mentor).update(college=None)
    school = school_dashboard(semester=fall, on=TODAY)
    assert [u.count for u in school.students_short if u.unit_id == world.students[1].pk] == [1]
    before = compliance_inputs_versions(fall, [world.college.pk, NO_COLLEGE])

    talk(world.mentor, [world.students[1]], date(2025, 10, 20))

    after = compliance_inputs_versions(fall, [world.college.pk, NO_COLLEGE])
    assert (after[world.college.pk], after[NO_COLLEGE] != before[NO_COLLEGE]) == (before[world.college.pk], True)
    school = school_dashboard(semester=fall, on=TODAY)
    assert [u.count for u in school.students_short if u.unit_id == world.students[1].pk] == [2]


def test_an_assignment_drops_the_pieces_of_everyone_holding_something_on_the_class(world, worked, calendar):
    """A new counselor for class A changes the R-05 pairs of the mentors of its students, wherever they work: an ECO
    mentor of a class-A student has their college's pieces dropped, in every semester; a class of ECO alone does
    not touch MAT."""
    from mentoring.selectors.compliance import NO_COLLEGE, compliance_inputs_versions

    fall, spring = calendar
    eco_mentor = StaffFactory(college=world.other_college).user
    mentor_assign(actor=None, student=world.students[2], mentor=eco_mentor, valid_from=date(2025, 9, 8))
    colleges = [world.college.pk, world.other_college.pk, NO_COLLEGE]
    before = {s.pk: compliance_inputs_versions(s, colleges) for s in (fall, spring)}

    counselor_assign(
        actor=None, school_class=world.class_a, counselor=StaffFactory(college=world.college).user, valid_from=DURING
    )

    after = {s.pk: compliance_inputs_versions(s, colleges) for s in (fall, spring)}
    for semester in (fall, spring):
        assert after[semester.pk][world.college.pk] != before[semester.pk][world.college.pk]
        assert after[semester.pk][world.other_college.pk] != before[semester.pk][world.other_college.pk]
        assert after[semester.pk][NO_COLLEGE] == before[semester.pk][NO_COLLEGE]

    advisor_assign(
        actor=None,
        school_class=world.other_class,
        advisor=StaffFactory(college=world.other_college).user,
        valid_from=DURING,
    )
    again = compliance_inputs_versions(fall, colleges)
    assert again[world.college.pk] == after[fall.pk][world.college.pk]
    assert again[world.other_college.pk] != after[fall.pk][world.other_college.pk]


def test_a_flag_drops_the_piece_of_the_students_mentor_and_the_school_adds_up(world, worked, calendar, engine_runs):
    from django.core.cache import cache

    fall, _spring = calendar
    eco_mentor = StaffFactory(college=world.other_college).user
    mentor_assign(actor=None, student=world.students[2], mentor=eco_mentor, valid_from=date(2025, 9, 8))
    before = school_dashboard(semester=fall, on=TODAY)
    assert "R-04:mentor" not in {r.slug for r in before.rules if r.people}

    flag_set(
        actor=world.college_admin, student=world.students[2], flag="academic_difficulty", valid_from=date(2025, 9, 1)
    )
    runs = len(engine_runs)
    after = school_dashboard(semester=fall, on=TODAY)

    assert rule(after, "R-04:mentor").people == 1  # the ECO mentor of the flagged MAT student
    # Fall has no semester before; MAT and ECO are two pieces of three, more than half: one run of the whole school.
    assert engine_runs[runs:] == [(fall.pk, None)]
    cache.clear()
    assert _numbers(after) == _numbers(school_dashboard(semester=fall, on=TODAY))


def test_a_record_in_the_semester_before_changes_the_trend_at_once(world, worked, calendar, engine_calls):
    fall, spring = calendar
    before = college_dashboard(semester=spring, college=world.college, on=TODAY)
    assert rule(before, "R-03:mentor").previous_compliant == 0

    for day in (date(2025, 9, 12), date(2025, 10, 16), date(2025, 11, 13)):
        talk(world.mentor, [world.students[1]], day)
    after = college_dashboard(semester=spring, college=world.college, on=TODAY)

    assert engine_calls == [fall.pk, spring.pk, fall.pk]  # only the semester the records are in
    r03 = rule(after, "R-03:mentor")
    assert (r03.previous_people, r03.previous_compliant) == (1, 1)
    mentors = next(r for r in after.roles if r.role == StaffRole.MENTOR)
    assert (mentors.previous_people, mentors.previous_compliant) == (1, 0)  # R-05 (talks with the counselor) short


def test_an_assignment_recomputes_both_semesters(world, worked, calendar, engine_calls):
    fall, spring = calendar
    college_dashboard(semester=spring, college=world.college, on=TODAY)
    other_mentor = StaffFactory(college=world.college).user
    mentor_assign(actor=None, student=world.students[3], mentor=other_mentor, valid_from=date(2025, 9, 8))

    after = college_dashboard(semester=spring, college=world.college, on=TODAY)

    assert engine_calls == [fall.pk, spring.pk, fall.pk, spring.pk]
    assert rule(after, "R-03:mentor").previous_people == 2


# --- the page's summary: the same numbers as the whole dashboard, and the first rows of each list ------------------


def _page_view(page) -> tuple:
    return (
        [(r.slug, r.people, r.compliant, r.previous_people, r.previous_compliant) for r in page.rules],
        [(r.role, r.people, r.compliant, r.previous_people, r.previous_compliant) for r in page.roles],
        (page.people_count, page.fully_compliant, page.laggard_count, page.grid_count),
        [
            (p.person_id, p.short, p.records_needed, [(x.slug, x.short, x.records_needed) for x in p.lacks])
            for p in page.laggards
        ],
        [(g.person_id, [(c.week, c.status, c.counts) for c in g.cells]) for g in page.grid],
        page.weekly,
        (page.students_short_count, page.classes_short_count),
        [(u.person_id, u.unit_id, u.requirement, u.count, u.status) for u in page.students_short + page.classes_short],
        [(c.college.code, c.people, c.compliant, c.rank, sorted(c.by_role.items())) for c in page.colleges],
    )


def _whole_view(dashboard, rows: int) -> tuple:
    weekly = []
    for index in range(len(dashboard.weeks)):
        due = [g.cells[index] for g in dashboard.grid if g.cells[index].status not in (None, NOT_DUE)]
        weekly.append((sum(c.status == MET for c in due), len(due), sum(c.status == PENDING for c in due)))
    units = dashboard.students_short[:rows] + dashboard.classes_short[:rows]
    return (
        [(r.slug, r.people, r.compliant, r.previous_people, r.previous_compliant) for r in dashboard.rules],
        [(r.role, r.people, r.compliant, r.previous_people, r.previous_compliant) for r in dashboard.roles],
        (len(dashboard.people), dashboard.fully_compliant, len(dashboard.laggards), len(dashboard.grid)),
        [
            (p.person_id, p.short, p.records_needed, [(x.slug, x.short, x.records_needed) for x in p.lacks])
            for p in dashboard.laggards[:rows]
        ],
        [(g.person_id, [(c.week, c.status, c.counts) for c in g.cells]) for g in dashboard.grid[:rows]],
        weekly,
        (len(dashboard.students_short), len(dashboard.classes_short)),
        [(u.person_id, u.unit_id, u.requirement, u.count, u.status) for u in units],
        [(c.college.code, c.people, c.compliant, c.rank, sorted(c.by_role.items())) for c in dashboard.colleges],
    )


@pytest.mark.parametrize("rows", [30, 1], ids=["page", "one-row"])
def test_the_page_shows_the_numbers_and_first_rows_of_the_whole_dashboard(world, worked, calendar, monkeypatch, rows):
    """With one row a list the school's first rows come from merging the colleges' first rows (ECO and MAT both lag)."""
    from mentoring.selectors import dashboards

    monkeypatch.setattr(dashboards, "PAGE_ROWS", rows)
    fall, spring = calendar
    eco_mentor = StaffFactory(college=world.other_college).user
    mentor_assign(actor=None, student=world.other_student, mentor=eco_mentor, valid_from=date(2025, 9, 8))
    for semester in (fall, spring):
        assert _page_view(college_dashboard_page(semester=semester, college=world.college, on=TODAY)) == _whole_view(
            college_dashboard(semester=semester, college=world.college, on=TODAY), rows
        )
        page = school_dashboard_page(semester=semester, on=TODAY)
        assert _page_view(page) == _whole_view(school_dashboard(semester=semester, on=TODAY), rows)
    if rows == 1:
        assert page.laggard_count >= 2
        assert len(page.laggards) == 1


def test_a_record_reads_no_holdings_again_but_an_assignment_does(
    world, worked, calendar, as_user, django_assert_num_queries
):
    """The rules, the weeks, who holds what and the flags are cached under the holdings tokens: the cold page after a
    record reads only the counts (the warm page's 5, the staff, and the engine's 2 for the semester: the counts in one
    query and the counselors' colleges; not the policy, rules and weeks, nor the six of the people's holdings, their
    colleagues' and the colleague mentors, nor the flags)."""
    _fall, spring = calendar
    client = as_user(world.college_admin)
    url = f"/dashboard/college/MAT/?semester={spring.pk}"
    client.get(url)
    talk(world.mentor, [world.students[0]], date(2026, 3, 10))
    with django_assert_num_queries(8):
        after_record = client.get(url)
    assert after_record.status_code == 200
    [line] = [
        u
        for u in college_dashboard(semester=spring, college=world.college, on=TODAY).students_short
        if u.unit_id == world.students[0].pk
    ]
    assert line.count == 1

    new_student = StudentFactory(school_class=world.class_a)
    mentor_assign(actor=None, student=new_student, mentor=world.mentor, valid_from=date(2026, 3, 2))
    # Spring again, holdings and flags included (the engine's 10 and the staff; the policy, rules and weeks stay
    # cached, as an assignment changes none of them); R-30 stays cached (an assignment is no flag), and an assignment
    # from a spring day leaves fall, the semester before, in the cache (37 would be both).
    with django_assert_num_queries(15):
        assert client.get(url).status_code == 200
    units = college_dashboard(semester=spring, college=world.college, on=TODAY).students_short
    assert new_student.pk in {u.unit_id for u in units}


def test_a_flag_changes_the_cached_r30_share_at_once(world, worked):
    def difficulty() -> float | None:
        return college_dashboard_page(semester=worked, college=world.college, on=TODAY).indicators[0].this_year

    assert difficulty() == 0.0
    assert difficulty() == 0.0  # from the cache
    flag_set(
        actor=world.college_admin, student=world.students[0], flag="academic_difficulty", valid_from=date(2025, 9, 1)
    )
    assert difficulty() == 25.0  # 1 of MAT's 4 students


def test_the_drill_down_shows_a_new_students_line_at_once(world, worked, as_user):
    """The drill-down keeps the person's holdings in the cache: an assignment drops them at once."""
    client = as_user(world.college_admin)
    url = f"/dashboard/person/{world.mentor.number}/?semester={worked.pk}"
    newcomer = StudentFactory(school_class=world.class_a)
    assert newcomer.user.name not in client.get(url).content.decode()
    mentor_assign(actor=None, student=newcomer, mentor=world.mentor, valid_from=date(2025, 9, 8))
    assert newcomer.user.name in client.get(url).content.decode()


def test_an_assignment_from_a_day_drops_the_semesters_from_that_day_on(world, worked, calendar):
    """A new mentor from a spring day changes nothing in fall: fall's tokens and its cached holdings stay."""
    from mentoring.selectors.compliance import compliance_inputs_versions, holdings_version

    fall, spring = calendar

    def tokens():
        return {
            s.pk: (
                compliance_inputs_versions(s, [world.college.pk])[world.college.pk],
                holdings_version([world.college.pk], s),
            )
            for s in (fall, spring)
        }

    before = tokens()
    mentor_assign(actor=None, student=world.students[3], mentor=world.mentor, valid_from=spring.start_date)
    after = tokens()
    assert after[fall.pk] == before[fall.pk]
    assert after[spring.pk][0] != before[spring.pk][0]
    assert after[spring.pk][1] != before[spring.pk][1]

    flag = flag_set(
        actor=world.college_admin, student=world.students[0], flag="academic_difficulty", valid_from=fall.start_date
    )
    again = tokens()
    assert again[fall.pk] != after[fall.pk]  # a flag from fall's first day reaches fall
    assert again[spring.pk] != after[spring.pk]

    from mentoring.services.flags import flag_end

    flag_end(actor=world.college_admin, flag=flag, valid_until=spring.start_date)
    ended = tokens()
    assert ended[fall.pk] == again[fall.pk]  # ended in spring: fall keeps its flag
    assert ended[spring.pk] != again[spring.pk]


# --- writes past the services: the admin site, and data changed outside the portal ---------------------------------


def test_a_staff_member_moved_in_the_admin_leaves_the_cached_college_at_once(world, worked, as_user):
    """The cache keeps numbers for a day; the admin site says what it changed (accounts' signal), so nothing waits."""

    def people(college) -> set[int]:
        return {p.person_id for p in college_dashboard(semester=worked, college=college, on=TODAY).people}

    assert world.mentor.pk in people(world.college)
    response = as_user(world.school_admin).post(
        f"/admin/accounts/staff/{world.mentor.pk}/change/",
        {"user": world.mentor.pk, "college": world.other_college.pk, "title": ""},
    )
    assert response.status_code == 302
    assert world.mentor.pk not in people(world.college)
    assert world.mentor.pk in people(world.other_college)


def test_an_assignment_added_in_the_admin_shows_on_the_cached_dashboard_at_once(world, worked, as_user):
    def short_students() -> set[int]:
        dashboard = college_dashboard(semester=worked, college=world.college, on=TODAY)
        return {u.unit_id for u in dashboard.students_short}

    new_student = world.students[3]
    assert new_student.pk not in short_students()
    response = as_user(world.school_admin).post(
        "/admin/mentoring/mentorassignment/add/",
        {"mentor": world.mentor.pk, "student": new_student.pk, "valid_from": "2025-09-08", "valid_until": ""},
    )
    assert response.status_code == 302
    assert new_student.pk in short_students()


def test_a_calendar_change_recomputes_its_semester_only(world, worked, calendar, engine_calls):
    """New weeks for spring (its dates or week kinds changed): spring is computed again, fall's numbers stay."""
    from mentoring.services.calendar import semester_generate_weeks

    fall, spring = calendar
    college_dashboard(semester=fall, college=world.college, on=TODAY)
    college_dashboard(semester=spring, college=world.college, on=TODAY)
    before = len(engine_calls)
    semester_generate_weeks(semester=spring)
    college_dashboard(semester=fall, college=world.college, on=TODAY)
    assert len(engine_calls) == before
    college_dashboard(semester=spring, college=world.college, on=TODAY)
    assert engine_calls[before:] == [spring.pk]


def test_dashboards_refresh_drops_every_cached_number(world, worked, engine_calls):
    from django.core.management import call_command

    college_dashboard(semester=worked, college=world.college, on=TODAY)
    college_dashboard(semester=worked, college=world.college, on=TODAY)
    cached = len(engine_calls)
    call_command("dashboards_refresh", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
    college_dashboard(semester=worked, college=world.college, on=TODAY)
    assert len(engine_calls) > cached


def test_the_nightly_warm_leaves_the_days_school_and_college_pages_to_the_cache(world, worked, calendar, engine_calls):
    """The semester under way on the day (spring, the latest begun) and its trend (fall), in both languages: the
    school page and a college's page of the day then ask the engine for nothing."""
    from django.utils import translation

    from mentoring.tasks import dashboards_warm_task

    _fall, spring = calendar
    assert dashboards_warm_task(today=TODAY.isoformat()) == str(spring)
    assert engine_calls  # it computed
    computed = len(engine_calls)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            school_dashboard_page(semester=spring, on=TODAY)
            college_dashboard_page(semester=spring, college=world.college, on=TODAY)
            college_dashboard_page(semester=spring, college=world.other_college, on=TODAY)
    assert len(engine_calls) == computed
    with translation.override("en"):  # a role the warm did not compute is computed on its first visit
        college_dashboard_page(semester=spring, college=world.college, on=TODAY, role=StaffRole.MENTOR)
    assert len(engine_calls) > computed


def test_the_warm_runs_nightly_and_after_a_refresh_on_request(world, worked, calendar, engine_calls):
    from django.conf import settings
    from django.core.management import call_command

    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-warm"]
    assert (entry["task"], entry["schedule"].hour, entry["schedule"].minute) == ("mentoring.dashboards_warm", {0}, {5})
    _fall, spring = calendar
    call_command("dashboards_refresh", "--warm", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
    computed = len(engine_calls)
    assert computed
    from django.utils import timezone

    school_dashboard_page(semester=spring, on=timezone.localdate())
    assert len(engine_calls) == computed


def test_a_write_that_drops_everything_sends_one_warm_after_it_commits(
    world, worked, calendar, warms_sent, django_capture_on_commit_callbacks
):
    """A quota rule saved or deleted (everything cached dropped): once the write commits, one warm task goes to a
    worker; a burst of writes sends one while it waits; the task's run lets the next write send another. With eager
    Celery (the embedded mode) nothing is sent: the task would run inside the writer's request."""
    from django.core.cache import cache

    from config.celery import app
    from mentoring import tasks
    from mentoring.models import QuotaRule
    from mentoring.services.policy import college_rule_delete

    sent = warms_sent
    base = QuotaRule.objects.get(requirement="R-03", college__isnull=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rule = college_rule_add(actor=world.college_admin, college=world.college, base=base, minimum=5)
    assert sent == []  # not before the commit
    for callback in callbacks:
        callback()
    assert sent == [{"countdown": tasks.REWARM_DELAY_SECONDS}]

    with django_capture_on_commit_callbacks(execute=True):
        college_rule_delete(actor=world.college_admin, rule=rule)
    assert len(sent) == 1  # the first one still waits

    tasks.dashboards_warm_task(today=TODAY.isoformat())  # a worker runs it
    with django_capture_on_commit_callbacks(execute=True):
        rule = college_rule_add(actor=world.college_admin, college=world.college, base=base, minimum=6)
    assert len(sent) == 2

    tasks.dashboards_warm_task(today=TODAY.isoformat())
    app.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        college_rule_delete(actor=world.college_admin, rule=rule)
    assert len(sent) == 2
    assert cache.get(tasks.REWARM_PENDING_KEY) is None


def test_the_warm_does_nothing_without_a_calendar(db):
    from mentoring.selectors.dashboards import dashboards_warm

    assert dashboards_warm(on=TODAY) is None


def test_a_closed_semesters_numbers_are_found_again_the_next_day_an_open_ones_are_not(
    world, worked, calendar, engine_calls
):
    """Fall 2025 has ended: its verdicts are the same on any later day. Spring 2026 seen during it: a new day can
    turn "under way" into "short", so it is computed again (its trend, fall, is found)."""
    from datetime import timedelta

    fall, spring = calendar
    college_dashboard(semester=fall, college=world.college, on=TODAY)
    calls = len(engine_calls)
    college_dashboard(semester=fall, college=world.college, on=TODAY + timedelta(days=1))
    assert len(engine_calls) == calls

    during = date(2026, 4, 1)
    college_dashboard(semester=spring, college=world.college, on=during)
    calls = len(engine_calls)
    college_dashboard(semester=spring, college=world.college, on=during + timedelta(days=1))
    assert engine_calls[calls:] == [spring.pk]


def test_cached_pieces_are_kept_as_long_as_the_setting_says(world, worked, settings, monkeypatch):
    from django.core.cache import cache

    seen = []
    real = cache.set_many

    def recording(data, timeout=None, **kwargs):
        seen.append(timeout)
        return real(data, timeout, **kwargs)

    monkeypatch.setattr(cache, "set_many", recording)
    settings.YUREN_COMPLIANCE_CACHE_SECONDS = 1234
    college_dashboard(semester=worked, college=world.college, on=TODAY)
    assert seen and set(seen) == {1234}


def test_a_quota_rule_change_reaches_the_drill_down_whose_rules_and_holdings_are_cached(world, worked):
    """The drill-down's rules, weeks and holdings come from the cache (`person_standing`); a rule change must still
    show in its next lines."""
    from mentoring.models import QuotaRule
    from mentoring.selectors.dashboards import person_standing

    def required() -> set[int]:
        report = person_standing(semester=worked, person=world.mentor, on=TODAY, college_id=world.college.pk)
        return {line.required for line in report.lines if line.rule.requirement == "R-03"}

    assert required() == required() == {4}
    base = QuotaRule.objects.get(requirement="R-03", college__isnull=True)
    college_rule_add(actor=world.college_admin, college=world.college, base=base, minimum=6)
    assert required() == {6}


def test_a_flag_reaches_the_cached_drill_down_from_its_own_day(world, worked):
    """The flags are read with the holdings and cached with them: a new flag shows in the mentor's R-04 lines at once,
    and whether a flag counts is decided by the day in view, not by the day its row was cached."""

    def flagged(on: date) -> list[int]:
        report = person_standing(semester=worked, person=world.mentor, on=on, college_id=world.college.pk)
        return [line.unit_id for line in report.lines if line.rule.requirement == "R-04"]

    assert flagged(TODAY) == flagged(TODAY) == []
    flag_set(
        actor=world.college_admin, student=world.students[0], flag="academic_difficulty", valid_from=date(2025, 10, 1)
    )
    assert flagged(TODAY) == [world.students[0].pk]
    assert flagged(date(2025, 9, 30)) == []  # the rows cached above, a day before the flag's own
    assert flagged(date(2025, 10, 1)) == [world.students[0].pk]


def test_the_weekly_chart_leaves_a_gap_for_the_week_under_way(world, worked):
    """On DURING (the Monday of fall's week 13) the counselor's week 13 is under way and not yet met: counted as
    under way, and the chart has no share for it — not a fall to 0 % — while an ended week short shows 0 % and a
    later week, not yet due, nothing. The school page sums the same counts."""
    from mentoring.views.dashboards import _chart_data

    for page in (
        college_dashboard_page(semester=worked, college=world.college, on=DURING),
        school_dashboard_page(semester=worked, on=DURING),
    ):
        counts = dict(zip(page.weeks, page.weekly, strict=True))
        shares = dict(zip(page.weeks, _chart_data(page)["weeks"]["share"], strict=True))
        assert counts[13] == (0, 1, 1)
        assert shares[13] is None
        assert (counts[12], shares[12]) == ((0, 1, 0), 0.0)  # ended, short
        assert (counts[14], shares[14]) == ((0, 0, 0), None)  # not yet due
