"""Customer and organization pages of the agent interface (mounted at /desk/)."""

from django.urls import path

from supportdesk.customers import views

app_name = "customers"

urlpatterns = [
    path("customers/", views.customer_list, name="list"),
    path("customers/new/", views.customer_new, name="new"),
    path("customers/<int:customer_id>/", views.customer_detail, name="detail"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/new/", views.organization_new, name="organization_new"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:organization_id>/edit/", views.organization_edit, name="organization_edit"),
    path(
        "organizations/<int:organization_id>/delete/",
        views.organization_delete,
        name="organization_delete",
    ),
]
