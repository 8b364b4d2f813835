"""The student satisfaction survey (R-25): anonymous by design.

The participation row (who answered) and the response rows (what was answered, about whom) are written in one
transaction and share nothing: responses carry a random UUID, no student and no time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Student, User
from accounts.services import audit_record
from evaluation.models import SCALE_MAX, SCALE_MIN, Cycle, Phase, SurveyParticipation, SurveyResponse
from evaluation.selectors.survey import survey_answered, survey_targets
from evaluation.services.cycles import require_phase

COMMENT_MAX = 1000


def _student_of(actor: User) -> Student:
    student = Student.objects.filter(user=actor).first()
    if student is None:
        raise PermissionDenied(_("Only students answer the satisfaction survey."))
    return student


@transaction.atomic
def survey_submit(
    *,
    actor: User,
    cycle: Cycle,
    answers: Mapping[int, Sequence[int]],
    comments: Mapping[int, str] | None = None,
) -> int:
    """Answer the survey about each of one's carers (keys: candidate ids). Returns the number of responses."""
    student = _student_of(actor)
    cycle = Cycle.objects.select_related("academic_year").get(pk=cycle.pk)
    require_phase(cycle, Phase.SURVEY)
    if survey_answered(cycle, student):
        raise ValidationError({"survey": _("You have already answered this survey; each student answers once.")})
    targets = {c.pk: c for c in survey_targets(cycle, student)}
    if not targets:
        raise ValidationError({"survey": _("You had no mentor, class advisor or counselor to rate in that year.")})
    comments = comments or {}
    errors: dict[str, list[str]] = {}
    if set(answers) != set(targets) or not set(comments) <= set(targets):
        errors["survey"] = [_("Answer the questions about each of your mentor, class advisor and counselor.")]
    questions = len(cycle.questions)
    for candidate_id, values in answers.items():
        target = targets.get(candidate_id)
        if target is None:
            continue
        field = f"answers_{candidate_id}"
        if len(values) != questions:
            errors[field] = [_("Answer every question.")]
        elif any(isinstance(v, bool) or not isinstance(v, int) or not SCALE_MIN <= v <= SCALE_MAX for v in values):
            errors[field] = [
                _("Each answer is a whole number from %(low)s to %(high)s.") % {"low": SCALE_MIN, "high": SCALE_MAX}
            ]
    for candidate_id, comment in comments.items():
        if len(comment) > COMMENT_MAX:
            errors[f"comment_{candidate_id}"] = [_("A comment has at most 1,000 characters.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            participation = SurveyParticipation.objects.create(cycle=cycle, student=student)
    except IntegrityError:
        raise ValidationError(
            {"survey": _("You have already answered this survey; each student answers once.")}
        ) from None
    responses = [
        SurveyResponse(
            candidate=targets[candidate_id],
            answers=list(values),
            score_sum=sum(values),
            answer_count=len(values),
            comment=comments.get(candidate_id, "").strip(),
        )
        for candidate_id, values in sorted(answers.items())
    ]
    SurveyResponse.objects.bulk_create(responses)
    # The audit says that the student answered, never what or about whom.
    audit_record(actor=actor, action="evaluation.survey_answer", target=participation, data={"cycle": cycle.pk})
    return len(responses)
