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
    cells' screen-reader labels once did, positioned against the page instead of the frame)."""
    fall, _spring = calendar
    log_fall_work(world)
    log_in(phone, world.college_admin.number)
    phone.goto(f"{live_server.url}/dashboard/college/MAT/?semester={fall.pk}")
    frame = phone.locator(".table-wrap:has(table.week-grid)")
    assert frame.evaluate("el => el.scrollWidth > el.clientWidth")  # the grid needs scrolling on a phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("a[href*='/dashboard/person/']").first.click()
    phone.wait_for_url("**/dashboard/person/**")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
