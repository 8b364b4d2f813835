"""The award services: selection on a cycle, the committee's changes, publicity, objections, finalising, money."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from awards.models import Adjustment, Award, AwardCategory, AwardSlate, AwardState, Objection, ObjectionState
from awards.selectors import stipend_sheet
from awards.services.categories import award_categories_prepare, category_update
from awards.services.common import working_days_end
from awards.services.proposal import award_add, award_move, award_remove, selection_run
from awards.services.publicity import (
    allowance_set,
    awards_finalise,
    awards_publish,
    objection_file,
    objection_resolve,
)
from evaluation.models import Phase
from evaluation.services.cycles import cycle_advance
from mentoring.models import StaffRole
from tests.awards.conftest import MONDAY, SETUP_REASON, add_people, open_cycle, ready

FRIDAY = date(2026, 11, 20)
NEXT_MONDAY = date(2026, 11, 23)


def category(cycle, code: str) -> AwardCategory:
    return AwardCategory.objects.get(cycle=cycle, code=code)


def held(cycle, code: str) -> list[str]:
    return list(
        Award.objects.filter(cycle=cycle, category__code=code)
        .order_by("role_rank")
        .values_list("person__number", flat=True)
    )


def test_the_award_table_is_copied_from_the_policy_when_school_review_is_reached(
    world, calendar, django_capture_on_commit_callbacks
):
    cycle = open_cycle(world, Phase.COLLEGE)
    assert not AwardSlate.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        cycle = cycle_advance(actor=world.school_admin, cycle=cycle, expected_phase=Phase.COLLEGE)

    rows = list(AwardCategory.objects.filter(cycle=cycle).values_list("role", "rank", "cap", "stipend", "scope"))
    assert rows == [
        ("advisor", 1, 10, Decimal("10000.00"), "school"),
        ("advisor", 2, 15, Decimal("5000.00"), "school"),
        ("counselor", 1, 10, Decimal("10000.00"), "school"),
        ("counselor", 2, 5, Decimal("5000.00"), "school"),
        ("counselor", 3, None, Decimal("3000.00"), "college"),
        ("counselor", 4, None, Decimal("2000.00"), "school"),
        ("mentor", 1, 10, Decimal("10000.00"), "school"),
        ("mentor", 2, 15, Decimal("5000.00"), "school"),
        ("mentor", 3, None, Decimal("2000.00"), "school"),
    ]
    assert AwardSlate.objects.get(cycle=cycle).state == AwardState.PREPARED


def test_thirty_eligible_mentors_fill_the_ladder_and_the_stored_award_says_why(world, closed_cycle):
    add_people(closed_cycle, "mentor", range(100, 70, -1), college=world.college)

    selection_run(actor=world.school_admin, cycle=closed_cycle)

    assert held(closed_cycle, "mentor_top") == [f"PM{i:03d}" for i in range(10)]
    assert held(closed_cycle, "mentor_nomination") == [f"PM{i:03d}" for i in range(10, 25)]
    assert held(closed_cycle, "mentor_excellent") == ["PM025", "PM026", "PM027"]
    first = Award.objects.get(person__number="PM000")
    assert (first.role_rank, first.final_score, first.why) == (
        1,
        Decimal("100.00"),
        {"rule": "ladder", "pool": 30, "cap": 10},
    )
    assert AwardSlate.objects.get().state == AwardState.PROPOSED


def test_counselor_nominations_stop_at_five(world, closed_cycle):
    add_people(closed_cycle, "counselor", range(100, 80, -1), college=world.college)

    selection_run(actor=world.school_admin, cycle=closed_cycle)

    assert len(held(closed_cycle, "counselor_top")) == 10
    assert held(closed_cycle, "counselor_nomination") == [f"PC{i:03d}" for i in range(10, 15)]


def test_ineligible_unrecommended_and_failed_people_never_appear(world, closed_cycle):
    add_people(closed_cycle, "mentor", [99, 98], college=world.college, prefix="OK")
    add_people(closed_cycle, "mentor", [100], college=world.college, prefix="NR", recommended=False)
    add_people(closed_cycle, "mentor", [100], college=world.college, prefix="IN", ineligible_reason="处分")
    add_people(closed_cycle, "mentor", [100], college=world.college, prefix="FA", compliance_passed=False)

    selection_run(actor=world.school_admin, cycle=closed_cycle)

    assert sorted(Award.objects.values_list("person__number", flat=True)) == ["OKM000", "OKM001"]


def test_a_person_holds_one_award_per_ladder_even_through_the_committee(world, closed_cycle):
    [top] = add_people(closed_cycle, "mentor", [100], college=world.college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)

    with pytest.raises(ValidationError) as refused:
        award_add(
            actor=world.school_admin, candidate=top, category=category(closed_cycle, "mentor_excellent"), reason="再加"
        )

    assert "move it instead" in refused.value.message_dict["candidate"][0]
    assert Award.objects.filter(person=top.person).count() == 1


def test_selection_is_the_same_when_run_again(world, closed_cycle):
    add_people(closed_cycle, "mentor", [90, 90, 80, 95, 70], college=world.college)
    first = [
        (a.person_id, a.category_id, a.role_rank) for a in selection_run(actor=world.school_admin, cycle=closed_cycle)
    ]

    second = [
        (a.person_id, a.category_id, a.role_rank) for a in selection_run(actor=world.school_admin, cycle=closed_cycle)
    ]

    assert first == second
    assert Adjustment.objects.filter(action=Adjustment.Action.RERUN).count() == 1


def test_selection_in_school_review_uses_the_live_scores(world, calendar):
    cycle = ready(world, open_cycle(world, Phase.SCHOOL))
    mentor = cycle.candidates.get(person=world.mentor)
    mentor.recommended = True
    mentor.compliance_passed = True
    mentor.save()

    [award] = selection_run(actor=world.school_admin, cycle=cycle)

    # No survey answers (no satisfaction point, its weight shared out) and no votes (peer 0): 40 × c + 20 × 0 / 60.
    expected = (mentor.compliance_score * 40 / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert (award.person_id, award.final_score, award.satisfaction_score, award.peer_score) == (
        world.mentor.pk,
        expected,
        None,
        Decimal("0.00"),
    )


@pytest.mark.parametrize("phase", [Phase.PREPARATION, Phase.SURVEY, Phase.PEER, Phase.COLLEGE])
def test_selection_before_school_review_is_refused_and_writes_nothing(world, calendar, phase):
    cycle = open_cycle(world, phase)

    with pytest.raises(ValidationError) as refused:
        selection_run(actor=world.school_admin, cycle=cycle)

    assert "school review" in refused.value.messages[0]
    assert not AwardSlate.objects.exists() and not Award.objects.exists()


def test_selection_is_refused_while_a_several_cap_is_unset(world, calendar):
    cycle = open_cycle(world, Phase.CLOSED)
    add_people(cycle, "mentor", [90], college=world.college)

    with pytest.raises(ValidationError) as refused:
        selection_run(actor=world.school_admin, cycle=cycle)

    assert "本科生优秀导师" in refused.value.message_dict["cap"][0]
    assert not Award.objects.exists()


@pytest.mark.parametrize("persona", ["mentor", "college_admin", "school_student_affairs", "student", "outsider"])
def test_only_the_school_admin_runs_and_changes_the_selection(world, closed_cycle, persona):
    add_people(closed_cycle, "mentor", [90], college=world.college)
    actor = getattr(world, persona)

    with pytest.raises(PermissionDenied):
        selection_run(actor=actor, cycle=closed_cycle)
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    award = Award.objects.get()
    for attempt in (
        lambda: award_remove(actor=actor, award=award, reason="x"),
        lambda: award_move(actor=actor, award=award, category=category(closed_cycle, "mentor_excellent"), reason="x"),
        lambda: category_update(
            actor=actor, category=category(closed_cycle, "mentor_top"), cap=5, stipend="1", reason="x"
        ),
        lambda: awards_publish(actor=actor, cycle=closed_cycle, today=MONDAY),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert Award.objects.get().category.code == "mentor_top"


def test_an_adjustment_without_a_reason_is_refused_and_writes_nothing(world, closed_cycle):
    add_people(closed_cycle, "mentor", [90, 80], college=world.college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    award = Award.objects.get(person__number="PM000")

    with pytest.raises(ValidationError) as refused:
        award_move(
            actor=world.school_admin, award=award, category=category(closed_cycle, "mentor_excellent"), reason=" "
        )

    assert list(refused.value.message_dict) == ["reason"]
    assert Award.objects.get(pk=award.pk).category.code == "mentor_top"
    assert not Adjustment.objects.exclude(reason=SETUP_REASON).exists()


def test_committee_changes_are_kept_with_their_reasons_and_caps_still_hold(world, closed_cycle):
    people = add_people(closed_cycle, "mentor", range(100, 85, -1), college=world.college)  # 15 mentors
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    top, nomination = category(closed_cycle, "mentor_top"), category(closed_cycle, "mentor_nomination")
    tenth = Award.objects.get(person=people[9].person)
    eleventh = Award.objects.get(person=people[10].person)

    with pytest.raises(ValidationError) as full:
        award_move(actor=world.school_admin, award=eleventh, category=top, reason="表现突出")
    assert "full" in full.value.message_dict["category"][0]

    award_move(actor=world.school_admin, award=tenth, category=nomination, reason="材料不全")
    award_move(actor=world.school_admin, award=eleventh, category=top, reason="表现突出")
    award_remove(actor=world.school_admin, award=Award.objects.get(person=people[14].person), reason="本人放弃")

    log = list(Adjustment.objects.exclude(reason=SETUP_REASON).order_by("id").values_list("action", "reason"))
    assert log == [("move", "材料不全"), ("move", "表现突出"), ("remove", "本人放弃")]
    assert Award.objects.filter(category=top).count() == 10
    assert AuditEntry.objects.filter(action__in=["awards.move", "awards.remove"]).count() == 3


def test_an_ineligible_person_is_added_only_as_a_recorded_override(world, closed_cycle):
    [failed] = add_people(closed_cycle, "mentor", [99], college=world.college, compliance_passed=False)
    add_people(closed_cycle, "mentor", [90], college=world.college, prefix="OK")
    selection_run(actor=world.school_admin, cycle=closed_cycle)

    award = award_add(
        actor=world.school_admin, candidate=failed, category=category(closed_cycle, "mentor_excellent"), reason="病假"
    )

    assert award.why == {"rule": "committee", "reason": "病假", "override": True}


def test_a_cap_below_the_awards_on_the_list_is_refused(world, closed_cycle):
    add_people(closed_cycle, "mentor", range(100, 85, -1), college=world.college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)

    with pytest.raises(ValidationError) as refused:
        category_update(
            actor=world.school_admin,
            category=category(closed_cycle, "mentor_top"),
            cap=9,
            stipend="10000",
            reason="缩减",
        )

    assert "remove some" in refused.value.message_dict["cap"][0]
    assert category(closed_cycle, "mentor_top").cap == 10
    updated = category_update(
        actor=world.school_admin,
        category=category(closed_cycle, "mentor_top"),
        cap=12,
        stipend="9999.50",
        reason="增加",
    )
    assert (updated.cap, updated.stipend) == (12, Decimal("9999.50"))
    changes = Adjustment.objects.filter(action__in=["cap", "stipend"]).exclude(reason=SETUP_REASON)
    assert list(changes.values_list("before", "after")) == [
        ("10000.00", "9999.50"),
        ("10", "12"),
    ]


@pytest.mark.parametrize("amount", ["12.345", "-1", "abc", "NaN", "1000000"])
def test_a_stipend_that_is_not_yuan_to_the_cent_is_refused(world, closed_cycle, amount):
    with pytest.raises(ValidationError) as refused:
        category_update(
            actor=world.school_admin, category=category(closed_cycle, "mentor_top"), cap=10, stipend=amount, reason="x"
        )
    assert list(refused.value.message_dict) == ["stipend"]


def test_publicity_lasts_five_working_days():
    assert working_days_end(MONDAY, 5) == FRIDAY
    assert working_days_end(date(2026, 11, 19), 5) == date(2026, 11, 25)  # Thursday → next Wednesday
    assert working_days_end(date(2026, 11, 21), 5) == date(2026, 11, 27)  # Saturday → the Friday after


@pytest.fixture
def published(world, closed_cycle):
    add_people(closed_cycle, "mentor", [95, 90, 85], college=world.college)
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    awards_publish(actor=world.school_admin, cycle=closed_cycle, today=MONDAY)
    return closed_cycle


def test_publicity_objection_and_finalise_lifecycle(world, published):
    award = Award.objects.get(person__number="PM000")
    dismissed = objection_file(actor=world.student, award=award, reason="不了解", today=MONDAY)
    upheld = objection_file(
        actor=world.outsider, award=Award.objects.get(person__number="PM001"), reason="材料造假", today=FRIDAY
    )

    with pytest.raises(ValidationError) as during:
        awards_finalise(actor=world.school_admin, cycle=published, today=FRIDAY)
    assert "2026-11-20" in during.value.messages[0]
    with pytest.raises(ValidationError) as still_open:
        awards_finalise(actor=world.school_admin, cycle=published, today=NEXT_MONDAY)
    assert "2 objection(s)" in still_open.value.messages[0]

    objection_resolve(actor=world.school_admin, objection=dismissed, upheld=False, resolution="材料齐全")
    objection_resolve(actor=world.school_admin, objection=upheld, upheld=True, resolution="核实属实")
    slate = awards_finalise(actor=world.school_admin, cycle=published, today=NEXT_MONDAY)

    assert slate.state == AwardState.FINALISED
    assert sorted(Award.objects.values_list("person__number", flat=True)) == ["PM000", "PM002"]
    assert list(Objection.objects.values_list("state", "resolution")) == [
        (ObjectionState.DISMISSED, "材料齐全"),
        (ObjectionState.UPHELD, "核实属实"),
    ]
    assert Adjustment.objects.get(action="upheld").person.number == "PM001"


def test_an_objection_after_publicity_closed_is_refused_and_writes_nothing(world, published):
    award = Award.objects.first()

    with pytest.raises(ValidationError) as refused:
        objection_file(actor=world.student, award=award, reason="晚了", today=NEXT_MONDAY)

    assert "2026-11-20" in refused.value.message_dict["reason"][0]
    assert not Objection.objects.exists()


def test_an_objection_without_a_reason_is_refused(world, published):
    with pytest.raises(ValidationError):
        objection_file(actor=world.student, award=Award.objects.first(), reason="", today=MONDAY)
    assert not Objection.objects.exists()


def test_the_committee_cannot_change_a_published_list(world, published):
    with pytest.raises(ValidationError):
        award_remove(actor=world.school_admin, award=Award.objects.first(), reason="改")
    with pytest.raises(ValidationError):
        category_update(
            actor=world.school_admin, category=category(published, "mentor_top"), cap=3, stipend="1", reason="改"
        )
    with pytest.raises(ValidationError):
        selection_run(actor=world.school_admin, cycle=published)
    assert Award.objects.count() == 3


def test_finalising_twice_has_one_effect(world, published):
    awards_finalise(actor=world.school_admin, cycle=published, today=NEXT_MONDAY)

    with pytest.raises(ValidationError) as again:
        awards_finalise(actor=world.school_admin, cycle=published, today=NEXT_MONDAY)

    assert "already final" in again.value.messages[0]
    assert AuditEntry.objects.filter(action="awards.finalise").count() == 1
    with pytest.raises(ValidationError):
        objection_file(actor=world.student, award=Award.objects.first(), reason="x", today=NEXT_MONDAY)


def test_stipend_totals_per_college_and_overall_match_the_database_to_the_yuan(world, closed_cycle):
    add_people(closed_cycle, "mentor", range(100, 86, -1), college=world.college)  # 10 top + 4 nominations
    add_people(closed_cycle, "counselor", [80, 70], college=world.other_college)  # 2 top
    add_people(closed_cycle, "advisor", [60], college=world.other_college, compliance_passed=False)
    category_update(
        actor=world.school_admin,
        category=category(closed_cycle, "mentor_nomination"),
        cap=15,
        stipend="5000.33",
        reason="测试分",
    )
    selection_run(actor=world.school_admin, cycle=closed_cycle)
    allowance_set(
        actor=world.school_admin, academic_year=closed_cycle.academic_year, role=StaffRole.MENTOR, amount="1200.10"
    )
    allowance_set(
        actor=world.school_admin, academic_year=closed_cycle.academic_year, role=StaffRole.ADVISOR, amount="800"
    )

    sheet = stipend_sheet(closed_cycle)

    by_college = {c.name: (c.awards, c.award_amount, c.allowance_people, c.allowance_amount) for c in sheet.colleges}
    assert by_college == {
        "材料学院": (14, Decimal("120001.32"), 14, Decimal("16801.40")),
        "经管学院": (2, Decimal("20000.00"), 0, Decimal("0.00")),
    }
    assert (sheet.overall.awards, sheet.overall.total) == (16, Decimal("156802.72"))
    assert all(isinstance(v, Decimal) for c in sheet.colleges for v in (c.award_amount, c.allowance_amount, c.total))


def test_allowances_are_refused_for_a_final_year_and_for_bad_amounts(world, published):
    year = published.academic_year
    with pytest.raises(ValidationError):
        allowance_set(actor=world.school_admin, academic_year=year, role=StaffRole.MENTOR, amount="1.001")
    awards_finalise(actor=world.school_admin, cycle=published, today=NEXT_MONDAY)
    with pytest.raises(ValidationError) as final:
        allowance_set(actor=world.school_admin, academic_year=year, role=StaffRole.MENTOR, amount="100")
    assert "final" in final.value.message_dict["amount"][0]


def test_preparing_twice_changes_nothing(world, closed_cycle):
    before = list(AwardCategory.objects.values_list("pk", "cap"))
    award_categories_prepare(actor=world.school_admin, cycle=closed_cycle)
    assert list(AwardCategory.objects.values_list("pk", "cap")) == before
