"""Oversight: supervision findings (R-28), steering group meetings (R-20) and export jobs of the dashboards.

A finding moves open → fixed (the college states its fix) → closed (the school office checks it); the school
office may send a fixed finding back to open. It is overdue while it is open after its deadline.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import College
from mentoring.models.calendar import Semester


class FindingState(models.TextChoices):
    OPEN = "open", pgettext_lazy("supervision finding", "Open")  # not the verb "Open" (a notification's button)
    FIXED = "fixed", _("Fixed, awaiting check")
    CLOSED = "closed", _("Closed")


class SupervisionFinding(models.Model):
    """A problem the school found when inspecting a college (督导督查, R-28): fix, owner, deadline."""

    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="findings", verbose_name=_("college"))
    problem = models.TextField(_("problem found"))
    owner = models.CharField(_("owner (person or office responsible)"), max_length=64)
    found_on = models.DateField(_("found on"))
    deadline = models.DateField(_("deadline"))
    fix = models.TextField(_("fix"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=FindingState.choices, default=FindingState.OPEN)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("supervision finding")
        verbose_name_plural = _("supervision findings")
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=models.F("found_on")), name="finding_deadline_after"),
            models.CheckConstraint(condition=Q(state="open") | ~Q(fix=""), name="finding_fixed_has_fix"),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_on__isnull=False), name="finding_closed_has_date"
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.college} · {self.problem[:40]}"

    def is_overdue(self, today: date) -> bool:
        return self.state == FindingState.OPEN and self.deadline < today


class SteeringMeeting(models.Model):
    """A meeting of the school's steering group (协同育人工作领导小组), at least one a semester (R-20)."""

    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="steering_meetings")
    date = models.DateField(_("date"))
    minutes = models.TextField(_("minutes"))
    attendees = models.TextField(_("attendees"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("steering group meeting")
        verbose_name_plural = _("steering group meetings")

    def __str__(self) -> str:
        return f"{self.date} {self.semester}"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A dashboard export built in the background; its page polls `progress` and links the file when done."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=16)  # "school" or "college"
    college = models.ForeignKey(College, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    semester = models.ForeignKey(Semester, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=16, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.scope}, {self.state})"
