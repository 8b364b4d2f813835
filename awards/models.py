"""Awards of one evaluation cycle (R-23, R-26, R-27): categories and caps, the proposal, publicity, objections.

A cycle's awards move prepared → proposed → publicity → finalised (`AwardState`); every move is one service of
`awards.services` that locks the cycle's `AwardSlate` row. Money is `Decimal` yuan, two decimals, everywhere.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import College
from evaluation.models import Candidate, Cycle
from mentoring.models import AcademicYear, StaffRole

MONEY = {"max_digits": 12, "decimal_places": 2}


class Scope(models.TextChoices):
    SCHOOL = "school", _("School-wide")
    COLLEGE = "college", _("Per college")


class AwardState(models.TextChoices):
    PREPARED = "prepared", _("Categories ready")
    PROPOSED = "proposed", _("Proposal made")
    PUBLICITY = "publicity", _("In publicity")
    FINALISED = "finalised", _("Final")


class AwardSlate(models.Model):
    """The award list of one cycle and where it stands; the row every state change locks."""

    cycle = models.OneToOneField(Cycle, on_delete=models.PROTECT, related_name="award_slate")
    state = models.CharField(_("state"), max_length=16, choices=AwardState.choices, default=AwardState.PREPARED)
    policy_code = models.CharField(_("policy"), max_length=64)
    selected_at = models.DateTimeField(_("selection run"), null=True, blank=True)
    publicity_from = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_until = models.DateField(_("publicity until"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("award list")
        verbose_name_plural = _("award lists")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["publicity", "finalised"])
                | (Q(publicity_from__isnull=False) & Q(publicity_until__gte=models.F("publicity_from"))),
                name="slate_published_has_window",
            ),
            models.CheckConstraint(
                condition=~Q(state="finalised") | Q(finalised_at__isnull=False), name="slate_final_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.get_state_display()}"

    @property
    def is_final(self) -> bool:
        return self.state == AwardState.FINALISED

    @property
    def is_public(self) -> bool:
        return self.state in (AwardState.PUBLICITY, AwardState.FINALISED)


class AwardCategory(models.Model):
    """One award of a role's ladder in one cycle, copied from the policy's award table (R-26)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="award_categories")
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    rank = models.PositiveSmallIntegerField(_("place in the ladder"))  # 1 = top
    code = models.SlugField(_("code"), max_length=48)
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=96)
    cap = models.PositiveIntegerField(_("cap"), null=True, blank=True)  # None: "several", not set yet
    stipend = models.DecimalField(_("stipend (yuan)"), **MONEY)
    scope = models.CharField(_("cap applies"), max_length=8, choices=Scope.choices, default=Scope.SCHOOL)

    class Meta:
        ordering = ["cycle", "role", "rank"]
        verbose_name = _("award category")
        verbose_name_plural = _("award categories")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "role", "rank"], name="award_category_rank_unique"),
            models.UniqueConstraint(fields=["cycle", "code"], name="award_category_code_unique"),
            models.CheckConstraint(condition=Q(stipend__gte=Decimal(0)), name="award_category_stipend_positive"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def per_college(self) -> bool:
        return self.scope == Scope.COLLEGE

    def name_in(self, language: str | None) -> str:
        return self.name_zh if (language or "").startswith("zh") else self.name_en


class Source(models.TextChoices):
    SELECTION = "selection", _("Selection")
    COMMITTEE = "committee", _("Committee")


class Award(models.Model):
    """A person on the award list, with why: the points, the rank and the rule that placed them.

    One award per person per role's ladder per cycle is a database constraint (POLICY.md interpretations).
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="awards")
    category = models.ForeignKey(AwardCategory, on_delete=models.PROTECT, related_name="awards")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="awards")
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    college = models.ForeignKey(College, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role_rank = models.PositiveIntegerField(_("rank in the role"), null=True, blank=True)
    final_score = models.DecimalField(_("final score"), max_digits=5, decimal_places=2, null=True, blank=True)
    compliance_score = models.DecimalField(_("duty compliance"), max_digits=5, decimal_places=2)
    satisfaction_score = models.DecimalField(
        _("student satisfaction"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    peer_score = models.DecimalField(_("peer recognition"), max_digits=5, decimal_places=2, null=True, blank=True)
    tied = models.BooleanField(_("tied at a cap: the committee decides"), default=False)
    source = models.CharField(_("placed by"), max_length=16, choices=Source.choices, default=Source.SELECTION)
    # Why the person is here, as data (`awards.explain` words it in the reader's language): the rule that placed
    # them, the size of the ranked pool, the cap, the committee's reason.
    why = models.JSONField(_("why"), default=dict)

    class Meta:
        ordering = ["cycle", "role", "category__rank", "role_rank", "person__number"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person", "role"], name="award_one_per_person_per_ladder"),
        ]
        indexes = [models.Index(fields=["cycle", "category"]), models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.category}"


class Adjustment(models.Model):
    """A change the committee made to the proposal or the categories, always with its reason."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        REMOVE = "remove", _("Removed")
        MOVE = "move", _("Moved to another award")
        CAP = "cap", _("Cap changed")
        STIPEND = "stipend", _("Stipend changed")
        RERUN = "rerun", _("Selection run again")
        UPHELD = "upheld", _("Withdrawn after an upheld objection")
        DISCARD = "discard", _("Proposal discarded: the evaluation went back a phase")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="award_adjustments")
    action = models.CharField(_("change"), max_length=16, choices=Action.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category_from = models.ForeignKey(AwardCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    category_to = models.ForeignKey(AwardCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    before = models.CharField(_("before"), max_length=64, blank=True)
    after = models.CharField(_("after"), max_length=64, blank=True)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.reason[:40]}"


class ObjectionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("objection", "Open")  # not the verb "Open" (a notification's button)
    UPHELD = "upheld", _("Upheld: the award is withdrawn")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """An objection to an award on the publicised list (公示), filed by anyone logged in."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="award_objections")
    award = models.ForeignKey(Award, on_delete=models.SET_NULL, null=True, blank=True, related_name="objections")
    # Who and what it was about, kept when an upheld objection withdraws the award.
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(AwardCategory, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    filed = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("state"), max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filed", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="objection_has_reason"),
            models.CheckConstraint(
                condition=Q(state="open") | (~Q(resolution="") & Q(resolved__isnull=False)),
                name="objection_resolved_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "state"])]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_state_display()}"


class WorkAllowance(models.Model):
    """The work allowance (工作津贴, R-23) of one role for one academic year, set by the school."""

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="work_allowances")
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    amount = models.DecimalField(_("amount per person (yuan)"), **MONEY)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["academic_year", "role"]
        verbose_name = _("work allowance")
        verbose_name_plural = _("work allowances")
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "role"], name="allowance_unique"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal(0)), name="allowance_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} · {self.role} · {self.amount}"


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SelectionRun(models.Model):
    """A selection run in the background (Celery); its page polls `progress`."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    awards = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="selection_run_progress_percent")]

    def __str__(self) -> str:
        return f"selection {self.pk} ({self.state})"
