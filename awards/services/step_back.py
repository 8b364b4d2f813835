"""When the evaluation goes back a phase (`evaluation.services.cycles.cycle_step_back`), the awards follow.

A published or final list stands on the scores it published: going back is refused, nothing written. A draft
proposal is discarded (kept in the change log) so that the next selection starts from the new scores.
Registered in `AwardsConfig.ready` as a hook, so the evaluation app does not import awards.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from awards.models import Adjustment, Award, AwardSlate, AwardState
from evaluation.models import Cycle


def cycle_stepping_back(*, actor: User, cycle: Cycle, from_phase: str, to_phase: str, reason: str) -> None:
    """The step-back hook: runs inside the evaluation's transaction, with the cycle row already locked."""
    slate = AwardSlate.objects.select_for_update().filter(cycle=cycle).first()
    if slate is None:
        return
    if slate.is_public:
        raise ValidationError(
            {
                "phase": _(
                    "The award list of %(year)s is “%(state)s”: the evaluation can no longer go back a phase, "
                    "because the published awards stand on its scores. Raise a problem as an objection instead."
                )
                % {"year": cycle.academic_year, "state": slate.get_state_display()}
            }
        )
    if slate.state == AwardState.PROPOSED:
        proposal_discard(actor=actor, slate=slate, reason=reason, from_phase=from_phase, to_phase=to_phase)


def proposal_discard(*, actor: User, slate: AwardSlate, reason: str, from_phase: str, to_phase: str) -> int:
    """Drop the draft proposal (with the committee's changes to it); the categories and caps stay."""
    awards = Award.objects.filter(cycle_id=slate.cycle_id)
    discarded = awards.count()
    Adjustment.objects.create(
        cycle_id=slate.cycle_id,
        action=Adjustment.Action.DISCARD,
        before=str(discarded),
        after="0",
        reason=reason,
        actor=actor,
    )
    awards.delete()
    slate.state = AwardState.PREPARED
    slate.selected_at = None
    slate.save(update_fields=["state", "selected_at"])
    audit_record(
        actor=actor,
        action="awards.proposal_discard",
        target=slate,
        data={"awards": discarded, "from": from_phase, "to": to_phase, "reason": reason},
    )
    return discarded
