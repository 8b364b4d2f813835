from django.urls import path

from awards import api

urlpatterns = [
    path("awards/", api.AwardListView.as_view(), name="api_awards"),
    path("awards/proposal/", api.ProposalListView.as_view(), name="api_awards_proposal"),
    path("awards/honour-roll/", api.HonourRollView.as_view(), name="api_awards_honour_roll"),
    path("awards/objections/", api.ObjectionListView.as_view(), name="api_awards_objections"),
]
