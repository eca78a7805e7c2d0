"""The agent desk, mounted under /desk/."""

from django.urls import path

from supportdesk.tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("views/<slug:slug>/", views.inbox, name="view"),
    path("inbox/counts/", views.view_counts, name="view_counts"),
    path("tickets/bulk/", views.bulk_update, name="bulk"),
    path("tickets/new/", views.ticket_new, name="new"),
    path("tickets/new/requesters/", views.requester_lookup, name="requester_lookup"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:ticket_id>/fields/", views.ticket_update, name="update"),
    path("tickets/<int:ticket_id>/merge/", views.ticket_merge_view, name="merge"),
    path("tickets/<int:ticket_id>/share/", views.ticket_share_view, name="share"),
    path("tickets/<int:ticket_id>/share/<int:user_id>/remove/", views.ticket_unshare_view, name="unshare"),
    path("customers/<int:customer_id>/tickets/", views.customer_tickets, name="customer_tickets"),
    path(
        "organizations/<int:organization_id>/tickets/",
        views.organization_tickets,
        name="organization_tickets",
    ),
]
