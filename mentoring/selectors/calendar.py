"""Which semester and teaching week a date is in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mentoring.models import Semester, TeachingWeek
from mentoring.selectors.compliance import semesters_newest_first


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class CalendarPosition:
    semester: Semester
    week: TeachingWeek | None

    @property
    def week_number(self) -> int | None:
        return self.week.number if self.week else None

    @property
    def carries_weekly_quota(self) -> bool:
        return bool(self.week and self.week.carries_quota)


def calendar_locate(day: date) -> CalendarPosition | None:
    """The semester and week holding `day`, or None between semesters. One query."""
    week = (
        TeachingWeek.objects.select_related("semester__academic_year")
        .filter(monday=monday_of(day), semester__start_date__lte=day, semester__end_date__gte=day)
        .first()
    )
    if week is not None:
        return CalendarPosition(semester=week.semester, week=week)
    semester = Semester.objects.select_related("academic_year").filter(start_date__lte=day, end_date__gte=day).first()
    return CalendarPosition(semester=semester, week=None) if semester else None


def semester_of_day(semesters: list[Semester], today: date) -> Semester | None:
    """Of `semesters` (newest first), the one holding today, else the latest one that has started, else the first."""
    return (
        next((s for s in semesters if s.start_date <= today <= s.end_date), None)
        or next((s for s in semesters if s.start_date <= today), None)
        or (semesters[-1] if semesters else None)
    )


def semester_current(today: date) -> Semester | None:
    """The semester holding today, else the latest one that has started, else the first one (from the kept list)."""
    return semester_of_day(semesters_newest_first(), today)
