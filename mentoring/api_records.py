"""REST API for records, my compliance standing and student flags.

Reads are scoped by `selectors.records` / `selectors.people`; every write goes through the services, which raise
ValidationError (→ 400 with field errors) or PermissionDenied (→ 403) via accounts.api_errors.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import SchoolClass, Student, User
from mentoring.models import SENSITIVE_FLAGS, FlagType, Interaction, Kind, Mode, StaffRole, StudentFlag, Topic
from mentoring.selectors.calendar import semester_current
from mentoring.selectors.compliance import compliance_report
from mentoring.selectors.people import roles_of, students_visible_to
from mentoring.selectors.records import record_get_visible, records_visible_to, sensitive_reads_log
from mentoring.services.flags import flag_set
from mentoring.services.records import RecordInput, interaction_delete, interaction_log, interaction_update


class RecordInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=StaffRole.choices)
    kind = serializers.ChoiceField(choices=Kind.choices)
    day = serializers.DateField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    students = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    school_class = serializers.CharField(required=False, allow_blank=True, default="")
    counterpart = serializers.CharField(required=False, allow_blank=True, default="")
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices), required=False, default=list)
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)
    summary = serializers.CharField(required=False, allow_blank=True, default="")

    def to_record_input(self) -> RecordInput:
        """Student numbers, class code and colleague number to objects; unknown ones are field errors."""
        data = self.validated_data
        numbers = list(dict.fromkeys(data["students"]))
        students = list(Student.objects.filter(user__number__in=numbers).select_related("user"))
        errors: dict[str, str] = {}
        if len(students) != len(numbers):
            found = {s.user.number for s in students}
            errors["students"] = f"Unknown student numbers: {', '.join(n for n in numbers if n not in found)}"
        school_class = None
        if data["school_class"]:
            school_class = SchoolClass.objects.filter(code=data["school_class"]).first()
            if school_class is None:
                errors["school_class"] = "Unknown class code."
        counterpart = None
        if data["counterpart"]:
            counterpart = User.objects.filter(number=data["counterpart"], staff__isnull=False).first()
            if counterpart is None:
                errors["counterpart"] = "Unknown staff number."
        if errors:
            raise serializers.ValidationError(errors)
        return RecordInput(
            role=data["role"],
            kind=data["kind"],
            day=data["day"],
            mode=data["mode"],
            students=students,
            school_class=school_class,
            counterpart=counterpart,
            topics=data["topics"],
            place=data["place"],
            summary=data["summary"],
        )


class RecordOutput(serializers.ModelSerializer):
    author = serializers.CharField(source="author.number")
    semester = serializers.CharField()
    students = serializers.SerializerMethodField()
    school_class = serializers.CharField(source="school_class.code", default=None)
    counterpart = serializers.CharField(source="counterpart.number", default=None)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "author",
            "role",
            "kind",
            "day",
            "semester",
            "week",
            "mode",
            "students",
            "school_class",
            "counterpart",
            "topics",
            "place",
            "summary",
            "sensitive",
            "late",
        ]

    def get_students(self, record) -> list[str]:
        return sorted(a.student.user.number for a in record.attendance.all())


class RecordViewSet(viewsets.ViewSet):
    """Records I may read; I create, change (PUT) and delete my own."""

    serializer_class = RecordOutput
    paginator_class = api_settings.DEFAULT_PAGINATION_CLASS
    lookup_value_regex = r"\d+"
    queryset = Interaction.objects.none()  # for the schema's path types; requests use _queryset()

    def _queryset(self):
        return records_visible_to(self.request.user).prefetch_related("attendance__student__user")

    def list(self, request):
        queryset = self._queryset()
        if request.query_params.get("mine"):
            queryset = queryset.filter(author=request.user)
        paginator = self.paginator_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        sensitive_reads_log(reader=request.user, records=page, via="api")
        return paginator.get_paginated_response(RecordOutput(page, many=True).data)

    def retrieve(self, request, pk=None):
        record = record_get_visible(request.user, int(pk), via="api")
        return Response(RecordOutput(self._queryset().get(pk=record.pk)).data)

    def create(self, request):
        incoming = RecordInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        record = interaction_log(actor=request.user, data=incoming.to_record_input())
        return Response(RecordOutput(self._queryset().get(pk=record.pk)).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        record = self._own(pk)
        incoming = RecordInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        interaction_update(actor=request.user, interaction=record, data=incoming.to_record_input())
        return Response(RecordOutput(self._queryset().get(pk=record.pk)).data)

    def destroy(self, request, pk=None):
        interaction_delete(actor=request.user, interaction=self._own(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _own(self, pk) -> Interaction:
        record = get_object_or_404(records_visible_to(self.request.user), pk=int(pk))
        if record.author_id != self.request.user.pk:
            raise PermissionDenied("Only the author may change or delete a record.")
        return record


class LineOutput(serializers.Serializer):
    unit_id = serializers.IntegerField(allow_null=True)
    period = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()
    required = serializers.IntegerField()
    status = serializers.CharField()


class StandingOutput(serializers.Serializer):
    requirement = serializers.CharField(source="rule.requirement")
    title_zh = serializers.CharField(source="rule.title_zh")
    title_en = serializers.CharField(source="rule.title_en")
    period = serializers.CharField(source="rule.period")
    scope = serializers.CharField(source="rule.scope")
    minimum = serializers.IntegerField(source="rule.minimum")
    total = serializers.IntegerField()
    met = serializers.IntegerField()
    short = serializers.IntegerField()
    pending = serializers.IntegerField()
    records_needed = serializers.IntegerField()
    lines = LineOutput(many=True)


class ComplianceMeView(APIView):
    """My standing on every rule of the current semester, from the compliance engine."""

    serializer_class = StandingOutput

    def get(self, request):
        if not roles_of(request.user).is_worker:
            raise PermissionDenied("Only mentors, class advisors and counselors have quotas.")
        today = timezone.localdate()
        semester = semester_current(today)
        if semester is None:
            return Response({"semester": None, "weeks_left": 0, "standings": []})
        report = compliance_report(semester=semester, on=today, person_ids=[request.user.pk])
        return Response(
            {
                "semester": str(semester),
                "weeks_left": report.weeks_left,
                "standings": StandingOutput(report.for_person(request.user.pk), many=True).data,
            }
        )


class FlagInput(serializers.Serializer):
    student = serializers.CharField()
    flag = serializers.ChoiceField(choices=FlagType.choices)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class FlagOutput(serializers.ModelSerializer):
    student = serializers.CharField(source="student.user.number")
    set_by = serializers.CharField(source="set_by.number")

    class Meta:
        model = StudentFlag
        fields = ["id", "student", "flag", "valid_from", "valid_until", "note", "set_by"]


def _sees_sensitive_flags(user) -> bool:
    roles = roles_of(user)
    return roles.is_counselor or bool(roles.student_affairs_college_ids) or roles.is_school_student_affairs


class FlagViewSet(viewsets.ViewSet):
    """Flags on the students I may see (crisis flags only for counselors and student affairs); set one."""

    serializer_class = FlagOutput
    paginator_class = api_settings.DEFAULT_PAGINATION_CLASS

    def list(self, request):
        if not request.user.has_perm("mentoring.list_students"):
            raise PermissionDenied("You may not list students' flags.")
        flags = (
            StudentFlag.objects.filter(student__in=students_visible_to(request.user).values("pk"))
            .select_related("student__user", "set_by")
            .order_by("-valid_from", "-id")
        )
        if not _sees_sensitive_flags(request.user):
            flags = flags.exclude(flag__in=SENSITIVE_FLAGS)
        paginator = self.paginator_class()
        page = paginator.paginate_queryset(flags, request, view=self)
        return paginator.get_paginated_response(FlagOutput(page, many=True).data)

    def create(self, request):
        incoming = FlagInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        student = students_visible_to(request.user).filter(user__number=data.pop("student")).first()
        if student is None:
            raise DjangoValidationError({"student": "Unknown student."})
        row = flag_set(actor=request.user, student=student, **data)
        return Response(FlagOutput(row).data, status=status.HTTP_201_CREATED)
