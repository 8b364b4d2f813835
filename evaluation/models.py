"""The annual evaluation (R-24, R-25): Cycle → Candidate, with surveys, votes and college review.

Anonymity of the satisfaction survey is a property of the tables: `SurveyResponse` holds no student, no time and
no sequential id (its key is a random UUID), and `SurveyParticipation` (who answered) holds no link to a response.
Both are written in one transaction by `evaluation.services.survey.survey_submit`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import College, Student
from mentoring.models import AcademicYear, StaffRole

SCALE_MIN, SCALE_MAX = 1, 5  # the survey's 5-point scale
MIN_RESPONSES = 5  # aggregates are shown only when at least this many students answered


class Phase(models.TextChoices):
    """In order; exactly one is active. Each opens what people may do (see `PHASE_ABILITIES`)."""

    PREPARATION = "preparation", _("Preparation")
    SURVEY = "survey", _("Self reports and student survey")
    PEER = "peer", _("Peer recognition")
    COLLEGE = "college", _("College review")
    SCHOOL = "school", _("School review")
    CLOSED = "closed", _("Closed (handed to awards)")


PHASE_ORDER = list(Phase)


class PeerMode(models.TextChoices):
    VOTES = "votes", _("Colleagues vote")
    SCORES = "scores", _("The college working group enters scores")


class Cycle(models.Model):
    """One evaluation of one academic year (R-24). Opening it freezes that year's records."""

    academic_year = models.OneToOneField(
        AcademicYear, on_delete=models.PROTECT, related_name="evaluation_cycle", verbose_name=_("academic year")
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.PREPARATION)
    weight_compliance = models.PositiveSmallIntegerField(_("weight of duty compliance (%)"), default=40)
    weight_satisfaction = models.PositiveSmallIntegerField(_("weight of student satisfaction (%)"), default=40)
    weight_peer = models.PositiveSmallIntegerField(_("weight of peer recognition (%)"), default=20)
    pass_threshold = models.PositiveSmallIntegerField(
        _("duty compliance pass threshold (percent of rules met)"), default=100, validators=[MaxValueValidator(100)]
    )
    peer_mode = models.CharField(_("peer recognition by"), max_length=8, choices=PeerMode.choices, default="votes")
    votes_per_person = models.PositiveSmallIntegerField(_("votes per person"), default=3)
    recommend_percent = models.PositiveSmallIntegerField(
        _("college recommendation quota (percent of the college's people in a role)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    questions = models.JSONField(_("survey questions"), default=list)
    survey_until = models.DateField(_("self reports and survey until"))
    peer_until = models.DateField(_("peer recognition until"))
    college_until = models.DateField(_("college review until"))
    school_until = models.DateField(_("school review until"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-academic_year__start_year"]
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_compliance__lte=100) & Q(weight_satisfaction__lte=100) & Q(weight_peer__lte=100),
                name="cycle_weights_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(peer_until__gte=F("survey_until"))
                & Q(college_until__gte=F("peer_until"))
                & Q(school_until__gte=F("college_until")),
                name="cycle_deadlines_in_order",
            ),
            models.CheckConstraint(condition=Q(pass_threshold__lte=100), name="cycle_threshold_at_most_100"),
            models.CheckConstraint(
                condition=Q(recommend_percent__gte=1) & Q(recommend_percent__lte=100), name="cycle_quota_percent"
            ),
            models.CheckConstraint(condition=Q(votes_per_person__gte=1), name="cycle_votes_positive"),
        ]

    def __str__(self) -> str:
        return str(self.academic_year)

    @property
    def year_code(self) -> str:
        return self.academic_year.code

    @property
    def phase_index(self) -> int:
        return PHASE_ORDER.index(Phase(self.phase))

    def deadline_of(self, phase: str):
        return {
            Phase.SURVEY: self.survey_until,
            Phase.PEER: self.peer_until,
            Phase.COLLEGE: self.college_until,
            Phase.SCHOOL: self.school_until,
        }.get(phase)


class Candidate(models.Model):
    """A person evaluated in one role, with the duty-compliance snapshot taken when the cycle opened."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    college = models.ForeignKey(
        College, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("college")
    )
    compliance = models.JSONField(_("duty compliance snapshot"), default=dict)
    compliance_score = models.DecimalField(_("duty compliance (0–100)"), max_digits=5, decimal_places=2)
    compliance_passed = models.BooleanField(_("duty compliance passed"))
    self_report = models.TextField(_("self report"), blank=True)
    recommended = models.BooleanField(_("recommended by the college"), default=False)
    ineligible_reason = models.TextField(_("reason for ineligibility"), blank=True)
    # Filled when the cycle closes, for the awards: the scores as they were at the hand-over.
    satisfaction_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    peer_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    final_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["cycle", "role", "person__number"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person", "role"], name="candidate_unique_role"),
            models.CheckConstraint(
                condition=Q(compliance_score__gte=Decimal(0)) & Q(compliance_score__lte=Decimal(100)),
                name="candidate_compliance_range",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "college", "role"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.cycle}"

    @property
    def eligible(self) -> bool:
        return self.compliance_passed and not self.ineligible_reason


class SurveyParticipation(models.Model):
    """That a student answered a cycle's survey, and nothing about what they answered."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("survey participation")
        verbose_name_plural = _("survey participations")
        constraints = [models.UniqueConstraint(fields=["cycle", "student"], name="survey_answer_once")]

    def __str__(self) -> str:
        return f"{self.student_id} · {self.cycle_id}"


class SurveyResponse(models.Model):
    """One student's answers about one of their carers. Holds no student, no time, no sequential id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="responses")
    answers = models.JSONField(_("answers"))
    # The sum and number of the answers, so that aggregates are one SQL query.
    score_sum = models.PositiveIntegerField()
    answer_count = models.PositiveSmallIntegerField()
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return str(self.pk)


class PeerVote(models.Model):
    """A colleague's vote in peer recognition: same cycle, college and role; never for oneself."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("peer vote")
        verbose_name_plural = _("peer votes")
        constraints = [models.UniqueConstraint(fields=["candidate", "voter"], name="peer_vote_once")]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.candidate_id}"


class PeerScore(models.Model):
    """A score of 0–100 entered by the college working group, when the cycle chooses scores over votes."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="peer_entry")
    score = models.DecimalField(max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("peer score")
        verbose_name_plural = _("peer scores")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=Decimal(0)) & Q(score__lte=Decimal(100)), name="peer_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.score}"
