from django.urls import path
from rest_framework.routers import DefaultRouter

from mentoring import api, api_records

router = DefaultRouter()
router.register("colleges", api.CollegeViewSet, basename="college")
router.register("classes", api.ClassViewSet, basename="class")
router.register("students", api.StudentViewSet, basename="student")
router.register("staff", api.StaffViewSet, basename="staff")
router.register("records", api_records.RecordViewSet, basename="record")
router.register("flags", api_records.FlagViewSet, basename="flag")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api_me"),
    path("compliance/me/", api_records.ComplianceMeView.as_view(), name="api_compliance_me"),
    *router.urls,
]
