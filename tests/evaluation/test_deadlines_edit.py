"""The school admin moves the deadlines of an open cycle: the active and later phases only, in order, with a reason,
audited; a moved deadline gets its own reminders (the reminder key holds the deadline)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEntry, SentMessage
from evaluation.models import Cycle, Phase
from evaluation.reminder_tasks import deadline_reminders
from evaluation.services.cycles import cycle_deadlines_update
from tests.evaluation.conftest import advance_to, open_cycle

SURVEY, PEER = date(2026, 9, 30), date(2026, 10, 15)  # the deadlines of tests/evaluation/conftest.py


def deadlines(cycle) -> tuple[date, date, date, date]:
    cycle.refresh_from_db()
    return cycle.survey_until, cycle.peer_until, cycle.college_until, cycle.school_until


def test_the_active_phase_deadline_moves_with_a_reason_and_is_audited(world, calendar):
    cycle = advance_to(world, open_cycle(world), Phase.SURVEY)
    before = deadlines(cycle)

    cycle_deadlines_update(
        actor=world.school_admin, cycle=cycle, deadlines={"survey_until": date(2026, 10, 7)}, reason="国庆假期顺延"
    )

    assert deadlines(cycle) == (date(2026, 10, 7), *before[1:])
    entry = AuditEntry.objects.get(action="evaluation.deadlines_update")
    assert entry.data == {"changed": {"survey_until": ["2026-09-30", "2026-10-07"]}, "reason": "国庆假期顺延"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"survey_until": date(2026, 10, 1)}, "survey_until"),  # the survey phase is over
        ({"peer_until": date(2026, 11, 20)}, "peer_until"),  # after the college review's deadline
        ({"peer_until": PEER}, "survey_until"),  # nothing changes
    ],
)
def test_refusals_write_nothing(world, calendar, change, field):
    cycle = advance_to(world, open_cycle(world), Phase.PEER)
    before = deadlines(cycle)

    with pytest.raises(ValidationError) as refused:
        cycle_deadlines_update(actor=world.school_admin, cycle=cycle, deadlines=change, reason="调整")

    assert field in refused.value.message_dict
    assert deadlines(cycle) == before
    assert not AuditEntry.objects.filter(action="evaluation.deadlines_update").exists()


def test_a_reason_is_required_and_only_the_school_admin_may_move_deadlines(world, calendar):
    cycle = advance_to(world, open_cycle(world), Phase.SURVEY)
    later = {"survey_until": date(2026, 10, 7)}

    with pytest.raises(ValidationError):
        cycle_deadlines_update(actor=world.school_admin, cycle=cycle, deadlines=later, reason="  ")
    with pytest.raises(PermissionDenied):
        cycle_deadlines_update(actor=world.college_admin, cycle=cycle, deadlines=later, reason="调整")
    assert deadlines(cycle)[0] == SURVEY


def test_a_closed_cycle_keeps_its_deadlines(world, calendar):
    cycle = advance_to(world, open_cycle(world), Phase.CLOSED)

    with pytest.raises(ValidationError):
        cycle_deadlines_update(
            actor=world.school_admin, cycle=cycle, deadlines={"school_until": date(2026, 12, 1)}, reason="调整"
        )


def test_a_moved_deadline_gets_its_own_reminder(world, calendar):
    cycle = advance_to(world, open_cycle(world), Phase.SURVEY)
    deadline_reminders(today="2026-09-27")  # 3 days before the first deadline
    cycle_deadlines_update(
        actor=world.school_admin, cycle=cycle, deadlines={"survey_until": date(2026, 10, 7)}, reason="顺延"
    )

    deadline_reminders(today="2026-10-04")  # 3 days before the new one

    keys = set(SentMessage.objects.filter(reason="deadline.survey").values_list("period_key", flat=True))
    assert keys == {f"cycle-{cycle.pk}-survey-2026-09-30-3d", f"cycle-{cycle.pk}-survey-2026-10-07-3d"}


def test_the_page_form_moves_deadlines_and_shows_refusals(world, calendar, as_user):
    cycle = advance_to(world, open_cycle(world), Phase.SURVEY)
    url = reverse("evaluation:deadlines", kwargs={"year": 2025})
    form = {
        "survey_until": "2026-10-07",
        "peer_until": "2026-10-15",
        "college_until": "2026-10-31",
        "school_until": "2026-11-15",
        "reason": "顺延一周",
    }

    page = as_user(world.school_admin).get(reverse("evaluation:overview"))
    assert b'id="deadlines"' in page.content
    assert as_user(world.college_admin).post(url, form).status_code == 403
    refused = as_user(world.school_admin).post(url, {**form, "peer_until": "2026-10-01"}, follow=True)
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]
    assert Cycle.objects.get(pk=cycle.pk).survey_until == SURVEY  # refused: out of order

    response = as_user(world.school_admin).post(url, form, follow=True)

    assert Cycle.objects.get(pk=cycle.pk).survey_until == date(2026, 10, 7)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
