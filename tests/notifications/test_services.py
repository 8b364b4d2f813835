"""Sending notifications: one row per (recipient, reason, period, channel) before sending, no duplicates, failures
recorded and retried with backoff without blocking the others, mute rules, and the group-robot payloads."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, CollegeChannel, Notification, NotificationPreference, SentMessage
from accounts.notifications.reasons import reason_register
from accounts.notifications.services import (
    Outgoing,
    college_channel_set,
    college_digest_queue,
    notification_preferences_set,
    notification_send,
    notifications_queue,
    sent_messages_deliver,
    sent_messages_retry_due,
)
from accounts.tasks import notifications_retry_due
from tests.notifications.backends import REFUSED
from tests.notifications.conftest import Robot, with_email

DEADLINE = reason_register("test.deadline", "A deadline (test)", mandatory=True)
OPTIONAL = reason_register("test.optional", "An optional reminder (test)", mandatory=False)
NOW = timezone.make_aware(timezone.datetime(2025, 10, 13, 8, 0))


def send(user, reason=OPTIONAL.code, period="P1", now=NOW):
    return notification_send(
        recipient=user, reason=reason, period_key=period, subject="S", body="B", link="/work/", now=now
    )


def test_send_writes_the_key_row_per_channel_and_the_in_app_notification(world):
    with_email(world.mentor, "mentor@example.edu.cn")

    report = send(world.mentor)

    assert report.as_dict() == {"sent": 2, "failed": 0, "skipped": 0}
    rows = SentMessage.objects.order_by("channel").values_list("channel", "status", "college__code", "attempts")
    assert list(rows) == [("email", "sent", "MAT", 1), ("in_app", "sent", "MAT", 1)]
    assert Notification.objects.get(recipient=world.mentor).subject == "S"
    assert mail.outbox[0].body == "B\n\nhttp://127.0.0.1:8000/work/"


def test_sending_the_same_key_again_sends_nothing(world):
    with_email(world.mentor, "mentor@example.edu.cn")
    send(world.mentor)

    again = send(world.mentor)

    assert again.as_dict() == {"sent": 0, "failed": 0, "skipped": 0}
    assert (len(mail.outbox), Notification.objects.count(), SentMessage.objects.count()) == (1, 1, 2)


def test_a_crash_between_the_insert_and_the_send_is_delivered_once_by_the_redelivered_task(world):
    with_email(world.mentor, "mentor@example.edu.cn")
    messages = [Outgoing(recipient=world.mentor, subject="S", body="B")]
    queued = notifications_queue(reason=OPTIONAL.code, period_key="P1", messages=messages, now=NOW)
    # … the worker dies here; the broker redelivers the task, which queues (a no-op) and delivers.

    again = notifications_queue(reason=OPTIONAL.code, period_key="P1", messages=messages, now=NOW)
    first = sent_messages_deliver(ids=again, now=NOW)
    second = sent_messages_deliver(ids=queued, now=NOW)  # the first delivery, had it run after all

    assert sorted(again) == sorted(queued)
    assert (first.sent, second.sent, second.skipped) == (2, 0, 2)
    assert (len(mail.outbox), Notification.objects.count()) == (1, 1)


def test_rows_left_waiting_by_a_stopped_worker_are_sent_by_the_retry_task(world):
    notifications_queue(
        reason=OPTIONAL.code,
        period_key="P1",
        messages=[Outgoing(recipient=world.mentor, subject="S", body="B")],
        now=NOW,
    )

    too_soon = notifications_retry_due(now=(NOW + timedelta(minutes=5)).isoformat())
    later = notifications_retry_due(now=(NOW + timedelta(minutes=16)).isoformat())

    assert (too_soon["sent"], later["sent"]) == (0, 1)
    assert Notification.objects.filter(recipient=world.mentor).count() == 1


def test_a_muted_optional_reason_is_not_sent_and_a_mandatory_one_is(world):
    with_email(world.mentor, "mentor@example.edu.cn")
    notification_preferences_set(actor=world.mentor, muted={OPTIONAL.code})
    # A preference row for a reason that has since become mandatory: it must not stop a deadline reminder.
    NotificationPreference.objects.create(user=world.mentor, reason=DEADLINE.code, muted=True)

    optional = send(world.mentor, reason=OPTIONAL.code)
    mandatory = send(world.mentor, reason=DEADLINE.code)

    assert (optional.sent, mandatory.sent) == (0, 2)
    assert list(Notification.objects.values_list("reason", "mandatory")) == [(DEADLINE.code, True)]


def test_a_mandatory_reason_cannot_be_muted(world):
    with pytest.raises(ValidationError) as refused:
        notification_preferences_set(actor=world.mentor, muted={DEADLINE.code})

    assert "muted" in refused.value.message_dict
    assert NotificationPreference.objects.count() == 0


def test_muting_is_audited_and_unmuting_sends_again_next_period(world):
    notification_preferences_set(actor=world.mentor, muted={OPTIONAL.code})
    notification_preferences_set(actor=world.mentor, muted=set())

    sent = send(world.mentor, period="P2")

    assert sent.sent == 1
    assert AuditEntry.objects.filter(action="notification.preferences", actor=world.mentor).count() == 2


def test_an_smtp_refusal_for_one_recipient_does_not_stop_the_others(world, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingOneAddressBackend"
    with_email(world.mentor, "mentor@example.edu.cn")
    with_email(world.advisor, REFUSED)
    with_email(world.counselor, "counselor@example.edu.cn")
    people = [world.advisor, world.mentor, world.counselor]
    ids = notifications_queue(
        reason=OPTIONAL.code, period_key="P1", messages=[Outgoing(recipient=u, subject="S", body="B") for u in people]
    )

    report = sent_messages_deliver(ids=ids, now=NOW)

    assert (report.sent, report.failed) == (5, 1)
    assert sorted(m.to[0] for m in mail.outbox) == ["counselor@example.edu.cn", "mentor@example.edu.cn"]
    failed = SentMessage.objects.get(status="failed")
    assert (failed.recipient, failed.channel, failed.attempts) == (world.advisor, "email", 1)
    assert failed.last_error.startswith("SMTPRecipientsRefused")
    assert failed.next_attempt_at == NOW + timedelta(minutes=2)
    assert Notification.objects.filter(recipient=world.advisor).count() == 1  # in-app still arrived


def test_a_failed_email_is_retried_with_backoff_then_given_up(world, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SmtpDownBackend"
    with_email(world.mentor, "mentor@example.edu.cn")
    send(world.mentor)
    row = SentMessage.objects.get(channel="email")
    waits = []
    now = NOW
    for _ in range(5):
        row.refresh_from_db()
        if row.next_attempt_at is None:
            break
        waits.append(round((row.next_attempt_at - now).total_seconds() / 60))
        assert sent_messages_retry_due(now=row.next_attempt_at - timedelta(seconds=1)).sent == 0
        now = row.next_attempt_at
        sent_messages_retry_due(now=now)
    row.refresh_from_db()

    assert waits == [2, 10, 30, 120]
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 5, None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sent_messages_retry_due(now=now + timedelta(days=1)).sent == 0  # given up: nothing is sent any more


def test_a_failed_email_is_sent_when_smtp_is_back(world, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SmtpDownBackend"
    with_email(world.mentor, "mentor@example.edu.cn")
    send(world.mentor)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    report = sent_messages_retry_due(now=NOW + timedelta(minutes=2))

    assert report.sent == 1
    assert len(mail.outbox) == 1
    assert SentMessage.objects.get(channel="email").status == "sent"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "wecom",
            {
                "msgtype": "markdown",
                "markdown": {
                    "content": "**【育人】Weekly**\n- 辅导员丙: R-14 0/2\n\n"
                    "[http://127.0.0.1:8000/work/](http://127.0.0.1:8000/work/)"
                },
            },
        ),
        (
            "dingtalk",
            {
                "msgtype": "markdown",
                "markdown": {
                    "title": "【育人】Weekly",
                    "text": "### 【育人】Weekly\n\n- 辅导员丙: R-14 0/2\n\n"
                    "[http://127.0.0.1:8000/work/](http://127.0.0.1:8000/work/)",
                },
            },
        ),
    ],
)
def test_the_group_robot_gets_the_platforms_markdown_payload(world, robot, kind, expected):
    college_channel_set(actor=world.college_admin, college=world.college, kind=kind, url=robot.url, enabled=True)
    ids = college_digest_queue(
        college=world.college,
        reason=OPTIONAL.code,
        period_key="P1",
        subject="Weekly",
        body="- 辅导员丙: R-14 0/2",
        link="/work/",
    )

    report = sent_messages_deliver(ids=ids, now=NOW)

    assert report.sent == 1
    assert robot.handler.received == [("/cgi-bin/webhook/send?key=abc", "application/json; charset=utf-8", expected)]
    row = SentMessage.objects.get()
    assert (row.recipient, row.college, row.channel, row.status, row.address) == (
        None,
        world.college,
        "webhook",
        "sent",
        "127.0.0.1",
    )


@pytest.mark.parametrize(
    ("status", "body"), [(500, b"oops"), (200, b'{"errcode":93000,"errmsg":"invalid webhook url"}')]
)
def test_a_robot_failure_is_recorded_for_retry(world, robot, status, body):
    robot.handler.answer = (status, body)
    college_channel_set(actor=world.college_admin, college=world.college, kind="wecom", url=robot.url, enabled=True)
    ids = college_digest_queue(college=world.college, reason=OPTIONAL.code, period_key="P1", subject="S", body="B")

    report = sent_messages_deliver(ids=ids, now=NOW)
    robot.handler.answer = Robot.answer
    retried = sent_messages_retry_due(now=NOW + timedelta(minutes=2))

    assert (report.failed, retried.sent) == (1, 1)
    assert len(robot.handler.received) == 2
    assert SentMessage.objects.get().attempts == 2


def test_a_college_without_a_robot_or_with_it_off_gets_no_digest(world, robot):
    assert (
        college_digest_queue(college=world.college, reason=OPTIONAL.code, period_key="P1", subject="S", body="B") == []
    )
    college_channel_set(actor=world.college_admin, college=world.college, kind="wecom", url=robot.url, enabled=False)
    assert (
        college_digest_queue(college=world.college, reason=OPTIONAL.code, period_key="P1", subject="S", body="B") == []
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",  # not https
        "https://example.com/cgi-bin/webhook/send?key=x",  # not a robot host
        "https://169.254.169.254/latest/meta-data",
        "https://127.0.0.1:6379/",
    ],
)
def test_a_robot_address_off_the_platforms_is_refused(world, url):
    with pytest.raises(ValidationError) as refused:
        college_channel_set(actor=world.college_admin, college=world.college, kind="wecom", url=url, enabled=True)

    assert "url" in refused.value.message_dict
    assert CollegeChannel.objects.count() == 0


def test_setting_the_robot_is_audited_without_its_secret_key(world):
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key-123"
    college_channel_set(actor=world.college_admin, college=world.college, kind="wecom", url=url, enabled=True)

    entry = AuditEntry.objects.get(action="college_channel.set")
    assert entry.data == {"kind": "wecom", "host": "qyapi.weixin.qq.com", "enabled": True, "created": True}
    assert "secret-key-123" not in json.dumps(entry.data)


@pytest.mark.parametrize("persona", ["other_admin", "mentor", "student_affairs"])
def test_only_the_colleges_admin_sets_its_robot(world, persona):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        college_channel_set(
            actor=getattr(world, persona),
            college=world.college,
            kind="wecom",
            url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
            enabled=True,
        )
