"""Sending notifications, exactly once per (recipient, reason, period or deadline, channel).

How another app sends (evaluation and award deadlines will call this the same way as the quota reminders):

    from accounts.notifications.reasons import reason_register
    from accounts.notifications.services import Outgoing, notifications_queue, sent_messages_deliver

    SURVEY_DUE = reason_register("evaluation.survey_due", _("Survey deadline"), mandatory=True)
    ids = notifications_queue(reason=SURVEY_DUE.code, period_key=f"cycle-{cycle.pk}-survey-3d",
                              messages=[Outgoing(recipient=u, subject=..., body=..., link=...) for u in pending])
    sent_messages_deliver(ids=ids)

or `notification_send(recipient=..., reason=..., period_key=..., subject=..., body=..., link=...)` for one person.

1. `notifications_queue` inserts one `SentMessage` row per recipient and channel (in-app always, email when the
   person has an address), skipping people who muted an optional reason. The unique key makes the insert a no-op
   for anything already queued, so running a reminder twice, from two beats, or after a redelivery adds nothing.
2. `sent_messages_deliver` claims each waiting row with one conditional UPDATE (only one worker can win it),
   sends it, and records the outcome. The in-app channel writes the Notification in the same transaction as the
   claim, so it is delivered exactly once. A failure (SMTP down, webhook 500) is recorded on its row with the
   next attempt time (backoff) and the loop goes on with the next recipient.
3. `sent_messages_retry_due` (a periodic task) retries failed rows whose time has come, and rows left waiting by
   a worker that died between the insert and the send. A row left "being sent" by a worker that died during the
   send is not retried: the message may have gone out, and the key promises no duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Channel, College, CollegeChannel, Notification, NotificationPreference, SentMessage, User
from accounts.notifications.channels import email_deliver, webhook_deliver, webhook_host_allowed
from accounts.notifications.reasons import reason_get, reasons_all
from accounts.rules import administers_college
from accounts.services import audit_record

logger = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, … failed attempt; after the last one the message is given up.
RETRY_DELAYS_MINUTES = (2, 10, 30, 120)
# A row still waiting this long after it was queued was left by a worker that stopped before sending it.
STALE_PENDING = timedelta(minutes=15)
Status = SentMessage.Status


@dataclass(frozen=True)
class Outgoing:
    recipient: User
    subject: str
    body: str
    link: str = ""


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed elsewhere or already sent
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "skipped": self.skipped}


def _person_colleges(user_ids: Iterable[int]) -> dict[int, int | None]:
    """The college of each person: a staff member's own, a student's class's (one query)."""
    rows = User.objects.filter(pk__in=list(user_ids)).values_list(
        "pk", "staff__college_id", "student__school_class__major__college_id"
    )
    return {pk: staff_college or student_college for pk, staff_college, student_college in rows}


@transaction.atomic
def notifications_queue(
    *, reason: str, period_key: str, messages: Sequence[Outgoing], now: datetime | None = None
) -> list[int]:
    """Queue one message per person for `reason` and `period_key`; returns the ids still waiting to be sent."""
    spec = reason_get(reason)
    now = now or timezone.now()
    people = {m.recipient.pk: m for m in messages}
    if not people:
        return []
    muted: set[int] = set()
    if not spec.mandatory:
        muted = set(
            NotificationPreference.objects.filter(user_id__in=people, reason=reason, muted=True).values_list(
                "user_id", flat=True
            )
        )
    colleges = _person_colleges(people)
    rows = []
    for pk, message in people.items():
        if pk in muted:
            continue
        channels = [(Channel.IN_APP, "")]
        if message.recipient.email:
            channels.append((Channel.EMAIL, message.recipient.email))
        for channel, address in channels:
            rows.append(
                SentMessage(
                    recipient_id=pk,
                    college_id=colleges.get(pk),
                    reason=reason,
                    period_key=period_key,
                    channel=channel,
                    mandatory=spec.mandatory,
                    subject=message.subject[:200],
                    body=message.body,
                    link=message.link,
                    address=address,
                    created=now,
                )
            )
    SentMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        SentMessage.objects.filter(
            reason=reason, period_key=period_key, recipient_id__in=list(people), status=Status.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def college_digest_queue(
    *, college: College, reason: str, period_key: str, subject: str, body: str, link: str = "", now=None
) -> list[int]:
    """Queue a digest for the college's group robot, if it has one switched on; returns the waiting ids."""
    spec = reason_get(reason)
    channel = CollegeChannel.objects.filter(college=college, enabled=True).first()
    if channel is None:
        return []
    SentMessage.objects.bulk_create(
        [
            SentMessage(
                college=college,
                reason=reason,
                period_key=period_key,
                channel=Channel.WEBHOOK,
                mandatory=spec.mandatory,
                subject=subject[:200],
                body=body,
                link=link,
                created=now or timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
    return list(
        SentMessage.objects.filter(
            college=college,
            recipient__isnull=True,
            reason=reason,
            period_key=period_key,
            channel=Channel.WEBHOOK,
            status=Status.PENDING,
        ).values_list("pk", flat=True)
    )


def _claim(pk: int, now: datetime) -> int:
    """Take a waiting (or due failed) row for this worker; 0 when another worker has it or it is done."""
    return (
        SentMessage.objects.filter(pk=pk)
        .filter(Q(status=Status.PENDING) | Q(status=Status.FAILED, next_attempt_at__lte=now))
        .update(status=Status.SENDING, attempts=F("attempts") + 1)
    )


def _record_failure(message: SentMessage, error: Exception, now: datetime) -> None:
    attempts = message.attempts
    delay = RETRY_DELAYS_MINUTES[attempts - 1] if attempts <= len(RETRY_DELAYS_MINUTES) else None
    SentMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=now + timedelta(minutes=delay) if delay is not None else None,
    )
    logger.warning("notification %s (%s) failed, attempt %s: %s", message.pk, message.channel, attempts, error)


def sent_messages_deliver(*, ids: Iterable[int], now: datetime | None = None) -> DeliveryReport:
    """Send the given waiting messages, each at most once; a failure is recorded and never stops the others."""
    now = now or timezone.now()
    report = DeliveryReport()
    connection = None
    ids = list(ids)
    channels = dict(SentMessage.objects.filter(pk__in=ids).values_list("pk", "channel"))
    for pk in ids:
        if channels.get(pk) != Channel.IN_APP:
            if not _claim(pk, now):
                report.skipped += 1
                continue
        else:
            with transaction.atomic():
                if not _claim(pk, now):
                    report.skipped += 1
                    continue
                message = SentMessage.objects.get(pk=pk)
                Notification.objects.create(
                    recipient_id=message.recipient_id,
                    reason=message.reason,
                    subject=message.subject,
                    body=message.body,
                    link=message.link,
                    mandatory=message.mandatory,
                    created=now,
                )
                SentMessage.objects.filter(pk=pk).update(status=Status.SENT, sent_at=now, last_error="")
            report.sent += 1
            continue
        message = SentMessage.objects.select_related("college__channel").get(pk=pk)
        try:
            if message.channel == Channel.EMAIL:
                connection = connection or get_connection()
                email_deliver(
                    address=message.address,
                    subject=message.subject,
                    body=message.body,
                    link=message.link,
                    connection=connection,
                )
            else:
                channel = getattr(message.college, "channel", None)
                if channel is None or not channel.enabled:
                    raise ValueError("The college has no group robot switched on")
                webhook_deliver(
                    kind=channel.kind, url=channel.url, subject=message.subject, body=message.body, link=message.link
                )
                SentMessage.objects.filter(pk=pk).update(address=urlsplit(channel.url).hostname or "")
        except Exception as error:  # any channel failure is recorded and retried; it never blocks the others
            _record_failure(message, error, now)
            report.failed += 1
            report.errors.append(str(error))
            if connection is not None:
                connection.close()  # a broken SMTP session is not reused for the next recipient
                connection = None
            continue
        SentMessage.objects.filter(pk=pk).update(status=Status.SENT, sent_at=now, last_error="", next_attempt_at=None)
        report.sent += 1
    if connection is not None:
        connection.close()
    return report


def sent_messages_retry_due(*, now: datetime | None = None, limit: int = 1000) -> DeliveryReport:
    """Retry failed messages whose next attempt has come, and messages a stopped worker left waiting."""
    now = now or timezone.now()
    due = (
        SentMessage.objects.filter(
            Q(status=Status.FAILED, next_attempt_at__lte=now)
            | Q(status=Status.PENDING, created__lte=now - STALE_PENDING)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sent_messages_deliver(ids=list(due), now=now)


def notification_send(
    *,
    recipient: User,
    reason: str,
    period_key: str,
    subject: str,
    body: str,
    link: str = "",
    now: datetime | None = None,
) -> DeliveryReport:
    """Queue and send one message to one person (in-app, and email when they have an address)."""
    ids = notifications_queue(
        reason=reason,
        period_key=period_key,
        messages=[Outgoing(recipient=recipient, subject=subject, body=body, link=link)],
        now=now,
    )
    return sent_messages_deliver(ids=ids, now=now)


# --- the person's own actions ----------------------------------------------------------------------------------


def notification_mark_read(*, actor: User, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is not yours."))
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, actor: User, muted: set[str]) -> None:
    """Mute exactly the optional reasons in `muted`; a mandatory reason (a deadline) cannot be muted."""
    for code in muted:
        try:
            spec = reason_get(code)
        except ValueError:
            raise ValidationError({"muted": _("Unknown reminder.")}) from None
        if spec.mandatory:
            raise ValidationError({"muted": _("“%(label)s” is mandatory and cannot be muted.") % {"label": spec.label}})
    optional = {r.code for r in reasons_all() if not r.mandatory}
    before = set(
        NotificationPreference.objects.filter(user=actor, muted=True, reason__in=optional).values_list(
            "reason", flat=True
        )
    )
    if before == muted:
        return
    NotificationPreference.objects.filter(user=actor, reason__in=optional - muted).delete()
    for code in muted - before:
        NotificationPreference.objects.update_or_create(user=actor, reason=code, defaults={"muted": True})
    audit_record(
        actor=actor,
        action="notification.preferences",
        target=actor,
        data={"muted": sorted(muted), "was": sorted(before)},
    )


# --- the college admin's group robot -----------------------------------------------------------------------------


@transaction.atomic
def college_channel_set(*, actor: User, college: College, kind: str, url: str, enabled: bool) -> CollegeChannel:
    if not administers_college(actor, college):
        raise PermissionDenied(_("Only the college's admin may set its group robot."))
    if kind not in CollegeChannel.Kind.values:
        raise ValidationError({"kind": _("Choose WeCom or DingTalk.")})
    if not webhook_host_allowed(url):
        raise ValidationError(
            {
                "url": _(
                    "Paste the robot's webhook address as the platform shows it: it starts with "
                    "https://qyapi.weixin.qq.com/ (WeCom) or https://oapi.dingtalk.com/ (DingTalk)."
                )
            }
        )
    channel, created = CollegeChannel.objects.update_or_create(
        college=college, defaults={"kind": kind, "url": url, "enabled": enabled, "updated_by": actor}
    )
    # The address carries the robot's secret key: the audit trail keeps only its host.
    audit_record(
        actor=actor,
        action="college_channel.set",
        target=channel,
        data={"kind": kind, "host": urlsplit(url).hostname, "enabled": enabled, "created": created},
    )
    return channel
