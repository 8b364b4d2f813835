"""The dashboard rows rendered in Python escape what they show, as the template would."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.utils import translation

from mentoring.selectors.compliance import MET, NOT_DUE, PENDING, SHORT, Line
from mentoring.selectors.dashboards import GridRow, Lack, LineRow, PersonRow, UnitLine, WeekCell
from mentoring.templatetags.dashboard_tags import (
    PersonLinks,
    class_rows,
    lacks,
    laggard_rows,
    person_link,
    record_rows,
    semester_options,
    standing_cards,
    standing_rows,
    student_rows,
    week_cells,
)
from mentoring.views.dashboards import RecordRow

LINKS = PersonLinks("/dashboard/person/", 7)


def _person(**kw) -> PersonRow:
    base = {
        "person_id": 1,
        "college_id": None,
        "roles": set(),
        "rules": {},
        "role_compliant": {},
        "compliant": False,
        "short": 2,
        "records_needed": 3,
    }
    return PersonRow(**{**base, **kw})


def test_rows_escape_names_titles_and_numbers():
    person = _person(number="T<1>", name='<script>alert("x")</script>', lacks=[Lack("R-03:mentor", "谈话 & <b>", 2, 3)])
    html = laggard_rows([person], LINKS)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="/dashboard/person/T%3C1%3E/?semester=7"' in html
    assert "谈话 &amp; &lt;b&gt;" in lacks(person)
    unit = UnitLine(1, 2, True, "R-03", 1, 4, "short", person_name="<i>m</i>", person_number="T1", unit_name="<u>s</u>")
    assert "&lt;u&gt;s&lt;/u&gt;" in student_rows([unit], LINKS) and "<u>" not in student_rows([unit], LINKS)
    assert "&lt;i&gt;m&lt;/i&gt;" in class_rows([unit], LINKS)
    row = GridRow(1, [WeekCell(1, "met", 'R-14 2/2 "x"'), WeekCell(2, None)], number="T1", name="<a>")
    cells = week_cells(row)
    assert cells.count("<td ") == 2 and "&quot;x&quot;" in cells and "cell-none" in cells
    assert person_link(row, LINKS) == '<a href="/dashboard/person/T1/?semester=7">&lt;a&gt;</a>'


def test_rows_name_each_status():
    units = [UnitLine(1, 2, False, "R-07", 0, 2, status, person_number="T1") for status in ("short", "pending")]
    html = class_rows(units, LINKS)
    assert html.count('class="tag bad"') == 1 and html.count('class="tag warn"') == 1


def test_drill_down_lines_show_unit_period_count_and_each_status_escaped():
    rows = [
        LineRow(Line(1, None, 2, None, count, 4, status), "<b>学生</b> 2024", "第3周")
        for count, status in ((4, MET), (1, SHORT), (2, PENDING), (0, NOT_DUE))
    ]
    html = standing_rows(rows)
    assert html.count("<tr>") == 4 and "<b>" not in html and "&lt;b&gt;学生&lt;/b&gt; 2024" in html
    assert '<td class="num">1/4</td>' in html and "第3周" in html
    for css in ('class="tag ok"', 'class="tag bad"', 'class="tag warn"', 'class="muted"'):
        assert html.count(css) == 1


def test_drill_down_records_link_to_each_record_and_escape_what_they_show():
    records = [
        RecordRow(pk=7, day=date(2026, 3, 9), late=True, kind_label="<谈心>", class_name="<i>班</i>", student_count=3),
        RecordRow(pk=8, day=date(2026, 3, 10), late=False, kind_label="走访", class_name=None, student_count=0),
    ]
    html = record_rows(records, "/work/records/")
    assert '<a href="/work/records/7/">2026-03-09</a> <span class="tag warn">' in html
    assert '<a href="/work/records/8/">2026-03-10</a></td>' in html
    assert "&lt;谈心&gt;" in html and "&lt;i&gt;班&lt;/i&gt;" in html and "<i>" not in html and "—" in html


def test_a_lack_counts_its_records_in_the_language_in_view():
    person = _person(lacks=[Lack("R-07:advisor", "Class meetings", 0, 1), Lack("R-03:mentor", "Talks", 2, 3)])
    with translation.override("en"):
        assert lacks(person) == (
            '<span class="lack">Class meetings · 1 record needed</span>; '
            '<span class="lack">Talks · 2 short · 3 records needed</span>'
        )
    with translation.override("zh-hans"):
        assert "还需 1 条记录" in lacks(person) and "还需 3 条记录" in lacks(person)


def test_the_semester_options_select_the_semester_in_view_and_escape_its_name():
    class Semester(SimpleNamespace):
        def __str__(self) -> str:
            return self.name

    semesters = [Semester(pk=3, name="2026 <春>"), Semester(pk=2, name="2025 秋")]
    html = semester_options(semesters, semesters[1])
    assert html == '<option value="3">2026 &lt;春&gt;</option><option value="2" selected>2025 秋</option>'
    assert "selected" not in semester_options(semesters, None)


def test_a_drill_down_card_names_its_rule_verdict_and_what_is_still_needed_escaped():
    rule = SimpleNamespace(requirement="R-03<")
    rows = [LineRow(Line(1, None, 2, None, 1, 4, SHORT), "学生", "—")]
    short = SimpleNamespace(rule=rule, short=1, pending=0, met=0, total=1, records_needed=3)
    done = SimpleNamespace(rule=rule, short=0, pending=0, met=2, total=2, records_needed=0)
    under_way = SimpleNamespace(rule=rule, short=0, pending=1, met=1, total=2, records_needed=1)
    with translation.override("en"):
        html = standing_cards([(short, "<i>Talks</i>", rows), (done, "Plans", []), (under_way, "Visits", [])])
    assert html.count('<section class="card">') == 3 and "<i>" not in html and "&lt;i&gt;Talks&lt;/i&gt;" in html
    assert '<span class="tag">R-03&lt;</span>' in html
    assert "<p>0 of 1 due met · 3 records needed</p>" in html and "<p>2 of 2 due met</p>" in html
    assert "<p>1 of 2 due met · 1 record needed</p>" in html
    assert [html.count(css) for css in ('class="tag bad"', 'class="tag ok"', 'class="tag warn"')] == [2, 1, 1]
    assert '<td class="num">1/4</td>' in html and "<summary>Line by line</summary>" in html
    with translation.override("zh-hans"):
        chinese = standing_cards([(short, "谈心", rows)])
    assert "<p>应达标 1 项中已达标 0 项 · 还需 3 条记录</p>" in chinese and "<summary>逐项明细</summary>" in chinese
    # Every header in the catalogue (a string inside an f-string is not found by makemessages)
    assert [f">{name}</th>" in chinese for name in ("对象", "周期", "次数", "状态")] == [True] * 4
