from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# 503 while PostgreSQL or Redis is away, 500 otherwise (helpdesk/errors.py).
handler500 = "helpdesk.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("tickets.api.urls")),
    path("api/v1/", include("attachments.api_urls")),
    path("api/v1/", include("links.api_urls")),
    path("", include("accounts.urls")),
    path("", include("tickets.urls")),
    path("", include("links.urls")),
    path("", include("attachments.urls")),
]

# The benchmark's floor (bench/run.py): a fixed 1 KB response, routed only when BENCH_FLOOR=1.
if settings.BENCH_FLOOR:
    from .bench_views import floor

    urlpatterns.insert(0, path("bench/floor/", floor))
