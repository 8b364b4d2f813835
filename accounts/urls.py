from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.forms import NumberAuthenticationForm
from accounts.notifications import views as notifications

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=NumberAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/badge/", notifications.notification_badge, name="notification_badge"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("notifications/settings/", notifications.notification_preferences, name="notification_preferences"),
    path("notifications/sent/", notifications.sent_log_index, name="sent_log_index"),
    path("notifications/sent/<str:code>/", notifications.sent_log, name="sent_log"),
    path("notifications/sent/<str:code>/robot/", notifications.college_robot, name="college_robot"),
]
