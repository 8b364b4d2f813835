"""Publicity (公示), objections, finalising (R-27), and the work allowance (R-23).

Publicity lasts a number of working days (Monday–Friday; no holiday calendar). Anyone logged in may object to an
award while it lasts; the school admin resolves each objection (upheld: the award is withdrawn; dismissed: with a
reason). The list is final only after publicity with no objection open, and exactly once.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from awards.models import (
    Adjustment,
    Award,
    AwardSlate,
    AwardState,
    Objection,
    ObjectionState,
    WorkAllowance,
)
from awards.services.categories import money_of
from awards.services.common import reason_of, require_committee, require_state, slate_lock, working_days_end
from evaluation.models import Cycle
from mentoring.models import AcademicYear, StaffRole

PUBLICITY_DAYS = 5
PUBLICITY_DAYS_MAX = 30


@transaction.atomic
def awards_publish(
    *, actor: User, cycle: Cycle, working_days: int = PUBLICITY_DAYS, today: date | None = None
) -> AwardSlate:
    """Put the proposal up for publicity from today for `working_days` working days."""
    require_committee(actor)
    today = today or timezone.localdate()
    slate = slate_lock(cycle)
    require_state(slate, AwardState.PROPOSED)
    if not 1 <= working_days <= PUBLICITY_DAYS_MAX:
        raise ValidationError(
            {"working_days": _("Publicity lasts from 1 to %(n)s working days.") % {"n": PUBLICITY_DAYS_MAX}}
        )
    if not Award.objects.filter(cycle=slate.cycle).exists():
        raise ValidationError({"state": _("The list is empty: run the selection or add awards first.")})
    slate.state = AwardState.PUBLICITY
    slate.publicity_from = today
    slate.publicity_until = working_days_end(today, working_days)
    slate.published_by = actor
    slate.save(update_fields=["state", "publicity_from", "publicity_until", "published_by"])
    audit_record(
        actor=actor,
        action="awards.publish",
        target=slate,
        data={"from": today.isoformat(), "until": slate.publicity_until.isoformat(), "working_days": working_days},
    )
    return slate


@transaction.atomic
def objection_file(*, actor: User, award: Award, reason: str, today: date | None = None) -> Objection:
    """Anyone logged in objects to an award while its publicity lasts."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to file an objection."))
    today = today or timezone.localdate()
    reason = reason_of(reason)
    slate = slate_lock(award.cycle)
    require_state(slate, AwardState.PUBLICITY)
    if not slate.publicity_from <= today <= slate.publicity_until:
        raise ValidationError(
            {
                "reason": _("Publicity ran from %(start)s to %(end)s; objections are accepted only within it.")
                % {"start": slate.publicity_from, "end": slate.publicity_until}
            }
        )
    award = Award.objects.select_related("person", "category").filter(pk=award.pk).first()
    if award is None:
        raise ValidationError({"award": _("This award is no longer on the list.")})
    objection = Objection.objects.create(
        cycle=slate.cycle,
        award=award,
        subject=award.person,
        category=award.category,
        filed_by=actor,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="awards.objection_file",
        target=objection,
        data={"award": award.pk, "person": award.person.number},
    )
    return objection


@transaction.atomic
def objection_resolve(*, actor: User, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """Upheld: the award is withdrawn (kept in the adjustment log). Dismissed: the reason is kept."""
    require_committee(actor)
    resolution = reason_of(resolution, "resolution")
    slate = slate_lock(objection.cycle)
    require_state(slate, AwardState.PUBLICITY)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.state != ObjectionState.OPEN:
        raise ValidationError({"resolution": _("This objection has already been resolved.")})
    objection.state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    objection.resolution = resolution
    objection.resolved_by = actor
    objection.resolved = timezone.now()
    award = Award.objects.filter(pk=objection.award_id).first() if upheld else None
    objection.save(update_fields=["state", "resolution", "resolved_by", "resolved"])
    if award is not None:
        Adjustment.objects.create(
            cycle=award.cycle,
            action=Adjustment.Action.UPHELD,
            person_id=award.person_id,
            category_from_id=award.category_id,
            reason=resolution,
            actor=actor,
        )
        award.delete()
    audit_record(
        actor=actor,
        action="awards.objection_resolve",
        target=objection,
        data={"upheld": upheld, "resolution": resolution, "withdrawn": award is not None},
    )
    return objection


@transaction.atomic
def awards_finalise(*, actor: User, cycle: Cycle, today: date | None = None) -> AwardSlate:
    """Lock the list for good: after publicity, with no objection open. Twice, or two admins at once: one effect."""
    require_committee(actor)
    today = today or timezone.localdate()
    slate = slate_lock(cycle)
    if slate.state == AwardState.FINALISED:
        raise ValidationError(
            {"state": _("The award list of %(year)s is already final.") % {"year": cycle.academic_year}}
        )
    require_state(slate, AwardState.PUBLICITY)
    if today <= slate.publicity_until:
        raise ValidationError(
            {
                "state": _("Publicity lasts until %(end)s; the list can be finalised from the next day.")
                % {"end": slate.publicity_until}
            }
        )
    still_open = Objection.objects.filter(cycle=slate.cycle, state=ObjectionState.OPEN).count()
    if still_open:
        raise ValidationError(
            {"state": _("%(n)s objection(s) are still open: resolve them before finalising.") % {"n": still_open}}
        )
    slate.state = AwardState.FINALISED
    slate.finalised_at = timezone.now()
    slate.finalised_by = actor
    slate.save(update_fields=["state", "finalised_at", "finalised_by"])
    audit_record(
        actor=actor,
        action="awards.finalise",
        target=slate,
        data={"awards": Award.objects.filter(cycle=slate.cycle).count()},
    )
    return slate


@transaction.atomic
def allowance_set(*, actor: User, academic_year: AcademicYear, role: str, amount) -> WorkAllowance:
    """The work allowance of one role for one year (R-23); refused once that year's award list is final."""
    require_committee(actor)
    if role not in StaffRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    value = money_of(amount, "amount")
    year = AcademicYear.objects.select_for_update().get(pk=academic_year.pk)
    if AwardSlate.objects.filter(cycle__academic_year=year, state=AwardState.FINALISED).exists():
        raise ValidationError(
            {"amount": _("The award list of %(year)s is final; its allowances no longer change.") % {"year": year}}
        )
    allowance = WorkAllowance.objects.filter(academic_year=year, role=role).first()
    before = allowance.amount if allowance else None
    if allowance is None:
        allowance = WorkAllowance.objects.create(academic_year=year, role=role, amount=value, set_by=actor)
    elif before != value:
        allowance.amount, allowance.set_by = value, actor
        allowance.save(update_fields=["amount", "set_by", "updated"])
    if before != value:
        audit_record(
            actor=actor,
            action="awards.allowance_set",
            target=allowance,
            data={"year": year.code, "role": role, "amount": [None if before is None else str(before), str(value)]},
        )
    return allowance
