"""A phase move tells the people who have something to do in the new phase, once, on commit (issue 5: phase
transitions enqueue notifications on commit; the reason is optional, unlike the deadline reminders)."""

from __future__ import annotations

import pytest

from accounts.models import Notification, SentMessage
from accounts.notifications.services import notification_preferences_set
from evaluation.models import Phase
from evaluation.reminder_tasks import phase_opened
from evaluation.services.cycles import cycle_advance
from tests.evaluation.conftest import advance_to, judged, open_cycle
from tests.notifications.test_deadlines import second_mentor

__all__ = ["judged", "second_mentor"]  # fixtures used by name

REASON = "evaluation.phase_opened"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def told(key: str | None = None) -> set[str]:
    rows = SentMessage.objects.filter(reason=REASON, channel="in_app")
    if key:
        rows = rows.filter(period_key=key)
    return set(rows.values_list("recipient__number", flat=True))


def advance(world, cycle, capture):
    with capture(execute=True):
        return cycle_advance(actor=world.school_admin, cycle=cycle, expected_phase=cycle.phase)


def test_opening_the_survey_tells_the_students_with_carers_and_the_people_evaluated(
    judged, django_capture_on_commit_callbacks
):
    cycle = advance_to(judged, open_cycle(judged), Phase.PREPARATION)

    cycle = advance(judged, cycle, django_capture_on_commit_callbacks)

    students = {s.user.number for s in judged.students} | {s.user.number for s in judged.mentees}
    evaluated = {judged.mentor.number, judged.advisor.number, judged.counselor.number}
    assert told(f"cycle-{cycle.pk}-survey-open") == students | evaluated
    assert judged.other_student.user.number not in told()  # no carer of theirs is evaluated
    (message,) = Notification.objects.filter(recipient=judged.students[1].user)
    assert message.subject.startswith("The evaluation of 2025–2026")
    assert (message.link, message.mandatory) == ("/evaluation/2025/survey/", False)


def test_the_peer_phase_tells_the_voters_with_a_colleague_and_not_the_one_who_muted_it(
    judged, second_mentor, django_capture_on_commit_callbacks
):
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)
    cycle = advance(judged, cycle, django_capture_on_commit_callbacks)
    assert told(f"cycle-{cycle.pk}-peer-open") == {judged.mentor.number, second_mentor.number}
    # The advisor and the counselor are alone in their college and role: nobody to vote for, nothing to do.

    SentMessage.objects.all().delete()
    Notification.objects.all().delete()
    notification_preferences_set(actor=judged.mentor, muted={REASON})
    phase_opened(cycle_id=cycle.pk, phase=Phase.PEER)

    assert told() == {second_mentor.number}


def test_closing_tells_everyone_evaluated_once_and_a_second_run_sends_nothing(
    judged, django_capture_on_commit_callbacks
):
    cycle = advance_to(judged, open_cycle(judged), Phase.SCHOOL)

    cycle = advance(judged, cycle, django_capture_on_commit_callbacks)
    first = SentMessage.objects.filter(reason=REASON).count()
    phase_opened(cycle_id=cycle.pk, phase=Phase.CLOSED)

    evaluated = {judged.mentor.number, judged.advisor.number, judged.counselor.number}
    assert told(f"cycle-{cycle.pk}-closed-open") == evaluated
    assert SentMessage.objects.filter(reason=REASON).count() == first == 3
    assert Notification.objects.filter(recipient=judged.mentor).count() == 1


def test_a_late_task_for_a_phase_the_cycle_has_left_sends_nothing(judged):
    cycle = advance_to(judged, open_cycle(judged), Phase.PEER)

    result = phase_opened(cycle_id=cycle.pk, phase=Phase.SURVEY)

    assert result["sent"] == 0
    assert told() == set()
