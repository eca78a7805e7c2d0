"""The customer portal, mounted at the site root."""

from django.urls import path

from supportdesk.channels.web import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:ticket_id>/", views.request_detail, name="request_detail"),
    path("requests/<int:ticket_id>/reply/", views.request_reply, name="request_reply"),
    path("requests/<int:ticket_id>/solve/", views.request_solve, name="request_solve"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.password_change, name="password_change"),
]
