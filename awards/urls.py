from django.urls import path

from awards import views

app_name = "awards"

urlpatterns = [
    path("", views.index, name="index"),
    path("honour-roll/", views.honour, name="honour_roll"),
    path("<int:year>/", views.committee, name="committee"),
    path("<int:year>/run/", views.run, name="run"),
    path("<int:year>/runs/<int:pk>/", views.run_status, name="run_status"),
    path("<int:year>/categories/<slug:code>/", views.category, name="category"),
    path("<int:year>/adjust/", views.adjust, name="adjust"),
    path("<int:year>/publish/", views.publish, name="publish"),
    path("<int:year>/finalise/", views.finalise, name="finalise"),
    path("<int:year>/publicity/", views.publicity, name="publicity"),
    path("<int:year>/publicity/object/", views.object_to, name="object"),
    path("<int:year>/objections/<int:pk>/", views.resolve, name="resolve"),
    path("<int:year>/stipends/", views.stipends, name="stipends"),
    path("<int:year>/stipends/allowance/", views.allowance, name="allowance"),
    path("<int:year>/stipends.xlsx", views.stipends_export, name="stipends_export"),
]
