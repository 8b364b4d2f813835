"""Self reports (述职) and the college review: recommendation within the quota, ineligibility with a reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import administers_college, is_school_admin
from accounts.services import audit_record
from evaluation.models import Candidate, Phase
from evaluation.selectors.scores import recommend_quota
from evaluation.services.cycles import require_phase

SELF_REPORT_MAX = 5000


def _locked(candidate: Candidate) -> Candidate:
    return (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("cycle", "college", "person")
        .get(pk=candidate.pk)
    )


@transaction.atomic
def self_report_save(*, actor: User, candidate: Candidate, text: str) -> Candidate:
    candidate = _locked(candidate)
    if candidate.person_id != actor.pk:
        raise PermissionDenied(_("Only the person evaluated writes their self report."))
    require_phase(candidate.cycle, Phase.SURVEY, "text")
    text = text.strip()
    if len(text) > SELF_REPORT_MAX:
        raise ValidationError({"text": _("The self report has at most 5,000 characters.")})
    before = candidate.self_report
    candidate.self_report = text
    candidate.save(update_fields=["self_report"])
    audit_record(actor=actor, action="evaluation.self_report", target=candidate, data={"before": before, "after": text})
    return candidate


def _require_reviewer(actor: User, candidate: Candidate) -> None:
    if not (is_school_admin(actor) or administers_college(actor, candidate.college)):
        raise PermissionDenied(_("Only the admin of this person's college reviews them."))


@transaction.atomic
def candidate_recommend(*, actor: User, candidate: Candidate, recommended: bool) -> Candidate:
    """Mark or unmark a person as the college's candidate for awards, within the college's quota."""
    candidate = _locked(candidate)
    _require_reviewer(actor, candidate)
    require_phase(candidate.cycle, Phase.COLLEGE, "recommended")
    if recommended and candidate.ineligible_reason:
        raise ValidationError({"recommended": _("This person is marked ineligible; clear that first.")})
    if recommended and not candidate.recommended:
        # Lock the whole group so that two admins cannot pass the quota together.
        group = list(
            Candidate.objects.select_for_update()
            .filter(cycle=candidate.cycle, college=candidate.college, role=candidate.role)
            .values_list("recommended", flat=True)
        )
        quota = recommend_quota(len(group), candidate.cycle.recommend_percent)
        if sum(group) >= quota:
            raise ValidationError(
                {
                    "recommended": _(
                        "The college may recommend at most %(quota)s of its %(size)s %(role)s; unmark someone first."
                    )
                    % {"quota": quota, "size": len(group), "role": candidate.get_role_display()}
                }
            )
    if candidate.recommended != recommended:
        candidate.recommended = recommended
        candidate.save(update_fields=["recommended"])
        audit_record(actor=actor, action="evaluation.recommend", target=candidate, data={"recommended": recommended})
    return candidate


@transaction.atomic
def candidate_set_ineligible(*, actor: User, candidate: Candidate, reason: str) -> Candidate:
    """Mark a person ineligible with a recorded reason (e.g. a conduct issue); an empty reason clears the mark.

    College admins do it in the college review; the school admin also in the school review.
    """
    candidate = _locked(candidate)
    _require_reviewer(actor, candidate)
    if not (
        candidate.cycle.phase == Phase.COLLEGE or (candidate.cycle.phase == Phase.SCHOOL and is_school_admin(actor))
    ):
        require_phase(candidate.cycle, Phase.COLLEGE, "reason")
    reason = reason.strip()
    if len(reason) > 1000:
        raise ValidationError({"reason": _("The reason has at most 1,000 characters.")})
    before = candidate.ineligible_reason
    candidate.ineligible_reason = reason
    if reason:
        candidate.recommended = False
    candidate.save(update_fields=["ineligible_reason", "recommended"])
    audit_record(
        actor=actor, action="evaluation.ineligible", target=candidate, data={"before": before, "after": reason}
    )
    return candidate
