from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI sets style attributes from its scripts; the docs page alone may use inline styles.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(
    login_required(SpectacularSwaggerSplitView.as_view(url_name="api_schema"))
)

urlpatterns = [
    path("", include("mentoring.urls")),
    path("accounts/", include("accounts.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("awards/", include("awards.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("mentoring.api_urls")),
    path("api/v1/", include("evaluation.api_urls")),
    path("api/v1/", include("awards.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", api_docs, name="api_docs"),
]
