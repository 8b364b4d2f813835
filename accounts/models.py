"""People and organisation: users, College → Major → Class, student and staff profiles, role grants.

Roles that come from assignments (mentor, class advisor, counselor) live in `mentoring`; this module only
holds the administrative grants (college admin, school admin, student-affairs leads).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, number: str, name: str, password: str | None = None, **extra):
        if not number:
            raise ValueError("A user needs a staff or student number")
        user = self.model(number=number, name=name, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, number: str, name: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(number, name, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in. The login is the staff or student number (工号/学号)."""

    number = models.CharField(_("staff or student number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("technical staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "number"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class College(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("college")
        verbose_name_plural = _("colleges")

    def __str__(self) -> str:
        return self.name


class Major(models.Model):
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="majors", verbose_name=_("college"))
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("major")
        verbose_name_plural = _("majors")

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """An administrative class (行政班) of one major and cohort."""

    major = models.ForeignKey(Major, on_delete=models.PROTECT, related_name="classes", verbose_name=_("major"))
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    cohort = models.PositiveSmallIntegerField(_("cohort (year of entry)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.CheckConstraint(condition=Q(cohort__gte=1950) & Q(cohort__lte=2200), name="class_cohort_plausible")
        ]

    def __str__(self) -> str:
        return self.name


class Student(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="student"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="students", verbose_name=_("class")
    )

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")

    def __str__(self) -> str:
        return str(self.user)


class Staff(models.Model):
    """A teacher or staff member; their roles come from assignments and grants."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="staff"
    )
    college = models.ForeignKey(
        College, on_delete=models.PROTECT, related_name="staff", verbose_name=_("college"), null=True, blank=True
    )
    title = models.CharField(_("title"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return str(self.user)


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", _("School admin (academic affairs office)")
    SCHOOL_STUDENT_AFFAIRS = "school_student_affairs", _("School student affairs")
    COLLEGE_ADMIN = "college_admin", _("College admin")
    COLLEGE_STUDENT_AFFAIRS = "college_student_affairs", _("College student-affairs lead")


SCHOOL_ROLES = (Role.SCHOOL_ADMIN, Role.SCHOOL_STUDENT_AFFAIRS)


class RoleGrant(models.Model):
    """An administrative role. College roles name their college; school roles name none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    college = models.ForeignKey(
        College, on_delete=models.CASCADE, null=True, blank=True, related_name="grants", verbose_name=_("college")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__in=SCHOOL_ROLES) & Q(college__isnull=True))
                | (~Q(role__in=SCHOOL_ROLES) & Q(college__isnull=False)),
                name="grant_college_matches_role",
                violation_error_message=_("College roles need a college; school roles must not name one."),
            ),
            models.UniqueConstraint(fields=["user", "role", "college"], name="grant_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(college__isnull=True), name="grant_unique_school_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}" + (f" · {self.college}" if self.college_id else "")


class AuditEntry(models.Model):
    """Who did what to which object, with before/after where it matters. Written by services only."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


# --- Notifications (DESIGN "Reminders and notifications") -------------------------------------------------------


class Channel(models.TextChoices):
    IN_APP = "in_app", _("Notification centre")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Group robot")


class Notification(models.Model):
    """A message in a person's notification centre (the in-app channel)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField(_("reason"), max_length=64)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=255, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    created = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.subject


class SentMessage(models.Model):
    """One message to one recipient through one channel, for one reason and period (or deadline).

    The row is inserted before anything is sent, and its unique key makes a retried, redelivered or doubled task
    send nothing twice. A person is the recipient of in-app and email messages; a college (its group robot) is
    the recipient of webhook digests. `college` is also the college whose admins see the row in their log.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="sent_messages"
    )
    college = models.ForeignKey(College, on_delete=models.CASCADE, null=True, blank=True, related_name="sent_messages")
    reason = models.CharField(_("reason"), max_length=64)
    period_key = models.CharField(_("period or deadline"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "reason", "period_key", "channel"],
                condition=Q(recipient__isnull=False),
                name="sent_message_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["college", "reason", "period_key", "channel"],
                condition=Q(recipient__isnull=True),
                name="sent_message_once_per_college",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(college__isnull=False), name="sent_message_has_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["college", "-created"], name="sent_message_college_log"),
            models.Index(fields=["status", "next_attempt_at"], name="sent_message_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.period_key} {self.channel} → {self.recipient_id or self.college_id}"


class NotificationPreference(models.Model):
    """A person's choice for one optional reason; mandatory reasons (deadlines) ignore it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    reason = models.CharField(_("reason"), max_length=64)
    muted = models.BooleanField(_("muted"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "reason"], name="notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.reason} muted={self.muted}"


class CollegeChannel(models.Model):
    """A college's group robot (WeCom or DingTalk) that receives the reminder digests, set by the college admin."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    college = models.OneToOneField(College, on_delete=models.CASCADE, related_name="channel")
    kind = models.CharField(_("platform"), max_length=16, choices=Kind.choices)
    url = models.URLField(_("webhook address"), max_length=500)
    enabled = models.BooleanField(_("send digests"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("college group robot")
        verbose_name_plural = _("college group robots")

    def __str__(self) -> str:
        return f"{self.college} · {self.get_kind_display()}"
