"""Two admins finalise the same list at the same moment (PostgreSQL, two threads): exactly one effect."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from accounts.models import AuditEntry, Role
from accounts.services import role_grant
from awards.models import AwardSlate, AwardState
from awards.services.proposal import selection_run
from awards.services.publicity import awards_finalise, awards_publish
from tests.awards.conftest import MONDAY, add_people, open_cycle, ready
from tests.awards.test_services import NEXT_MONDAY
from tests.factories import StaffFactory


@pytest.mark.django_db(transaction=True)
def test_two_admins_finalising_at_once_have_exactly_one_effect(postgres, world, calendar):
    cycle = ready(world, open_cycle(world, "closed"))
    add_people(cycle, "mentor", [95, 90], college=world.college)
    selection_run(actor=world.school_admin, cycle=cycle)
    awards_publish(actor=world.school_admin, cycle=cycle, today=MONDAY)
    second_admin = StaffFactory(user__number="S200").user
    role_grant(actor=None, user=second_admin, role=Role.SCHOOL_ADMIN)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def finalise(admin):
        translation.activate("en")  # the language is per thread
        try:
            barrier.wait()
            awards_finalise(actor=admin, cycle=cycle, today=NEXT_MONDAY)
            outcomes.append("finalised")
        except ValidationError as refused:
            outcomes.append(refused.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=finalise, args=(admin,)) for admin in (world.school_admin, second_admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["The award list of 2025–2026 is already final.", "finalised"]
    assert AwardSlate.objects.get().state == AwardState.FINALISED
    assert AuditEntry.objects.filter(action="awards.finalise").count() == 1
