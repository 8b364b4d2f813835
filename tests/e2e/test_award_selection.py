"""The committee runs the award selection in the browser, adjusts it with a reason and publishes it; a student
then sees the publicity list and may object."""

from __future__ import annotations

import pytest

from evaluation.models import Phase
from tests.awards.conftest import add_people, open_cycle, ready

pytestmark = pytest.mark.e2e


def test_the_committee_runs_the_selection_and_publishes_it(desktop, phone, log_in, live_server, world, calendar):
    cycle = ready(world, open_cycle(world, Phase.CLOSED))
    people = add_people(cycle, "mentor", [95, 90, 85, 80], college=world.college)
    page = desktop

    log_in(page, world.school_admin.number)
    page.goto(f"{live_server.url}/awards/2025/")
    page.click("#run-button")
    page.wait_for_selector("#run-progress a.button")  # the run is done: "see the proposal"
    page.click("#run-progress a.button")

    rows = page.locator("#ladder-mentor tr.award-row")
    assert rows.count() == 4
    assert page.locator("#ladder-mentor").get_by_text(people[0].person.name).is_visible()

    # Move the fourth mentor down a tier, with a reason.
    fourth = page.locator("tr.award-row", has_text=people[3].person.name)
    fourth.locator("details.adjust summary").click()
    fourth.locator("select[name=category]").select_option("mentor_excellent")
    fourth.locator("input[name=reason]").fill("委员会讨论后调整")
    fourth.locator("button[type=submit]").click()
    page.wait_for_selector("#adjustments >> text=委员会讨论后调整")

    page.click("#publish-button")
    page.wait_for_selector("#publicity")
    assert page.locator("#finalise-button").is_visible()
    assert not page.locator("#publish-button").count()

    log_in(phone, world.student.number)
    phone.goto(f"{live_server.url}/awards/2025/publicity/")
    assert phone.locator("#public-mentor").get_by_text(people[0].person.name).is_visible()
    winner = phone.locator("li", has_text=people[0].person.name)
    winner.locator("details.adjust summary").click()
    winner.locator("textarea[name=reason]").fill("我有异议")
    winner.locator("button[type=submit]").click()
    phone.wait_for_selector("#my-objections")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing spills sideways on a phone
