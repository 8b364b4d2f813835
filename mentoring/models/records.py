"""Records of work with students (POLICY.md R-01 … R-18), their attendance rows, flags and sensitive reads.

The attendance rows carry copies of what the compliance engine groups by (semester, kind, author, student,
week, day) so that counting is an index-only scan; `mentoring.services.records` keeps them right.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SchoolClass, Student
from mentoring.models.calendar import Semester
from mentoring.models.policy import StaffRole


class Kind(models.TextChoices):
    """Every duty of POLICY.md that is recorded; KIND_INFO gives each one its role and requirement."""

    MENTOR_TALK = "mentor_talk", _("Talk with students (mentor)")
    STUDY_PLAN = "study_plan", _("Study plan for a student in academic difficulty")
    STUDY_FOLLOWUP = "study_followup", _("Study plan follow-up")
    EXCHANGE = "exchange", _("In-depth exchange with a colleague about students")
    LEARNING_TEAM = "learning_team", _("Learning team meeting")
    CLASS_CHECKIN = "class_checkin", _("Check-in with class committee and dorm heads")
    CLASS_MEETING = "class_meeting", _("Class meeting on study")
    CARE = "care", _("Care for a flagged student")
    THEME_ACTIVITY = "theme_activity", _("Theme education activity")
    PARENT_CONTACT = "parent_contact", _("Parent contact")
    SELECTION_WORK = "selection_work", _("Cadre selection, scholarship or discipline case")
    PARTY_TALK = "party_talk", _("Talk with party activists and members")
    THEME_CLASS_MEETING = "theme_class_meeting", _("Theme class or league meeting")
    DORM_VISIT = "dorm_visit", _("Dormitory visit")
    CLASS_SITIN = "class_sitin", _("Class sit-in")
    ONLINE_WORK = "online_work", _("Online ideological work")
    CRISIS_CASE = "crisis_case", _("Crisis case")
    STUDENT_SERVICE = "student_service", _("Scholarships, aid, practice, volunteering")


class Mode(models.TextChoices):
    ONE_TO_ONE = "one", _("One-to-one")
    GROUP = "group", _("Group (one-to-many)")
    CLASS = "class", _("Class event")
    COLLEAGUE = "colleague", _("With a colleague")
    NONE = "none", _("No students")


class Topic(models.TextChoices):
    """The four duty areas of a mentor (R-01)."""

    ACADEMIC = "academic", _("Academic development")
    PLANNING = "planning", _("Development planning")
    RESEARCH = "research", _("Research guidance")
    WELLBEING = "wellbeing", _("Ideological and wellbeing")


class Interaction(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interactions")
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    day = models.DateField(_("date"))
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="interactions")
    week = models.PositiveSmallIntegerField(_("teaching week"), null=True, blank=True)
    mode = models.CharField(_("form"), max_length=16, choices=Mode.choices)
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, null=True, blank=True, related_name="interactions"
    )
    counterpart = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    topics = models.JSONField(_("topics"), default=list, blank=True)
    place = models.CharField(_("place"), max_length=128, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    late = models.BooleanField(_("entered late"), default=False)
    student_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("record")
        verbose_name_plural = _("records")
        indexes = [
            # The day too, so the monthly counts (R-06, by month of the day) are read from the index alone, as the
            # per-class ones are: without it PostgreSQL read the semester's 98,000 rows to keep 5,000 (30 ms).
            models.Index(fields=["semester", "kind", "author", "school_class", "day"], name="interaction_class_count"),
            models.Index(fields=["semester", "kind", "author", "week"], name="interaction_week_count"),
            models.Index(fields=["semester", "kind", "author", "counterpart"], name="interaction_pair_count"),
            models.Index(fields=["author", "-day"], name="interaction_author_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="crisis_case") | Q(sensitive=True), name="interaction_crisis_is_sensitive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day} ({self.author})"


class Attendance(models.Model):
    """One student at one record: a group talk with ten students is ten rows and counts once for each (R-03)."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attendance")
    # Copies of the record's fields, for the engine's covering index.
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, db_index=False, related_name="+")
    kind = models.CharField(max_length=32)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, db_index=False, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["interaction", "student"], name="attendance_once"),
        ]
        indexes = [
            models.Index(fields=["semester", "kind", "author", "student"], name="attendance_engine"),
            models.Index(fields=["student", "-day"], name="attendance_student_day"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} @ {self.interaction_id}"


class FlagType(models.TextChoices):
    ACADEMIC_DIFFICULTY = "academic_difficulty", _("Academic difficulty")
    ACADEMIC_WARNING = "academic_warning", _("Academic warning")
    DEMOTED = "demoted", _("Demoted")
    PSYCH_CRISIS = "psych_crisis", _("Psychological crisis")
    OUTSTANDING = "outstanding", _("Outstanding (six-year track)")
    PARTY_ACTIVIST = "party_activist", _("Party activist")


SENSITIVE_FLAGS = (FlagType.PSYCH_CRISIS,)


class StudentFlag(models.Model):
    """A dated fact about a student, set by a counselor or college admin; crisis flags are sensitive."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="flags")
    flag = models.CharField(_("flag"), max_length=32, choices=FlagType.choices)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("student flag")
        verbose_name_plural = _("student flags")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")), name="flag_dates"
            ),
        ]
        indexes = [models.Index(fields=["flag", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.get_flag_display()}"


class SensitiveRead(models.Model):
    """Every read of a sensitive record: who, when, which (DESIGN "Rules that keep records honest")."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="reads")
    at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=16, default="page")

    class Meta:
        ordering = ["-at"]
        verbose_name = _("sensitive record read")
        verbose_name_plural = _("sensitive record reads")

    def __str__(self) -> str:
        return f"{self.reader_id} read {self.interaction_id} at {self.at:%Y-%m-%d %H:%M}"
