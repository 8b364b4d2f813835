"""Who is responsible for whom, with validity dates so that history is kept.

`valid_until` is inclusive; NULL means "still valid". A change of mentor closes the old row the day before the
new one starts (see `mentoring.services.assignments`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import SchoolClass, Student


class AssignmentQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)

    def overlapping(self, start, end):
        """Rows valid on at least one day of [start, end]."""
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start), valid_from__lte=end)


class Assignment(models.Model):
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        abstract = True


class MentorAssignment(Assignment):
    """本科生导师 ↔ student (二.一)."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentor_assignments", verbose_name=_("mentor")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="mentor_assignments", verbose_name=_("student")
    )

    class Meta:
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="mentor_assignment_dates",
            ),
            models.UniqueConstraint(
                fields=["student"], condition=Q(valid_until__isnull=True), name="mentor_assignment_one_open"
            ),
        ]
        indexes = [models.Index(fields=["mentor", "valid_from"]), models.Index(fields=["student", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.student}"


class AdvisorAssignment(Assignment):
    """班主任 ↔ class (二.二)."""

    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="advisor_assignments",
        verbose_name=_("class advisor"),
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="advisor_assignments", verbose_name=_("class")
    )

    class Meta:
        verbose_name = _("class advisor assignment")
        verbose_name_plural = _("class advisor assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="advisor_assignment_dates",
            ),
            models.UniqueConstraint(
                fields=["school_class"], condition=Q(valid_until__isnull=True), name="advisor_assignment_one_open"
            ),
        ]
        indexes = [models.Index(fields=["advisor", "valid_from"]), models.Index(fields=["school_class", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.advisor} → {self.school_class}"


class CounselorAssignment(Assignment):
    """辅导员 ↔ class (二.三)."""

    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="counselor_assignments",
        verbose_name=_("counselor"),
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="counselor_assignments", verbose_name=_("class")
    )

    class Meta:
        verbose_name = _("counselor assignment")
        verbose_name_plural = _("counselor assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="counselor_assignment_dates",
            ),
            models.UniqueConstraint(
                fields=["school_class"], condition=Q(valid_until__isnull=True), name="counselor_assignment_one_open"
            ),
        ]
        indexes = [
            models.Index(fields=["counselor", "valid_from"]),
            models.Index(fields=["school_class", "valid_from"]),
        ]

    def __str__(self) -> str:
        return f"{self.counselor} → {self.school_class}"
