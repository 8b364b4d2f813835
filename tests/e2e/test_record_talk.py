"""A mentor logs a group talk from a phone and sees My work's progress bar move (R-03)."""

from __future__ import annotations

from datetime import date

import pytest

from mentoring.services.calendar import semester_create

pytestmark = pytest.mark.e2e


def test_mentor_logs_a_group_talk_on_a_phone(phone, log_in, live_server, world):
    semester_create(actor=None, start_year=2026, term=1, start_date=date(2026, 9, 7), end_date=date(2027, 1, 17))
    log_in(phone, world.mentor.number)
    phone.goto(f"{live_server.url}/work/")
    bar = phone.locator(".rule-card", has_text="R-03").locator("progress")
    assert bar.get_attribute("value") == "0"
    assert bar.get_attribute("max") == "8"

    phone.goto(f"{live_server.url}/work/record/")
    phone.select_option("#id_kind", "mentor:mentor_talk")
    phone.check("input[name=mode][value=group]")
    phone.check(f"input[data-select-all='class-{world.class_a.pk}']")
    for student in world.students[:2]:
        assert phone.locator(f"input[name=students][value='{student.pk}']").is_checked()
    phone.check("input[name=topics][value=academic]")
    phone.fill("#id_summary", "小组谈话：选课与学习计划")
    phone.click("form.record-form button[type=submit]")

    phone.wait_for_url(f"{live_server.url}/work/")
    assert phone.locator(".messages li.success").is_visible()
    bar = phone.locator(".rule-card", has_text="R-03").locator("progress")
    assert bar.get_attribute("value") == "2"
    assert phone.viewport_size["width"] == 390


def test_the_record_form_checks_each_kinds_usual_form(phone, log_in, live_server, world):
    """A dorm visit opens on 一对多 (a room of students), a mentor talk on 一对一; choosing another kind checks its
    usual form again (mentoring/kinds.py lists it first)."""
    semester_create(actor=None, start_year=2026, term=1, start_date=date(2026, 9, 7), end_date=date(2027, 1, 17))
    log_in(phone, world.counselor.number)
    phone.goto(f"{live_server.url}/work/record/?kind=counselor:dorm_visit")
    assert phone.locator("input[name=mode]:checked").get_attribute("value") == "group"
    phone.select_option("#id_kind", "counselor:parent_contact")
    assert phone.locator("input[name=mode]:checked").get_attribute("value") == "one"
    phone.select_option("#id_kind", "counselor:online_work")
    assert phone.locator("input[name=mode]:checked").get_attribute("value") == "none"
    phone.select_option("#id_kind", "counselor:dorm_visit")
    assert phone.locator("input[name=mode]:checked").get_attribute("value") == "group"
