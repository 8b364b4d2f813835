"""Opening a cycle (snapshot, freezing) and moving it through its phases (R-24, R-25)."""

from __future__ import annotations

import logging
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import AuditEntry
from evaluation.models import Candidate, Cycle, Phase
from evaluation.selectors.cycles import year_proposed
from evaluation.services.cycles import cycle_advance, cycle_open, cycle_step_back, cycle_step_back_hooks
from mentoring.models import AcademicYear, Kind, Mode, QuotaRule, StaffRole
from mentoring.selectors.compliance import compliance_report
from mentoring.services.calendar import semester_create
from mentoring.services.policy import quota_rule_save
from mentoring.services.records import RecordInput, interaction_delete, interaction_log, interaction_update
from tests.evaluation.conftest import OPENED_ON, advance_to, open_cycle, settings, talk

PERSONAS = [
    "mentor",
    "advisor",
    "counselor",
    "student",
    "college_admin",
    "other_admin",
    "student_affairs",
    "school_student_affairs",
    "outsider",
]


def test_opening_stores_each_persons_duty_compliance_over_both_semesters(judged):
    cycle = open_cycle(judged)

    mentor = Candidate.objects.get(cycle=cycle, person=judged.mentor, role=StaffRole.MENTOR)
    # Fall: R-03 met for 1 of 6 students, R-05 short; spring: nothing met → 1 of 14 lines.
    assert (mentor.compliance["lines_met"], mentor.compliance["lines_due"]) == (1, 14)
    assert mentor.compliance_score == Decimal("7.14")
    assert mentor.compliance_passed is False
    assert [s["semester"] for s in mentor.compliance["semesters"]] == ["2025-2026-1", "2025-2026-2"]
    fall_r03 = next(r for r in mentor.compliance["semesters"][0]["rules"] if r["requirement"] == "R-03")
    assert (fall_r03["met"], fall_r03["total"], fall_r03["compliant"]) == (1, 6, False)
    roles = set(Candidate.objects.filter(cycle=cycle).values_list("person__number", "role"))
    assert roles == {("T100", "mentor"), ("T200", "advisor"), ("T300", "counselor")}
    assert cycle.phase == Phase.PREPARATION
    assert AuditEntry.objects.filter(action="evaluation.cycle_open", target_id=str(cycle.pk)).count() == 1


def test_a_lower_pass_threshold_lets_a_partly_compliant_person_pass(judged):
    cycle = open_cycle(judged, pass_threshold=0)

    assert Candidate.objects.get(cycle=cycle, person=judged.mentor).compliance_passed is True


def test_the_portal_proposes_the_previous_year_in_the_fall(world, calendar):
    semester_create(actor=None, start_year=2026, term=1, start_date=date(2026, 9, 7), end_date=date(2027, 1, 17))

    assert year_proposed(date(2026, 10, 1)).start_year == 2025


def test_opening_is_refused_before_the_year_has_ended(world, calendar):
    year = AcademicYear.objects.get(start_year=2025)

    with pytest.raises(ValidationError) as refused:
        cycle_open(actor=world.school_admin, academic_year=year, settings=settings(), today=date(2026, 7, 12))

    assert "academic_year" in refused.value.message_dict
    assert not Cycle.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"weight_peer": 30}, "weight_compliance"),
        ({"pass_threshold": 101}, "pass_threshold"),
        ({"votes_per_person": 0}, "votes_per_person"),
        ({"peer_until": date(2026, 9, 1)}, "peer_until"),
        ({"questions": ("x" * 201,)}, "questions"),
    ],
)
def test_opening_refuses_bad_settings_and_writes_nothing(world, calendar, overrides, field):
    with pytest.raises(ValidationError) as refused:
        open_cycle(world, **overrides)

    assert field in refused.value.message_dict
    assert (Cycle.objects.count(), Candidate.objects.count()) == (0, 0)


def test_opening_a_second_cycle_for_the_same_year_is_refused(world, calendar):
    open_cycle(world)

    with pytest.raises(ValidationError):
        open_cycle(world)
    assert Cycle.objects.count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_school_admin_opens_a_cycle(world, calendar, persona):
    year = AcademicYear.objects.get(start_year=2025)

    with pytest.raises(PermissionDenied):
        cycle_open(actor=getattr(world, persona), academic_year=year, settings=settings(), today=OPENED_ON)


def test_a_judged_record_can_no_longer_be_added(judged):
    open_cycle(judged)
    # Spring 2026 is still inside its grace period on 2026-07-20; only the freeze refuses.
    data = RecordInput(
        role=StaffRole.MENTOR,
        kind=Kind.MENTOR_TALK,
        day=date(2026, 7, 1),
        mode=Mode.ONE_TO_ONE,
        students=[judged.students[1]],
        topics=["academic"],
    )

    with pytest.raises(ValidationError) as refused:
        interaction_log(actor=judged.mentor, data=data, today=OPENED_ON)

    assert "frozen" in refused.value.message_dict["day"][0]


def test_a_judged_record_can_no_longer_be_edited_or_deleted(judged):
    record = talk(judged.mentor, [judged.students[1]], date(2026, 7, 1))
    open_cycle(judged)
    data = RecordInput(
        role=StaffRole.MENTOR,
        kind=Kind.MENTOR_TALK,
        day=date(2026, 7, 2),
        mode=Mode.ONE_TO_ONE,
        students=[judged.students[1]],
        topics=["research"],
    )

    with pytest.raises(ValidationError) as edit:
        interaction_update(actor=judged.mentor, interaction=record, data=data, today=OPENED_ON)
    with pytest.raises(ValidationError) as delete:
        interaction_delete(actor=judged.mentor, interaction=record, today=OPENED_ON)

    assert "frozen" in edit.value.message_dict["day"][0]
    assert "frozen" in delete.value.message_dict["day"][0]
    record.refresh_from_db()
    assert (record.day, record.topics) == (date(2026, 7, 1), ["academic"])


def test_the_snapshot_does_not_move_when_a_rule_changes(judged, calendar):
    fall, _ = calendar
    cycle = open_cycle(judged)
    rule = QuotaRule.objects.get(requirement="R-03", college__isnull=True)
    rule.minimum = 5
    quota_rule_save(actor=judged.school_admin, rule=rule)

    live = compliance_report(semester=fall, person_ids=[judged.mentor.pk])
    mentor = Candidate.objects.get(cycle=cycle, person=judged.mentor)
    # Live, student 0's four talks no longer meet R-03; the stored snapshot still says they did.
    assert sum(1 for line in live.lines if line.rule.pk == rule.pk and line.met) == 0
    assert (mentor.compliance["lines_met"], mentor.compliance_score) == (1, Decimal("7.14"))


def test_phases_move_forward_in_order_and_each_move_is_audited(
    world, calendar, caplog, django_capture_on_commit_callbacks
):
    cycle = open_cycle(world)
    seen = []
    with (
        caplog.at_level(logging.INFO, logger="evaluation.services.cycles"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for _ in range(5):
            cycle = cycle_advance(actor=world.school_admin, cycle=cycle, expected_phase=cycle.phase)
            seen.append(cycle.phase)

    assert seen == [Phase.SURVEY, Phase.PEER, Phase.COLLEGE, Phase.SCHOOL, Phase.CLOSED]
    assert AuditEntry.objects.filter(action="evaluation.phase_advance").count() == 5
    # The hook that tells people of the new phase ran once per move, after the commit.
    moves = [r.getMessage() for r in caplog.records if r.name == "evaluation.services.cycles"]
    assert moves == [f"evaluation cycle {cycle.pk} moved to phase {phase}" for phase in seen], caplog.records
    with pytest.raises(ValidationError):
        cycle_advance(actor=world.school_admin, cycle=cycle, expected_phase=Phase.CLOSED)


def test_a_move_from_a_phase_the_cycle_has_left_is_refused(world, calendar):
    cycle = open_cycle(world)
    cycle_advance(actor=world.school_admin, cycle=cycle, expected_phase=Phase.PREPARATION)

    with pytest.raises(ValidationError) as refused:
        cycle_advance(actor=world.school_admin, cycle=cycle, expected_phase=Phase.PREPARATION)

    assert "moved it meanwhile" in refused.value.message_dict["phase"][0]
    assert Cycle.objects.get().phase == Phase.SURVEY


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_school_admin_moves_phases(world, calendar, persona):
    cycle = advance_to(world, open_cycle(world), Phase.SURVEY)
    actor = getattr(world, persona)

    with pytest.raises(PermissionDenied):
        cycle_advance(actor=actor, cycle=cycle, expected_phase=Phase.SURVEY)
    with pytest.raises(PermissionDenied):
        cycle_step_back(actor=actor, cycle=cycle, expected_phase=Phase.SURVEY, reason="mistake")
    assert Cycle.objects.get().phase == Phase.SURVEY


def test_going_back_needs_a_reason_that_the_audit_keeps(world, calendar):
    cycle = advance_to(world, open_cycle(world), Phase.PEER)

    with pytest.raises(ValidationError) as refused:
        cycle_step_back(actor=world.school_admin, cycle=cycle, expected_phase=Phase.PEER, reason="  ")
    assert "reason" in refused.value.message_dict
    cycle = cycle_step_back(
        actor=world.school_admin, cycle=cycle, expected_phase=Phase.PEER, reason="The survey closed a day early."
    )

    assert cycle.phase == Phase.SURVEY
    entry = AuditEntry.objects.get(action="evaluation.phase_back")
    assert entry.data == {"from": "peer", "to": "survey", "reason": "The survey closed a day early."}


def test_closing_hands_the_scores_to_the_candidates_and_going_back_clears_them(world, calendar):
    cycle = advance_to(world, open_cycle(world), Phase.CLOSED)
    advisor = Candidate.objects.get(cycle=cycle, person=world.advisor)
    # Compliance 0, no survey answers, no votes: (40 × 0 + 20 × 0) / 60 = 0.
    assert (advisor.satisfaction_score, advisor.peer_score, advisor.final_score) == (None, Decimal(0), Decimal(0))

    cycle_step_back(actor=world.school_admin, cycle=cycle, expected_phase=Phase.CLOSED, reason="Objection upheld")

    advisor.refresh_from_db()
    assert advisor.final_score is None


def test_going_back_asks_the_registered_hooks_first_and_a_refusal_writes_nothing(world, calendar, monkeypatch):
    cycle = advance_to(world, open_cycle(world), Phase.CLOSED)
    calls = []

    def refuse(**kwargs):
        calls.append(kwargs)
        raise ValidationError({"phase": "The awards depend on these scores."})

    monkeypatch.setattr("evaluation.services.cycles.cycle_step_back_hooks", [*cycle_step_back_hooks, refuse])
    audit = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        cycle_step_back(actor=world.school_admin, cycle=cycle, expected_phase=Phase.CLOSED, reason="Recount")

    assert refused.value.message_dict == {"phase": ["The awards depend on these scores."]}
    assert [(c["actor"], c["cycle"].pk, c["from_phase"], c["to_phase"], c["reason"]) for c in calls] == [
        (world.school_admin, cycle.pk, Phase.CLOSED, Phase.SCHOOL, "Recount")
    ]
    assert (Cycle.objects.get().phase, AuditEntry.objects.count()) == (Phase.CLOSED, audit)
    scored = Candidate.objects.filter(cycle=cycle, final_score__isnull=False)
    assert scored.count() == Candidate.objects.filter(cycle=cycle).count() > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_moving_the_phase_at_once_exactly_one_succeeds(postgres, world, calendar):
    cycle = open_cycle(world)
    from accounts.services import role_grant
    from tests.factories import StaffFactory

    second_admin = StaffFactory(college=None).user
    role_grant(actor=None, user=second_admin, role="school_admin")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(actor):
        try:
            barrier.wait()
            cycle_advance(actor=actor, cycle=cycle, expected_phase=Phase.PREPARATION)
            outcomes.append("moved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(a,)) for a in (world.school_admin, second_admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["moved", "refused"]
    assert Cycle.objects.get().phase == Phase.SURVEY
    assert AuditEntry.objects.filter(action="evaluation.phase_advance").count() == 1
