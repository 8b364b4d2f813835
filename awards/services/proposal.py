"""Running the selection (R-26) and the committee's changes to the proposal.

The selection itself is `awards.selection.propose`, a pure function; this module loads the cycle's candidates
and categories, calls it and stores what it returns, with why each person is there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from accounts.tasks import task_send
from awards import selection
from awards.models import Adjustment, Award, AwardCategory, AwardState, RunState, SelectionRun, Source
from awards.services.categories import award_categories_prepare
from awards.services.common import (
    SELECTION_PHASES,
    reason_of,
    require_committee,
    require_state,
    slate_lock,
)
from evaluation.models import Candidate, Cycle, Phase
from evaluation.selectors.scores import score_rows

log = logging.getLogger(__name__)

MISSING = Decimal(-1)  # a point that does not exist ranks below every real one in the tie-breaks


def _require_selection_phase(cycle: Cycle) -> None:
    if cycle.phase not in SELECTION_PHASES:
        raise ValidationError(
            {
                "cycle": _("The selection runs when the evaluation is in school review; %(year)s is in “%(phase)s”.")
                % {"year": cycle.academic_year, "phase": cycle.get_phase_display()}
            }
        )


def _scored(
    cycle: Cycle, only: Candidate | None = None
) -> list[tuple[Candidate, Decimal | None, Decimal | None, Decimal | None]]:
    """(candidate, final, satisfaction, peer): live from the evaluation in school review, stored once closed."""
    candidates = Candidate.objects.filter(cycle=cycle).select_related("person")
    if only is not None:
        candidates = candidates.filter(pk=only.pk)
    if cycle.phase == Phase.CLOSED:
        return [(c, c.final_score, c.satisfaction_score, c.peer_score) for c in candidates]
    return [(r.candidate, r.final, r.satisfaction, r.peer) for r in score_rows(cycle, candidates)]


def _pure(candidate: Candidate, final, satisfaction, peer) -> selection.Candidate:
    return selection.Candidate(
        person_id=candidate.person_id,
        number=candidate.person.number,
        role=candidate.role,
        college_id=candidate.college_id,
        final=final,
        compliance=candidate.compliance_score,
        satisfaction=MISSING if satisfaction is None else satisfaction,
        peer=MISSING if peer is None else peer,
        # No final score (every weighted point missing): nothing to rank by.
        eligible=candidate.eligible and final is not None,
        recommended=candidate.recommended,
    )


def _categories_ready(cycle: Cycle) -> list[AwardCategory]:
    categories = list(AwardCategory.objects.filter(cycle=cycle).order_by("role", "rank"))
    unset = [c.name_zh for c in categories if c.cap is None]
    if unset:
        raise ValidationError(
            {
                "cap": _("Set the caps of these awards first (the policy says “several”): %(names)s.")
                % {"names": "、".join(unset)}
            }
        )
    return categories


@transaction.atomic
def selection_run(*, actor: User, cycle: Cycle, progress: Callable[[int], None] | None = None) -> list[Award]:
    """Propose the awards: replaces the previous proposal (and the committee's changes to it) until published."""
    require_committee(actor)
    award_categories_prepare(actor=actor, cycle=cycle)
    cycle = Cycle.objects.select_related("academic_year").get(pk=cycle.pk)
    slate = slate_lock(cycle)
    _require_selection_phase(cycle)
    require_state(slate, AwardState.PREPARED, AwardState.PROPOSED)
    categories = _categories_ready(cycle)
    report = progress or (lambda percent: None)

    scored = _scored(cycle)
    report(40)
    pool = {(c.person_id, c.role): (c, final, sat, peer) for c, final, sat, peer in scored}
    pure = [_pure(*row) for row in scored]
    pool_size: dict[str, int] = {}
    for p in pure:
        if p.eligible and p.recommended:
            pool_size[p.role] = pool_size.get(p.role, 0) + 1
    tiers = [selection.Tier(c.pk, c.role, c.rank, c.cap, c.per_college) for c in categories]
    proposals = selection.propose(pure, tiers)
    report(70)

    by_id = {c.pk: c for c in categories}
    replaced = Award.objects.filter(cycle=cycle).count()
    Award.objects.filter(cycle=cycle).delete()
    awards = []
    for proposal in proposals:
        category = by_id[proposal.category_id]
        candidate, final, satisfaction, peer = pool[(proposal.person_id, category.role)]
        awards.append(
            Award(
                cycle=cycle,
                category=category,
                candidate=candidate,
                person_id=candidate.person_id,
                role=category.role,
                college_id=candidate.college_id,
                role_rank=proposal.role_rank,
                final_score=final,
                compliance_score=candidate.compliance_score,
                satisfaction_score=satisfaction,
                peer_score=peer,
                tied=proposal.tied,
                source=Source.SELECTION,
                why={
                    "rule": "college" if category.per_college else "ladder",
                    "pool": pool_size.get(category.role, 0),
                    "cap": category.cap,
                },
            )
        )
    awards = Award.objects.bulk_create(awards, batch_size=500)
    if replaced:
        Adjustment.objects.create(
            cycle=cycle,
            action=Adjustment.Action.RERUN,
            before=str(replaced),
            after=str(len(awards)),
            reason=_("The selection was run again; the previous proposal and its changes were replaced."),
            actor=actor,
        )
    slate.state = AwardState.PROPOSED
    slate.selected_at = timezone.now()
    slate.save(update_fields=["state", "selected_at"])
    audit_record(
        actor=actor,
        action="awards.select",
        target=slate,
        data={"awards": len(awards), "replaced": replaced, "tied": sum(1 for a in awards if a.tied)},
    )
    report(95)
    return awards


@transaction.atomic
def selection_start(*, actor: User, cycle: Cycle) -> SelectionRun:
    """Queue a selection run (Celery); refusals a user can act on come at once, not from the worker."""
    require_committee(actor)
    award_categories_prepare(actor=actor, cycle=cycle)
    cycle = Cycle.objects.select_related("academic_year").get(pk=cycle.pk)
    slate = slate_lock(cycle)
    _require_selection_phase(cycle)
    require_state(slate, AwardState.PREPARED, AwardState.PROPOSED)
    _categories_ready(cycle)
    run = SelectionRun.objects.create(cycle=cycle, requested_by=actor)
    transaction.on_commit(lambda: _selection_send(run.pk))
    return run


def _selection_send(run_id: int) -> None:
    """The run's task sent; if the task queue cannot take it the run fails at once with a reason the committee can
    read (in the language of the request that started it), rather than waiting as queued for ever."""
    from awards.tasks import selection_task

    if not task_send(selection_task, run_id):
        SelectionRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
            state=RunState.FAILED,
            error=str(_("the background task service is unavailable; try again in a few minutes")),
            finished=timezone.now(),
        )


def selection_run_job(*, run_id: int) -> None:
    """Carry out a queued run (called by the task); a redelivered task finds the run taken and does nothing."""
    claimed = SelectionRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(state=RunState.RUNNING, progress=5)
    if not claimed:
        log.info("selection run %s is gone or already taken", run_id)
        return
    run = SelectionRun.objects.select_related("cycle__academic_year", "requested_by").get(pk=run_id)

    def progress(percent: int) -> None:
        SelectionRun.objects.filter(pk=run_id).update(progress=min(99, percent))

    try:
        awards = selection_run(actor=run.requested_by, cycle=run.cycle, progress=progress)
    except (ValidationError, PermissionDenied) as refused:
        message = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
        SelectionRun.objects.filter(pk=run_id).update(state=RunState.FAILED, error=message[:1000])
        return
    except Exception as error:
        log.exception("selection run %s failed", run_id)
        SelectionRun.objects.filter(pk=run_id).update(state=RunState.FAILED, error=str(error)[:1000])
        raise
    SelectionRun.objects.filter(pk=run_id).update(
        state=RunState.DONE, progress=100, awards=len(awards), finished=timezone.now()
    )


# --- The committee's changes: each with a reason, caps still enforced ------------------------------------------


def _require_room(category: AwardCategory, college_id: int | None, leaving: Award | None = None) -> None:
    held = Award.objects.filter(category=category)
    if category.per_college:
        held = held.filter(college_id=college_id)
    if leaving is not None:
        held = held.exclude(pk=leaving.pk)
    cap = category.cap or 0
    if held.count() >= cap:
        where = _(" in this college") if category.per_college else ""
        raise ValidationError(
            {
                "category": _(
                    "%(name)s is full%(where)s (cap %(cap)s): remove or move someone first, or raise the cap."
                )
                % {"name": category.name_zh, "where": where, "cap": cap}
            }
        )


def _editable(cycle: Cycle):
    slate = slate_lock(cycle)
    require_state(slate, AwardState.PROPOSED)
    return slate


@transaction.atomic
def award_add(*, actor: User, candidate: Candidate, category: AwardCategory, reason: str) -> Award:
    """Put a candidate on the list. An ineligible or unrecommended one only by this recorded reason (override)."""
    require_committee(actor)
    reason = reason_of(reason)
    cycle = category.cycle
    _editable(cycle)
    if candidate.cycle_id != cycle.pk or candidate.role != category.role:
        raise ValidationError({"candidate": _("Choose a candidate of this cycle in the award's role.")})
    if Award.objects.filter(cycle=cycle, person_id=candidate.person_id, role=candidate.role).exists():
        raise ValidationError(
            {
                "candidate": _("%(name)s already holds an award of this ladder; move it instead.")
                % {"name": candidate.person.name}
            }
        )
    _require_room(category, candidate.college_id)
    override = not (candidate.eligible and candidate.recommended)
    [(candidate, final, satisfaction, peer)] = _scored(cycle, only=candidate)
    award = Award.objects.create(
        cycle=cycle,
        category=category,
        candidate=candidate,
        person_id=candidate.person_id,
        role=candidate.role,
        college_id=candidate.college_id,
        role_rank=None,
        final_score=final,
        compliance_score=candidate.compliance_score,
        satisfaction_score=satisfaction,
        peer_score=peer,
        source=Source.COMMITTEE,
        why={"rule": "committee", "reason": reason, "override": override},
    )
    Adjustment.objects.create(
        cycle=cycle,
        action=Adjustment.Action.ADD,
        person_id=candidate.person_id,
        category_to=category,
        reason=reason,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="awards.add",
        target=award,
        data={"person": candidate.person.number, "category": category.code, "override": override, "reason": reason},
    )
    return award


@transaction.atomic
def award_remove(*, actor: User, award: Award, reason: str) -> None:
    require_committee(actor)
    reason = reason_of(reason)
    _editable(award.cycle)
    award = Award.objects.select_related("category", "person").get(pk=award.pk)
    Adjustment.objects.create(
        cycle=award.cycle,
        action=Adjustment.Action.REMOVE,
        person=award.person,
        category_from=award.category,
        reason=reason,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="awards.remove",
        target=award,
        data={"person": award.person.number, "category": award.category.code, "reason": reason},
    )
    award.delete()


@transaction.atomic
def award_move(*, actor: User, award: Award, category: AwardCategory, reason: str) -> Award:
    """Move someone to another award of the same ladder (up or down), within its cap."""
    require_committee(actor)
    reason = reason_of(reason)
    _editable(award.cycle)
    award = Award.objects.select_for_update().select_related("category", "person").get(pk=award.pk)
    if category.cycle_id != award.cycle_id or category.role != award.role:
        raise ValidationError({"category": _("Choose another award of the same role's ladder.")})
    if category.pk == award.category_id:
        raise ValidationError({"category": _("%(name)s already holds this award.") % {"name": award.person.name}})
    _require_room(category, award.college_id, leaving=award)
    before = award.category
    award.category = category
    award.source = Source.COMMITTEE
    award.tied = False
    award.why = {**award.why, "moved_from": before.name_zh, "moved_from_en": before.name_en, "reason": reason}
    award.save(update_fields=["category", "source", "tied", "why"])
    Adjustment.objects.create(
        cycle=award.cycle,
        action=Adjustment.Action.MOVE,
        person=award.person,
        category_from=before,
        category_to=category,
        reason=reason,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="awards.move",
        target=award,
        data={"person": award.person.number, "from": before.code, "to": category.code, "reason": reason},
    )
    return award
