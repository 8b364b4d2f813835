"""The school page after a change of everything (and on a new day), and a college's page after a change of
everything: their numbers as last computed, marked, while a worker computes the new ones (`earlier_ok=True`,
`mentoring.tasks.dashboard_recompute_send`).

World (tests/conftest.py) and the fall's work (`log_fall_work`, tests/mentoring/test_dashboards.py), with three
more talks for student 1: both of MAT's mentor's students have had the four talks R-03 asks for in fall 2025, so he
is compliant on R-03. A MAT college rule asking for five (a college may be stricter than the school) makes him short,
and drops everything cached.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone, translation

from mentoring.models import QuotaRule, StaffRole
from mentoring.selectors.compliance import compliance_inputs_changed
from mentoring.selectors.dashboards import college_dashboard_page, school_dashboard_page
from mentoring.services.policy import college_rule_add
from tests.mentoring.test_dashboards import TODAY, _grow, class_meeting, log_fall_work, rule, talk


@pytest.fixture
def worked(world, calendar):
    log_fall_work(world)
    for day in (date(2025, 10, 16), date(2025, 11, 13), date(2025, 12, 2)):
        talk(world.mentor, [world.students[1]], day)
    return calendar


def five_talks(world) -> None:
    """A MAT rule for R-03 of five talks a student: a change of everything (every token changes)."""
    base = QuotaRule.objects.get(requirement="R-03", college__isnull=True)
    college_rule_add(actor=world.college_admin, college=world.college, base=base, minimum=5)


def r03_compliant(page) -> int:
    return rule(page, "R-03:mentor").compliant


@pytest.mark.parametrize("in_view", ["fall", "spring"])
def test_after_a_change_of_everything_the_page_may_show_its_earlier_numbers_marked(
    world, worked, engine_calls, in_view
):
    """In fall the rule changes the semester's own numbers; in spring, the trend's (fall is the semester before)."""
    fall, spring = worked
    semester = fall if in_view == "fall" else spring

    def numbers(page) -> tuple:
        r03 = rule(page, "R-03:mentor")
        return (r03.people, r03.compliant, r03.previous_people, r03.previous_compliant)

    first = school_dashboard_page(semester=semester, on=TODAY, earlier_ok=True)
    assert first.recomputing is None  # nothing was computed before: computed now
    assert numbers(first) == ((1, 1, 0, 0) if in_view == "fall" else (1, 0, 1, 1))
    computed = len(engine_calls)

    before_change = timezone.now()
    five_talks(world)
    earlier = school_dashboard_page(semester=semester, on=TODAY, earlier_ok=True)

    assert len(engine_calls) == computed  # nothing computed: the numbers as they were, marked
    assert earlier.recomputing is not None
    assert earlier.recomputing.computed_at <= before_change
    assert numbers(earlier) == numbers(first)

    now = school_dashboard_page(semester=semester, on=TODAY)  # as the worker computes it
    assert len(engine_calls) > computed
    assert now.recomputing is None
    assert numbers(now) == ((1, 0, 0, 0) if in_view == "fall" else (1, 0, 1, 0))

    after = school_dashboard_page(semester=semester, on=TODAY, earlier_ok=True)
    assert after.recomputing is None  # the new numbers are there: shown as they are
    assert numbers(after) == numbers(now)


def test_the_earlier_numbers_are_never_shown_unless_asked_for(world, worked, engine_calls):
    fall, _spring = worked
    school_dashboard_page(semester=fall, on=TODAY)
    five_talks(world)
    page = school_dashboard_page(semester=fall, on=TODAY)
    assert page.recomputing is None and r03_compliant(page) == 0


def test_after_a_record_the_page_is_computed_at_once_even_when_earlier_numbers_may_be_shown(world, worked):
    """A record changes one college's piece: computed in the request (one college), never shown as before."""
    fall, _spring = worked
    first = school_dashboard_page(semester=fall, on=TODAY, earlier_ok=True)
    assert rule(first, "R-07:advisor").compliant == 0  # class A has had one class meeting of two
    class_meeting(world.advisor, world.class_a, date(2025, 11, 20))
    page = school_dashboard_page(semester=fall, on=TODAY, earlier_ok=True)
    assert page.recomputing is None
    assert rule(page, "R-07:advisor").compliant == 1


def test_earlier_numbers_are_only_of_the_same_filters(world, worked, engine_calls):
    """Another role or language was never computed: it is computed now, not shown from another's numbers."""
    fall, _spring = worked
    with translation.override("zh-hans"):
        school_dashboard_page(semester=fall, on=TODAY, earlier_ok=True)
    five_talks(world)
    with translation.override("en"):
        assert school_dashboard_page(semester=fall, on=TODAY, earlier_ok=True).recomputing is None
    with translation.override("zh-hans"):
        page = school_dashboard_page(semester=fall, on=TODAY, role=StaffRole.MENTOR, earlier_ok=True)
        assert page.recomputing is None
        assert r03_compliant(page) == 0


def test_on_a_new_day_an_open_semesters_earlier_numbers_may_be_shown(world, worked, engine_calls):
    """An open semester's numbers are kept under the day: the next day's first page would compute the whole school.
    It may show the day before's, marked, instead; a closed semester's stand for every day after its end."""
    fall, spring = worked
    first = school_dashboard_page(semester=spring, on=date(2026, 4, 1), earlier_ok=True)
    assert first.recomputing is None
    computed = len(engine_calls)
    next_day = school_dashboard_page(semester=spring, on=date(2026, 4, 2), earlier_ok=True)
    assert next_day.recomputing is not None and len(engine_calls) == computed
    assert school_dashboard_page(semester=spring, on=date(2026, 4, 2)).recomputing is None  # the worker's run
    assert len(engine_calls) > computed

    school_dashboard_page(semester=fall, on=TODAY, earlier_ok=True)
    computed = len(engine_calls)
    later = school_dashboard_page(semester=fall, on=date(2026, 11, 23), earlier_ok=True)
    assert later.recomputing is None and len(engine_calls) == computed  # the same numbers, not earlier ones


def test_without_the_earlier_numbers_in_the_cache_the_page_is_computed_now(world, worked):
    from django.core.cache import cache

    from mentoring.selectors.dashboards import SHOWN_VERSION_KEY

    fall, _spring = worked
    school_dashboard_page(semester=fall, on=TODAY)
    cache.delete(SHOWN_VERSION_KEY)  # as if the cache had lost them (not cleared: in CI it is also Celery's broker)
    five_talks(world)
    page = school_dashboard_page(semester=fall, on=TODAY, earlier_ok=True)
    assert page.recomputing is None and r03_compliant(page) == 0


def test_a_colleges_page_shows_its_earlier_numbers_only_when_both_semesters_are_to_be_computed(
    world, worked, engine_calls
):
    """Spring with fall's trend: a change of everything drops both, and the earlier numbers are shown; a record in
    spring drops one, computed in the request. Fall has no semester before: one semester, always computed."""
    fall, spring = worked

    def page(semester, **kwargs):
        return college_dashboard_page(semester=semester, college=world.college, on=TODAY, earlier_ok=True, **kwargs)

    first = page(spring)
    assert first.recomputing is None and rule(first, "R-03:mentor").previous_compliant == 1
    computed = len(engine_calls)
    five_talks(world)
    earlier = page(spring)
    assert earlier.recomputing is not None and len(engine_calls) == computed
    assert rule(earlier, "R-03:mentor").previous_compliant == 1  # fall's trend as it was
    now = college_dashboard_page(semester=spring, college=world.college, on=TODAY)  # the worker's run
    assert now.recomputing is None and rule(now, "R-03:mentor").previous_compliant == 0

    talk(world.mentor, [world.students[0]], date(2026, 3, 10))  # spring only
    assert page(spring).recomputing is None
    page(fall)
    compliance_inputs_changed()
    assert page(fall).recomputing is None  # one semester: computed now
    # Another college's earlier numbers are not this one's.
    assert (
        college_dashboard_page(semester=spring, college=world.other_college, on=TODAY, earlier_ok=True).recomputing
        is None
    )


# --- the page: one recompute sent to a worker per change, a poll that swaps the new numbers in when they are there


@pytest.fixture
def recomputes_sent(monkeypatch):
    """Celery as deployed (not eager), with the recompute's sending recorded instead of sent: its arguments."""
    from config.celery import app
    from mentoring import tasks

    sent: list[tuple] = []
    monkeypatch.setattr(tasks.dashboard_recompute_task, "delay", lambda *args: sent.append(args))
    app.conf.task_always_eager = False  # `_celery_inline` made it eager, and restores it after the test
    return sent


NOTICE = 'class="recomputing"'


def test_the_school_page_shows_earlier_numbers_sends_one_recompute_and_polls_until_it_is_done(
    world, worked, as_user, recomputes_sent
):
    from mentoring.tasks import dashboard_recompute_task

    fall, _spring = worked
    client = as_user(world.school_admin)
    url = f"/dashboard/school/?semester={fall.pk}"
    first = client.get(url).content.decode()
    assert NOTICE not in first and recomputes_sent == []

    five_talks(world)
    html = client.get(url).content.decode()
    assert NOTICE in html
    assert f'hx-get="/dashboard/school/?semester={fall.pk}&amp;role=&amp;poll=1"' in html
    # A filter changed meanwhile wins: its request replaces a poll in flight, and a poll while it is in flight is
    # dropped, so the earlier filters' new numbers never land over the ones asked for since.
    assert 'hx-sync="#dashboard-body:drop"' in html and 'hx-sync="#dashboard-body:replace"' in html
    day = timezone.localdate().isoformat()
    assert recomputes_sent == [(fall.pk, day, "", "zh-hans", "")]
    assert client.get(url).status_code == 200
    assert len(recomputes_sent) == 1  # one per change, however many visits see the earlier numbers

    poll = client.get(f"{url}&role=&poll=1", HTTP_HX_REQUEST="true")
    assert poll.status_code == 204  # nothing new to swap in yet

    assert dashboard_recompute_task(*recomputes_sent[0]) is True  # a worker runs it
    poll = client.get(f"{url}&role=&poll=1", HTTP_HX_REQUEST="true")
    body = poll.content.decode()
    assert poll.status_code == 200 and "<html" not in body
    assert NOTICE not in body and 'id="dashboard-data"' in body

    compliance_inputs_changed()  # another change of everything: another recompute
    assert NOTICE in client.get(url).content.decode()
    assert len(recomputes_sent) == 2


def test_a_colleges_page_shows_earlier_numbers_and_its_recompute_names_the_college(
    world, worked, as_user, recomputes_sent
):
    from mentoring.tasks import dashboard_recompute_task

    _fall, spring = worked
    client = as_user(world.college_admin)
    url = f"/dashboard/college/MAT/?semester={spring.pk}"
    client.get(url)
    five_talks(world)
    html = client.get(url).content.decode()
    assert NOTICE in html and f'hx-get="/dashboard/college/MAT/?college=MAT&amp;semester={spring.pk}' in html
    day = timezone.localdate().isoformat()
    assert recomputes_sent == [(spring.pk, day, "", "zh-hans", "MAT")]
    assert client.get(f"{url}&role=&poll=1", HTTP_HX_REQUEST="true").status_code == 204
    assert dashboard_recompute_task(*recomputes_sent[0]) is True
    poll = client.get(f"{url}&role=&poll=1", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and NOTICE not in poll.content.decode()
    assert dashboard_recompute_task(spring.pk, day, "", "zh-hans", "NOPE") is False  # a college gone


def test_when_no_recompute_can_be_sent_the_page_is_computed_in_the_request(world, worked, as_user, monkeypatch):
    """The broker down: no worker would ever compute the new numbers, so the page does (and logs why)."""
    from config.celery import app
    from mentoring import tasks

    def refused(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.dashboard_recompute_task, "delay", refused)
    app.conf.task_always_eager = False
    fall, _spring = worked
    client = as_user(world.school_admin)
    url = f"/dashboard/school/?semester={fall.pk}"
    client.get(url)
    five_talks(world)
    response = client.get(url)
    assert NOTICE not in response.content.decode()
    assert rule(response.context["d"], "R-03:mentor").compliant == 0  # the numbers of now
    sent = []
    monkeypatch.setattr(tasks.dashboard_recompute_task, "delay", lambda *args: sent.append(args))
    compliance_inputs_changed()
    assert NOTICE in client.get(url).content.decode() and len(sent) == 1  # the failed send held nothing back


def test_with_eager_celery_the_school_page_is_computed_in_the_request(world, worked, as_user):
    """The embedded mode (`make run`): there is no worker but the request, so the page never shows earlier numbers."""
    fall, _spring = worked
    client = as_user(world.school_admin)
    url = f"/dashboard/school/?semester={fall.pk}"
    client.get(url)
    five_talks(world)
    assert NOTICE not in client.get(url).content.decode()


def test_the_recompute_of_a_semester_gone_does_nothing(db):
    from mentoring.tasks import dashboard_recompute_task

    assert dashboard_recompute_task(999_999, TODAY.isoformat(), "", "en") is False


# Per request: session, user, roles and grants (one query). The page: the colleges; the semester list, the open
# findings, the meetings' counts and R-30 (2), each read again (kept under the token of everything, which changed);
# the names (1). No engine query.
@pytest.mark.parametrize("extra", [0, 8], ids=["small", "large"])
def test_the_earlier_numbers_page_has_a_query_count_that_does_not_grow_with_data(
    world, worked, as_user, recomputes_sent, django_assert_num_queries, extra
):
    _fall, spring = worked
    _grow(world, extra)
    client = as_user(world.school_admin)
    url = f"/dashboard/school/?semester={spring.pk}"
    client.get(url)
    compliance_inputs_changed()
    with django_assert_num_queries(10):
        html = client.get(url).content.decode()
    assert NOTICE in html
