"""A college admin filters the compliance dashboard without a full reload and downloads its Excel export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.mentoring.test_dashboards import log_fall_work

pytestmark = pytest.mark.e2e


def test_college_admin_filters_the_dashboard_and_downloads_the_export(desktop, log_in, live_server, world, calendar):
    fall, _spring = calendar
    log_fall_work(world)
    log_in(desktop, world.college_admin.number)
    desktop.goto(f"{live_server.url}/dashboard/")
    assert desktop.locator("#chart-rules").is_visible()
    assert desktop.locator("#h-grid").count() == 1

    desktop.evaluate("window.__not_reloaded = true")
    desktop.select_option("#f-semester", str(fall.pk))
    desktop.wait_for_url(f"**/dashboard/college/MAT/?semester={fall.pk}&role=")
    desktop.select_option("#f-role", "mentor")
    desktop.wait_for_url(f"**semester={fall.pk}&role=mentor")
    desktop.locator("#h-students").wait_for()
    assert desktop.evaluate("window.__not_reloaded") is True  # HTMX swapped the body; the page stayed
    assert desktop.locator("#h-grid").count() == 0  # the counselors' grid is not a mentor's
    assert world.students[1].user.name in desktop.locator("#dashboard-body").inner_text()

    with desktop.expect_download() as download_info:
        desktop.click("a[href*='export.xlsx']")
    download = download_info.value
    assert download.suggested_filename.startswith("yuren-MAT-")
    book = load_workbook(io.BytesIO(download.path().read_bytes()))  # the download has no .xlsx suffix
    people = list(book["人员明细"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in people] == [world.mentor.number]
    assert dict(book["筛选条件"].iter_rows(min_row=2, values_only=True))["角色"] == "本科生导师"


def test_the_dashboard_and_a_drill_down_fit_a_phone(phone, log_in, live_server, world, calendar):
    """The week grid is wider than a phone: it scrolls inside its frame, and the page does not spill sideways (its
    cells' screen-reader labels once did, positioned against the page instead of the frame). The rules' chart names
    every rule."""
    fall, _spring = calendar
    log_fall_work(world)
    log_in(phone, world.college_admin.number)
    phone.goto(f"{live_server.url}/dashboard/college/MAT/?semester={fall.pk}")
    # Every rule is named beside its bars: the chart's box grows with the rules (a row of 22 px at least, as tall as
    # a label), so Chart.js skips no label however many rules there are.
    ticks, labels, height = phone.evaluate(
        "() => { const c = Chart.getChart('chart-rules'); "
        "return [c.scales.y.ticks.length, c.data.labels.length, c.scales.y.height]; }"
    )
    assert ticks == labels > 6
    assert height / labels >= 22
    frame = phone.locator(".table-wrap:has(table.week-grid)")
    assert frame.evaluate("el => el.scrollWidth > el.clientWidth")  # the grid needs scrolling on a phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("a[href*='/dashboard/person/']").first.click()
    phone.wait_for_url("**/dashboard/person/**")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_after_a_rule_change_the_school_page_shows_earlier_numbers_then_swaps_in_the_new_ones(
    desktop, log_in, live_server, world, calendar, monkeypatch
):
    """Celery as deployed: the school page after a change of everything shows its numbers from before, marked, and
    polls; once a worker has computed the new ones (run here by the test), the poll swaps them in without a
    reload and the charts are drawn again."""
    from datetime import date

    from config.celery import app
    from mentoring import tasks
    from tests.mentoring.test_dashboard_earlier import five_talks
    from tests.mentoring.test_dashboards import talk

    fall, _spring = calendar
    log_fall_work(world)
    for day in (date(2025, 10, 16), date(2025, 11, 13), date(2025, 12, 2)):
        talk(world.mentor, [world.students[1]], day)  # R-03 met for both of the mentor's students
    sent: list[tuple] = []
    monkeypatch.setattr(tasks.dashboard_recompute_task, "delay", lambda *args: sent.append(args))
    app.conf.task_always_eager = False  # `_celery_inline` restores it after the test

    def r03_compliant() -> str:
        row = desktop.locator("#dashboard-body tr", has_text="R-03").first
        return row.locator("td").nth(3).inner_text()

    log_in(desktop, world.school_admin.number)
    desktop.goto(f"{live_server.url}/dashboard/school/?semester={fall.pk}")
    assert desktop.locator(".recomputing").count() == 0
    assert r03_compliant().startswith("1")

    five_talks(world)  # a MAT rule of five talks a student: everything dropped
    desktop.goto(f"{live_server.url}/dashboard/school/?semester={fall.pk}")
    notice = desktop.locator(".recomputing")
    assert "正在计算" in notice.inner_text()
    assert r03_compliant().startswith("1")  # the numbers from before the rule
    assert len(sent) == 1

    desktop.evaluate("window.__not_reloaded = true")
    tasks.dashboard_recompute_task(*sent[0])  # the worker's run
    notice.wait_for(state="detached")
    assert r03_compliant().startswith("0")
    assert desktop.evaluate("window.__not_reloaded") is True
    assert desktop.locator("#chart-rules").is_visible()
