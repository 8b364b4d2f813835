"""Forms of the record pages. They only parse; `mentoring.services.records` decides what is allowed."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import SchoolClass, Staff, Student, User
from mentoring.kinds import KIND_INFO, kinds_for_roles
from mentoring.models import (
    AdvisorAssignment,
    CounselorAssignment,
    FlagType,
    Interaction,
    Kind,
    MentorAssignment,
    Mode,
    StaffRole,
    Topic,
)
from mentoring.selectors.people import Roles
from mentoring.services.records import RecordInput


class OpenChoiceField(forms.ChoiceField):
    """Offers the user's own choices but lets any value through: the service gives the refusal a user can act on."""

    def valid_value(self, value) -> bool:
        return True


class OpenMultipleChoiceField(forms.MultipleChoiceField):
    def valid_value(self, value) -> bool:
        return True


def own_students(user: User, roles: Roles, day: date) -> list[Student]:
    """The students the user may record work with today: a mentor's students, an advisor's or counselor's classes."""
    scope = Q(pk__in=[])
    if roles.is_mentor:
        scope |= Q(pk__in=MentorAssignment.objects.valid_on(day).filter(mentor=user).values("student_id"))
    if roles.is_advisor:
        scope |= Q(school_class__in=AdvisorAssignment.objects.valid_on(day).filter(advisor=user).values("school_class"))
    if roles.is_counselor:
        scope |= Q(
            school_class__in=CounselorAssignment.objects.valid_on(day).filter(counselor=user).values("school_class")
        )
    return list(
        Student.objects.filter(scope)
        .select_related("user", "school_class")
        .order_by("school_class__code", "user__number")
    )


def own_classes(user: User, roles: Roles, day: date) -> list[SchoolClass]:
    scope = Q(pk__in=[])
    if roles.is_advisor:
        scope |= Q(pk__in=AdvisorAssignment.objects.valid_on(day).filter(advisor=user).values("school_class"))
    if roles.is_counselor:
        scope |= Q(pk__in=CounselorAssignment.objects.valid_on(day).filter(counselor=user).values("school_class"))
    return list(SchoolClass.objects.filter(scope).order_by("code"))


def colleagues(user: User) -> list[Staff]:
    """Colleagues to name in an exchange (R-05, R-12): the staff of the user's college."""
    college_id = Staff.objects.filter(user=user).values_list("college_id", flat=True).first()
    if college_id is None:
        return []
    return list(
        Staff.objects.filter(college_id=college_id).exclude(user=user).select_related("user").order_by("user__name")
    )


class RecordForm(forms.Form):
    kind = OpenChoiceField(label=_("What"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    mode = forms.ChoiceField(label=_("Form"), choices=Mode.choices, widget=forms.RadioSelect)
    students = OpenMultipleChoiceField(label=_("Students"), required=False)
    school_class = OpenChoiceField(label=_("Class"), required=False)
    counterpart = OpenChoiceField(label=_("Colleague"), required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=Topic.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    place = forms.CharField(label=_("Place"), max_length=128, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user: User, roles: Roles, kind: str = "", **kwargs):
        """`kind`: a choice (`kind_choice`) to open the form on, taken only if the person may record it."""
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.user = user
        role_labels = dict(StaffRole.choices)
        kind_labels = dict(Kind.choices)
        self.fields["kind"].choices = [
            (self.kind_choice(role, k), f"{role_labels[role]} · {kind_labels[k]} ({KIND_INFO[k].requirement})")
            for role, k in kinds_for_roles(roles.names_as_staff)
        ]
        values = [value for value, _label in self.fields["kind"].choices]
        if ":" not in kind:  # a bare kind (`?kind=dorm_visit`, a bookmarked link): the first role that records it
            kind = next((value for value in values if value.partition(":")[2] == kind), "")
        if kind in values:
            self.fields["kind"].initial = kind
        self.fields["day"].initial = today
        # The usual form of the kind it opens on (the first its kind lists: a dorm visit meets a room of students).
        choices = self.fields["kind"].choices
        opening = (self.fields["kind"].initial or (choices[0][0] if choices else "")).partition(":")[2]
        self.fields["mode"].initial = KIND_INFO[opening].modes[0] if opening in KIND_INFO else Mode.ONE_TO_ONE
        # The pickers' choices are for drawing the form: their fields take any value (the service refuses what the
        # person may not record), so a form sent and valid reads none of them — a counselor's 200 students and the
        # college's staff were most of a record's time. Read when the page is drawn, once each.
        self._roles, self._today = roles, today
        self.fields["students"].choices = lambda: [(str(s.pk), s.user.name) for s in self.student_choices]
        self.fields["school_class"].choices = lambda: [("", "—")] + [(str(c.pk), c.name) for c in self._classes]
        self.fields["counterpart"].choices = lambda: (
            [("", "—")]
            + [(str(s.user_id), f"{s.user.name} ({s.title})" if s.title else s.user.name) for s in self._colleagues]
        )

    @cached_property
    def student_choices(self) -> list[Student]:
        return own_students(self.user, self._roles, self._today)

    @cached_property
    def _classes(self) -> list[SchoolClass]:
        return own_classes(self.user, self._roles, self._today)

    @cached_property
    def _colleagues(self) -> list[Staff]:
        return colleagues(self.user)

    @staticmethod
    def kind_choice(role: str, kind: str) -> str:
        """The value of the kind field for a role's kind of record."""
        return f"{role}:{kind}"

    def kind_rules(self) -> dict[str, dict]:
        """For the page's script: the forms each kind may take and whether it takes R-01 topics."""
        return {
            value: {
                "modes": list(KIND_INFO[value.split(":", 1)[1]].modes),
                "topics": KIND_INFO[value.split(":", 1)[1]].topics,
            }
            for value, _label in self.fields["kind"].choices
        }

    def student_groups(self) -> list[dict]:
        """The picker: the user's students grouped by class, each with its ticked state."""
        chosen = {str(v) for v in (self["students"].value() or [])}
        groups: dict[SchoolClass, list] = defaultdict(list)
        for student in self.student_choices:
            groups[student.school_class].append({"student": student, "checked": str(student.pk) in chosen})
        single = len(groups) == 1
        return [
            {"school_class": c, "students": rows, "open": single or any(row["checked"] for row in rows)}
            for c, rows in groups.items()
        ]

    def clean_kind(self) -> tuple[str, str]:
        role, _sep, kind = self.cleaned_data["kind"].partition(":")
        if role not in StaffRole.values or kind not in Kind.values:
            raise ValidationError(_("Choose what you did from the list."))
        return role, kind

    def clean_students(self) -> list[Student]:
        ids = self.cleaned_data["students"]
        try:
            wanted = {int(v) for v in ids}
        except ValueError:
            raise ValidationError(_("Choose students from the list.")) from None
        students = list(Student.objects.filter(pk__in=wanted).select_related("user"))
        if len(students) != len(wanted):
            raise ValidationError(_("Choose students from the list."))
        return students

    def clean_school_class(self) -> SchoolClass | None:
        value = self.cleaned_data["school_class"]
        if not value:
            return None
        found = SchoolClass.objects.filter(pk=value).first() if value.isdigit() else None
        if found is None:
            raise ValidationError(_("Choose the class from the list."))
        return found

    def clean_counterpart(self) -> User | None:
        value = self.cleaned_data["counterpart"]
        if not value:
            return None
        found = User.objects.filter(pk=value).first() if value.isdigit() else None
        if found is None:
            raise ValidationError(_("Choose the colleague from the list."))
        return found

    def record_input(self) -> RecordInput:
        data = self.cleaned_data
        role, kind = data["kind"]
        return RecordInput(
            role=role,
            kind=kind,
            day=data["day"],
            mode=data["mode"],
            students=data["students"],
            school_class=data["school_class"],
            counterpart=data["counterpart"],
            topics=data["topics"],
            place=data["place"],
            summary=data["summary"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's refusals next to the fields they name."""
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    @staticmethod
    def initial_from(record: Interaction) -> dict:
        return {
            "kind": RecordForm.kind_choice(record.role, record.kind),
            "day": record.day,
            "mode": record.mode,
            "students": [str(pk) for pk in record.attendance.values_list("student_id", flat=True)],
            "school_class": str(record.school_class_id or ""),
            "counterpart": str(record.counterpart_id or ""),
            "topics": list(record.topics),
            "place": record.place,
            "summary": record.summary,
        }


class FlagForm(forms.Form):
    flag = forms.ChoiceField(label=_("Flag"), choices=FlagType.choices)
    valid_from = forms.DateField(label=_("From"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
