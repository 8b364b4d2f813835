"""REST API of the evaluation, for the school's mobile app: the current cycle, the survey, the vote, scores.

Each endpoint does one thing; services decide and raise ValidationError (→ 400) or PermissionDenied (→ 403)
through accounts.api_errors.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from evaluation.models import Candidate, Cycle, PeerVote
from evaluation.selectors.cycles import cycle_current
from evaluation.selectors.scores import candidates_visible_to, rows_sorted, score_rows
from evaluation.selectors.survey import survey_answered, survey_targets
from evaluation.services.peer import peer_votes_cast
from evaluation.services.survey import survey_submit
from mentoring.models import StaffRole
from mentoring.selectors.people import roles_of


def _cycle() -> Cycle:
    cycle = cycle_current()
    if cycle is None:
        raise Http404
    return cycle


class CycleOutput(serializers.Serializer):
    year = serializers.CharField(source="year_code")
    phase = serializers.CharField()
    phase_label = serializers.CharField(source="get_phase_display")
    survey_until = serializers.DateField()
    peer_until = serializers.DateField()
    college_until = serializers.DateField()
    school_until = serializers.DateField()
    weight_compliance = serializers.IntegerField()
    weight_satisfaction = serializers.IntegerField()
    weight_peer = serializers.IntegerField()
    pass_threshold = serializers.IntegerField()
    peer_mode = serializers.CharField()
    votes_per_person = serializers.IntegerField()
    questions = serializers.ListField(child=serializers.CharField())


class CycleView(APIView):
    """The current evaluation cycle: its phase, deadlines and weights (everyone)."""

    @extend_schema(responses=CycleOutput)
    def get(self, request):
        return Response(CycleOutput(_cycle()).data)


class TargetOutput(serializers.Serializer):
    candidate = serializers.IntegerField(source="pk")
    role = serializers.CharField()
    name = serializers.CharField(source="person.name")


class SurveyOutput(serializers.Serializer):
    year = serializers.CharField()
    open = serializers.BooleanField()
    answered = serializers.BooleanField()
    questions = serializers.ListField(child=serializers.CharField())
    targets = TargetOutput(many=True)


class AnswerInput(serializers.Serializer):
    candidate = serializers.IntegerField()
    scores = serializers.ListField(child=serializers.IntegerField())
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SurveyInput(serializers.Serializer):
    answers = AnswerInput(many=True)


class SurveyView(APIView):
    """The student's satisfaction survey: what to answer (GET) and answering it once (POST)."""

    def _student(self, request):
        if not roles_of(request.user).is_student:
            raise PermissionDenied(_("Only students answer the satisfaction survey."))
        return request.user.student

    @extend_schema(responses=SurveyOutput)
    def get(self, request):
        student = self._student(request)
        cycle = _cycle()
        return Response(
            SurveyOutput(
                {
                    "year": cycle.year_code,
                    "open": cycle.phase == "survey",
                    "answered": survey_answered(cycle, student),
                    "questions": cycle.questions,
                    "targets": survey_targets(cycle, student),
                }
            ).data
        )

    @extend_schema(request=SurveyInput, responses={201: None})
    def post(self, request):
        self._student(request)
        incoming = SurveyInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        answers = {a["candidate"]: a["scores"] for a in incoming.validated_data["answers"]}
        comments = {a["candidate"]: a["comment"] for a in incoming.validated_data["answers"] if a["comment"]}
        if len(answers) != len(incoming.validated_data["answers"]):
            raise serializers.ValidationError({"answers": [_("Each person is answered about once.")]})
        survey_submit(actor=request.user, cycle=_cycle(), answers=answers, comments=comments)
        return Response(status=status.HTTP_201_CREATED)


class VoteGroupOutput(serializers.Serializer):
    role = serializers.CharField()
    votes_allowed = serializers.IntegerField()
    colleagues = TargetOutput(many=True)
    voted_for = serializers.ListField(child=serializers.IntegerField())


class VoteInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=StaffRole.choices)
    candidates = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class VoteView(APIView):
    """Peer recognition: my colleagues per role (GET) and my votes in one role (POST replaces them)."""

    def _mine(self, request, cycle) -> list[Candidate]:
        mine = list(Candidate.objects.filter(cycle=cycle, person=request.user).order_by("role"))
        if not mine:
            raise PermissionDenied(_("Only the mentors, class advisors and counselors evaluated this year vote."))
        return mine

    @extend_schema(responses=VoteGroupOutput(many=True))
    def get(self, request):
        cycle = _cycle()
        mine = self._mine(request, cycle)
        colleagues = list(
            Candidate.objects.filter(cycle=cycle, role__in=[c.role for c in mine])
            .exclude(person=request.user)
            .select_related("person")
            .order_by("person__number")
        )
        given = set(
            PeerVote.objects.filter(voter=request.user, candidate__cycle=cycle).values_list("candidate_id", flat=True)
        )
        groups = []
        for c in mine:
            group = [x for x in colleagues if x.role == c.role and x.college_id == c.college_id]
            groups.append(
                {
                    "role": c.role,
                    "votes_allowed": cycle.votes_per_person,
                    "colleagues": group,
                    "voted_for": sorted(x.pk for x in group if x.pk in given),
                }
            )
        return Response(VoteGroupOutput(groups, many=True).data)

    @extend_schema(request=VoteInput, responses={200: None})
    def post(self, request):
        incoming = VoteInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        peer_votes_cast(actor=request.user, cycle=_cycle(), role=data["role"], candidate_ids=data["candidates"])
        return Response(status=status.HTTP_200_OK)


class ScoreOutput(serializers.Serializer):
    number = serializers.CharField(source="candidate.person.number")
    name = serializers.CharField(source="candidate.person.name")
    college = serializers.CharField(source="candidate.college.code", default=None)
    role = serializers.CharField(source="candidate.role")
    compliance = serializers.DecimalField(max_digits=5, decimal_places=2)
    compliance_passed = serializers.BooleanField(source="candidate.compliance_passed")
    satisfaction = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    peer = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    final = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    recommended = serializers.BooleanField(source="candidate.recommended")
    eligible = serializers.BooleanField()


class ScoresView(APIView):
    """Scores of the current cycle, scoped: school offices all, college admins and leads theirs, staff their own."""

    @extend_schema(responses=ScoreOutput(many=True))
    def get(self, request):
        if not (request.user.has_perm("evaluation.view_scores") or roles_of(request.user).is_worker):
            raise PermissionDenied(_("Students and people without a role in the evaluation see no scores."))
        cycle = _cycle()
        rows = rows_sorted(score_rows(cycle, candidates_visible_to(request.user, cycle)), "final")
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ScoreOutput(page, many=True).data)
