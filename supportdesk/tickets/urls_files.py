from django.urls import path

from supportdesk.tickets import views_files

app_name = "files"
urlpatterns = [
    path("attachments/<uuid:token>/", views_files.attachment_download, name="attachment"),
    path("attachments/<uuid:token>/inline/", views_files.attachment_inline, name="inline"),
]
