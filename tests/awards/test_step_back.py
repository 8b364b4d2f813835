"""The evaluation going back a phase once the cycle has awards: refused for a published list, a draft discarded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from awards.models import Adjustment, Award, AwardCategory, AwardSlate, AwardState
from awards.services.proposal import selection_run
from awards.services.publicity import awards_finalise, awards_publish
from evaluation.models import Candidate, Cycle, Phase
from evaluation.services.cycles import cycle_step_back
from evaluation.services.review import candidate_set_ineligible
from tests.awards.conftest import MONDAY, add_people, open_cycle, ready

NEXT_MONDAY = date(2026, 11, 23)


def _proposed(world, phase: str) -> Cycle:
    cycle = ready(world, open_cycle(world, phase))
    add_people(cycle, "mentor", [95, 90, 85], college=world.college)
    selection_run(actor=world.school_admin, cycle=cycle)
    return cycle


@pytest.mark.parametrize(
    ("phase", "final"), [(Phase.CLOSED, False), (Phase.CLOSED, True), (Phase.SCHOOL, False), (Phase.SCHOOL, True)]
)
def test_going_back_is_refused_once_the_list_is_published_and_nothing_is_written(world, calendar, phase, final):
    cycle = _proposed(world, phase)
    awards_publish(actor=world.school_admin, cycle=cycle, today=MONDAY)
    if final:
        awards_finalise(actor=world.school_admin, cycle=cycle, today=NEXT_MONDAY)
    scores = list(Candidate.objects.filter(cycle=cycle).order_by("pk").values_list("final_score", flat=True))
    audit = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        cycle_step_back(actor=world.school_admin, cycle=cycle, expected_phase=phase, reason="A score was wrong.")

    state = "Final" if final else "In publicity"
    assert refused.value.message_dict["phase"] == [
        f"The award list of 2025–2026 is “{state}”: the evaluation can no longer go back a phase, because the "
        "published awards stand on its scores. Raise a problem as an objection instead."
    ]
    assert Cycle.objects.get(pk=cycle.pk).phase == phase
    assert list(Candidate.objects.filter(cycle=cycle).order_by("pk").values_list("final_score", flat=True)) == scores
    assert (Award.objects.filter(cycle=cycle).count(), AuditEntry.objects.count()) == (3, audit)
    assert AwardSlate.objects.get(cycle=cycle).state == (AwardState.FINALISED if final else AwardState.PUBLICITY)


def test_going_back_discards_a_draft_proposal_and_the_change_log_keeps_why(world, calendar):
    cycle = _proposed(world, Phase.CLOSED)

    cycle = cycle_step_back(
        actor=world.school_admin, cycle=cycle, expected_phase=Phase.CLOSED, reason="问卷统计有误，重新核分"
    )

    slate = AwardSlate.objects.get(cycle=cycle)
    assert (cycle.phase, slate.state, slate.selected_at, Award.objects.filter(cycle=cycle).count()) == (
        Phase.SCHOOL,
        AwardState.PREPARED,
        None,
        0,
    )
    change = Adjustment.objects.get(cycle=cycle, action=Adjustment.Action.DISCARD)
    assert (change.before, change.after, change.reason, change.actor) == (
        "3",
        "0",
        "问卷统计有误，重新核分",
        world.school_admin,
    )
    entry = AuditEntry.objects.get(action="awards.proposal_discard")
    assert entry.data == {"awards": 3, "from": "closed", "to": "school", "reason": "问卷统计有误，重新核分"}
    # The categories and the committee's caps stay for the next selection.
    assert AwardCategory.objects.get(cycle=cycle, code="mentor_excellent").cap == 3


def test_after_a_discard_the_next_selection_starts_from_the_new_scores(world, calendar):
    cycle = _proposed(world, Phase.CLOSED)
    assert Award.objects.get(person__number="PM000").final_score == Decimal("95.00")
    cycle = cycle_step_back(actor=world.school_admin, cycle=cycle, expected_phase=Phase.CLOSED, reason="重新核分")
    second = Candidate.objects.get(cycle=cycle, person__number="PM001")
    candidate_set_ineligible(actor=world.school_admin, candidate=second, reason="师德问题")

    awards = selection_run(actor=world.school_admin, cycle=cycle)

    # Live scores in school review: no survey answers (weight shared out), no votes: (40 × 95 + 20 × 0) / 60.
    assert [(a.person.number, a.final_score) for a in awards] == [
        ("PM000", Decimal("63.33")),
        ("PM002", Decimal("56.67")),
    ]
    # The discarded proposal was not "replaced" by this run: nothing was left to replace.
    assert not Adjustment.objects.filter(cycle=cycle, action=Adjustment.Action.RERUN).exists()


def test_going_back_with_only_the_categories_prepared_keeps_them(world, calendar):
    cycle = ready(world, open_cycle(world, Phase.SCHOOL))

    cycle = cycle_step_back(actor=world.school_admin, cycle=cycle, expected_phase=Phase.SCHOOL, reason="学院复核")

    assert (cycle.phase, AwardSlate.objects.get(cycle=cycle).state) == (Phase.COLLEGE, AwardState.PREPARED)
    assert AwardCategory.objects.filter(cycle=cycle).count() == 9
    assert not Adjustment.objects.filter(cycle=cycle, action=Adjustment.Action.DISCARD).exists()
