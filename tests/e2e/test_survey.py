"""A student answers the satisfaction survey on a phone, reaching it from their home page (R-25)."""

from __future__ import annotations

import pytest

from evaluation.models import Phase, SurveyParticipation, SurveyResponse
from tests.evaluation.conftest import advance_to, open_cycle

pytestmark = pytest.mark.e2e


def test_student_answers_the_survey_on_a_phone(phone, log_in, live_server, world, calendar):
    cycle = advance_to(world, open_cycle(world), Phase.SURVEY)
    log_in(phone, world.student.number)

    phone.click("label.menu-button")
    phone.click("nav.menu a[href='/evaluation/']")
    phone.click("#my-part a[href$='/survey/']")
    phone.wait_for_url(f"{live_server.url}/evaluation/2025/survey/")
    cards = phone.locator("#survey-form section.card")
    assert cards.count() == 3
    for radio_name in phone.eval_on_selector_all(
        "#survey-form input[type=radio][value='4']", "els => els.map(e => e.name)"
    ):
        phone.check(f"input[name='{radio_name}'][value='4']")
    phone.fill("#survey-form textarea >> nth=0", "导师很耐心")
    phone.click("#survey-form button[type=submit]")

    phone.wait_for_url(f"{live_server.url}/evaluation/2025/survey/")
    assert phone.locator(".messages li.success").is_visible()
    assert phone.locator("#survey-done").is_visible()
    assert SurveyParticipation.objects.filter(cycle=cycle).count() == 1
    assert sorted(SurveyResponse.objects.values_list("score_sum", flat=True)) == [16, 16, 16]
    assert SurveyResponse.objects.exclude(comment="").get().comment == "导师很耐心"
    # Nothing is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
