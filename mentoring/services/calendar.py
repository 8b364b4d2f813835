"""Maintaining the academic calendar."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_school_admin
from accounts.services import audit_record
from mentoring.models import AcademicYear, Interaction, Semester, TeachingWeek, WeekKind
from mentoring.selectors.calendar import monday_of
from mentoring.selectors.compliance import compliance_inputs_changed


def _check_actor(actor: User | None) -> None:
    if actor is not None and not is_school_admin(actor):
        raise PermissionDenied(_("Only school admins maintain the calendar."))


def semester_validate(*, start_date: date, end_date: date, exclude_pk: int | None = None) -> None:
    if end_date <= start_date:
        raise ValidationError({"end_date": _("The last day must be after the first day.")})
    overlapping = Semester.objects.filter(start_date__lte=end_date, end_date__gte=start_date)
    if exclude_pk:
        overlapping = overlapping.exclude(pk=exclude_pk)
    if overlapping.exists():
        raise ValidationError({"start_date": _("This semester overlaps %(other)s.") % {"other": overlapping.first()}})
    shared = TeachingWeek.objects.filter(monday__gte=monday_of(start_date), monday__lte=end_date)
    if exclude_pk:
        shared = shared.exclude(semester_id=exclude_pk)
    if shared.exists():
        raise ValidationError(
            {"start_date": _("Two semesters may not share a week: start this one on the Monday after the last one.")}
        )


@transaction.atomic
def semester_generate_weeks(*, semester: Semester) -> list[TeachingWeek]:
    """Create the Monday-to-Sunday weeks that cover the semester, keeping the kind of weeks already set."""
    mondays = []
    monday = monday_of(semester.start_date)
    while monday <= semester.end_date:
        mondays.append(monday)
        monday += timedelta(days=7)
    kinds = dict(semester.weeks.values_list("monday", "kind"))
    semester.weeks.all().delete()
    weeks = [
        TeachingWeek(semester=semester, monday=monday, number=number, kind=kinds.get(monday, WeekKind.TEACHING))
        for number, monday in enumerate(mondays, start=1)
    ]
    TeachingWeek.objects.bulk_create(weeks)
    # The weeks are read by this semester's lines only: the numbers cached of the semesters before it stay (a trend
    # is not computed again for a change of the semester under way).
    compliance_inputs_changed(semester_ids=[semester.pk])
    # Records carry their week number for fast grouping; keep it right when the dates move.
    for week in weeks:
        Interaction.objects.filter(
            semester=semester, day__gte=week.monday, day__lte=week.monday + timedelta(days=6)
        ).exclude(week=week.number).update(week=week.number)
    return weeks


@transaction.atomic
def semester_create(
    *,
    actor: User | None,
    start_year: int,
    term: int,
    start_date: date,
    end_date: date,
    holiday_weeks: tuple[int, ...] = (),
    exam_weeks: tuple[int, ...] = (),
) -> Semester:
    _check_actor(actor)
    semester_validate(start_date=start_date, end_date=end_date)
    year, _created = AcademicYear.objects.get_or_create(start_year=start_year)
    if Semester.objects.filter(academic_year=year, term=term).exists():
        raise ValidationError({"term": _("This academic year already has that semester.")})
    semester = Semester.objects.create(academic_year=year, term=term, start_date=start_date, end_date=end_date)
    semester_generate_weeks(semester=semester)
    semester.weeks.filter(number__in=holiday_weeks).update(kind=WeekKind.HOLIDAY)
    semester.weeks.filter(number__in=exam_weeks).update(kind=WeekKind.EXAM)
    compliance_inputs_changed(semester_ids=[semester.pk])
    audit_record(
        actor=actor,
        action="semester.create",
        target=semester,
        data={"start": start_date.isoformat(), "end": end_date.isoformat(), "holiday_weeks": list(holiday_weeks)},
    )
    return semester
