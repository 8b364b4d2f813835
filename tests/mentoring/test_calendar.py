"""The academic calendar: which semester and teaching week a day is in, and how semesters are made.

The `calendar` fixture is academic year 2025–2026: fall 2025-09-08 (Mon) … 2026-01-18 (Sun) with week 4 a
holiday (National Day) and weeks 18–19 exams; spring 2026-03-02 (Mon) … 2026-07-12 (Sun) with exams 18–19.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from mentoring.models import Semester, TeachingWeek, WeekKind
from mentoring.selectors.calendar import calendar_locate, monday_of, semester_current
from mentoring.services.calendar import semester_create, semester_generate_weeks


def _where(day: date) -> tuple[str, int | None, bool] | None:
    position = calendar_locate(day)
    if position is None:
        return None
    return position.semester.code, position.week_number, position.carries_weekly_quota


def test_monday_of_a_sunday_is_the_monday_before():
    assert monday_of(date(2025, 9, 14)) == date(2025, 9, 8)


def test_monday_of_a_monday_is_itself():
    assert monday_of(date(2025, 9, 15)) == date(2025, 9, 15)


def test_calendar_locate_first_day_of_semester_is_week_1(calendar, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert _where(date(2025, 9, 8)) == ("2025-2026-1", 1, True)


def test_calendar_locate_last_day_of_semester_is_in_the_last_week(calendar):
    # 2026-01-18 is a Sunday, the last day of week 19 (an exam week).
    assert _where(date(2026, 1, 18)) == ("2025-2026-1", 19, False)


def test_calendar_locate_day_after_last_day_is_outside(calendar):
    assert calendar_locate(date(2026, 1, 19)) is None


def test_calendar_locate_day_before_first_day_is_outside(calendar):
    assert calendar_locate(date(2025, 9, 7)) is None


def test_calendar_locate_sunday_to_monday_moves_to_the_next_week(calendar):
    assert _where(date(2025, 9, 14)) == ("2025-2026-1", 1, True)
    assert _where(date(2025, 9, 15)) == ("2025-2026-1", 2, True)


def test_calendar_locate_holiday_week_is_found_without_weekly_quota(calendar):
    position = calendar_locate(date(2025, 10, 1))
    assert (position.week_number, position.week.kind, position.carries_weekly_quota) == (4, WeekKind.HOLIDAY, False)


def test_calendar_locate_exam_week_carries_no_weekly_quota(calendar):
    position = calendar_locate(date(2026, 1, 7))
    assert (position.week_number, position.week.kind, position.carries_weekly_quota) == (18, WeekKind.EXAM, False)


def test_calendar_locate_week_after_holiday_carries_quota_again(calendar):
    assert _where(date(2025, 10, 6)) == ("2025-2026-1", 5, True)


def test_calendar_locate_between_semesters_is_none(calendar):
    assert calendar_locate(date(2026, 2, 15)) is None


def test_calendar_locate_second_semester_restarts_week_numbers(calendar):
    assert _where(date(2026, 3, 2)) == ("2025-2026-2", 1, True)


def test_calendar_locate_semester_starting_mid_week_puts_first_day_in_week_1(db):
    semester_create(actor=None, start_year=2026, term=1, start_date=date(2026, 9, 9), end_date=date(2027, 1, 17))
    assert calendar_locate(date(2026, 9, 8)) is None
    assert _where(date(2026, 9, 9)) == ("2026-2027-1", 1, True)
    assert _where(date(2026, 9, 13)) == ("2026-2027-1", 1, True)
    assert _where(date(2026, 9, 14)) == ("2026-2027-1", 2, True)


def test_semester_create_generates_monday_weeks_covering_the_semester(calendar):
    fall, _spring = calendar
    weeks = list(fall.weeks.order_by("number"))
    assert (len(weeks), weeks[0].monday, weeks[-1].monday) == (19, date(2025, 9, 8), date(2026, 1, 12))
    assert {w.monday.weekday() for w in weeks} == {0}


def test_semester_create_marks_holiday_and_exam_weeks(calendar):
    fall, _spring = calendar
    marked = list(fall.weeks.exclude(kind=WeekKind.TEACHING).order_by("number").values_list("number", "kind"))
    assert marked == [(4, WeekKind.HOLIDAY), (18, WeekKind.EXAM), (19, WeekKind.EXAM)]


def test_semester_create_refuses_overlapping_semester(calendar):
    with pytest.raises(ValidationError) as error:
        semester_create(actor=None, start_year=2026, term=1, start_date=date(2026, 7, 6), end_date=date(2026, 12, 31))
    assert list(error.value.message_dict) == ["start_date"]
    assert Semester.objects.count() == 2


def test_semester_create_refuses_semester_inside_another(calendar):
    with pytest.raises(ValidationError) as error:
        semester_create(actor=None, start_year=2026, term=1, start_date=date(2025, 10, 6), end_date=date(2025, 11, 30))
    assert list(error.value.message_dict) == ["start_date"]


def test_semester_create_refuses_end_before_start(db):
    with pytest.raises(ValidationError) as error:
        semester_create(actor=None, start_year=2030, term=1, start_date=date(2030, 9, 2), end_date=date(2030, 9, 1))
    assert list(error.value.message_dict) == ["end_date"]
    assert (Semester.objects.count(), TeachingWeek.objects.count()) == (0, 0)


def test_semester_create_refuses_end_on_start(db):
    with pytest.raises(ValidationError) as error:
        semester_create(actor=None, start_year=2030, term=1, start_date=date(2030, 9, 2), end_date=date(2030, 9, 2))
    assert list(error.value.message_dict) == ["end_date"]


def test_semester_create_refuses_a_week_shared_with_the_previous_semester(db):
    semester_create(actor=None, start_year=2030, term=1, start_date=date(2030, 9, 2), end_date=date(2031, 1, 15))
    with pytest.raises(ValidationError) as error:
        # 2031-01-15 is a Wednesday: a semester starting the next day would share its week.
        semester_create(actor=None, start_year=2030, term=2, start_date=date(2031, 1, 16), end_date=date(2031, 6, 30))
    assert list(error.value.message_dict) == ["start_date"]
    assert Semester.objects.count() == 1


def test_semester_create_refuses_second_semester_of_same_term(calendar):
    with pytest.raises(ValidationError) as error:
        semester_create(actor=None, start_year=2025, term=1, start_date=date(2026, 8, 3), end_date=date(2026, 8, 30))
    assert list(error.value.message_dict) == ["term"]
    assert Semester.objects.count() == 2


def test_semester_create_refuses_non_admin_actor(world):
    with pytest.raises(PermissionDenied):
        semester_create(
            actor=world.college_admin, start_year=2030, term=1, start_date=date(2030, 9, 2), end_date=date(2031, 1, 12)
        )
    assert Semester.objects.count() == 0


def test_semester_create_by_school_admin_is_audited(world):
    semester = semester_create(
        actor=world.school_admin, start_year=2030, term=1, start_date=date(2030, 9, 2), end_date=date(2031, 1, 12)
    )
    entry = AuditEntry.objects.get(action="semester.create")
    assert (entry.actor, entry.target_id) == (world.school_admin, str(semester.pk))


def _non_teaching(semester: Semester) -> list[tuple[int, date, str]]:
    return list(
        semester.weeks.exclude(kind=WeekKind.TEACHING).order_by("number").values_list("number", "monday", "kind")
    )


def test_semester_generate_weeks_keeps_kinds_when_semester_grows(calendar):
    fall, _spring = calendar
    fall.end_date = date(2026, 1, 25)
    fall.save()
    semester_generate_weeks(semester=fall)
    assert fall.weeks.count() == 20
    assert _non_teaching(fall) == [
        (4, date(2025, 9, 29), WeekKind.HOLIDAY),
        (18, date(2026, 1, 5), WeekKind.EXAM),
        (19, date(2026, 1, 12), WeekKind.EXAM),
    ]
    assert _where(date(2026, 1, 25)) == ("2025-2026-1", 20, True)


def test_semester_generate_weeks_keeps_kinds_on_their_dates_when_start_moves(calendar):
    fall, _spring = calendar
    fall.start_date = date(2025, 9, 1)
    fall.save()
    semester_generate_weeks(semester=fall)
    # The holiday is a calendar week (National Day), so it stays on its Monday and its number shifts.
    assert _non_teaching(fall) == [
        (5, date(2025, 9, 29), WeekKind.HOLIDAY),
        (19, date(2026, 1, 5), WeekKind.EXAM),
        (20, date(2026, 1, 12), WeekKind.EXAM),
    ]
    assert _where(date(2025, 9, 1)) == ("2025-2026-1", 1, True)


def test_semester_generate_weeks_drops_weeks_past_a_shortened_end(calendar):
    fall, _spring = calendar
    fall.end_date = date(2026, 1, 11)
    fall.save()
    semester_generate_weeks(semester=fall)
    assert (fall.weeks.count(), _non_teaching(fall)[-1]) == (18, (18, date(2026, 1, 5), WeekKind.EXAM))
    assert calendar_locate(date(2026, 1, 12)) is None


def test_semester_current_is_the_semester_holding_today(calendar):
    fall, spring = calendar
    assert semester_current(date(2025, 11, 3)) == fall
    assert semester_current(date(2026, 7, 12)) == spring


def test_semester_current_between_semesters_is_the_last_started(calendar):
    fall, _spring = calendar
    assert semester_current(date(2026, 2, 15)) == fall


def test_semester_current_after_all_semesters_is_the_latest(calendar):
    _fall, spring = calendar
    assert semester_current(date(2027, 1, 1)) == spring


def test_semester_current_before_all_semesters_is_the_first(calendar):
    fall, _spring = calendar
    assert semester_current(date(2024, 1, 1)) == fall


def test_semester_current_without_semesters_is_none(db):
    assert semester_current(date(2026, 1, 1)) is None


def test_moving_a_semesters_first_day_renumbers_the_weeks_stored_on_records(world, calendar):
    from mentoring.models import Kind, Mode, StaffRole
    from mentoring.services.calendar import semester_generate_weeks
    from mentoring.services.records import RecordInput, interaction_log

    fall, _spring = calendar
    data = RecordInput(role=StaffRole.COUNSELOR, kind=Kind.DORM_VISIT, day=date(2025, 10, 15), mode=Mode.NONE)
    record = interaction_log(actor=world.counselor, data=data, today=date(2025, 10, 16))
    assert record.week == 6

    fall.start_date = date(2025, 9, 1)
    fall.save()
    semester_generate_weeks(semester=fall)

    record.refresh_from_db()
    assert record.week == 7
