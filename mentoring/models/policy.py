"""The policy as data: PolicyVersion → QuotaRule (POLICY.md "All rules above are data").

A semester is judged by the version in force on its first day, so a version replaced mid-year leaves the
semester already under way, and every past year, under the rules they started with.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import College


class StaffRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    ADVISOR = "advisor", _("Class advisor")
    COUNSELOR = "counselor", _("Counselor")


class PolicyVersion(models.Model):
    code = models.CharField(_("document number"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=255)
    effective_from = models.DateField(_("in force from"), unique=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return self.code


class Period(models.TextChoices):
    WEEK = "week", _("per teaching week")
    MONTH = "month", _("per month")
    SEMESTER = "semester", _("per semester")


class Scope(models.TextChoices):
    PER_STUDENT = "student", _("each assigned student")
    PER_FLAGGED_STUDENT = "flagged_student", _("each flagged student")
    PER_CLASS = "class", _("each class")
    PER_STAFF = "staff", _("the staff member")
    PER_COUNTERPART = "counterpart", _("each counterpart")


class QuotaRule(models.Model):
    """At least `minimum` records of `kinds`, per `period`, for each unit of `scope`, for holders of `role`.

    `college` NULL is the school-wide rule; a college rule for the same requirement, role, scope and period
    replaces it for that college's students and classes, and may only be stricter (R-21).
    """

    policy = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="rules")
    requirement = models.CharField(_("requirement id"), max_length=8, help_text=_("POLICY.md id, e.g. R-03"))
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    kinds = models.JSONField(_("record kinds counted"), default=list)
    minimum = models.PositiveSmallIntegerField(_("minimum"))
    period = models.CharField(_("period"), max_length=16, choices=Period.choices)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    flag_types = models.JSONField(_("student flags (flagged scope)"), default=list, blank=True)
    counterpart_role = models.CharField(_("counterpart role"), max_length=16, choices=StaffRole.choices, blank=True)
    college = models.ForeignKey(
        College, on_delete=models.CASCADE, null=True, blank=True, related_name="quota_rules", verbose_name=_("college")
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=128)
    title_en = models.CharField(_("title (English)"), max_length=128)

    class Meta:
        ordering = ["policy", "requirement", "college"]
        verbose_name = _("quota rule")
        verbose_name_plural = _("quota rules")
        constraints = [
            models.CheckConstraint(condition=Q(minimum__gte=1), name="quota_rule_minimum_positive"),
            models.UniqueConstraint(
                fields=["policy", "requirement", "role", "scope", "period", "counterpart_role", "college"],
                name="quota_rule_unique",
            ),
            models.UniqueConstraint(
                fields=["policy", "requirement", "role", "scope", "period", "counterpart_role"],
                condition=Q(college__isnull=True),
                name="quota_rule_unique_school",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} {self.title_en} ≥{self.minimum} {self.period}" + (
            f" ({self.college.code})" if self.college_id else ""
        )

    @property
    def key(self) -> tuple:
        """What a college rule must share with the school rule it tightens."""
        return (self.requirement, self.role, self.scope, self.period, self.counterpart_role)
