from django.urls import path

from evaluation import api

urlpatterns = [
    path("evaluation/cycle/", api.CycleView.as_view(), name="api_evaluation_cycle"),
    path("evaluation/survey/", api.SurveyView.as_view(), name="api_evaluation_survey"),
    path("evaluation/votes/", api.VoteView.as_view(), name="api_evaluation_votes"),
    path("evaluation/scores/", api.ScoresView.as_view(), name="api_evaluation_scores"),
]
