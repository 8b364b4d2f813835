from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("open/", views.open_cycle, name="open"),
    path("<int:year>/advance/", views.move, {"direction": "advance"}, name="advance"),
    path("<int:year>/back/", views.move, {"direction": "back"}, name="back"),
    path("<int:year>/deadlines/", views.deadlines, name="deadlines"),
    path("<int:year>/survey/", views.survey, name="survey"),
    path("<int:year>/self-report/", views.self_report, name="self_report"),
    path("<int:year>/vote/", views.vote, name="vote"),
    path("<int:year>/scores/", views.scores, name="scores"),
    path("<int:year>/scores.xlsx", views.scores_export, name="scores_export"),
    path("<int:year>/colleges/<str:code>/", views.college_review, name="college_review"),
]
