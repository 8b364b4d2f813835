"""Peer recognition (R-25): colleagues' votes within a college and role, or the working group's scores."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import administers_college, is_school_admin
from accounts.services import audit_record
from evaluation.models import Candidate, Cycle, PeerMode, PeerScore, PeerVote, Phase
from evaluation.services.cycles import require_phase


@transaction.atomic
def peer_votes_cast(*, actor: User, cycle: Cycle, role: str, candidate_ids: Sequence[int]) -> list[PeerVote]:
    """Replace the actor's votes among colleagues of their college and `role` with votes for `candidate_ids`."""
    cycle = Cycle.objects.get(pk=cycle.pk)
    require_phase(cycle, Phase.PEER)
    if cycle.peer_mode != PeerMode.VOTES:
        raise ValidationError({"votes": _("In this cycle the college working group enters peer scores; no votes.")})
    # The voter's own row is the lock that keeps two submissions of one voter from passing the limit together.
    voter = Candidate.objects.select_for_update().filter(cycle=cycle, person=actor, role=role).first()
    if voter is None:
        raise PermissionDenied(_("You are not evaluated in this role this year, so you do not vote in it."))
    ids = list(candidate_ids)
    errors: list[str] = []
    if len(set(ids)) != len(ids):
        errors.append(_("A colleague is chosen twice."))
    if voter.pk in ids:
        errors.append(_("You cannot vote for yourself."))
    if len(set(ids)) > cycle.votes_per_person:
        chosen = len(set(ids))
        errors.append(_("You have %(n)s votes; you chose %(c)s.") % {"n": cycle.votes_per_person, "c": chosen})
    targets = list(Candidate.objects.filter(cycle=cycle, pk__in=set(ids) - {voter.pk}))
    if len(targets) != len(set(ids) - {voter.pk}) or any(
        t.role != role or t.college_id != voter.college_id for t in targets
    ):
        errors.append(_("You vote only for colleagues of your college in the same role."))
    if errors:
        raise ValidationError({"votes": errors})
    PeerVote.objects.filter(voter=actor, candidate__cycle=cycle, candidate__role=role).delete()
    votes = PeerVote.objects.bulk_create(PeerVote(candidate=t, voter=actor) for t in targets)
    audit_record(actor=actor, action="evaluation.peer_vote", target=voter, data={"for": sorted(t.pk for t in targets)})
    return votes


@transaction.atomic
def peer_score_enter(*, actor: User, candidate: Candidate, score: Decimal | str) -> PeerScore:
    """The college working group's peer score of 0–100 for one person, when the cycle chose scores."""
    candidate = (
        Candidate.objects.select_for_update(of=("self",)).select_related("cycle", "college").get(pk=candidate.pk)
    )
    if not (is_school_admin(actor) or administers_college(actor, candidate.college)):
        raise PermissionDenied(_("Only the college's admin enters its peer scores."))
    require_phase(candidate.cycle, Phase.PEER)
    if candidate.cycle.peer_mode != PeerMode.SCORES:
        raise ValidationError({"score": _("In this cycle colleagues vote; scores are not entered.")})
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": _("Enter a number from 0 to 100.")}) from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"score": _("Enter a number from 0 to 100.")})
    entry, _created = PeerScore.objects.update_or_create(
        candidate=candidate, defaults={"score": value, "entered_by": actor}
    )
    audit_record(actor=actor, action="evaluation.peer_score", target=candidate, data={"score": str(value)})
    return entry
