"""Reads of cycles: the current one, the year the portal proposes, whether a day is frozen."""

from __future__ import annotations

from datetime import date

from django.http import Http404

from evaluation.models import Cycle
from mentoring.models import AcademicYear, Semester
from mentoring.selectors.compliance import INPUTS_VERSION_KEY, kept, semesters_newest_first


def cycle_current() -> Cycle | None:
    """The cycle of the latest judged year (one query)."""
    return Cycle.objects.select_related("academic_year").order_by("-academic_year__start_year").first()


# The current cycle as every home page reads it (`cycle_current_kept`): a save or delete of a cycle or an academic
# year changes its token (`evaluation.signals`).
CYCLES_VERSION_KEY = f"{INPUTS_VERSION_KEY}:evaluation-cycles"


def cycle_current_kept() -> Cycle | None:
    """`cycle_current`, from the cache while no cycle has changed (`kept`: one cache call, or one query)."""
    return kept("evaluation:current-cycle", CYCLES_VERSION_KEY, cycle_current)


def cycle_get(*, year: int) -> Cycle:
    """The cycle of the academic year that starts in `year`; 404 when there is none."""
    cycle = Cycle.objects.select_related("academic_year").filter(academic_year__start_year=year).first()
    if cycle is None:
        raise Http404
    return cycle


def year_proposed(today: date) -> AcademicYear | None:
    """R-24: in the fall, the previous academic year; otherwise the latest year that has ended without a cycle."""
    fall = Semester.objects.filter(term=Semester.Term.FALL, start_date__lte=today, end_date__gte=today).first()
    if fall is not None:
        return AcademicYear.objects.filter(start_year=fall.academic_year.start_year - 1).first()
    ended = (
        AcademicYear.objects.filter(evaluation_cycle__isnull=True, semesters__term=Semester.Term.SPRING)
        .filter(semesters__end_date__lt=today)
        .order_by("-start_year")
    )
    return ended.first()


def judged_year_ids() -> frozenset[int]:
    """The academic years that have an evaluation cycle (`kept`: one cache call, or one query; a cycle's save or
    delete changes its token, `evaluation.signals`)."""
    return kept(
        "evaluation:judged-years",
        CYCLES_VERSION_KEY,
        lambda: frozenset(Cycle.objects.values_list("academic_year_id", flat=True)),
    )


def frozen_message(day: date) -> str | None:
    """The hook for `mentoring.services.records.record_freeze_checks`: a refusal when the day's year is judged.
    Read from what is kept (the semester list, the judged years): every record's save asks, and both change a few
    times a year."""
    from django.utils.translation import gettext as _

    judged = judged_year_ids()
    if not judged:
        return None
    semester = next((s for s in semesters_newest_first() if s.start_date <= day <= s.end_date), None)
    if semester is None or semester.academic_year_id not in judged:
        return None
    return _(
        "Records of %(year)s are frozen: the annual evaluation of that year has opened, so they can no longer be "
        "added, changed or deleted."
    ) % {"year": semester.academic_year}
