"""REST API of the awards: proposals (school offices), awards and the honour roll, objections (read and file).

Lists are scoped by `awards.selectors`; services decide and raise ValidationError (→ 400) or PermissionDenied
(→ 403) through accounts.api_errors. Money is a decimal string in yuan ("10000.00"), never a float.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from awards.models import Award, Objection
from awards.selectors import awards_of, awards_visible_to, explain, honour_roll, objections_visible_to
from awards.services.publicity import objection_file
from evaluation.models import Cycle
from mentoring.selectors.people import roles_of

YEAR = OpenApiParameter("year", int, description="the academic year's first calendar year, e.g. 2025")
ROLE = OpenApiParameter("role", str, description="mentor, advisor or counselor")


class AwardOutput(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.CharField(source="cycle.academic_year.code")
    person_number = serializers.CharField(source="person.number")
    person_name = serializers.CharField(source="person.name")
    college = serializers.CharField(source="college.name", default=None)
    role = serializers.CharField()
    award = serializers.CharField(source="category.name_zh")
    award_en = serializers.CharField(source="category.name_en")
    stipend = serializers.DecimalField(source="category.stipend", max_digits=12, decimal_places=2)


class ProposalOutput(AwardOutput):
    rank = serializers.IntegerField(source="role_rank", allow_null=True)
    final_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    compliance_score = serializers.DecimalField(max_digits=5, decimal_places=2)
    satisfaction_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    peer_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    tied = serializers.BooleanField()
    source = serializers.CharField()
    why = serializers.SerializerMethodField()

    def get_why(self, award: Award) -> str:
        return explain(award)


def _year(request) -> int | None:
    try:
        return int(request.query_params["year"])
    except (KeyError, ValueError):
        return None


class ProposalListView(ListAPIView):
    """A year's proposal with why each person is on it (school offices only; drafts included)."""

    serializer_class = ProposalOutput

    @extend_schema(parameters=[YEAR])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Award.objects.none()
        if not roles_of(self.request.user).sees_all_colleges:
            raise PermissionDenied(_("Only the school offices read the award proposal."))
        cycle = Cycle.objects.filter(academic_year__start_year=_year(self.request)).first()
        if cycle is None:
            raise Http404
        return awards_of(cycle).select_related("cycle__academic_year")


class AwardListView(ListAPIView):
    """Awards: lists in publicity or final for everyone; the school offices also see drafts."""

    serializer_class = AwardOutput

    @extend_schema(parameters=[YEAR, ROLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Award.objects.none()
        qs = awards_visible_to(self.request.user)
        year = _year(self.request)
        if year is not None:
            qs = qs.filter(cycle__academic_year__start_year=year)
        role = self.request.query_params.get("role")
        if role:
            qs = qs.filter(role=role)
        return qs.order_by("-cycle__academic_year__start_year", "role", "category__rank", "role_rank", "person__number")


class HonourRollView(ListAPIView):
    """The honour roll (R-27): winners of final lists, every year (everyone logged in)."""

    serializer_class = AwardOutput

    @extend_schema(parameters=[YEAR, ROLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return honour_roll(year=_year(self.request), role=self.request.query_params.get("role") or None)


class ObjectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.CharField(source="cycle.academic_year.code")
    award = serializers.IntegerField(source="award_id", allow_null=True)
    person_number = serializers.CharField(source="subject.number")
    person_name = serializers.CharField(source="subject.name")
    award_name = serializers.CharField(source="category.name_zh")
    filed_by = serializers.CharField(source="filed_by.number")
    reason = serializers.CharField()
    filed = serializers.DateTimeField()
    state = serializers.CharField()
    resolution = serializers.CharField()


class ObjectionInput(serializers.Serializer):
    award = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True, max_length=1000)


class ObjectionListView(ListAPIView):
    """Objections: the school offices see all, anyone else their own (GET); anyone logged in files one (POST)."""

    serializer_class = ObjectionOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Objection.objects.none()
        return objections_visible_to(self.request.user).order_by("filed", "id")

    @extend_schema(request=ObjectionInput, responses={201: ObjectionOutput})
    def post(self, request):
        incoming = ObjectionInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        award = (
            awards_visible_to(request.user)
            .filter(pk=incoming.validated_data["award"], cycle__award_slate__state__in=["publicity", "finalised"])
            .first()
        )
        if award is None:
            raise Http404
        objection = objection_file(actor=request.user, award=award, reason=incoming.validated_data["reason"])
        objection = objections_visible_to(request.user).get(pk=objection.pk)
        return Response(ObjectionOutput(objection).data, status=status.HTTP_201_CREATED)
