from django.urls import path

from mentoring.views import dashboards, oversight, people, policy, records, roster

urlpatterns = [
    path("rules/", policy.college_rules, name="college_rules"),
    path("rules/<int:pk>/remove/", policy.college_rule_remove, name="college_rule_remove"),
    path("", people.home, name="home"),
    path("students/", people.student_list, name="student_list"),
    path("students/<str:number>/", people.student_detail, name="student_detail"),
    path("students/<str:number>/flags/new/", records.flag_create, name="flag_create"),
    path("classes/", people.class_list, name="class_list"),
    path("classes/<str:code>/", people.class_detail, name="class_detail"),
    path("staff/", people.staff_list, name="staff_list"),
    path("work/", records.my_work, name="my_work"),
    path("work/record/", records.record_create, name="record_create"),
    path("work/records/", records.record_list, name="record_list"),
    path("work/records/<int:pk>/", records.record_detail, name="record_detail"),
    path("work/records/<int:pk>/edit/", records.record_update, name="record_update"),
    path("work/records/<int:pk>/delete/", records.record_delete, name="record_delete"),
    path("roster/import/", roster.upload, name="roster_upload"),
    path("roster/import/template.xlsx", roster.template, name="roster_template"),
    path("roster/import/<int:pk>/", roster.preview, name="roster_preview"),
    path("dashboard/", dashboards.dashboard_home, name="dashboard_home"),
    path("dashboard/school/", dashboards.dashboard_school, name="dashboard_school"),
    path("dashboard/college/<str:code>/", dashboards.dashboard_college, name="dashboard_college"),
    path(
        "dashboard/college/<str:code>/export.xlsx", dashboards.dashboard_college_export, name="dashboard_college_export"
    ),
    path("dashboard/people/", dashboards.dashboard_people, name="dashboard_people"),
    path("dashboard/person/<str:number>/", dashboards.dashboard_person, name="dashboard_person"),
    path("dashboard/exports/", dashboards.dashboard_export_start, name="dashboard_export_start"),
    path("dashboard/exports/<int:pk>/", dashboards.dashboard_export_job, name="dashboard_export_job"),
    path(
        "dashboard/exports/<int:pk>/download/", dashboards.dashboard_export_download, name="dashboard_export_download"
    ),
    path("supervision/findings/", oversight.finding_list, name="finding_list"),
    path("supervision/findings/<int:pk>/", oversight.finding_detail, name="finding_detail"),
    path("supervision/findings/<int:pk>/<str:move>/", oversight.finding_move, name="finding_move"),
    path("supervision/meetings/", oversight.meeting_list, name="meeting_list"),
]
