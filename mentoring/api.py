"""REST API for people and organisation, scoped by the same selectors as the pages."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import College, SchoolClass, Staff, Student
from mentoring.selectors.people import (
    classes_visible_to,
    colleges_visible_to,
    roles_of,
    staff_visible_to,
    students_visible_to,
)


class MayList(BasePermission):
    """A list needs the same permission as its page (`view.list_permission`); a single object is looked up in the
    user's scope, so one they may not see is a 404, as on the pages."""

    def has_permission(self, request, view) -> bool:
        return view.action != "list" or request.user.has_perm(view.list_permission)


class MeOutput(serializers.Serializer):
    number = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField())
    admin_colleges = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    """Who am I, and which roles do I hold today."""

    serializer_class = MeOutput

    def get(self, request):
        user = request.user
        roles = roles_of(user)
        codes = sorted(College.objects.filter(pk__in=roles.admin_college_ids).values_list("code", flat=True))
        data = {
            "number": user.number,
            "name": user.name,
            "email": user.email,
            "roles": roles.names,
            "admin_colleges": codes,
        }
        return Response(MeOutput(data).data)


class CollegeOutput(serializers.ModelSerializer):
    class Meta:
        model = College
        fields = ["code", "name"]


class ClassOutput(serializers.ModelSerializer):
    major = serializers.CharField(source="major.name")
    college = serializers.CharField(source="major.college.code")
    student_count = serializers.IntegerField()

    class Meta:
        model = SchoolClass
        fields = ["code", "name", "cohort", "major", "college", "student_count"]


class StudentOutput(serializers.ModelSerializer):
    number = serializers.CharField(source="user.number")
    name = serializers.CharField(source="user.name")
    school_class = serializers.CharField(source="school_class.code")
    college = serializers.CharField(source="school_class.major.college.code")

    class Meta:
        model = Student
        fields = ["number", "name", "school_class", "college"]


class StaffOutput(serializers.ModelSerializer):
    number = serializers.CharField(source="user.number")
    name = serializers.CharField(source="user.name")
    college = serializers.CharField(source="college.code", default=None)

    class Meta:
        model = Staff
        fields = ["number", "name", "college", "title"]


class CollegeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, MayList]
    list_permission = "mentoring.list_colleges"
    serializer_class = CollegeOutput
    lookup_field = "code"

    def get_queryset(self):
        return colleges_visible_to(self.request.user)


class ClassViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, MayList]
    list_permission = "mentoring.list_classes"
    serializer_class = ClassOutput
    lookup_field = "code"

    def get_queryset(self):
        return classes_visible_to(self.request.user)


class StudentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, MayList]
    list_permission = "mentoring.list_students"
    serializer_class = StudentOutput
    lookup_field = "user__number"
    lookup_url_kwarg = "number"

    def get_queryset(self):
        students = students_visible_to(self.request.user)
        school_class = self.request.query_params.get("class")
        if school_class:
            students = students.filter(school_class__code=school_class)
        return students


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, MayList]
    list_permission = "mentoring.list_staff"
    serializer_class = StaffOutput
    lookup_field = "user__number"
    lookup_url_kwarg = "number"

    def get_queryset(self):
        return staff_visible_to(self.request.user)
