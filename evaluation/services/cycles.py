"""Opening a cycle (with its duty-compliance snapshot) and moving it through its phases.

Phase moves lock the cycle row, check the phase the mover saw, write the audit entry and hand the move to
`phase_moved` on commit: of two admins moving the same phase at once, exactly one succeeds.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Staff, User
from accounts.rules import is_school_admin
from accounts.services import audit_record
from accounts.tasks import task_send
from evaluation.models import PHASE_ORDER, Candidate, Cycle, PeerMode, Phase
from evaluation.scoring import compliance_passed, compliance_point
from mentoring.models import AcademicYear
from mentoring.selectors.compliance import compliance_report

logger = logging.getLogger(__name__)

DEFAULT_QUESTIONS = [
    gettext_lazy("They know me and my situation."),
    gettext_lazy("They are available when I need them and answer my questions."),
    gettext_lazy("Their guidance helped my study and my plans."),
    gettext_lazy("Overall, I am satisfied with their work."),
]


@dataclass(frozen=True)
class CycleSettings:
    survey_until: date
    peer_until: date
    college_until: date
    school_until: date
    weight_compliance: int = 40
    weight_satisfaction: int = 40
    weight_peer: int = 20
    pass_threshold: int = 100
    peer_mode: str = PeerMode.VOTES
    votes_per_person: int = 3
    recommend_percent: int = 20
    questions: tuple[str, ...] = ()


def _require_school_admin(actor: User) -> None:
    if not is_school_admin(actor):
        raise PermissionDenied(_("Only the school admin (academic affairs office) runs the evaluation cycle."))


def _validate_settings(data: CycleSettings) -> None:
    errors: dict[str, list[str]] = {}
    weights = (data.weight_compliance, data.weight_satisfaction, data.weight_peer)
    if any(w < 0 for w in weights) or sum(weights) != 100:
        errors["weight_compliance"] = [_("The three weights must be whole percentages that add up to 100.")]
    if not 0 <= data.pass_threshold <= 100:
        errors["pass_threshold"] = [_("The pass threshold is a percentage between 0 and 100.")]
    if data.peer_mode not in PeerMode.values:
        errors["peer_mode"] = [_("Choose how peer recognition is given.")]
    if data.votes_per_person < 1:
        errors["votes_per_person"] = [_("Each person needs at least one vote.")]
    if not 1 <= data.recommend_percent <= 100:
        errors["recommend_percent"] = [_("The recommendation quota is a percentage between 1 and 100.")]
    deadlines = [data.survey_until, data.peer_until, data.college_until, data.school_until]
    if deadlines != sorted(deadlines):
        errors["peer_until"] = [_("The deadlines must follow the order of the phases.")]
    questions = [q.strip() for q in data.questions if q.strip()]
    if not questions:
        errors["questions"] = [_("The survey needs at least one question.")]
    elif len(questions) > 10 or any(len(q) > 200 for q in questions):
        errors["questions"] = [_("At most 10 questions of at most 200 characters each.")]
    if errors:
        raise ValidationError(errors)


def _snapshot(cycle: Cycle) -> list[Candidate]:
    """Each person's duty compliance per role over both semesters, from the compliance engine (R-25)."""
    per: dict[tuple[int, str], dict] = defaultdict(lambda: {"semesters": []})
    for semester in cycle.academic_year.semesters.order_by("start_date"):
        report = compliance_report(semester=semester)
        for person_id, standings in report.standings().items():
            by_role: dict[str, list] = defaultdict(list)
            for standing in standings:
                by_role[standing.rule.role].append(
                    {
                        "requirement": standing.rule.requirement,
                        "title_en": standing.rule.title_en,
                        "title_zh": standing.rule.title_zh,
                        "period": standing.rule.period,
                        "met": standing.met,
                        "total": standing.total,
                        "compliant": standing.compliant,
                    }
                )
            for role, rules in by_role.items():
                rules.sort(key=lambda r: (r["requirement"], r["period"]))
                per[(person_id, role)]["semesters"].append({"semester": semester.code, "rules": rules})
    colleges = dict(Staff.objects.filter(user_id__in={pid for pid, _ in per}).values_list("user_id", "college_id"))
    candidates = []
    for (person_id, role), snapshot in sorted(per.items()):
        rules = [rule for semester in snapshot["semesters"] for rule in semester["rules"]]
        lines_met = sum(r["met"] for r in rules)
        lines_due = sum(r["total"] for r in rules)
        rules_met = sum(1 for r in rules if r["compliant"])
        snapshot.update(lines_met=lines_met, lines_due=lines_due, rules_met=rules_met, rules_judged=len(rules))
        candidates.append(
            Candidate(
                cycle=cycle,
                person_id=person_id,
                role=role,
                college_id=colleges.get(person_id),
                compliance=snapshot,
                compliance_score=compliance_point(lines_met=lines_met, lines_due=lines_due),
                compliance_passed=compliance_passed(
                    rules_met=rules_met, rules_judged=len(rules), threshold=cycle.pass_threshold
                ),
            )
        )
    return Candidate.objects.bulk_create(candidates)


@transaction.atomic
def cycle_open(
    *, actor: User, academic_year: AcademicYear, settings: CycleSettings, today: date | None = None
) -> Cycle:
    """Open the evaluation of a year: freezes its records and stores everyone's duty-compliance snapshot."""
    _require_school_admin(actor)
    today = today or timezone.localdate()
    if not settings.questions:
        settings = CycleSettings(**{**settings.__dict__, "questions": tuple(str(q) for q in DEFAULT_QUESTIONS)})
    _validate_settings(settings)
    year = AcademicYear.objects.select_for_update().get(pk=academic_year.pk)
    if Cycle.objects.filter(academic_year=year).exists():
        raise ValidationError({"academic_year": _("%(year)s already has an evaluation cycle.") % {"year": year}})
    last_day = max((s.end_date for s in year.semesters.all()), default=None)
    if last_day is None:
        raise ValidationError({"academic_year": _("%(year)s has no semesters in the calendar.") % {"year": year}})
    if last_day >= today:
        raise ValidationError(
            {
                "academic_year": _("%(year)s has not ended yet (its last day is %(day)s); evaluate it afterwards.")
                % {"year": year, "day": last_day}
            }
        )
    fields = {**settings.__dict__, "questions": [q.strip() for q in settings.questions if q.strip()]}
    cycle = Cycle.objects.create(academic_year=year, opened_by=actor, **fields)
    candidates = _snapshot(cycle)
    audit_record(
        actor=actor,
        action="evaluation.cycle_open",
        target=cycle,
        data={"year": year.code, "candidates": len(candidates), "settings": {**fields, **_dates(settings)}},
    )
    transaction.on_commit(lambda: phase_moved(cycle_id=cycle.pk, phase=cycle.phase))
    return cycle


def _dates(settings: CycleSettings) -> dict:
    return {
        name: getattr(settings, name).isoformat()
        for name in ("survey_until", "peer_until", "college_until", "school_until")
    }


def phase_moved(*, cycle_id: int, phase: str) -> None:
    """Run on commit of a phase move: the people who have something to do in the new phase are told, by a task
    (inline in the embedded mode) that reads who they are when it runs (`evaluation.reminders.phase_opened_plans`)."""
    from evaluation.reminder_tasks import phase_opened

    logger.info("evaluation cycle %s moved to phase %s", cycle_id, phase)
    # The move is committed whatever happens here; with the task queue down the notices of the new phase are not
    # sent (logged by `task_send`), and the deadline reminders before the phase ends still reach the people pending.
    task_send(phase_opened, cycle_id=cycle_id, phase=phase)


# Hooks a higher app registers (DESIGN: a lower app never imports a higher one), called by `cycle_step_back` with
# the locked cycle before anything is written: `hook(actor=, cycle=, from_phase=, to_phase=, reason=)`. A hook may
# refuse with ValidationError (nothing is written) or undo what it derived from the scores (awards: the proposal).
cycle_step_back_hooks: list = []


def _lock(cycle: Cycle, expected: str) -> Cycle:
    locked = Cycle.objects.select_for_update().select_related("academic_year").get(pk=cycle.pk)
    if locked.phase != expected:
        raise ValidationError(
            {
                "phase": _("The cycle is in phase “%(phase)s” now, not “%(expected)s”: someone moved it meanwhile.")
                % {"phase": locked.get_phase_display(), "expected": Phase(expected).label}
            }
        )
    return locked


@transaction.atomic
def cycle_advance(*, actor: User, cycle: Cycle, expected_phase: str) -> Cycle:
    """Move to the next phase. `expected_phase` is the phase the admin saw when they pressed the button."""
    _require_school_admin(actor)
    cycle = _lock(cycle, expected_phase)
    if cycle.phase == Phase.CLOSED:
        raise ValidationError({"phase": _("The cycle is closed; it has no next phase.")})
    before = cycle.phase
    cycle.phase = PHASE_ORDER[cycle.phase_index + 1]
    cycle.save(update_fields=["phase"])
    if cycle.phase == Phase.CLOSED:
        _store_scores(cycle)
    audit_record(actor=actor, action="evaluation.phase_advance", target=cycle, data={"from": before, "to": cycle.phase})
    transaction.on_commit(lambda: phase_moved(cycle_id=cycle.pk, phase=cycle.phase))
    return cycle


@transaction.atomic
def cycle_step_back(*, actor: User, cycle: Cycle, expected_phase: str, reason: str) -> Cycle:
    """Go back one phase: the school admin only, with a reason that is kept in the audit trail."""
    _require_school_admin(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the cycle goes back a phase.")})
    cycle = _lock(cycle, expected_phase)
    if cycle.phase == Phase.PREPARATION:
        raise ValidationError({"phase": _("The cycle is in its first phase; it cannot go back.")})
    before = cycle.phase
    after = PHASE_ORDER[cycle.phase_index - 1]
    for hook in cycle_step_back_hooks:
        hook(actor=actor, cycle=cycle, from_phase=before, to_phase=after, reason=reason)
    cycle.phase = after
    cycle.save(update_fields=["phase"])
    if before == Phase.CLOSED:
        Candidate.objects.filter(cycle=cycle).update(satisfaction_score=None, peer_score=None, final_score=None)
    audit_record(
        actor=actor,
        action="evaluation.phase_back",
        target=cycle,
        data={"from": before, "to": cycle.phase, "reason": reason},
    )
    transaction.on_commit(lambda: phase_moved(cycle_id=cycle.pk, phase=cycle.phase))
    return cycle


DEADLINE_FIELDS = {
    Phase.SURVEY: "survey_until",
    Phase.PEER: "peer_until",
    Phase.COLLEGE: "college_until",
    Phase.SCHOOL: "school_until",
}


@transaction.atomic
def cycle_deadlines_update(*, actor: User, cycle: Cycle, deadlines: dict[str, date], reason: str) -> Cycle:
    """Move the deadlines of the active phase and of the phases still to come (school admin, with a reason).

    A phase already over keeps its deadline (it is what people were held to); the deadlines stay in the order of
    the phases; a closed cycle changes no more. The deadline reminders key on the deadline itself, so a moved
    deadline gets its own reminders.
    """
    _require_school_admin(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the deadlines change.")})
    cycle = Cycle.objects.select_for_update().select_related("academic_year").get(pk=cycle.pk)
    if cycle.phase == Phase.CLOSED:
        raise ValidationError({"phase": _("The cycle is closed; its deadlines no longer change.")})
    errors: dict[str, list[str]] = {}
    before = {name: getattr(cycle, name) for name in DEADLINE_FIELDS.values()}
    after = dict(before)
    for phase, name in DEADLINE_FIELDS.items():
        wanted = deadlines.get(name)
        if wanted is None or wanted == before[name]:
            continue
        if PHASE_ORDER.index(phase) < cycle.phase_index:
            errors[name] = [
                _("The phase “%(phase)s” is over; its deadline stays %(day)s.")
                % {"phase": Phase(phase).label, "day": before[name].isoformat()}
            ]
            continue
        after[name] = wanted
    ordered = [after[name] for name in DEADLINE_FIELDS.values()]
    if not errors and ordered != sorted(ordered):
        errors["peer_until"] = [_("The deadlines must follow the order of the phases.")]
    if errors:
        raise ValidationError(errors)
    changed = {
        name: [before[name].isoformat(), after[name].isoformat()] for name in after if after[name] != before[name]
    }
    if not changed:
        raise ValidationError({"survey_until": _("No deadline changed.")})
    for name, day in after.items():
        setattr(cycle, name, day)
    cycle.save(update_fields=list(after))
    audit_record(
        actor=actor, action="evaluation.deadlines_update", target=cycle, data={"changed": changed, "reason": reason}
    )
    return cycle


def _store_scores(cycle: Cycle) -> None:
    """At the hand-over to awards, keep the points and final scores on the candidates."""
    from evaluation.selectors.scores import score_rows

    rows = score_rows(cycle, Candidate.objects.filter(cycle=cycle).select_related("person", "college"))
    for row in rows:
        row.candidate.satisfaction_score = row.satisfaction
        row.candidate.peer_score = row.peer
        row.candidate.final_score = row.final
    Candidate.objects.bulk_update(
        [row.candidate for row in rows], ["satisfaction_score", "peer_score", "final_score"], batch_size=500
    )


def require_phase(cycle: Cycle, phase: str, field: str = "phase") -> None:
    if cycle.phase != phase:
        raise ValidationError(
            {
                field: _("This can be done only in the phase “%(phase)s”; the cycle is in “%(now)s”.")
                % {"phase": Phase(phase).label, "now": cycle.get_phase_display()}
            }
        )
