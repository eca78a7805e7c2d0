"""Top-level URLs. Each app owns its own urls module; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path

from supportdesk.accounts import views_auth
from supportdesk.core import views_health

urlpatterns = [
    path("health/", views_health.health, name="health"),
    # Early: scripts call the API far more often than people open the pages listed after it, and
    # nothing else here starts with its prefix.
    path("api/v1/", include("supportdesk.api.urls")),
    path("login/", views_auth.sign_in, name="login"),
    path("logout/", views_auth.sign_out, name="logout"),
    path("", include("supportdesk.accounts.urls_password")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("desk/", include("supportdesk.tickets.urls")),
    path("desk/", include("supportdesk.customers.urls")),
    path("desk/", include("supportdesk.accounts.urls")),
    path("desk/settings/email/", include("supportdesk.channels.email.urls")),
    path("desk/settings/", include("supportdesk.tickets.urls_settings")),
    path("admin/", admin.site.urls),
    path("", include("supportdesk.tickets.urls_files")),
    path("", include("supportdesk.channels.web.urls")),
]
