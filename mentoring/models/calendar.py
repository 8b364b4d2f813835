"""The academic calendar: AcademicYear → Semester → TeachingWeek (Monday–Sunday).

Weekly quotas (R-14, R-15) apply only to weeks whose kind is TEACHING; holiday and exam weeks carry none.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AcademicYear(models.Model):
    start_year = models.PositiveSmallIntegerField(_("first calendar year"), unique=True)

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")

    def __str__(self) -> str:
        return f"{self.start_year}–{self.start_year + 1}"

    @property
    def code(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"


class Semester(models.Model):
    class Term(models.IntegerChoices):
        FALL = 1, _("Fall semester")
        SPRING = 2, _("Spring semester")

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="semesters")
    term = models.PositiveSmallIntegerField(_("term"), choices=Term.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "term"], name="semester_unique_term"),
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="semester_ends_after_start"),
        ]

    def __str__(self) -> str:
        # The term's label from its enum: get_term_display() hashes every lazy label of the choices again, and the
        # semester filters print a dozen semesters on every dashboard page.
        term = self.Term(self.term).label if self.term in self.Term.values else self.term
        return f"{self.academic_year} {term}"

    @property
    def code(self) -> str:
        return f"{self.academic_year.code}-{self.term}"


class WeekKind(models.TextChoices):
    TEACHING = "teaching", _("Teaching week")
    HOLIDAY = "holiday", _("Holiday")
    EXAM = "exam", _("Exam week")


class TeachingWeek(models.Model):
    """Week `number` of a semester, Monday to Sunday. Week 1 holds the semester's first day."""

    semester = models.ForeignKey(Semester, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveSmallIntegerField(_("week"))
    monday = models.DateField(_("Monday"))
    kind = models.CharField(_("kind"), max_length=16, choices=WeekKind.choices, default=WeekKind.TEACHING)

    class Meta:
        ordering = ["semester", "number"]
        verbose_name = _("week")
        verbose_name_plural = _("weeks")
        constraints = [
            models.UniqueConstraint(fields=["semester", "number"], name="week_unique_number"),
            models.UniqueConstraint(fields=["monday"], name="week_unique_monday"),
        ]

    def __str__(self) -> str:
        return f"{self.semester} W{self.number}"

    @property
    def carries_quota(self) -> bool:
        return self.kind == WeekKind.TEACHING
