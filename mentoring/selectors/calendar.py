"""Which semester and teaching week a date is in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mentoring.models import Semester, TeachingWeek


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


def semester_current(today: date) -> Semester | None:
    """The semester holding today, else the latest one that has started, else the first one."""
    qs = Semester.objects.select_related("academic_year")
    return (
        qs.filter(start_date__lte=today, end_date__gte=today).first()
        or qs.filter(start_date__lte=today).order_by("-start_date").first()
        or qs.order_by("start_date").first()
    )
