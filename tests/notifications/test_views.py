"""The notification centre, the header badge, reminder settings, and the college admin's log and group robot."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.models import CollegeChannel, Notification, NotificationPreference
from accounts.notifications.services import notification_send
from tests.notifications.test_services import DEADLINE, OPTIONAL

LIST, BADGE, SETTINGS, READ_ALL = (
    "/accounts/notifications/",
    "/accounts/notifications/badge/",
    ("/accounts/notifications/settings/"),
    "/accounts/notifications/read-all/",
)
LOG, ROBOT = "/accounts/notifications/sent/MAT/", "/accounts/notifications/sent/MAT/robot/"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"


def notify(user, n: int = 1, *, reason=OPTIONAL.code, link="/work/"):
    for i in range(n):
        notification_send(
            recipient=user, reason=reason, period_key=f"P{i}", subject=f"Subject {i}", body="Body", link=link
        )


def test_anonymous_is_sent_to_login_from_every_page(client, world):
    notify(world.mentor)
    pk = Notification.objects.get().pk
    for url, method in [
        (LIST, "get"),
        (SETTINGS, "get"),
        (READ_ALL, "post"),
        (f"{LIST}{pk}/read/", "post"),
        (LOG, "get"),
        (ROBOT, "get"),
        ("/accounts/notifications/sent/", "get"),
    ]:
        response = getattr(client, method)(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, reverse("login")), url


def test_anonymous_badge_is_empty_and_stops_polling(client, db):
    response = client.get(BADGE)
    assert (response.status_code, response.content) == (286, b"")


def test_the_centre_lists_only_my_notifications_newest_first(as_user, world):
    notify(world.mentor, 2)
    notify(world.advisor)

    page = as_user(world.mentor).get(LIST).content.decode()

    assert page.index("Subject 1") < page.index("Subject 0")
    assert Notification.objects.filter(recipient=world.advisor).count() == 1
    assert page.count('class="notification unread"') == 2


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(as_user, world):
    notify(world.mentor)
    notification = Notification.objects.get()

    response = as_user(world.mentor).post(f"{LIST}{notification.pk}/read/", {"open": "1"})

    notification.refresh_from_db()
    assert (response.status_code, response.url) == (302, "/work/")
    assert notification.read_at is not None


def test_someone_elses_notification_is_not_found(as_user, world):
    notify(world.mentor)
    notification = Notification.objects.get()

    response = as_user(world.advisor).post(f"{LIST}{notification.pk}/read/")

    notification.refresh_from_db()
    assert response.status_code == 404
    assert notification.read_at is None


def test_mark_all_as_read_leaves_others_unread(as_user, world):
    notify(world.mentor, 3)
    notify(world.advisor)

    as_user(world.mentor).post(READ_ALL)

    assert list(Notification.objects.filter(read_at__isnull=True).values_list("recipient", flat=True)) == [
        world.advisor.pk
    ]


def test_badge_shows_the_unread_count(as_user, world):
    notify(world.mentor, 3)
    client = as_user(world.mentor)

    assert '<span class="badge"' in client.get(BADGE).content.decode()
    assert ">3</span>" in client.get(BADGE).content.decode()
    client.post(READ_ALL)
    assert client.get(BADGE).content.decode().strip() == ""


def test_the_badge_polling_does_not_keep_an_idle_session_alive(as_user, world, settings):
    settings.SESSION_RENEW_SECONDS = 0  # every request renews the session, but the badge's
    client = as_user(world.mentor)
    key = client.session.session_key
    client.get(LIST)
    before = Session.objects.get(session_key=key).expire_date

    client.get(BADGE)
    after_badge = Session.objects.get(session_key=key).expire_date
    client.get(LIST)
    after_page = Session.objects.get(session_key=key).expire_date

    assert after_badge == before
    assert after_page > before


@pytest.mark.parametrize("extra", [0, 2])
def test_badge_query_count_is_constant(as_user, world, django_assert_num_queries, extra):
    notify(world.mentor, 1 + extra)
    client = as_user(world.mentor)
    with django_assert_num_queries(3):  # session, user, count
        client.get(BADGE)


@pytest.mark.parametrize("extra", [0, 2])
def test_centre_query_count_is_constant(as_user, world, django_assert_num_queries, extra):
    notify(world.mentor, 1 + extra)
    client = as_user(world.mentor)
    with django_assert_num_queries(10):
        client.get(LIST)


def test_the_home_page_runs_no_query_for_notifications(as_user, world, django_assert_num_queries):
    client = as_user(world.mentor)
    client.get("/")  # renews the session: the measured request, seconds later, writes nothing
    with django_assert_num_queries(4) as counted:
        client.get("/")
    assert not [q for q in counted.captured_queries if "notification" in q["sql"]]


def test_settings_mute_an_optional_reminder_and_list_mandatory_ones_as_always_sent(as_user, world):
    client = as_user(world.mentor)

    page = client.get(SETTINGS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(SETTINGS, {"muted": [OPTIONAL.code]})

    assert f'value="{OPTIONAL.code}"' in page and f'value="{DEADLINE.code}"' not in page
    assert str(DEADLINE.label) in page
    assert response.status_code == 302
    assert list(NotificationPreference.objects.filter(user=world.mentor).values_list("reason", flat=True)) == [
        OPTIONAL.code
    ]


def test_settings_refuse_muting_a_mandatory_reminder(as_user, world):
    response = as_user(world.mentor).post(SETTINGS, {"muted": [DEADLINE.code]})

    assert response.status_code == 200
    assert NotificationPreference.objects.count() == 0


@pytest.mark.parametrize("persona", ["mentor", "advisor", "counselor", "student", "outsider", "student_affairs"])
def test_people_without_an_admin_role_are_refused_the_log_and_the_robot(as_user, world, persona):
    client = as_user(getattr(world, persona))
    assert client.get("/accounts/notifications/sent/").status_code == 403
    assert client.get(LOG).status_code == 403
    assert client.get(ROBOT).status_code == 403
    assert client.post(ROBOT, {"kind": "wecom", "url": WECOM, "enabled": "on"}).status_code == 403
    assert CollegeChannel.objects.count() == 0


def test_another_colleges_admin_gets_not_found(as_user, world):
    client = as_user(world.other_admin)
    assert client.get(LOG).status_code == 404
    assert client.post(ROBOT, {"kind": "wecom", "url": WECOM, "enabled": "on"}).status_code == 404
    assert client.get("/accounts/notifications/sent/NOPE/").status_code == 404


def test_college_admin_sees_what_was_sent_to_whom_in_the_college(as_user, world):
    notify(world.mentor)
    notify(world.other_admin)  # of the other college: not in this log

    index = as_user(world.college_admin).get("/accounts/notifications/sent/")
    page = as_user(world.college_admin).get(LOG).content.decode()

    assert (index.status_code, index.url) == (302, LOG)
    assert world.mentor.name in page and "Subject 0" in page
    assert world.other_admin.name not in page


def test_school_admin_sees_every_college(as_user, world):
    notify(world.other_admin)
    page = as_user(world.school_admin).get("/accounts/notifications/sent/ECO/").content.decode()
    assert world.other_admin.name in page


@pytest.mark.parametrize("extra", [0, 2])
def test_log_query_count_is_constant(as_user, world, django_assert_num_queries, extra):
    for user in [world.mentor, world.advisor, world.counselor][: 1 + extra]:
        notify(user)
    client = as_user(world.college_admin)
    with django_assert_num_queries(12):
        client.get(LOG)


def test_college_admin_sets_the_group_robot(as_user, world):
    client = as_user(world.college_admin)

    form = client.get(ROBOT)
    response = client.post(ROBOT, {"kind": "dingtalk", "url": WECOM, "enabled": "on"})

    assert form.status_code == 200
    assert (response.status_code, response.url) == (302, LOG)
    channel = CollegeChannel.objects.get(college=world.college)
    assert (channel.kind, channel.url, channel.enabled, channel.updated_by) == (
        "dingtalk",
        WECOM,
        True,
        world.college_admin,
    )


def test_a_robot_address_off_the_platforms_is_refused_on_the_form(as_user, world):
    response = as_user(world.college_admin).post(
        ROBOT, {"kind": "wecom", "url": "https://example.com/hook", "enabled": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "qyapi.weixin.qq.com" in response.content.decode()
    assert CollegeChannel.objects.count() == 0
